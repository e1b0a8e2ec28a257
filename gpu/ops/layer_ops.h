// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Host side of the transformer-layer kernels (RoPE, attention over a KV cache, SwiGLU product,
/// residual add, embedding lookup): push-constant structs checked against the shader table and
/// one recording function per op. All tensors fp32, row-major.

#include "core/util/result.h"
#include "gpu/pipeline/shader_registry.h"

#include <cstdint>

namespace lowbit::gpu {

class Recorder;
struct Buffer;

struct RopePush {
    std::uint32_t tokens, heads, headDim, pos0, interleaved;
    std::uint32_t offset = 0; ///< floats before x[0,0,0] in the buffer
};
static_assert(sizeof(RopePush) == shaderInfo(ShaderId::rope_f32).pushBytes, "rope push constants drifted from the shader");

struct AttentionPush {
    std::uint32_t tokens, heads, kvHeads, headDim, pos0, kvStride;
    float scale;
};
static_assert(sizeof(AttentionPush) == shaderInfo(ShaderId::attention_f32).pushBytes, "attention push constants drifted");

struct ElementwisePush {
    std::uint32_t n;
};
static_assert(sizeof(ElementwisePush) == shaderInfo(ShaderId::silu_mul_f32).pushBytes, "silu_mul push constants drifted");
static_assert(sizeof(ElementwisePush) == shaderInfo(ShaderId::add_f32).pushBytes, "add push constants drifted");

struct EmbeddingPush {
    std::uint32_t tokens, dim, vocab; ///< vocab: rows of this table slice
    std::uint32_t row0 = 0;           ///< first vocabulary row of the slice
    std::uint32_t writeMissing = 1;   ///< ids outside the slice give zeros (else left alone)
};
static_assert(sizeof(EmbeddingPush) == shaderInfo(ShaderId::embedding_f32).pushBytes, "embedding push constants drifted");

/// In place on x[tokens, heads, headDim] starting at float `offset`; invFreq holds headDim/2 floats.
Status recordRope(Recorder &rec, const Buffer &x, const Buffer &invFreq, const RopePush &p);
/// q[tokens, heads, hd] against the cache k/v[pos0+tokens, kvHeads, hd] → o[tokens, heads, hd].
/// headDim ≤ 256; heads a multiple of kvHeads.
Status recordAttention(Recorder &rec, const Buffer &q, const Buffer &k, const Buffer &v, const Buffer &o, const AttentionPush &p);
Status recordSiluMul(Recorder &rec, const Buffer &gate, const Buffer &up, const Buffer &out, std::uint32_t n);
Status recordAdd(Recorder &rec, const Buffer &y, const Buffer &x, std::uint32_t n);
/// out[t, :] = table[ids[t] − row0, :] for ids in the slice [row0, row0 + vocab).
Status recordEmbedding(Recorder &rec, const Buffer &table, const Buffer &ids, const Buffer &out, const EmbeddingPush &p);

} // namespace lowbit::gpu
