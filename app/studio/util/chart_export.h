// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Saves a chart (any widget) as PNG (raster, at the screen's device pixel ratio), SVG (vector,
/// through QSvgGenerator) or PDF (vector, through QPdfWriter).

#include <QString>

class QWidget;

namespace lowbit::studio {

/// Writes `widget` to `path` (".svg" → SVG, ".pdf" → vector PDF, anything else → PNG). Returns an error text, or
/// "" on success.
QString exportWidget(QWidget *widget, const QString &path);
/// Asks for a file name (PNG/SVG/PDF) and exports; reports failure in a message box. Returns the path
/// written, "" when cancelled or failed.
QString exportWidgetWithDialog(QWidget *widget, const QString &suggestedName);

} // namespace lowbit::studio
