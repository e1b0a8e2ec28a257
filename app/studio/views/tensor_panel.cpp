// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/tensor_panel.h"

#include "app/studio/charts/channel_chart.h"
#include "app/studio/charts/histogram_chart.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/util/display_format.h"
#include "core/model/model.h"

#include <QCheckBox>
#include <QEvent>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace lowbit::studio {
namespace {

constexpr TensorPanel::Field kFields[] = {
    TensorPanel::Field::Shape, TensorPanel::Field::DType, TensorPanel::Field::Params,
    TensorPanel::Field::Min, TensorPanel::Field::Max, TensorPanel::Field::Mean,
    TensorPanel::Field::Std, TensorPanel::Field::Kurtosis, TensorPanel::Field::AbsmaxOverStd,
    TensorPanel::Field::ZeroFraction, TensorPanel::Field::NanInf, TensorPanel::Field::ChannelRatio,
};
constexpr int kFieldsPerColumn = 3;

QString fieldKey(TensorPanel::Field f)
{
    switch (f) {
    case TensorPanel::Field::Shape: return QStringLiteral("shape");
    case TensorPanel::Field::DType: return QStringLiteral("dtype");
    case TensorPanel::Field::Params: return QStringLiteral("params");
    case TensorPanel::Field::Min: return QStringLiteral("min");
    case TensorPanel::Field::Max: return QStringLiteral("max");
    case TensorPanel::Field::Mean: return QStringLiteral("mean");
    case TensorPanel::Field::Std: return QStringLiteral("std");
    case TensorPanel::Field::Kurtosis: return QStringLiteral("kurtosis");
    case TensorPanel::Field::AbsmaxOverStd: return QStringLiteral("absmax_over_std");
    case TensorPanel::Field::ZeroFraction: return QStringLiteral("zero_fraction");
    case TensorPanel::Field::NanInf: return QStringLiteral("nan_inf");
    case TensorPanel::Field::ChannelRatio: return QStringLiteral("channel_ratio");
    }
    return {};
}

Setting<bool> logScaleSetting() { return {keys::kHistogramLogScale, false}; }

} // namespace

TensorPanel::TensorPanel(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("tensorTitle"));
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("tensorStatus"));
    m_status->setStyleSheet(QStringLiteral("color: #5a5a5a;"));

    auto *grid = new QGridLayout;
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(2);
    int i = 0;
    for (const Field f : kFields) {
        auto *caption = new QLabel(this);
        auto *value = new QLabel(QStringLiteral("—"), this);
        value->setObjectName(QStringLiteral("value_") + fieldKey(f));
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        const int row = i % kFieldsPerColumn, col = (i / kFieldsPerColumn) * 2;
        grid->addWidget(caption, row, col, Qt::AlignRight);
        grid->addWidget(value, row, col + 1);
        m_captions[f] = caption;
        m_values[f] = value;
        ++i;
    }
    for (int c = 1; c < 8; c += 2)
        grid->setColumnStretch(c, 1);

    m_logScale = new QCheckBox(this);
    m_logScale->setObjectName(QStringLiteral("logScale"));
    m_logScale->setChecked(logScaleSetting().value());
    m_histogram = new HistogramChart(this);
    m_histogram->setLogScale(m_logScale->isChecked());
    connect(m_logScale, &QCheckBox::toggled, this, [this](bool on) {
        m_histogram->setLogScale(on);
        logScaleSetting().setValue(on);
    });
    m_channels = new ChannelChart(this);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title, 1);
    header->addWidget(m_logScale);

    auto *charts = new QSplitter(Qt::Vertical, this);
    charts->addWidget(m_histogram);
    charts->addWidget(m_channels);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);
    charts->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_status);
    layout->addLayout(grid);
    layout->addWidget(charts, 1);

    retranslateUi();
    showTensor(nullptr);
}

TensorPanel::~TensorPanel() { cancelJob(); }

bool TensorPanel::isBusy() const { return m_watcher != nullptr; }

QString TensorPanel::fieldText(Field field) const
{
    const auto it = m_values.find(field);
    return it == m_values.end() ? QString() : it->second->text();
}

void TensorPanel::setField(Field field, const QString &text) { m_values.at(field)->setText(text); }

void TensorPanel::cancelJob()
{
    if (!m_watcher)
        return;
    m_stop.request_stop();
    QFutureWatcher<TensorAnalysis> *watcher = std::exchange(m_watcher, nullptr);
    disconnect(watcher, nullptr, this, nullptr);
    connect(watcher, &QFutureWatcherBase::finished, watcher, &QObject::deleteLater);
    if (watcher->isFinished())
        watcher->deleteLater();
}

