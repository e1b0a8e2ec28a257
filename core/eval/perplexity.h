// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Perplexity and model-vs-model comparison over a text.

#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string_view>

namespace lowbit {

using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

struct EvalOptions {
    std::int64_t contextLength = 0; ///< 0 = the model's context length
    std::int64_t maxDocuments = 0;  ///< 0 = all (document mode) / all chunks (chunked mode)
    /// Document mode (default): split on <|endoftext|>, BOS per document, truncate, score every
    /// next-token prediction inside the document. Chunked (llama.cpp's perplexity): the whole
    /// text tokenized once with a leading BOS, cut into non-overlapping chunks of contextLength
    /// tokens (a partial last chunk is dropped), each chunk's first token set to BOS, and the
    /// predictions of positions contextLength/2 + 1 .. contextLength − 1 scored.
    bool chunked = false;
};

struct EvalResult {
    double meanNll = 0.0;      ///< nats per predicted token
    double perplexity = 0.0;
    std::uint64_t tokens = 0;  ///< predicted tokens
    std::int64_t sequences = 0;
    double seconds = 0.0;
};

/// Sequences run one per thread on forks of the engine when it asks for that
/// (InferenceModel::concurrentSequences, small models), else one after the other with the
/// engine's own threads; the sums are taken in sequence order either way, so the result does
/// not depend on the thread count. `progress` (finished sequences, total) may then be called
/// from worker threads, one call at a time. The stop token is checked before each sequence.
/// Errors: InvalidArgument (no text / no scored tokens), Cancelled, engine errors.
Result<EvalResult> evaluatePerplexity(InferenceModel &model, const Tokenizer &tok, std::string_view text, const EvalOptions &options = {},
                                      const ProgressFn &progress = {}, std::stop_token stop = {});

struct CompareResult {
    double klDivergence = 0.0;  ///< mean KL(reference ‖ candidate), nats
    double top1Agreement = 0.0; ///< fraction of positions where the argmaxes agree
    double referenceNll = 0.0, candidateNll = 0.0;
    double deltaNll = 0.0;      ///< candidate − reference
    std::uint64_t tokens = 0;
    double seconds = 0.0;
};

/// Runs both models over the same tokens (document or chunked protocol) and compares their
/// next-token distributions, with the threading of evaluatePerplexity. The models must share
/// the vocabulary (InvalidArgument otherwise).
Result<CompareResult> compareModels(InferenceModel &reference, InferenceModel &candidate, const Tokenizer &tok, std::string_view text,
                                    const EvalOptions &options = {}, const ProgressFn &progress = {}, std::stop_token stop = {});

/// −log softmax(logits)[target] in double precision.
double negativeLogLikelihood(const float *logits, std::int64_t vocab, std::int32_t target);

} // namespace lowbit
