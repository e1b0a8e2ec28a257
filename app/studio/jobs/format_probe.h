// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Keeps one FormatEvaluation of (selected tensor, designer format) up to date off the GUI
/// thread: every change starts a QtConcurrent job; while one runs, newer requests are coalesced
/// into a single follow-up and the running job is asked to stop, so dragging a control never
/// queues work. The designer's labels and the distribution view read the same result.

#include "app/studio/design/format_evaluation.h"
#include "core/quant/format.h"
#include "core/tensor/tensor_view.h"

#include <QFutureWatcher>
#include <QObject>

#include <optional>
#include <stop_token>

namespace lowbit::studio {

class FormatProbe : public QObject {
    Q_OBJECT
public:
    /// Elements measured per evaluation (whole rows): 4096×4096 is sampled to 128 rows.
    static constexpr std::int64_t kSampleElements = std::int64_t{1} << 19;
    static constexpr int kBins = 160;
    static constexpr int kHeatMapSide = 256;

    explicit FormatProbe(QObject *parent = nullptr);
    ~FormatProbe() override;

    /// The tensor to measure (copied; nullopt clears). Non-2-D tensors are measured as rows × cols too.
    void setTensor(std::optional<lowbit::TensorView> tensor);
    void setSpec(std::optional<lowbit::FormatSpec> spec);
    /// Elements per evaluation (≤ 0: the whole tensor). Takes effect on the next change.
    void setSampleElements(std::int64_t elements) { m_options.maxElements = elements; }
    void setThreads(unsigned threads) { m_options.threads = threads; }

    bool isBusy() const { return m_watcher != nullptr; }
    /// The latest finished evaluation of the current (tensor, spec); nullptr while none.
    const FormatEvaluation *result() const { return m_result ? &*m_result : nullptr; }
    const std::optional<lowbit::TensorView> &tensor() const { return m_tensor; }
    const std::optional<lowbit::FormatSpec> &spec() const { return m_spec; }

signals:
    void started();
    /// A new result (or the cleared state: result() == nullptr) is available.
    void evaluated();

private:
    void schedule();
    void startJob();

    std::optional<lowbit::TensorView> m_tensor;
    std::optional<lowbit::FormatSpec> m_spec;
    std::optional<FormatEvaluation> m_result;
    EvaluationOptions m_options;
    QFutureWatcher<FormatEvaluation> *m_watcher = nullptr;
    std::stop_source m_stop;
    bool m_pending = false;
};

} // namespace lowbit::studio
