// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Synthetic layers for the method tests (GPTQ, clipping search): heavy-tailed weights and
/// calibration inputs whose channels are correlated and differ in scale, like a transformer
/// linear's inputs, with their Hessian H = XᵀX as calibration statistics.

#include "core/calib/calibration.h"
#include "core/methods/method.h"

#include <cstdint>
#include <vector>

namespace lowbit::test {

struct CorrelatedLayer {
    std::int64_t rows = 0, cols = 0, tokens = 0;
    std::vector<float> weight; ///< rows × cols: N(0, 0.02²) with a Student-t-like tail (outliers)
    std::vector<float> inputs; ///< tokens × cols: AR(1) across channels (ρ = 0.9) times per-channel scales
    ActivationStats stats;     ///< H = inputsᵀ·inputs

    /// The method input (pointers into this object; keep it alive).
    LayerInput input(bool withStats = true) const;
};

CorrelatedLayer makeCorrelatedLayer(std::int64_t rows, std::int64_t cols, std::int64_t tokens, std::uint32_t seed);

} // namespace lowbit::test
