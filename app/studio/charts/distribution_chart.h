// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The distribution view's chart: the weight histogram (area), the histogram of the dequantized
/// weights (step line) and the format's grid levels at a group's scale (vertical ticks), on a
/// linear or logarithmic count axis. Wraps a QChartView; Qt Charts headers stay in the .cpp.

#include <QWidget>

#include <vector>

class QChart;
class QChartView;

namespace lowbit::studio {

class DistributionChart : public QWidget {
    Q_OBJECT
public:
    explicit DistributionChart(QWidget *parent = nullptr);
    ~DistributionChart() override;

    /// `weights` and `dequantized`: counts in equal bins over [min, max] (the same bins; either
    /// may be empty); `levels`: grid values to mark. Empty weights clear the chart.
    void setData(std::vector<double> weights, std::vector<double> dequantized, double min, double max,
                 std::vector<double> levels);
    void clear() { setData({}, {}, 0, 0, {}); }
    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }

    /// Series on display: 0 when empty, else weights + dequantized (when given) + levels (when given).
    int seriesCount() const;
    int levelCount() const { return static_cast<int>(m_levels.size()); }
    QChart *chart() const { return m_chart; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();

    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    std::vector<double> m_weights, m_dequantized, m_levels;
    double m_min = 0, m_max = 0;
    bool m_logScale = false;
};

} // namespace lowbit::studio
