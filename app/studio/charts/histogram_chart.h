// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A weight histogram (step area chart) with a linear or logarithmic count axis. Wraps a
/// QChartView; Qt Charts headers stay in the .cpp.

#include <QWidget>

#include <cstdint>
#include <vector>

class QChart;
class QChartView;

namespace lowbit::studio {

class HistogramChart : public QWidget {
    Q_OBJECT
public:
    explicit HistogramChart(QWidget *parent = nullptr);
    ~HistogramChart() override;

    /// Shows `counts` as equal-width bins over [min, max]. An empty `counts` clears the chart.
    void setHistogram(std::vector<std::uint64_t> counts, double min, double max);
    void clear() { setHistogram({}, 0.0, 0.0); }

    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }

    int binCount() const { return static_cast<int>(m_counts.size()); }
    /// Points in the drawn series (2 per bin; 0 when empty).
    int pointCount() const;
    QChart *chart() const { return m_chart; }
    QChartView *chartView() const { return m_view; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();

    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    std::vector<std::uint64_t> m_counts;
    double m_min = 0.0, m_max = 0.0;
    bool m_logScale = false;
};

} // namespace lowbit::studio
