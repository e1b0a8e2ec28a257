// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/charts/distribution_chart.h"

#include "app/studio/charts/chart_ticks.h"

#include <QEvent>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <algorithm>

namespace lowbit::studio {
namespace {
constexpr double kLogFloor = 0.5; // an empty bin on a log axis (below one count)

QList<QPointF> steps(const std::vector<double> &counts, double min, double max, double floor)
{
    QList<QPointF> pts;
    const double width = (max - min) / static_cast<double>(counts.size());
    pts.reserve(static_cast<qsizetype>(counts.size() * 2));
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const double x0 = min + width * static_cast<double>(i);
        const double y = counts[i] < kLogFloor ? floor : counts[i];
        pts << QPointF(x0, y) << QPointF(x0 + width, y);
    }
    return pts;
}
} // namespace

DistributionChart::DistributionChart(QWidget *parent) : QWidget(parent), m_chart(new QChart)
{
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(200);
    m_view->setRubberBand(QChartView::HorizontalRubberBand); // drag to zoom, right-click to zoom out
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    rebuild();
}

DistributionChart::~DistributionChart() = default;

void DistributionChart::setData(std::vector<double> weights, std::vector<double> dequantized, double min, double max,
                                std::vector<double> levels)
{
    m_weights = std::move(weights);
    m_dequantized = std::move(dequantized);
    m_levels = std::move(levels);
    m_min = min;
    m_max = max;
    rebuild();
}

void DistributionChart::setLogScale(bool on)
{
    if (on == m_logScale)
        return;
    m_logScale = on;
    rebuild();
}

int DistributionChart::seriesCount() const { return static_cast<int>(m_chart->series().size()); }

void DistributionChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        rebuild();
    QWidget::changeEvent(event);
}

void DistributionChart::rebuild()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_chart->setTitle(tr("Weights, dequantized weights and grid levels"));
    if (m_weights.empty() || !(m_max > m_min)) {
        m_chart->legend()->hide();
        return;
    }
    m_chart->legend()->show();
    const double floor = m_logScale ? kLogFloor : 0.0;
    double peak = 1.0;
    for (const auto *counts : {&m_weights, &m_dequantized})
        for (const double c : *counts)
            peak = std::max(peak, c);
    const double top = m_logScale ? peak * 2.0 : peak * 1.05;

    auto *upper = new QLineSeries;
    upper->replace(steps(m_weights, m_min, m_max, floor));
    auto *lower = new QLineSeries;
    lower->append(m_min, floor);
    lower->append(m_max, floor);
    auto *area = new QAreaSeries(upper, lower);
    area->setName(tr("weights"));
    area->setColor(QColor(0x3d, 0x7e, 0xc4, 150));
    area->setBorderColor(QColor(0x1f, 0x4e, 0x86));
    m_chart->addSeries(area);

    QList<QAbstractSeries *> all{area};
    if (!m_dequantized.empty() && m_dequantized.size() == m_weights.size()) {
        auto *deq = new QLineSeries;
        deq->setName(tr("dequantized"));
        deq->replace(steps(m_dequantized, m_min, m_max, floor));
        QPen pen(QColor(0xd6, 0x4f, 0x2a));
        pen.setWidthF(1.6);
        deq->setPen(pen);
        m_chart->addSeries(deq);
        all << deq;
    }
    if (!m_levels.empty()) {
        // One series of vertical ticks joined along the floor: cheap even for 256 levels.
        auto *ticks = new QLineSeries;
        ticks->setName(tr("grid levels (median group's scale)"));
        QList<QPointF> pts;
        for (const double v : m_levels) {
            if (v < m_min || v > m_max)
                continue;
            pts << QPointF(v, floor) << QPointF(v, top) << QPointF(v, floor);
        }
        ticks->replace(pts);
        QPen pen(QColor(0x2e, 0x9e, 0x4f));
        pen.setWidthF(1.0);
        pen.setStyle(Qt::DashLine);
        ticks->setPen(pen);
        m_chart->addSeries(ticks);
        all << ticks;
    }

    auto *x = new QCategoryAxis;
    setNiceCategoryTicks(x, m_min, m_max, 8);
    x->setTitleText(tr("weight"));
    m_chart->addAxis(x, Qt::AlignBottom);
    QAbstractAxis *y = nullptr;
    if (m_logScale) {
        auto *log = new QLogValueAxis;
        log->setBase(10.0);
        log->setRange(kLogFloor, top);
        log->setLabelFormat(QStringLiteral("%g"));
        log->setMinorTickCount(-1);
        y = log;
    } else {
        auto *lin = new QValueAxis;
        lin->setRange(0.0, top);
        lin->setLabelFormat(QStringLiteral("%.0f"));
        lin->applyNiceNumbers();
        y = lin;
    }
    y->setTitleText(m_logScale ? tr("count (log)") : tr("count"));
    m_chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : all) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
}

} // namespace lowbit::studio
