// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Registers the studio's compiled-in resources (icons, translations). lowbit_app is a static
/// library, so its resource initialisers are not linked in automatically: call this once after
/// creating the QApplication (main() and the widget tests do). Safe to call more than once.

namespace lowbit::studio {

void initStudioResources();

} // namespace lowbit::studio
