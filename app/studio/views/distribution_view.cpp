// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/distribution_view.h"

#include "app/studio/charts/distribution_chart.h"
#include "app/studio/charts/error_heat_map.h"
#include "app/studio/jobs/format_probe.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/util/chart_export.h"
#include "app/studio/util/display_format.h"

#include <QCheckBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

namespace lowbit::studio {

DistributionView::DistributionView(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("distributionView"));
    m_caption = new QLabel(this);
    m_caption->setObjectName(QStringLiteral("distributionCaption"));
    m_caption->setWordWrap(true);
    m_log = new QCheckBox(this);
    m_log->setObjectName(QStringLiteral("distributionLogScale"));
    m_log->setChecked(Setting<bool>(keys::kHistogramLogScale, false).value());
    m_export = new QPushButton(this);
    m_chart = new DistributionChart(this);
    m_chart->setLogScale(m_log->isChecked());
    m_heat = new ErrorHeatMap(this);
    connect(m_log, &QCheckBox::toggled, m_chart, &DistributionChart::setLogScale);
    connect(m_export, &QPushButton::clicked, this, [this] { exportWidgetWithDialog(m_chart, QStringLiteral("lowbit-distribution")); });

    auto *top = new QHBoxLayout;
    top->addWidget(m_caption, 1);
    top->addWidget(m_log);
    top->addWidget(m_export);
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_chart);
    split->addWidget(m_heat);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(split, 1);
    retranslateUi();
}

void DistributionView::setProbe(FormatProbe *probe)
{
    if (m_probe)
        disconnect(m_probe, nullptr, this, nullptr);
    m_probe = probe;
    if (m_probe) {
        connect(m_probe, &FormatProbe::evaluated, this, &DistributionView::refresh);
        connect(m_probe, &FormatProbe::started, this, &DistributionView::refresh);
    }
    refresh();
}

QString DistributionView::captionText() const { return m_caption->text(); }

void DistributionView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void DistributionView::retranslateUi()
{
    m_log->setText(tr("Log count axis"));
    m_export->setText(tr("Export chart…"));
    refresh();
}

void DistributionView::refresh()
{
    const FormatEvaluation *r = m_probe ? m_probe->result() : nullptr;
    if (!m_probe || !m_probe->tensor()) {
        m_caption->setText(tr("Select a tensor in the tree; the format designer's format is drawn over its weights."));
        m_chart->clear();
        m_heat->clear();
        return;
    }
    const QString tensor = QString::fromStdString(m_probe->tensor()->name);
    if (!m_probe->spec()) {
        m_caption->setText(tr("%1 — the designer's format is not valid.").arg(tensor));
        m_chart->clear();
        m_heat->clear();
        return;
    }
    if (!r) {
        m_caption->setText(tr("%1 — measuring…").arg(tensor));
        return; // keep the previous picture until the new one is ready
    }
    if (!r->ok()) {
        m_caption->setText(tr("%1 — cannot measure %2: %3").arg(tensor, r->format, r->failure));
        m_chart->clear();
        m_heat->clear();
        return;
    }
    const QLocale loc;
    QString text = tr("<b>%1</b> as <b>%2</b>: relative MSE %3, SQNR %4 dB, %5 bits/weight.")
                       .arg(tensor.toHtmlEscaped(), r->format.toHtmlEscaped(), formatReal(r->relativeMse(), 4),
                            loc.toString(r->sqnrDb(), 'f', 2), loc.toString(r->bpw.total(), 'f', 3));
    if (r->sampled())
        text += QLatin1Char(' ') + tr("Measured on %1 of %2 rows (counts scaled to the whole tensor).")
                                      .arg(loc.toString(r->rowsMeasured), loc.toString(r->rows));
    if (!r->levels.empty())
        text += QLatin1Char(' ') + tr("Grid: %n level(s) at the median group's scale %1.", nullptr, static_cast<int>(r->levels.size()))
                                      .arg(formatReal(r->levelsScale, 3));
    m_caption->setText(text);
    m_chart->setData(r->weightHistogram, r->histogram, r->histMin, r->histMax, r->levels);
    m_heat->setData(r->heatRows, r->heatCols, r->heat);
}

} // namespace lowbit::studio
