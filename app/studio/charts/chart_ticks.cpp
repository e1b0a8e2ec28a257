// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/charts/chart_ticks.h"

#include <QLocale>
#include <QtCharts/QCategoryAxis>

#include <algorithm>
#include <cmath>

namespace lowbit::studio {

double niceTickInterval(double range, int maxTicks, double minStep)
{
    if (!std::isfinite(range) || range <= 0.0 || maxTicks < 1)
        return std::max(1.0, minStep);
    const double raw = range / maxTicks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = 10.0 * magnitude;
    for (const double m : {1.0, 2.0, 5.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    return std::max(step, minStep);
}

void setNiceCategoryTicks(QCategoryAxis *axis, double lo, double hi, int maxTicks)
{
    for (const QString &label : axis->categoriesLabels())
        axis->remove(label);
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setRange(lo, hi);
    axis->setStartValue(lo);
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
        return;
    const double step = niceTickInterval(hi - lo, maxTicks);
    const QLocale loc;
    // Integer multiples of the step, so 0 is exactly 0.
    for (double k = std::ceil(lo / step); k * step <= hi; k += 1.0) {
        const double v = k * step;
        if (v > lo)
            axis->append(loc.toString(v, 'g', 4), v);
    }
}

} // namespace lowbit::studio
