// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/charts/histogram_chart.h"

#include "app/studio/charts/chart_ticks.h"

#include <QEvent>
#include <QVBoxLayout>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QCategoryAxis>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>

#include <algorithm>

namespace lowbit::studio {
namespace {
// On a log axis an empty bin sits on this floor (below 1, so one count is still visible).
constexpr double kLogFloor = 0.5;
} // namespace

HistogramChart::HistogramChart(QWidget *parent) : QWidget(parent), m_chart(new QChart)
{
    m_chart->legend()->hide();
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_view = new QChartView(m_chart, this); // takes ownership of the chart
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(160);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    rebuild();
}

HistogramChart::~HistogramChart() = default;

void HistogramChart::setHistogram(std::vector<std::uint64_t> counts, double min, double max)
{
    m_counts = std::move(counts);
    m_min = min;
    m_max = max;
    rebuild();
}

void HistogramChart::setLogScale(bool on)
{
    if (on == m_logScale)
        return;
    m_logScale = on;
    rebuild();
}

int HistogramChart::pointCount() const
{
    const auto series = m_chart->series();
    if (series.isEmpty())
        return 0;
    const auto *area = qobject_cast<const QAreaSeries *>(series.first());
    return area && area->upperSeries() ? static_cast<int>(area->upperSeries()->count()) : 0;
}

void HistogramChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        rebuild();
    QWidget::changeEvent(event);
}

void HistogramChart::rebuild()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_chart->setTitle(tr("Weight histogram"));
    if (m_counts.empty())
        return;

    const double floor = m_logScale ? kLogFloor : 0.0;
    const double width = (m_max - m_min) / static_cast<double>(m_counts.size());
    auto *upper = new QLineSeries;
    auto *lower = new QLineSeries;
    QList<QPointF> up, low;
    up.reserve(static_cast<qsizetype>(m_counts.size() * 2));
    std::uint64_t peak = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        const double x0 = m_min + width * static_cast<double>(i), x1 = x0 + width;
        const double y = m_counts[i] == 0 ? floor : static_cast<double>(m_counts[i]);
        up << QPointF(x0, y) << QPointF(x1, y);
        peak = std::max(peak, m_counts[i]);
    }
    low << QPointF(m_min, floor) << QPointF(m_max, floor);
    upper->replace(up);
    lower->replace(low);
    auto *area = new QAreaSeries(upper, lower);
    area->setName(tr("count"));
    area->setColor(QColor(0x3d, 0x7e, 0xc4));
    area->setBorderColor(QColor(0x1f, 0x4e, 0x86));
    m_chart->addSeries(area);

    auto *x = new QCategoryAxis;
    setNiceCategoryTicks(x, m_min, m_max, 8);
    x->setTitleText(tr("weight"));
    m_chart->addAxis(x, Qt::AlignBottom);
    area->attachAxis(x);

    QAbstractAxis *y = nullptr;
    const double top = std::max<double>(1.0, static_cast<double>(peak));
    if (m_logScale) {
        auto *log = new QLogValueAxis;
        log->setBase(10.0);
        log->setRange(kLogFloor, top * 2.0);
        log->setLabelFormat(QStringLiteral("%g"));
        log->setMinorTickCount(-1);
        y = log;
    } else {
        auto *lin = new QValueAxis;
        lin->setRange(0.0, top * 1.05);
        lin->setLabelFormat(QStringLiteral("%.0f"));
        lin->applyNiceNumbers();
        y = lin;
    }
    y->setTitleText(m_logScale ? tr("count (log)") : tr("count"));
    m_chart->addAxis(y, Qt::AlignLeft);
    area->attachAxis(y);
}

} // namespace lowbit::studio
