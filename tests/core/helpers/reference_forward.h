// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// An obviously-correct fp64 LLaMA forward pass (no KV cache, full causal attention) and a
/// random tiny model, to check the GPU engine against.

#include "core/model/model.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace lowbit::test {

/// Sees each linear layer's input for one token: kind 0 = attention input (after the norm),
/// 1 = attention output (o_proj input), 2 = MLP input, 3 = SwiGLU product (down_proj input),
/// in the order of lowbit::LinearInput.
using ReferenceActivationHook = std::function<void(int layer, int kind, std::size_t token, const std::vector<double> &x)>;

/// Logits [tokens, vocab] for the whole sequence; `hook` (optional) sees every linear input.
std::vector<double> referenceForward(const Model &model, const std::vector<std::int32_t> &tokens,
                                     const ReferenceActivationHook &hook = {});

/// A random model (Gaussian weights, norms near 1) with the given shape; `attentionBias`: q/k/v
/// biases as qwen2 has them.
Model makeRandomModel(std::int64_t dim, std::int64_t hidden, std::int64_t layers, std::int64_t heads, std::int64_t kvHeads,
                      std::int64_t vocab, RopeLayout layout, bool tied, unsigned seed, bool attentionBias = false);

} // namespace lowbit::test
