// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/charts/channel_chart.h"

#include "app/studio/charts/chart_ticks.h"

#include <QEvent>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QScatterSeries>
#include <QtCharts/QValueAxis>

#include <algorithm>
#include <cmath>

namespace lowbit::studio {

ChannelChart::ChannelChart(QWidget *parent) : QWidget(parent), m_chart(new QChart)
{
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_view = new QChartView(m_chart, this);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(140);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    rebuild();
}

ChannelChart::~ChannelChart() = default;

void ChannelChart::setChannels(std::vector<float> absmax, bool perElement)
{
    m_absmax = std::move(absmax);
    m_perElement = perElement;
    m_outliers.clear();
    if (!m_absmax.empty()) {
        std::vector<float> sorted = m_absmax;
        auto mid = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
        std::nth_element(sorted.begin(), mid, sorted.end());
        const double median = *mid;
        if (median > 0.0)
            for (std::size_t i = 0; i < m_absmax.size(); ++i)
                if (static_cast<double>(m_absmax[i]) > kOutlierFactor * median)
                    m_outliers.push_back(static_cast<int>(i));
    }
    rebuild();
}

int ChannelChart::pointCount() const
{
    for (QAbstractSeries *s : m_chart->series())
        if (s->type() == QAbstractSeries::SeriesTypeLine)
            return static_cast<int>(static_cast<QLineSeries *>(s)->count());
    return 0;
}

void ChannelChart::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        rebuild();
    QWidget::changeEvent(event);
}

void ChannelChart::rebuild()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    m_chart->setTitle(m_perElement ? tr("|w| per element") : tr("Absmax per output channel"));
    if (m_absmax.empty()) {
        m_chart->legend()->hide();
        return;
    }
    const std::size_t n = m_absmax.size();
    const std::size_t bucket = (n + kMaxPoints - 1) / kMaxPoints;
    auto *line = new QLineSeries;
    line->setName(m_perElement ? tr("|w|") : tr("channel absmax"));
    QList<QPointF> points;
    float peak = 0.0f;
    for (std::size_t b = 0; b < n; b += bucket) {
        const std::size_t e = std::min(n, b + bucket);
        float v = 0.0f;
        for (std::size_t i = b; i < e; ++i)
            if (std::isfinite(m_absmax[i]))
                v = std::max(v, m_absmax[i]);
        points << QPointF(static_cast<double>(b), static_cast<double>(v));
        peak = std::max(peak, v);
    }
    line->replace(points);
    m_chart->addSeries(line);

    auto *outliers = new QScatterSeries;
    outliers->setName(tr("outliers (> %1× median)").arg(kOutlierFactor));
    outliers->setMarkerSize(7.0);
    outliers->setColor(QColor(0xd0, 0x3a, 0x2f));
    outliers->setBorderColor(QColor(0xd0, 0x3a, 0x2f));
    QList<QPointF> marks;
    for (const int i : m_outliers)
        marks << QPointF(i, static_cast<double>(m_absmax[static_cast<std::size_t>(i)]));
    outliers->replace(marks);
    m_chart->addSeries(outliers);
    m_chart->legend()->show();

    auto *x = new QValueAxis;
    x->setRange(0.0, static_cast<double>(std::max<std::size_t>(1, n - 1)));
    x->setLabelFormat(QStringLiteral("%.0f"));
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(0.0);
    x->setTickInterval(niceTickInterval(static_cast<double>(n - 1), 10, 1.0));
    x->setTitleText(m_perElement ? tr("element") : tr("output channel"));
    auto *y = new QValueAxis;
    y->setRange(0.0, std::max(1e-12, static_cast<double>(peak) * 1.08));
    y->setLabelFormat(QStringLiteral("%.3g"));
    y->applyNiceNumbers();
    y->setTitleText(tr("absmax"));
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *s : m_chart->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
}

} // namespace lowbit::studio
