// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/compare_view.h"

#include "app/studio/models/run_history_model.h"
#include "app/studio/util/chart_export.h"

#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <QtCharts/QBarCategoryAxis>
#include <QtCharts/QBarSeries>
#include <QtCharts/QBarSet>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>
#include <set>

namespace lowbit::studio {
namespace {

// Distinct, colour-blind-friendly run colours (Okabe–Ito).
const QColor kRunColors[] = {QColor(0x00, 0x72, 0xb2), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73), QColor(0xcc, 0x79, 0xa7),
                             QColor(0x56, 0xb4, 0xe9), QColor(0xd5, 0x5e, 0x00), QColor(0xf0, 0xe4, 0x42), QColor(0x00, 0x00, 0x00)};

QColor runColor(int i) { return kRunColors[static_cast<std::size_t>(i) % std::size(kRunColors)]; }

void resetChart(QChart *chart)
{
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
}

QChartView *makeView(QChart *chart, QWidget *parent)
{
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    chart->legend()->setAlignment(Qt::AlignRight); // run names are long: a column keeps them whole
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    return view;
}

} // namespace

CompareView::CompareView(RunHistoryModel *runs, QWidget *parent) : QWidget(parent), m_runs(runs)
{
    setObjectName(QStringLiteral("compareView"));
    m_metricLabel = new QLabel(this);
    m_metricCombo = new QComboBox(this);
    m_metricCombo->setObjectName(QStringLiteral("metricCombo"));
    m_metricCombo->addItems({QString(), QString(), QString()});
    m_hint = new QLabel(this);
    m_hint->setStyleSheet(QStringLiteral("color: #5a5a5a;"));
    m_hint->setWordWrap(true); // a long hint must not set the window's minimum width
    m_exportScatter = new QPushButton(this);
    m_exportLayers = new QPushButton(this);
    m_remove = new QPushButton(this);

    m_scatter = new QChart;
    m_scatterView = makeView(m_scatter, this);
    m_scatterView->setObjectName(QStringLiteral("scatterChart"));
    m_layers = new QChart;
    m_layerView = makeView(m_layers, this);
    m_layerView->setObjectName(QStringLiteral("layerChart"));

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("runTable"));
    m_table->setModel(m_runs);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();

    auto *top = new QHBoxLayout;
    top->addWidget(m_metricLabel);
    top->addWidget(m_metricCombo);
    top->addStretch(1);
    top->addWidget(m_exportScatter);
    top->addWidget(m_exportLayers);

    auto *charts = new QSplitter(Qt::Horizontal, this);
    charts->addWidget(m_scatterView);
    charts->addWidget(m_layerView);
    charts->setStretchFactor(0, 1);
    charts->setStretchFactor(1, 1);
    auto *tableBox = new QWidget(this);
    auto *tableLayout = new QVBoxLayout(tableBox);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addWidget(m_table, 1);
    auto *tableButtons = new QHBoxLayout;
    tableButtons->addStretch(1);
    tableButtons->addWidget(m_remove);
    tableLayout->addLayout(tableButtons);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(charts);
    split->addWidget(tableBox);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({640, 220});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_hint);
    layout->addWidget(split, 1);

    connect(m_metricCombo, &QComboBox::currentIndexChanged, this, [this](int i) { setMetric(static_cast<Metric>(i)); });
    connect(m_runs, &RunHistoryModel::runsChanged, this, &CompareView::rebuild);
    connect(m_exportScatter, &QPushButton::clicked, this, [this] { exportWidgetWithDialog(m_scatterView, QStringLiteral("lowbit-pareto")); });
    connect(m_exportLayers, &QPushButton::clicked, this, [this] { exportWidgetWithDialog(m_layerView, QStringLiteral("lowbit-layers")); });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_table->currentIndex();
        if (current.isValid())
            m_runs->removeRun(current.row());
    });
    retranslateUi();
}

void CompareView::setMetric(Metric metric)
{
    m_metric = metric;
    {
        const QSignalBlocker block(m_metricCombo);
        m_metricCombo->setCurrentIndex(static_cast<int>(metric));
    }
    rebuild();
}

void CompareView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void CompareView::retranslateUi()
{
    m_metricLabel->setText(tr("Error measure:"));
    m_metricCombo->setItemText(0, tr("Relative MSE (weights)"));
    m_metricCombo->setItemText(1, tr("Proxy error (needs calibration)"));
    m_metricCombo->setItemText(2, tr("Perplexity"));
    m_exportScatter->setText(tr("Export Pareto chart…"));
    m_exportLayers->setText(tr("Export layer chart…"));
    m_remove->setText(tr("Remove run"));
    rebuild();
}

void CompareView::rebuild()
{
    rebuildScatter();
    rebuildBars();
    const int runs = m_runs->runCount();
    m_hint->setText(runs == 0 ? tr("No runs yet: quantize the model (Quantize ▸ Quantize Model…) to compare runs here.")
                              : tr("%n run(s) in the history; tick a run in the table to compare it.", nullptr, runs));
}

