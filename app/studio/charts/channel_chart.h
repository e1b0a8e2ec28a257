// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Per-output-channel absmax as a line, with outlier channels (absmax above kOutlierFactor ×
/// the median) marked as points. Wraps a QChartView; Qt Charts headers stay in the .cpp.

#include <QWidget>

#include <vector>

class QChart;
class QChartView;

namespace lowbit::studio {

class ChannelChart : public QWidget {
    Q_OBJECT
public:
    /// A channel is an outlier when its absmax exceeds this many times the median channel absmax.
    static constexpr double kOutlierFactor = 3.0;
    /// Longer inputs are reduced to this many points by keeping each bucket's maximum, so
    /// outliers stay visible.
    static constexpr int kMaxPoints = 4096;

    explicit ChannelChart(QWidget *parent = nullptr);
    ~ChannelChart() override;

    /// Shows absmax per channel; `perElement` only changes the axis title (1-D tensors).
    /// An empty vector clears the chart.
    void setChannels(std::vector<float> absmax, bool perElement = false);
    void clear() { setChannels({}); }

    int channelCount() const { return static_cast<int>(m_absmax.size()); }
    /// Channels flagged as outliers (indices into the input), ascending.
    const std::vector<int> &outlierChannels() const { return m_outliers; }
    /// Points in the drawn line (≤ kMaxPoints).
    int pointCount() const;
    QChart *chart() const { return m_chart; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();

    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    std::vector<float> m_absmax;
    std::vector<int> m_outliers;
    bool m_perElement = false;
};

} // namespace lowbit::studio
