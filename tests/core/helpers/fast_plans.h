// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Fast-quantizer fixtures shared by tst_fast_quantize and tst_packing: a list of resolved plans
/// covering every format family, and test matrices (Gaussian, heavy-tailed, outlier channels,
/// adversarial stripes: zero, constant, denormal, huge outlier, NaN, Inf, −0, one-signed).

#include "core/quant/fast_plan.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::test {

enum class Input { Gaussian, StudentT, OutlierChannels, Adversarial };

/// Names of the plans fastPlan(i) builds (int2 … nvfp4, scale storages).
std::vector<std::string> fastPlanNames();
/// Plan i of fastPlanNames().
FastPlan fastPlan(int i);
/// A rows × cols matrix of the given kind (deterministic in seed).
std::vector<float> makeMatrix(Input kind, std::int64_t rows, std::int64_t cols, unsigned seed);

} // namespace lowbit::test
