// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/error_view.h"

#include "app/studio/models/layer_tree_model.h"
#include "app/studio/models/run_history_model.h"
#include "app/studio/util/chart_export.h"
#include "core/model/model.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QValueAxis>

#include <cmath>

namespace lowbit::studio {
namespace {

struct Bar {
    QString label;
    double value = 0;
};

QString shortLabel(TensorRole role, int layer)
{
    const QString r = QString::fromUtf8(tensorRoleName(role).data(), static_cast<qsizetype>(tensorRoleName(role).size()));
    return layer >= 0 ? QString::number(layer) + QLatin1Char('.') + r : r;
}

double metricOf(ErrorView::Metric m, double relMse, double sqnr, double proxy)
{
    switch (m) {
    case ErrorView::Metric::RelativeMse: return relMse;
    case ErrorView::Metric::Sqnr: return sqnr;
    case ErrorView::Metric::ProxyError: return proxy;
    }
    return NAN;
}

} // namespace

ErrorView::ErrorView(LayerTreeModel *plan, RunHistoryModel *runs, QWidget *parent) : QWidget(parent), m_plan(plan), m_runs(runs)
{
    setObjectName(QStringLiteral("errorView"));
    m_sourceLabel = new QLabel(this);
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("errorSource"));
    // Run names can be long: the combo must not widen the whole window.
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_source->setMinimumContentsLength(24);
    m_metricLabel = new QLabel(this);
    m_metric = new QComboBox(this);
    m_metric->setObjectName(QStringLiteral("errorMetric"));
    m_metric->addItems({QString(), QString(), QString()});
    m_export = new QPushButton(this);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("errorNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: #5a5a5a;"));
    m_chart = new QChart;
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->hide();
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);

    auto *top = new QHBoxLayout;
    top->addWidget(m_sourceLabel);
    top->addWidget(m_source, 1);
    top->addWidget(m_metricLabel);
    top->addWidget(m_metric);
    top->addWidget(m_export);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_note);
    layout->addWidget(m_view, 1);

    auto queue = [this] {
        if (m_rebuildQueued)
            return;
        m_rebuildQueued = true; // errors arrive tensor by tensor: redraw at most every 150 ms
        QTimer::singleShot(150, this, [this] {
            m_rebuildQueued = false;
            rebuild();
        });
    };
    connect(m_plan, &QAbstractItemModel::dataChanged, this, queue);
    connect(m_plan, &QAbstractItemModel::modelReset, this, queue);
    connect(m_runs, &RunHistoryModel::runsChanged, this, [this, queue] {
        fillSources();
        queue();
    });
    connect(m_source, &QComboBox::currentIndexChanged, this, &ErrorView::rebuild);
    connect(m_metric, &QComboBox::currentIndexChanged, this, &ErrorView::rebuild);
    connect(m_export, &QPushButton::clicked, this, [this] { exportWidgetWithDialog(m_view, QStringLiteral("lowbit-errors")); });
    retranslateUi();
}

void ErrorView::setMetric(Metric metric) { m_metric->setCurrentIndex(static_cast<int>(metric)); }

void ErrorView::setSource(int source) { m_source->setCurrentIndex(std::clamp(source, 0, m_source->count() - 1)); }

int ErrorView::source() const { return m_source->currentIndex(); }

void ErrorView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void ErrorView::retranslateUi()
{
    m_sourceLabel->setText(tr("Source:"));
    m_metricLabel->setText(tr("Measure:"));
    m_metric->setItemText(0, tr("Relative MSE"));
    m_metric->setItemText(1, tr("SQNR (dB)"));
    m_metric->setItemText(2, tr("Proxy error"));
    m_export->setText(tr("Export chart…"));
    fillSources();
    rebuild();
}

void ErrorView::fillSources()
{
    const QSignalBlocker block(m_source);
    const int current = m_source->currentIndex();
    const int before = m_source->count();
    m_source->clear();
    m_source->addItem(tr("Format plan (measured on sample rows)"));
    for (int i = 0; i < m_runs->runCount(); ++i)
        m_source->addItem(tr("Run: %1").arg(m_runs->run(i).name));
    // A new run is what the user wants to see next.
    m_source->setCurrentIndex(m_source->count() > before && before > 0 ? m_source->count() - 1 : std::clamp(current, 0, m_source->count() - 1));
}

void ErrorView::rebuild()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_bars = 0;
    const auto metric = static_cast<Metric>(std::max(0, m_metric->currentIndex()));
    std::vector<Bar> bars;
    const int source = m_source->currentIndex();
    if (source <= 0) {
        const auto &model = m_plan->model();
        if (model)
            for (int i : m_plan->quantizableTensors()) {
                const auto m = m_plan->tensorMeasurement(i);
                if (!m)
                    continue;
                const ModelTensor &t = model->tensors()[static_cast<std::size_t>(i)];
                bars.push_back({shortLabel(t.role, t.layer), metricOf(metric, m->first, m->second, NAN)});
            }
        m_note->setText(metric == Metric::ProxyError
                            ? tr("The proxy error needs calibration: it comes with a run (Quantize with a calibration text).")
                            : m_plan->plannedCount() == 0 ? tr("No format planned yet: use the format designer's Apply buttons.")
                                                          : tr("%n tensor(s) planned; errors are measured in the background.", nullptr,
                                                               m_plan->plannedCount()));
    } else if (source - 1 < m_runs->runCount()) {
        const RunRecord &run = m_runs->run(source - 1);
        for (const LayerOutcome &l : run.outcome.layers) {
            if (l.skipped)
                continue;
            const double sqnr = l.report.weightRelMse > 0 ? -10.0 * std::log10(l.report.weightRelMse) : NAN;
            bars.push_back({shortLabel(l.role, l.layer), metricOf(metric, l.report.weightRelMse, sqnr, l.report.proxyError)});
        }
        m_note->setText(tr("%1: %2 bits/weight on average, %3 tensors quantized.")
                            .arg(run.name, QLocale().toString(run.averageBpw, 'f', 3))
                            .arg(bars.size()));
    }
    std::erase_if(bars, [](const Bar &b) { return !std::isfinite(b.value); });
    const QString title = metric == Metric::RelativeMse ? tr("Relative MSE per tensor")
                          : metric == Metric::Sqnr      ? tr("SQNR per tensor (dB, higher is better)")
                                                        : tr("Proxy (output) error per tensor");
    m_chart->setTitle(title);
    if (bars.empty())
        return;
    auto *set = new QBarSet(title);
    set->setColor(QColor(0x3d, 0x7e, 0xc4));
    QStringList labels;
    double top = 0;
    for (const Bar &b : bars) {
        *set << b.value;
        labels << b.label;
        top = std::max(top, b.value);
    }
    auto *series = new QBarSeries;
    series->append(set);
    series->setBarWidth(0.8);
    m_chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(labels);
    x->setLabelsAngle(labels.size() > 12 ? -90 : 0);
    x->setTruncateLabels(false); // "0.gate" must stay readable, rotated
    x->setTitleText(tr("tensor (layer.role)"));
    m_chart->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    auto *y = new QValueAxis;
    y->setRange(0, top > 0 ? top * 1.08 : 1.0);
    y->setLabelFormat(QStringLiteral("%.3g"));
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
    m_bars = static_cast<int>(bars.size());
}

} // namespace lowbit::studio
