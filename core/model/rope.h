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

/// Reorders the rows of a q or k matrix [heads·hd, cols] (or a bias, cols = 1) from the
/// interleaved RoPE pairing (2i, 2i+1) to Hugging Face's rotate_half pairing (i, i + hd/2),
/// head by head.
std::vector<float> permuteInterleavedToHalfSplit(const std::vector<float> &w, std::int64_t heads, std::int64_t headDim, std::int64_t cols);
/// The inverse (HF → interleaved, as llama.cpp's converter does for GGUF).
std::vector<float> permuteHalfSplitToInterleaved(const std::vector<float> &w, std::int64_t heads, std::int64_t headDim, std::int64_t cols);

} // namespace lowbit
