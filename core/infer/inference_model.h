// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What evaluation and generation need from an engine (the CPU engine here, the Vulkan engine
/// in gpu/): a forward pass over a KV cache that returns logits.

#include "core/model/model_config.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// How an engine stores its KV cache. F16 rounds each key (after RoPE) and value to IEEE fp16
/// as it is stored, as llama.cpp's default cache does: the Vulkan engine then keeps half the
/// bytes on the device; the CPU engine stores the rounded values as fp32 (the same numbers, so
/// the two engines agree; its memory stays the same).
enum class KvCacheType : std::uint8_t { F32, F16 };
inline const char *kvCacheTypeName(KvCacheType t) { return t == KvCacheType::F16 ? "f16" : "f32"; }
inline std::optional<KvCacheType> parseKvCacheType(std::string_view s)
{
    if (s == "f32")
        return KvCacheType::F32;
    if (s == "f16")
        return KvCacheType::F16;
    return std::nullopt;
}

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
    /// Another engine over the same weights with its own empty KV cache, safe to run on another
    /// thread at the same time as this one; nullptr when the engine cannot (the default).
    virtual std::unique_ptr<InferenceModel> fork() const { return nullptr; }
    /// How many independent sequences are worth running at once on forks (1 = one at a time).
    virtual unsigned concurrentSequences() const { return 1; }
};

/// The checks every engine's forward makes before touching its cache: InvalidArgument when
/// position + n exceeds the cache or a token id is outside [0, vocab).
inline Status checkForwardInput(std::span<const std::int32_t> tokens, std::int64_t position, std::int64_t maxContext, std::int64_t vocab)
{
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (position + n > maxContext)
        return makeError(ErrorCode::InvalidArgument, "context full: " + std::to_string(position) + " + " + std::to_string(n)
                                                         + " tokens exceed the KV cache of " + std::to_string(maxContext));
    for (const std::int32_t t : tokens)
        if (t < 0 || t >= vocab)
            return makeError(ErrorCode::InvalidArgument, "token id " + std::to_string(t) + " is outside the vocabulary");
    return {};
}

} // namespace lowbit
