// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// One finished quantization run as the run history, the compare view and the run panel see it:
/// the core's QuantizeOutcome plus where the container went and the summary figures.

#include "core/methods/quantize_model.h"

#include <QDateTime>
#include <QString>

#include <cmath>
#include <limits>
#include <map>
#include <vector>

namespace lowbit::studio {

struct RunRecord {
    QString name;                 ///< "rtn · int4 g32 fp16" (editable in the history)
    QString method;
    QString outputPath;           ///< the written *.lowbit.safetensors
    QString modelPath;            ///< the source model
    lowbit::QuantizeOutcome outcome;
    double averageBpw = 0;        ///< over the quantized weights (outcome.averageBpw)
    double relativeMse = 0;       ///< parameter-weighted over the quantized tensors
    double proxyError = std::numeric_limits<double>::quiet_NaN(); ///< parameter-weighted; NaN without calibration
    double perplexity = std::numeric_limits<double>::quiet_NaN(); ///< NaN when not evaluated
    QString perplexityDevice;     ///< "CPU" or the Vulkan device that measured it; empty when not evaluated
    QString perplexityNote;       ///< why the chosen Vulkan device did not (the CPU did); empty otherwise
    std::int64_t calibrationTokens = 0;
    double seconds = 0;           ///< the whole job
    QDateTime finished;

    bool hasProxyError() const { return std::isfinite(proxyError); }
    bool hasPerplexity() const { return std::isfinite(perplexity); }
};

/// Fills relativeMse / proxyError / averageBpw from `record.outcome` (skipped layers ignored).
void summarizeRun(RunRecord &record);

/// Parameter-weighted relative MSE (or proxy error) of each layer of a run: key −1 = tensors
/// outside the blocks (embedding, classifier), else the layer index.
std::map<int, double> perLayerError(const RunRecord &record, bool proxy = false);

/// Indices (into `points`, as (bpw, error)) of the Pareto front: no other point has both lower or
/// equal bpw and lower or equal error with one strictly lower. Sorted by bpw.
std::vector<int> paretoFront(const std::vector<std::pair<double, double>> &points);

} // namespace lowbit::studio
