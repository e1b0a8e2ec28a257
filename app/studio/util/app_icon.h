// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The Lowbit Studio logo as a QIcon: PNG renditions (no SVG plugin needed) plus the SVG for
/// platforms that have one.

#include <QIcon>

namespace lowbit::studio {

QIcon appIcon();

} // namespace lowbit::studio
