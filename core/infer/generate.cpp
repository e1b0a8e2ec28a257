// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/generate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace lowbit {

Sampler::Sampler(const SamplerOptions &o) : m_o(o), m_state(o.seed ? o.seed : 0x9E3779B97F4A7C15ull) {}

std::int32_t Sampler::sample(const float *logits, std::int64_t vocab)
{
    if (vocab <= 0)
        return -1;
    // NaN ranks below everything (a broken model must not make the sort undefined)
    auto key = [logits](std::int32_t i) { return std::isnan(logits[i]) ? -INFINITY : logits[i]; };
    auto before = [&](std::int32_t a, std::int32_t b) { return key(a) > key(b) || (key(a) == key(b) && a < b); };
    if (m_o.temperature <= 0.0f) { // greedy: the first maximum
        std::int32_t best = 0;
        for (std::int32_t i = 1; i < vocab; ++i)
            if (key(i) > key(best))
                best = i;
        return best;
    }
    std::vector<std::int32_t> idx(static_cast<std::size_t>(vocab));
    std::iota(idx.begin(), idx.end(), 0);
    if (m_o.topK > 0 && m_o.topK < vocab) // only the top k need ordering
        std::partial_sort(idx.begin(), idx.begin() + m_o.topK, idx.end(), before);
    else
        std::sort(idx.begin(), idx.end(), before);
    std::size_t keep = idx.size();
    if (m_o.topK > 0)
        keep = std::min(keep, static_cast<std::size_t>(m_o.topK));
    std::vector<double> p(keep);
    const double mx = key(idx[0]);
    if (!std::isfinite(mx))
        return idx[0]; // no finite logit: nothing to sample from
    double sum = 0;
    for (std::size_t i = 0; i < keep; ++i)
        sum += (p[i] = std::exp((static_cast<double>(key(idx[i])) - mx) / m_o.temperature));
    if (m_o.topP < 1.0f) { // smallest prefix holding topP of the mass
        double acc = 0;
        std::size_t cut = keep;
        for (std::size_t i = 0; i < keep; ++i) {
            acc += p[i] / sum;
            if (acc >= m_o.topP) {
                cut = i + 1;
                break;
            }
        }
        keep = cut;
        sum = std::accumulate(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(keep), 0.0);
    }
    // xorshift64*: reproducible across platforms, unlike std::uniform_real_distribution
    m_state ^= m_state >> 12;
    m_state ^= m_state << 25;
    m_state ^= m_state >> 27;
    const double u = static_cast<double>((m_state * 0x2545F4914F6CDD1Dull) >> 11) * 0x1.0p-53 * sum;
    double acc = 0;
    for (std::size_t i = 0; i < keep; ++i) {
        acc += p[i];
        if (u < acc)
            return idx[i];
    }
    return idx[keep - 1];
}

Result<GenerateResult> generate(InferenceModel &model, const Tokenizer &tok, std::string_view prompt, std::int64_t maxTokens,
                                const SamplerOptions &sampling, const std::function<void(const std::string &)> &onToken,
                                std::stop_token stop)
{
    GenerateResult r;
    r.tokens = tok.encode(prompt, true);
    model.reset();
    const auto tp = std::chrono::steady_clock::now();
    LOWBIT_TRY(std::vector<float> logits, model.forward(r.tokens, false));
    r.promptTokens = static_cast<std::int64_t>(r.tokens.size());
    r.promptSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - tp).count();
    r.promptTokensPerSecond = r.promptSeconds > 0 ? static_cast<double>(r.promptTokens) / r.promptSeconds : 0.0;
    Sampler sampler(sampling);
    const std::int64_t vocab = model.config().vocabSize;
    const auto t0 = std::chrono::steady_clock::now();
    while (r.generated < maxTokens && model.position() < model.maxContext() && !stop.stop_requested()) {
        const std::int32_t next = sampler.sample(logits.data(), vocab);
        if (next == tok.bosId() || next == tok.eosId())
            break;
        const std::string piece = tok.decodeToken(r.tokens.back(), next);
        r.tokens.push_back(next);
        r.text += piece;
        ++r.generated;
        if (onToken)
            onToken(piece);
        if (model.position() >= model.maxContext())
            break;
        const std::int32_t one[1] = {next};
        LOWBIT_TRY(logits, model.forward(one, false));
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.tokensPerSecond = r.seconds > 0 ? static_cast<double>(r.generated) / r.seconds : 0.0;
    return r;
}

} // namespace lowbit