void TensorPanel::showTensor(const ModelTensor *tensor)
{
    cancelJob();
    ++m_generation;
    m_analysis.reset();
    m_failure.clear();
    m_histogram->clear();
    m_channels->clear();
    m_tensorName = tensor ? QString::fromStdString(tensor->view.name) : QString();
    m_role = tensor ? QString::fromUtf8(tensorRoleName(tensor->role)) : QString();
    m_layer = tensor ? tensor->layer : -1;
    m_title->setText(tensor ? m_tensorName : tr("No tensor selected"));
    for (const Field f : kFields)
        setField(f, QStringLiteral("—"));
    if (!tensor) {
        updateStatus();
        return;
    }
    const TensorView view = tensor->view;
    setField(Field::Shape, formatShape(view.shape));
    setField(Field::DType, QString::fromUtf8(dtypeName(view.dtype)));
    setField(Field::Params, formatCount(view.numel()));

    if (view.numel() <= kSyncAnalysisLimit) {
        applyAnalysis(analyzeTensor(view, kHistogramBins, {}, 1));
        return;
    }
    m_stop = std::stop_source();
    auto *watcher = new QFutureWatcher<TensorAnalysis>(this);
    m_watcher = watcher;
    const quint64 generation = m_generation;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_watcher = nullptr;
        applyAnalysis(watcher->result());
    });
    updateStatus();
    const std::stop_token token = m_stop.get_token();
    watcher->setFuture(QtConcurrent::run([view, token] { return analyzeTensor(view, kHistogramBins, token); }));
}

void TensorPanel::applyAnalysis(TensorAnalysis analysis)
{
    if (analysis.ok()) {
        m_histogram->setHistogram(analysis.histogram, analysis.histMin, analysis.histMax);
        m_channels->setChannels(analysis.channelAbsmax, analysis.channelsAreElements);
        m_analysis = std::move(analysis);
    } else {
        m_failure = analysis.error;
    }
    updateStatsFields();
    updateStatus();
    emit analysisReady();
}

void TensorPanel::updateStatsFields()
{
    if (!m_analysis)
        return;
    const TensorStats &s = m_analysis->stats;
    const QLocale loc;
    setField(Field::Min, formatReal(s.min));
    setField(Field::Max, formatReal(s.max));
    setField(Field::Mean, formatReal(s.mean));
    setField(Field::Std, formatReal(s.std));
    setField(Field::Kurtosis, formatReal(s.excessKurtosis, 3));
    setField(Field::AbsmaxOverStd, formatReal(s.absmaxOverStd, 3));
    setField(Field::ZeroFraction, loc.toString(100.0 * s.zeroFraction, 'f', 2) + QStringLiteral(" %"));
    setField(Field::NanInf, QStringLiteral("%1 / %2").arg(loc.toString(static_cast<qulonglong>(s.nanCount)),
                                                          loc.toString(static_cast<qulonglong>(s.infCount))));
    QString ratio = QStringLiteral("—");
    if (!m_analysis->channelsAreElements) {
        ratio = formatReal(s.maxChannelRatio, 3);
        if (s.maxChannel >= 0)
            ratio += tr(" (channel %1)").arg(s.maxChannel);
    }
    setField(Field::ChannelRatio, ratio);
}

void TensorPanel::updateStatus()
{
    if (m_tensorName.isEmpty()) {
        m_status->setText(tr("Select a tensor in the tree to see its statistics."));
        return;
    }
    QString text = tr("%1 · layer %2").arg(m_role, m_layer >= 0 ? QString::number(m_layer) : tr("none"));
    if (isBusy())
        text += QStringLiteral(" — ") + tr("Computing statistics…");
    else if (!m_failure.isEmpty())
        text += QStringLiteral(" — ") + tr("Statistics unavailable: %1").arg(m_failure);
    else if (m_analysis && m_analysis->stats.nanCount + m_analysis->stats.infCount > 0)
        text += QStringLiteral(" — ") + tr("Warning: non-finite values excluded from the statistics: %1")
                    .arg(QLocale().toString(static_cast<qulonglong>(m_analysis->stats.nanCount + m_analysis->stats.infCount)));
    m_status->setText(text);
}

void TensorPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void TensorPanel::retranslateUi()
{
    m_logScale->setText(tr("Log count axis"));
    m_captions.at(Field::Shape)->setText(tr("Shape:"));
    m_captions.at(Field::DType)->setText(tr("DType:"));
    m_captions.at(Field::Params)->setText(tr("Params:"));
    m_captions.at(Field::Min)->setText(tr("Min:"));
    m_captions.at(Field::Max)->setText(tr("Max:"));
    m_captions.at(Field::Mean)->setText(tr("Mean:"));
    m_captions.at(Field::Std)->setText(tr("Std:"));
    m_captions.at(Field::Kurtosis)->setText(tr("Excess kurtosis:"));
    m_captions.at(Field::AbsmaxOverStd)->setText(tr("Absmax/std:"));
    m_captions.at(Field::ZeroFraction)->setText(tr("Zeros:"));
    m_captions.at(Field::NanInf)->setText(tr("NaN / Inf:"));
    m_captions.at(Field::ChannelRatio)->setText(tr("Max/median channel:"));
    m_captions.at(Field::ChannelRatio)->setToolTip(
        tr("Largest per-output-channel absmax divided by the median: values well above 1 flag outlier channels"));
    if (m_tensorName.isEmpty())
        m_title->setText(tr("No tensor selected"));
    updateStatsFields();
    updateStatus();
}

} // namespace lowbit::studio
