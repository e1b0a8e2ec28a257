// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Compare: the checked runs of the history side by side — a bits-per-weight vs error scatter
/// (relative MSE, proxy error or perplexity) with the Pareto front, per-layer error bars grouped
/// by run, and the run table (check a run to include it). Each chart exports as PNG or PDF.

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace lowbit::studio {

class RunHistoryModel;

class CompareView : public QWidget {
    Q_OBJECT
public:
    enum class Metric { RelativeMse, ProxyError, Perplexity };

    explicit CompareView(RunHistoryModel *runs, QWidget *parent = nullptr);

    void setMetric(Metric metric);
    Metric metric() const { return m_metric; }

    /// What is drawn (tests): runs plotted in the scatter, runs on the Pareto front, bar sets.
    int plottedRunCount() const { return m_plotted; }
    int paretoCount() const { return m_pareto; }
    int barSetCount() const { return m_barSets; }
    QChartView *scatterView() const { return m_scatterView; }
    QChartView *layerView() const { return m_layerView; }
    QTableView *table() const { return m_table; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void rebuild();
    void rebuildScatter();
    void rebuildBars();
    void retranslateUi();

    RunHistoryModel *m_runs;
    Metric m_metric = Metric::RelativeMse;
    QComboBox *m_metricCombo = nullptr;
    QLabel *m_metricLabel = nullptr;
    QLabel *m_hint = nullptr;
    QChart *m_scatter = nullptr;
    QChartView *m_scatterView = nullptr;
    QChart *m_layers = nullptr;
    QChartView *m_layerView = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_exportScatter = nullptr;
    QPushButton *m_exportLayers = nullptr;
    QPushButton *m_remove = nullptr;
    int m_plotted = 0, m_pareto = 0, m_barSets = 0;
};

} // namespace lowbit::studio
