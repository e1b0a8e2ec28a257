// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What the Tensor panel shows about one tensor: the core statistics, a weight histogram and
/// the per-output-channel absmax. Computed by a pure function that any thread may run.

#include "core/stats/tensor_stats.h"
#include "core/tensor/tensor_view.h"

#include <QString>

#include <cstdint>
#include <stop_token>
#include <vector>

namespace lowbit::studio {

inline constexpr int kHistogramBins = 128;

struct TensorAnalysis {
    QString tensorName;
    lowbit::TensorStats stats;
    /// Counts of finite weights in equal-width bins over [histMin, histMax]; the last bin is closed.
    std::vector<std::uint64_t> histogram;
    double histMin = 0.0;
    double histMax = 0.0;
    /// Absmax of each output channel (row of a [out, in] matrix). For a 1-D tensor, |w| of each
    /// element (then channelsAreElements is true).
    std::vector<float> channelAbsmax;
    bool channelsAreElements = false;
    QString error; ///< empty on success; else the core error message (untranslated)

    bool ok() const { return error.isEmpty(); }
};

/// Statistics (via lowbit::computeTensorStats), a `bins`-bin histogram and channel absmax of
/// `tensor`. Reads the tensor in row chunks of about a million elements, so memory stays bounded
/// for big tensors. Never throws: failures (unsupported dtype, bins < 1, cancelled through
/// `stop`) come back in TensorAnalysis::error.
TensorAnalysis analyzeTensor(const lowbit::TensorView &tensor, int bins = kHistogramBins,
                             std::stop_token stop = {}, unsigned threads = 0);

} // namespace lowbit::studio
