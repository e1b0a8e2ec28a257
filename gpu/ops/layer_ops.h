// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Host side of the transformer-layer kernels (RoPE, attention over a KV cache, SwiGLU product,
/// residual add, bias add, embedding lookup, storing keys and values into an fp16 cache): push-constant
/// structs checked against the shader table and one recording function per op. All tensors
/// fp32, row-major, but the KV cache, which is fp32 or fp16 (KvForm).

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

/// Queries (RopePush's tensor, `heads` heads) and keys (kvHeads heads at float kOffset of their
/// own buffer) rotated in one dispatch.
struct RopeQkPush {
    RopePush q;
    std::uint32_t kvHeads;
    std::uint32_t kOffset = 0;
};
static_assert(sizeof(RopeQkPush) == shaderInfo(ShaderId::rope_qk_f32).pushBytes, "rope_qk push constants drifted from the shader");

/// A merged q|k|v linear's output (rowStride floats a token) into rotated queries (contiguous),
/// rotated keys and copied values (at kOffset of theirs).
struct RopeQkvPush {
    std::uint32_t tokens, heads, headDim, pos0, interleaved;
    std::uint32_t kvHeads;
    std::uint32_t kOffset = 0;
    std::uint32_t rowStride = 0; ///< (heads + 2·kvHeads)·headDim
};
static_assert(sizeof(RopeQkvPush) == shaderInfo(ShaderId::rope_qkv_f32).pushBytes, "rope_qkv push constants drifted from the shader");

struct AttentionPush {
    std::uint32_t tokens, heads, kvHeads, headDim, pos0, kvStride;
    float scale;
};
static_assert(sizeof(AttentionPush) == shaderInfo(ShaderId::attention_f32).pushBytes, "attention push constants drifted");
static_assert(sizeof(AttentionPush) == shaderInfo(ShaderId::attention_f16).pushBytes, "attention push constants drifted");
static_assert(sizeof(AttentionPush) == shaderInfo(ShaderId::attention_f16s).pushBytes, "attention push constants drifted");
static_assert(sizeof(AttentionPush) == shaderInfo(ShaderId::attention_rows_f32_q2_g1).pushBytes, "attention push constants drifted");

/// How a KV cache holds its elements: fp32; fp16 as pairs of halves packed in uints (any
/// device); fp16 as 16-bit storage (devices with storageBuffer16BitAccess). Both fp16 forms
/// hold the same bytes.
enum class KvForm : std::uint8_t { F32, F16Packed, F16Storage };
inline std::uint32_t kvFormBytes(KvForm f) { return f == KvForm::F32 ? 4u : 2u; }

struct KvStorePush {
    std::uint32_t count;     ///< elements (even)
    std::uint32_t dstOffset; ///< first cache element written (even)
};
static_assert(sizeof(KvStorePush) == shaderInfo(ShaderId::kv_store_f16).pushBytes, "kv_store push constants drifted");
static_assert(sizeof(KvStorePush) == shaderInfo(ShaderId::kv_store_kv_f16).pushBytes, "kv_store push constants drifted");

struct ElementwisePush {
    std::uint32_t n;
};
static_assert(sizeof(ElementwisePush) == shaderInfo(ShaderId::silu_mul_f32).pushBytes, "silu_mul push constants drifted");
static_assert(sizeof(ElementwisePush) == shaderInfo(ShaderId::add_f32).pushBytes, "add push constants drifted");

struct AddBiasPush {
    std::uint32_t rows, width;
    std::uint32_t offset = 0; ///< floats before row 0 in y
};
static_assert(sizeof(AddBiasPush) == shaderInfo(ShaderId::add_bias_f32).pushBytes, "add_bias push constants drifted");

struct EmbeddingPush {
    std::uint32_t tokens, dim, vocab; ///< vocab: rows of this table slice
    std::uint32_t row0 = 0;           ///< first vocabulary row of the slice
    std::uint32_t writeMissing = 1;   ///< ids outside the slice give zeros (else left alone)
};
static_assert(sizeof(EmbeddingPush) == shaderInfo(ShaderId::embedding_f32).pushBytes, "embedding push constants drifted");

