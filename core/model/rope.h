// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Rotary-embedding frequencies of a model, with its rope scaling applied, shared by every
/// engine (CPU and GPU) so they rotate identically.

#include "core/model/model_config.h"
#include "core/util/result.h"

#include <vector>

namespace lowbit {

/// inv_freq[i] = theta^(−2i/headDim) for i < headDim/2, then the config's scaling:
/// "linear" divides by factor; "llama3" applies Llama-3.1's smooth wavelength-dependent rule.
/// Errors: Unsupported for scaling types not implemented yet ("dynamic", "yarn", ...).
Result<std::vector<double>> ropeInverseFrequencies(const ModelConfig &config);

} // namespace lowbit
