// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/llama2c_reader.h"

#include <cstring>

namespace lowbit {

namespace {
constexpr std::int64_t kMaxDim = 1 << 20;
} // namespace

Llama2cLayout llama2cLayout(const Llama2cHeader &h)
{
    const std::uint64_t d = static_cast<std::uint64_t>(h.dim), hd = static_cast<std::uint64_t>(h.hiddenDim);
    const std::uint64_t L = static_cast<std::uint64_t>(h.nLayers), V = static_cast<std::uint64_t>(h.vocab());
    const std::uint64_t kv = static_cast<std::uint64_t>(h.kvDim()), S = static_cast<std::uint64_t>(h.seqLen);
    const std::uint64_t hs = static_cast<std::uint64_t>(h.headSize());
    Llama2cLayout o{};
    std::uint64_t at = 28;
    auto take = [&](std::uint64_t floats) {
        const std::uint64_t start = at;
        at += floats * 4;
        return start;
    };
    o.embedding = take(V * d);
    o.rmsAtt = take(L * d);
    o.wq = take(L * d * d);
    o.wk = take(L * kv * d);
    o.wv = take(L * kv * d);
    o.wo = take(L * d * d);
    o.rmsFfn = take(L * d);
    o.w1 = take(L * hd * d);
    o.w2 = take(L * d * hd);
    o.w3 = take(L * hd * d);
    o.rmsFinal = take(d);
    o.freqReal = take(S * hs / 2);
    o.freqImag = take(S * hs / 2);
    o.wcls = take(h.sharedClassifier ? 0 : V * d);
    o.end = at;
    return o;
}

Result<Llama2cHeader> parseLlama2cHeader(std::span<const std::byte> file, const std::string &name)
{
    if (file.size() < 28)
        return makeError(ErrorCode::Truncated, name + ": " + std::to_string(file.size()) + " bytes is too short for a llama2.c header (28)");
    std::int32_t v[7];
    std::memcpy(v, file.data(), sizeof v);
    Llama2cHeader h{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[5] > 0};
    auto bad = [&](const std::string &what) { return makeError(ErrorCode::Malformed, name + ": " + what); };
    if (h.dim <= 0 || h.hiddenDim <= 0 || h.nLayers <= 0 || h.nHeads <= 0 || h.nKvHeads <= 0 || h.vocabSize == 0 || h.seqLen <= 0
        || h.vocabSize == INT32_MIN)
        return bad("header sizes must be positive (dim " + std::to_string(h.dim) + ", hidden " + std::to_string(h.hiddenDim) + ", layers "
                   + std::to_string(h.nLayers) + ", heads " + std::to_string(h.nHeads) + ", kv heads " + std::to_string(h.nKvHeads)
                   + ", vocab " + std::to_string(h.vocabSize) + ", seq_len " + std::to_string(h.seqLen) + ")");
    if (h.dim > kMaxDim || h.hiddenDim > kMaxDim || h.nLayers > 4096 || h.vocab() > (1 << 24) || h.seqLen > (1 << 24))
        return bad("header sizes are implausibly large");
    if (h.dim % h.nHeads != 0)
        return bad("dim " + std::to_string(h.dim) + " is not a multiple of the " + std::to_string(h.nHeads) + " heads");
    if (h.nKvHeads > h.nHeads || h.nHeads % h.nKvHeads != 0)
        return bad(std::to_string(h.nKvHeads) + " kv heads do not divide " + std::to_string(h.nHeads) + " heads");
    if (h.headSize() % 2 != 0)
        return bad("head size " + std::to_string(h.headSize()) + " is odd (RoPE needs pairs)");
    // With the bounds above every product fits in 64 bits (< 2^20·2^20·2^12·4).
    const Llama2cLayout lay = llama2cLayout(h);
    if (file.size() < lay.end)
        return makeError(ErrorCode::Truncated, name + ": the header implies " + std::to_string(lay.end) + " bytes but the file has "
                                                   + std::to_string(file.size()));
    if (file.size() > lay.end)
        return bad(std::to_string(file.size() - lay.end) + " trailing bytes after the weights the header describes");
    return h;
}

ModelConfig llama2cConfig(const Llama2cHeader &h)
{
    ModelConfig c;
    c.architecture = "llama";
    c.modelType = "llama";
    c.hiddenSize = h.dim;
    c.intermediateSize = h.hiddenDim;
    c.numLayers = h.nLayers;
    c.numHeads = h.nHeads;
    c.numKvHeads = h.nKvHeads;
    c.headDim = h.headSize();
    c.vocabSize = h.vocab();
    c.maxPositions = h.seqLen;
    c.rmsNormEps = 1e-5;
    c.ropeTheta = 10000.0;
    c.ropeLayout = RopeLayout::Interleaved;
    c.tieWordEmbeddings = h.sharedClassifier;
    c.bosTokenId = 1;
    c.eosTokenId = 2;
    return c;
}

} // namespace lowbit
