// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The "Tensor" panel: summary and statistics of the selected tensor, its weight histogram
/// (linear/log count axis) and its per-output-channel absmax. Tensors above
/// kSyncAnalysisLimit elements are analysed on a worker thread; a newer selection discards an
/// older result and asks the older job to stop.

#include "app/studio/jobs/tensor_analysis.h"

#include <QFutureWatcher>
#include <QWidget>

#include <map>
#include <optional>

class QCheckBox;
class QLabel;

namespace lowbit {
struct ModelTensor;
}

namespace lowbit::studio {

class ChannelChart;
class HistogramChart;

class TensorPanel : public QWidget {
    Q_OBJECT
public:
    /// Elements up to which the analysis runs synchronously on the GUI thread.
    static constexpr std::uint64_t kSyncAnalysisLimit = 1u << 16;

    /// The summary values, each shown in a QLabel named "value_<field>" (e.g. "value_mean").
    enum class Field { Shape, DType, Params, Min, Max, Mean, Std, Kurtosis, AbsmaxOverStd,
                       ZeroFraction, NanInf, ChannelRatio };

    explicit TensorPanel(QWidget *parent = nullptr);
    ~TensorPanel() override;

    /// Shows `tensor` (copied: the view's owner keeps the bytes alive); nullptr clears the panel.
    void showTensor(const lowbit::ModelTensor *tensor);
    void clear() { showTensor(nullptr); }

    /// True while a background analysis is running.
    bool isBusy() const;
    /// The analysis on display, nullptr when none (cleared, busy, or failed).
    const TensorAnalysis *analysis() const { return m_analysis ? &*m_analysis : nullptr; }
    QString tensorName() const { return m_tensorName; }
    QString fieldText(Field field) const;

    HistogramChart *histogramChart() const { return m_histogram; }
    ChannelChart *channelChart() const { return m_channels; }
    QCheckBox *logScaleCheckBox() const { return m_logScale; }

signals:
    /// Emitted when the analysis of the current tensor is on display (or failed).
    void analysisReady();

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyAnalysis(TensorAnalysis analysis);
    void updateStatsFields(); ///< the statistics fields from m_analysis (kept on language change)
    void updateStatus();      ///< role, layer and job state under the title
    void cancelJob();
    void retranslateUi();
    void setField(Field field, const QString &text);

    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QCheckBox *m_logScale = nullptr;
    HistogramChart *m_histogram = nullptr;
    ChannelChart *m_channels = nullptr;
    std::map<Field, QLabel *> m_values;
    std::map<Field, QLabel *> m_captions;
    QString m_tensorName;
    QString m_role;       ///< the shown tensor's role name
    int m_layer = -1;
    QString m_failure;    ///< the analysis error, empty when none
    std::optional<TensorAnalysis> m_analysis;
    QFutureWatcher<TensorAnalysis> *m_watcher = nullptr; ///< the running job, nullptr when idle
    std::stop_source m_stop;                              ///< stops the running job
    quint64 m_generation = 0;
};

} // namespace lowbit::studio
