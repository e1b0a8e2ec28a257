// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A LLaMA-shaped model with random weights, for benchmarks and tests: Gaussian linears scaled by
/// 1/√(input width), norm weights near 1 (1 + 0.1·N(0, 1)).

#include "core/model/model.h"
#include "core/util/result.h"

#include <cstdint>

namespace lowbit {

struct RandomModelShape {
    std::int64_t dim = 64, ffn = 96, layers = 1, heads = 4, kvHeads = 4, vocab = 64;
    RopeLayout rope = RopeLayout::HalfSplit;
    bool tiedEmbeddings = false; ///< no output matrix: the embedding is the head
    bool attentionBias = false;  ///< q/k/v biases (qwen2), N(0, 0.5²)
    std::int64_t maxPositions = 64;
    unsigned seed = 1;
};

/// Tensors in checkpoint order (embedding, per layer: attention norm, q, k, v, [q/k/v biases,] o,
/// FFN norm, gate, up, down; final norm, output), all fp32 in memory.
Result<Model> makeRandomModel(const RandomModelShape &shape);

} // namespace lowbit
