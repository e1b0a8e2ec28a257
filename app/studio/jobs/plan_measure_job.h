// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Measures the error of planned tensors in the background, one after another on one worker
/// (sampled like the designer, so the same tensor and format give the same figures), and reports
/// each as it finishes. Starting again stops the running pass first; results of a stopped pass
/// that already arrived stay valid (they are keyed by tensor and format).

#include "core/quant/format.h"
#include "core/tensor/tensor_view.h"

#include <QFuture>
#include <QObject>

#include <stop_token>
#include <vector>

namespace lowbit::studio {

struct PlanMeasureItem {
    int tensorIndex = -1;
    lowbit::TensorView view;
    lowbit::FormatSpec spec;
};

class PlanMeasureJob : public QObject {
    Q_OBJECT
public:
    explicit PlanMeasureJob(QObject *parent = nullptr);
    ~PlanMeasureJob() override;

    /// Measures `items` (replacing any running pass).
    void start(std::vector<PlanMeasureItem> items);
    void cancel();
    bool isRunning() const;
    void waitForFinished();

signals:
    void measured(int tensorIndex, const lowbit::FormatSpec &spec, double relativeMse, double sqnrDb);
    /// The pass ended (finished or stopped).
    void idle();

private:
    QFuture<void> m_future;
    std::stop_source m_stop;
};

} // namespace lowbit::studio
