// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Saves a chart (any widget) as PNG (raster, at the screen's device pixel ratio) or PDF
/// (vector, through QPdfWriter). SVG would need QtSvg (Debian's qt6-svg-dev), which the build
/// does not depend on; PDF is the vector format instead.

#include <QString>

class QWidget;

namespace lowbit::studio {

/// Writes `widget` to `path` (".pdf" → vector PDF, anything else → PNG). Returns an error text, or
/// "" on success.
QString exportWidget(QWidget *widget, const QString &path);
/// Asks for a file name (PNG/PDF) and exports; reports failure in a message box. Returns the path
/// written, "" when cancelled or failed.
QString exportWidgetWithDialog(QWidget *widget, const QString &suggestedName);

} // namespace lowbit::studio