/// In place on x[tokens, heads, headDim] starting at float `offset`; invFreq holds headDim/2 floats.
Status recordRope(Recorder &rec, const Buffer &x, const Buffer &invFreq, const RopePush &p);
/// recordRope on q (p.q) and on k (p.kvHeads heads at p.kOffset) as one dispatch; q and k are
/// different buffers.
Status recordRopeQk(Recorder &rec, const Buffer &q, const Buffer &k, const Buffer &invFreq, const RopeQkPush &p);
/// The merged q|k|v output `qkv` into q (rotated), k and v (rotated keys, values, at p.kOffset)
/// in one dispatch (rope_qkv.comp).
Status recordRopeQkv(Recorder &rec, const Buffer &qkv, const Buffer &invFreq, const Buffer &q, const Buffer &k, const Buffer &v,
                     const RopeQkvPush &p);
/// Which attention kernel: a workgroup of 64 per (token, head) with the scores in shared memory
/// (attention.comp, GPUs), or one 8-lane subgroup per (token, head) reading q and the cache as
/// texels (attention_rows.comp, CPU devices: docs/gpu.md); Auto picks Rows where it runs.
enum class AttentionKernel : std::uint8_t { Auto, Tree, Rows };
/// Whether the rows kernel runs this attention on this device: the row-layout devices (8-lane
/// subgroups), head dims and cache strides of whole texels (4 floats; 8 halves for fp16), head
/// dim ≤ 256, and texel views on q, k and v.
bool attentionRowsRuns(const Recorder &rec, const Buffer &q, const Buffer &k, const Buffer &v, const AttentionPush &p, KvForm form);
/// q[tokens, heads, hd] against the cache k/v[pos0+tokens, kvHeads, hd] → o[tokens, heads, hd].
/// headDim ≤ 256; heads a multiple of kvHeads.
/// The cache holds its elements in `form`. Rows where attentionRowsRuns is false is an error.
/// rowsHeads: the rows kernel's query heads of one KV head a subgroup takes at most (1, 2, 4, 8;
/// fewer for head dims > 64), each K and V row read once for them; 0: as many as keep every CPU
/// thread busy.
Status recordAttention(Recorder &rec, const Buffer &q, const Buffer &k, const Buffer &v, const Buffer &o, const AttentionPush &p,
                       KvForm form = KvForm::F32, AttentionKernel kernel = AttentionKernel::Auto, std::uint32_t rowsHeads = 0);
/// cache[dstOffset + i] = fp16(src[i]) for i < count, in an fp16 `form` (count and dstOffset even).
Status recordKvStore(Recorder &rec, const Buffer &src, const Buffer &cache, const KvStorePush &p, KvForm form);
/// recordKvStore of keys and of values for the same positions in one dispatch.
Status recordKvStorePair(Recorder &rec, const Buffer &kSrc, const Buffer &kCache, const Buffer &vSrc, const Buffer &vCache,
                         const KvStorePush &p, KvForm form);
Status recordSiluMul(Recorder &rec, const Buffer &gate, const Buffer &up, const Buffer &out, std::uint32_t n);
/// out[t·ff + i] = silu(gu[t·2ff + i]) · gu[t·2ff + ff + i] for `tokens` tokens: the SwiGLU product
/// from the merged gate/up linear's output (each token's gate row, then its up row).
Status recordSiluMulPair(Recorder &rec, const Buffer &gu, const Buffer &out, std::uint32_t tokens, std::uint32_t ff);
Status recordAdd(Recorder &rec, const Buffer &y, const Buffer &x, std::uint32_t n);
/// y[offset + t·width + i] += bias[i] for t < rows.
Status recordAddBias(Recorder &rec, const Buffer &y, const Buffer &bias, const AddBiasPush &p);
/// out[t, :] = table[ids[t] − row0, :] for ids in the slice [row0, row0 + vocab).
Status recordEmbedding(Recorder &rec, const Buffer &table, const Buffer &ids, const Buffer &out, const EmbeddingPush &p);

} // namespace lowbit::gpu
