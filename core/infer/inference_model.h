// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What evaluation and generation need from an engine (the CPU engine here, the Vulkan engine
/// in gpu/): a forward pass over a KV cache that returns logits.

#include "core/model/model_config.h"
#include "core/util/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lowbit {

class InferenceModel {
public:
    virtual ~InferenceModel() = default;
    /// Runs tokens at positions position() .. position()+n−1, appending to the KV cache; returns
    /// logits [n, vocab] or only the last row. Errors leave the cache unchanged.
    virtual Result<std::vector<float>> forward(std::span<const std::int32_t> tokens, bool allLogits = true) = 0;
    virtual void reset() = 0;
    virtual std::int64_t position() const = 0;
    virtual std::int64_t maxContext() const = 0;
    virtual const ModelConfig &config() const = 0;
};

} // namespace lowbit
