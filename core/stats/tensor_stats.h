// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Per-tensor weight statistics in one multithreaded pass: moments, extremes, zeros, NaN/Inf and
/// per-output-channel absmax (outlier channels). NaN/Inf are counted and excluded from the
/// moments, never fatal.

#include "core/tensor/tensor_view.h"
#include "core/util/json.h"
#include "core/util/result.h"

#include <cstdint>
#include <stop_token>
#include <vector>

namespace lowbit {

struct TensorStats {
    std::uint64_t count = 0;      ///< elements
    std::uint64_t finiteCount = 0;
    std::uint64_t nanCount = 0;
    std::uint64_t infCount = 0;
    std::uint64_t zeroCount = 0;  ///< exact zeros (±0)
    double min = 0.0, max = 0.0, mean = 0.0, std = 0.0; ///< over finite elements; std is the population std
    double excessKurtosis = 0.0;  ///< m4/m2² − 3 (0 for a Gaussian); 0 when std is 0
    double absmax = 0.0;
    double absmaxOverStd = 0.0;   ///< 0 when std is 0
    double zeroFraction = 0.0;
    /// Largest per-output-channel (row) absmax divided by the median row absmax: ≫ 1 flags outlier
    /// channels. 1 for vectors or uniform rows; 0 when the median is 0.
    double maxChannelRatio = 0.0;
    std::int64_t maxChannel = -1;           ///< the row with the largest absmax
    std::vector<float> channelAbsmax;       ///< per row, filled when requested
};

struct StatsOptions {
    unsigned threads = 0;               ///< 0 = all cores
    bool keepChannelAbsmax = false;     ///< fill TensorStats::channelAbsmax
    bool reclaimPages = false;          ///< drop scanned pages (huge mapped models: bounded RSS)
};

/// Errors: Unsupported when the dtype has no fp32 conversion; Cancelled when `stop` is requested.
Result<TensorStats> computeTensorStats(const TensorView &tensor, const StatsOptions &options = {},
                                       std::stop_token stop = {});

Json tensorStatsJson(const TensorStats &s);

} // namespace lowbit
