// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Text generation: greedy, temperature, top-k and top-p (nucleus) sampling with a seeded RNG.

#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"

#include <functional>
#include <stop_token>
#include <string>

namespace lowbit {

struct SamplerOptions {
    float temperature = 0.0f; ///< 0 = greedy
    int topK = 0;             ///< 0 = no limit
    float topP = 1.0f;        ///< 1 = no limit
    std::uint64_t seed = 42;
};

/// Picks the next token from one row of logits. Deterministic for a given seed (xorshift64*,
/// the same sequence on every platform). Greedy picks the first maximum; otherwise softmax at
/// the temperature over the top-k, then the smallest prefix holding top-p of that mass. NaN
/// logits rank below every number. Returns −1 only for vocab ≤ 0.
class Sampler {
public:
    explicit Sampler(const SamplerOptions &o);
    std::int32_t sample(const float *logits, std::int64_t vocab);

private:
    SamplerOptions m_o;
    std::uint64_t m_state;
};

struct GenerateResult {
    std::vector<std::int32_t> tokens; ///< the prompt (with BOS) followed by the generated tokens
    std::string text;                 ///< the generated continuation only
    std::int64_t generated = 0;
    double seconds = 0.0;             ///< decoding time (after the prompt)
    double tokensPerSecond = 0.0;
    std::int64_t promptTokens = 0;    ///< the prompt's tokens (with BOS), run as one forward
    double promptSeconds = 0.0;       ///< that forward (the prefill)
    double promptTokensPerSecond = 0.0;
};

/// Generates up to maxTokens after `prompt` (BOS added), stopping at BOS/EOS or a full context.
/// onToken receives each piece of text as it is produced.
Result<GenerateResult> generate(InferenceModel &model, const Tokenizer &tok, std::string_view prompt, std::int64_t maxTokens,
                                const SamplerOptions &sampling, const std::function<void(const std::string &)> &onToken = {},
                                std::stop_token stop = {});

} // namespace lowbit
