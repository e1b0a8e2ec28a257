// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The error view: one bar per quantized tensor of the whole model — relative MSE, SQNR or the
/// proxy (output) error — from the format plan (measured in the background on sample rows) or
/// from a finished run (the methods' own reports; proxy error when the run had calibration).

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QPushButton;

namespace lowbit::studio {

class LayerTreeModel;
class RunHistoryModel;

class ErrorView : public QWidget {
    Q_OBJECT
public:
    enum class Metric { RelativeMse, Sqnr, ProxyError };

    ErrorView(LayerTreeModel *plan, RunHistoryModel *runs, QWidget *parent = nullptr);

    void setMetric(Metric metric);
    /// 0: the format plan; i ≥ 1: run i − 1 of the history.
    void setSource(int source);
    int source() const;
    /// Bars on display (tests).
    int barCount() const { return m_bars; }
    QChartView *chartView() const { return m_view; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void fillSources();
    void rebuild();
    void retranslateUi();

    LayerTreeModel *m_plan;
    RunHistoryModel *m_runs;
    QLabel *m_sourceLabel = nullptr, *m_metricLabel = nullptr, *m_note = nullptr;
    QComboBox *m_source = nullptr, *m_metric = nullptr;
    QPushButton *m_export = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    int m_bars = 0;
    bool m_rebuildQueued = false;
};

} // namespace lowbit::studio
