// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Round tick spacing for chart axes: 1, 2 or 5 times a power of ten.

class QCategoryAxis;

namespace lowbit::studio {

/// The smallest 1/2/5×10^k step that splits `range` into at most `maxTicks` intervals; 1 for an
/// empty or non-finite range. `minStep` bounds it from below (1 for integer axes, 0 for none).
double niceTickInterval(double range, int maxTicks, double minStep = 0.0);

/// Fills `axis` (labels on values) with exact multiples of a nice step inside [lo, hi], so
/// labels read "-0.1, -0.05, 0, 0.05" rather than "-1.39e-17" (QValueAxis's accumulated ticks).
void setNiceCategoryTicks(QCategoryAxis *axis, double lo, double hi, int maxTicks);

} // namespace lowbit::studio
