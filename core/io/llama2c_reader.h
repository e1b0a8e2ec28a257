// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// llama2.c "v0" checkpoints (.bin): a 7×int32 header and fp32 arrays in llama2.c order.

#include "core/model/model_config.h"
#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace lowbit {

struct Llama2cHeader {
    std::int32_t dim = 0, hiddenDim = 0, nLayers = 0, nHeads = 0, nKvHeads = 0, vocabSize = 0, seqLen = 0;
    bool sharedClassifier = true; ///< vocab_size > 0 in the file

    std::int64_t vocab() const { return vocabSize < 0 ? -static_cast<std::int64_t>(vocabSize) : vocabSize; }
    std::int64_t headSize() const { return dim / nHeads; }
    std::int64_t kvDim() const { return static_cast<std::int64_t>(nKvHeads) * headSize(); }
};

/// Byte offsets (into the file) of each array, in file order.
struct Llama2cLayout {
    std::uint64_t embedding, rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3, rmsFinal, freqReal, freqImag, wcls, end;
};

/// Parses and validates the header against the file size: all sizes positive and plausible,
/// heads dividing dim, kv heads dividing heads, even head size, and the file exactly as long
/// as the header implies (Truncated when shorter, Malformed with the trailing byte count when
/// longer). `name` appears in messages.
Result<Llama2cHeader> parseLlama2cHeader(std::span<const std::byte> file, const std::string &name);
/// Byte offsets of every array for a header that parseLlama2cHeader accepted (no overflow then).
Llama2cLayout llama2cLayout(const Llama2cHeader &h);
/// ModelConfig from the header: headDim = dim / n_heads, maxPositions = seq_len, tied when
/// vocab_size > 0, eps 1e-5, theta 10000, BOS 1 / EOS 2, and ropeLayout = Interleaved: the q/k
/// rows stay in llama2.c's order (RoPE pairs rows 2i, 2i+1 of each head), unlike Hugging Face's
/// rotate_half order; convertLlama2cToHf permutes them.
ModelConfig llama2cConfig(const Llama2cHeader &h);

} // namespace lowbit