void CompareView::rebuildScatter()
{
    resetChart(m_scatter);
    m_plotted = m_pareto = 0;
    m_scatter->setTitle(tr("Bits per weight vs error (Pareto front dashed)"));
    std::vector<std::pair<double, double>> points;
    std::vector<int> rows;
    for (const int row : m_runs->checkedRuns()) {
        const RunRecord &r = m_runs->run(row);
        const double y = m_metric == Metric::RelativeMse ? r.relativeMse : m_metric == Metric::ProxyError ? r.proxyError : r.perplexity;
        if (!std::isfinite(y) || !std::isfinite(r.averageBpw))
            continue;
        points.emplace_back(r.averageBpw, y);
        rows.push_back(row);
    }
    if (points.empty())
        return;
    bool logY = m_metric != Metric::Perplexity;
    double xmin = points.front().first, xmax = xmin, ymin = points.front().second, ymax = ymin;
    for (const auto &[x, y] : points) {
        xmin = std::min(xmin, x);
        xmax = std::max(xmax, x);
        ymin = std::min(ymin, y);
        ymax = std::max(ymax, y);
    }
    auto *x = new QValueAxis;
    const double pad = std::max(0.1, (xmax - xmin) * 0.08);
    x->setRange(xmin - pad, xmax + pad);
    x->setTitleText(tr("bits per weight"));
    x->setLabelFormat(QStringLiteral("%.2f"));
    m_scatter->addAxis(x, Qt::AlignBottom);
    QAbstractAxis *y = nullptr;
    const QString yTitle = m_metric == Metric::RelativeMse ? tr("relative MSE") : m_metric == Metric::ProxyError ? tr("proxy error") : tr("perplexity");
    logY = logY && ymin > 0 && ymax / ymin > 30; // a log axis labels only decades: worth it for wide ranges
    if (logY) {
        auto *log = new QLogValueAxis;
        log->setBase(10);
        log->setRange(ymin / 1.6, ymax * 1.6);
        log->setLabelFormat(QStringLiteral("%.2g"));
        y = log;
    } else {
        auto *lin = new QValueAxis;
        const double ypad = std::max(1e-9, (ymax - ymin) * 0.1);
        lin->setRange(ymin - ypad, ymax + ypad);
        lin->setLabelFormat(QStringLiteral("%.4g"));
        y = lin;
    }
    y->setTitleText(yTitle);
    m_scatter->addAxis(y, Qt::AlignLeft);

    const std::vector<int> front = paretoFront(points);
    if (front.size() >= 2) {
        auto *line = new QLineSeries;
        line->setName(tr("Pareto front"));
        for (const int i : front)
            line->append(points[static_cast<std::size_t>(i)].first, points[static_cast<std::size_t>(i)].second);
        QPen pen(QColor(0x55, 0x55, 0x55));
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.5);
        line->setPen(pen);
        m_scatter->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
    }
    m_pareto = static_cast<int>(front.size());
    const std::set<int> onFront(front.begin(), front.end());
    for (std::size_t i = 0; i < points.size(); ++i) {
        auto *s = new QScatterSeries;
        const RunRecord &r = m_runs->run(rows[i]);
        s->setName(onFront.contains(static_cast<int>(i)) ? r.name + QStringLiteral(" ★") : r.name);
        s->setColor(runColor(rows[i]));
        s->setBorderColor(onFront.contains(static_cast<int>(i)) ? Qt::black : runColor(rows[i]));
        s->setMarkerSize(onFront.contains(static_cast<int>(i)) ? 13 : 11);
        s->append(points[i].first, points[i].second);
        m_scatter->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    m_plotted = static_cast<int>(points.size());
}

void CompareView::rebuildBars()
{
    resetChart(m_layers);
    m_barSets = 0;
    const bool proxy = m_metric == Metric::ProxyError;
    m_layers->setTitle(proxy ? tr("Proxy error per layer") : tr("Relative MSE per layer"));
    const std::vector<int> rows = m_runs->checkedRuns();
    std::vector<std::map<int, double>> perRun;
    std::set<int> layers;
    for (const int row : rows) {
        perRun.push_back(perLayerError(m_runs->run(row), proxy));
        for (const auto &[layer, v] : perRun.back())
            layers.insert(layer);
    }
    if (layers.empty())
        return;
    QStringList categories;
    for (const int l : layers)
        categories << (l < 0 ? tr("emb/out") : QString::number(l));
    auto *series = new QBarSeries;
    double top = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto *set = new QBarSet(m_runs->run(rows[i]).name);
        set->setColor(runColor(rows[i]));
        for (const int l : layers) {
            const auto it = perRun[i].find(l);
            const double v = it == perRun[i].end() ? 0.0 : it->second;
            *set << v;
            top = std::max(top, v);
        }
        series->append(set);
    }
    m_barSets = static_cast<int>(series->count());
    m_layers->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    x->setTitleText(tr("layer"));
    m_layers->addAxis(x, Qt::AlignBottom);
    series->attachAxis(x);
    auto *y = new QValueAxis;
    y->setRange(0, top > 0 ? top * 1.08 : 1.0);
    y->setLabelFormat(QStringLiteral("%.3g"));
    y->setTitleText(proxy ? tr("proxy error") : tr("relative MSE"));
    m_layers->addAxis(y, Qt::AlignLeft);
    series->attachAxis(y);
}

} // namespace lowbit::studio
