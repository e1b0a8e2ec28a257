// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/layer_ops.h"

#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/recorder.h"

#include <array>
#include <thread>

namespace lowbit::gpu {

namespace {
Status needs(const Buffer &b, std::uint64_t elements, const char *what, std::uint32_t elementBytes = 4)
{
    if (b.size < elements * elementBytes)
        return makeError(ErrorCode::Internal, std::string(what) + " buffer is smaller than the op needs");
    return {};
}
std::uint64_t groupsOf(std::uint64_t n, std::uint64_t wg) { return (n + wg - 1) / wg; }
} // namespace

Status recordRope(Recorder &rec, const Buffer &x, const Buffer &invFreq, const RopePush &p)
{
    if (p.headDim % 2 != 0)
        return makeError(ErrorCode::InvalidArgument, "rope: head dim must be even");
    const std::uint64_t pairs = std::uint64_t(p.tokens) * p.heads * (p.headDim / 2);
    LOWBIT_CHECK(needs(x, p.offset + pairs * 2, "rope x"));
    LOWBIT_CHECK(needs(invFreq, p.headDim / 2, "rope frequencies"));
    return rec.dispatch(ShaderId::rope_f32, {&x, &invFreq}, p, gridFor(groupsOf(pairs, 64)));
}

Status recordRopeQk(Recorder &rec, const Buffer &q, const Buffer &k, const Buffer &invFreq, const RopeQkPush &p)
{
    if (p.q.headDim % 2 != 0)
        return makeError(ErrorCode::InvalidArgument, "rope: head dim must be even");
    if (q.handle == k.handle)
        return makeError(ErrorCode::InvalidArgument, "rope: queries and keys must be different buffers");
    const std::uint64_t half = p.q.headDim / 2;
    const std::uint64_t qPairs = std::uint64_t(p.q.tokens) * p.q.heads * half;
    const std::uint64_t kPairs = std::uint64_t(p.q.tokens) * p.kvHeads * half;
    if (qPairs + kPairs > 0xFFFFFFFFull)
        return makeError(ErrorCode::InvalidArgument, "rope: too many pairs for one dispatch");
    LOWBIT_CHECK(needs(q, p.q.offset + qPairs * 2, "rope q"));
    LOWBIT_CHECK(needs(k, p.kOffset + kPairs * 2, "rope k"));
    LOWBIT_CHECK(needs(invFreq, half, "rope frequencies"));
    return rec.dispatch(ShaderId::rope_qk_f32, {&q, &invFreq, &k}, p, gridFor(groupsOf(qPairs + kPairs, 64)));
}

Status recordRopeQkv(Recorder &rec, const Buffer &qkv, const Buffer &invFreq, const Buffer &q, const Buffer &k, const Buffer &v,
                     const RopeQkvPush &p)
{
    if (p.headDim % 2 != 0)
        return makeError(ErrorCode::InvalidArgument, "rope: head dim must be even");
    if (p.rowStride != (p.heads + 2 * p.kvHeads) * p.headDim)
        return makeError(ErrorCode::InvalidArgument, "rope_qkv: the row stride is not (heads + 2·kvHeads)·headDim");
    const std::uint64_t half = p.headDim / 2;
    const std::uint64_t qd = std::uint64_t(p.heads) * p.headDim, kvd = std::uint64_t(p.kvHeads) * p.headDim;
    const std::uint64_t items = std::uint64_t(p.tokens) * (p.heads * half + p.kvHeads * half + kvd);
    if (items > 0xFFFFFFFFull)
        return makeError(ErrorCode::InvalidArgument, "rope_qkv: too many elements for one dispatch");
    LOWBIT_CHECK(needs(qkv, std::uint64_t(p.tokens) * p.rowStride, "rope_qkv input"));
    LOWBIT_CHECK(needs(q, std::uint64_t(p.tokens) * qd, "rope_qkv q"));
    LOWBIT_CHECK(needs(k, p.kOffset + std::uint64_t(p.tokens) * kvd, "rope_qkv k"));
    LOWBIT_CHECK(needs(v, p.kOffset + std::uint64_t(p.tokens) * kvd, "rope_qkv v"));
    LOWBIT_CHECK(needs(invFreq, half, "rope frequencies"));
    return rec.dispatch(ShaderId::rope_qkv_f32, {&qkv, &invFreq, &q, &k, &v}, p, gridFor(groupsOf(items, 64)));
}

bool attentionRowsRuns(const Recorder &rec, const Buffer &q, const Buffer &k, const Buffer &v, const AttentionPush &p, KvForm form)
{
    const std::uint32_t perTexel = form == KvForm::F32 ? 4u : 8u;
    return rowLayoutDevice(rec.context().info()) && p.headDim > 0 && p.headDim <= 256 && p.headDim % perTexel == 0
           && p.kvStride % perTexel == 0 && q.texels && k.texels && v.texels;
}

namespace {
/// The rows kernel's variant: NQ = q texels a lane (1, 2, 4, 8: head dim ≤ 32, 64, 128, 256) and
/// GM = query heads of one KV head a subgroup takes (GM·NQ ≤ 16), and the workgroups it needs.
struct RowsAttention {
    ShaderId id;
    std::uint64_t workgroups;
};
RowsAttention attentionRowsVariant(KvForm form, const AttentionPush &p, std::uint32_t gmWanted)
{
    if (gmWanted == 0) {
        // as many heads a subgroup as keeps ≥ 2 workgroups a CPU thread (llvmpipe runs one a
        // thread): one layer of 32 heads on 4 KV heads, 4096 positions, one token, on 2 cores:
        // 2.8 ms with one head a subgroup, 1.3 with 8 (docs/gpu.md)
        const std::uint64_t want = 2 * std::max(1u, std::thread::hardware_concurrency());
        const std::uint32_t group = p.heads / p.kvHeads;
        gmWanted = 1;
        while (gmWanted < 8 && std::uint64_t(p.tokens) * p.kvHeads * ((group + 2 * gmWanted - 1) / (2 * gmWanted)) >= want)
            gmWanted *= 2;
    }
    using Row = std::array<ShaderId, 4>; // GM 1, 2, 4, 8
    static constexpr std::array<Row, 4> kF32 = {{
        {ShaderId::attention_rows_f32_q1_g1, ShaderId::attention_rows_f32_q1_g2, ShaderId::attention_rows_f32_q1_g4, ShaderId::attention_rows_f32_q1_g8},
        {ShaderId::attention_rows_f32_q2_g1, ShaderId::attention_rows_f32_q2_g2, ShaderId::attention_rows_f32_q2_g4, ShaderId::attention_rows_f32_q2_g8},
        {ShaderId::attention_rows_f32_q4_g1, ShaderId::attention_rows_f32_q4_g2, ShaderId::attention_rows_f32_q4_g4, ShaderId::attention_rows_f32_q4_g4},
        {ShaderId::attention_rows_f32_q8_g1, ShaderId::attention_rows_f32_q8_g2, ShaderId::attention_rows_f32_q8_g2, ShaderId::attention_rows_f32_q8_g2},
    }};
    static constexpr std::array<Row, 4> kF16 = {{
        {ShaderId::attention_rows_f16_q1_g1, ShaderId::attention_rows_f16_q1_g2, ShaderId::attention_rows_f16_q1_g4, ShaderId::attention_rows_f16_q1_g8},
        {ShaderId::attention_rows_f16_q2_g1, ShaderId::attention_rows_f16_q2_g2, ShaderId::attention_rows_f16_q2_g4, ShaderId::attention_rows_f16_q2_g8},
        {ShaderId::attention_rows_f16_q4_g1, ShaderId::attention_rows_f16_q4_g2, ShaderId::attention_rows_f16_q4_g4, ShaderId::attention_rows_f16_q4_g4},
        {ShaderId::attention_rows_f16_q8_g1, ShaderId::attention_rows_f16_q8_g2, ShaderId::attention_rows_f16_q8_g2, ShaderId::attention_rows_f16_q8_g2},
    }};
    static constexpr std::array<std::uint32_t, 4> kMaxGm = {8, 8, 4, 2}; // GM·NQ ≤ 16
    const std::size_t nq = p.headDim <= 32 ? 0 : p.headDim <= 64 ? 1 : p.headDim <= 128 ? 2 : 3;
    const std::uint32_t group = p.heads / p.kvHeads;
    std::uint32_t gm = 1;
    while (gm < kMaxGm[nq] && gm < gmWanted && gm < group)
        gm *= 2;
    const std::size_t gi = gm == 1 ? 0 : gm == 2 ? 1 : gm == 4 ? 2 : 3;
    const std::uint64_t chunks = (group + gm - 1) / gm;
    return {form == KvForm::F32 ? kF32[nq][gi] : kF16[nq][gi], std::uint64_t(p.tokens) * p.kvHeads * chunks};
}
} // namespace

Status recordAttention(Recorder &rec, const Buffer &q, const Buffer &k, const Buffer &v, const Buffer &o, const AttentionPush &p,
                       KvForm form, AttentionKernel kernel, std::uint32_t rowsHeads)
{
    if (p.headDim == 0 || p.headDim > 256 || p.kvHeads == 0 || p.heads % p.kvHeads != 0)
        return makeError(ErrorCode::InvalidArgument, "attention: head dim must be 1..256 and heads a multiple of kv heads");
    const std::uint64_t qElems = std::uint64_t(p.tokens) * p.heads * p.headDim;
    const std::uint64_t cacheElems = std::uint64_t(p.pos0 + p.tokens) * p.kvStride;
    LOWBIT_CHECK(needs(q, qElems, "attention q"));
    LOWBIT_CHECK(needs(k, cacheElems, "attention k cache", kvFormBytes(form)));
    LOWBIT_CHECK(needs(v, cacheElems, "attention v cache", kvFormBytes(form)));
    LOWBIT_CHECK(needs(o, qElems, "attention output"));
    if (form == KvForm::F16Packed && (p.headDim % 2 != 0 || p.kvStride % 2 != 0))
        return makeError(ErrorCode::InvalidArgument, "attention: an fp16 cache needs an even head dim");
    const bool rows = attentionRowsRuns(rec, q, k, v, p, form);
    if (kernel == AttentionKernel::Rows && !rows)
        return makeError(ErrorCode::InvalidArgument, "attention: the rows kernel does not run this shape on this device");
    if (rows && kernel != AttentionKernel::Tree) { // (the texel views cover the q texels and cache rows read)
        const RowsAttention r = attentionRowsVariant(form, p, rowsHeads);
        return rec.dispatch(r.id, {&q, &k, &v, &o}, p, gridFor(r.workgroups));
    }
    const ShaderId id = form == KvForm::F32 ? ShaderId::attention_f32 : form == KvForm::F16Packed ? ShaderId::attention_f16 : ShaderId::attention_f16s;
    return rec.dispatch(id, {&q, &k, &v, &o}, p, gridFor(std::uint64_t(p.tokens) * p.heads));
}

namespace {
Status kvStoreChecks(const Buffer &src, const Buffer &cache, const KvStorePush &p, KvForm form)
{
    if (form == KvForm::F32 || p.count % 2 != 0 || p.dstOffset % 2 != 0)
        return makeError(ErrorCode::InvalidArgument, "kv store: an fp16 cache, and an even count and offset");
    LOWBIT_CHECK(needs(src, p.count, "kv store source"));
    return needs(cache, std::uint64_t(p.dstOffset) + p.count, "kv store cache", 2);
}
} // namespace

Status recordKvStore(Recorder &rec, const Buffer &src, const Buffer &cache, const KvStorePush &p, KvForm form)
{
    LOWBIT_CHECK(kvStoreChecks(src, cache, p, form));
    // one kernel for both fp16 forms: it writes pairs of halves as uints, the layout of a float16_t
    // array, rounded as the CPU rounds (kv_store.comp)
    return rec.dispatch(ShaderId::kv_store_f16, {&src, &cache}, p, gridFor(groupsOf(p.count / 2, 256)));
}

Status recordKvStorePair(Recorder &rec, const Buffer &kSrc, const Buffer &kCache, const Buffer &vSrc, const Buffer &vCache,
                         const KvStorePush &p, KvForm form)
{
    LOWBIT_CHECK(kvStoreChecks(kSrc, kCache, p, form));
    LOWBIT_CHECK(kvStoreChecks(vSrc, vCache, p, form));
    if (kCache.handle == vCache.handle)
        return makeError(ErrorCode::InvalidArgument, "kv store: keys and values need caches of their own");
    return rec.dispatch(ShaderId::kv_store_kv_f16, {&kSrc, &kCache, &vSrc, &vCache}, p, gridFor(groupsOf(p.count / 2, 256)));
}

Status recordSiluMul(Recorder &rec, const Buffer &gate, const Buffer &up, const Buffer &out, std::uint32_t n)
{
    LOWBIT_CHECK(needs(gate, n, "silu gate"));
    LOWBIT_CHECK(needs(up, n, "silu up"));
    LOWBIT_CHECK(needs(out, n, "silu out"));
    return rec.dispatch(ShaderId::silu_mul_f32, {&gate, &up, &out}, ElementwisePush{n}, gridFor(groupsOf(n, 256)));
}

Status recordSiluMulPair(Recorder &rec, const Buffer &gu, const Buffer &out, std::uint32_t tokens, std::uint32_t ff)
{
    const std::uint64_t n = std::uint64_t(tokens) * ff;
    if (n > 0xFFFFFFFFull / 2)
        return makeError(ErrorCode::InvalidArgument, "silu pair: too many elements");
    LOWBIT_CHECK(needs(gu, 2 * n, "silu pair gate/up"));
    LOWBIT_CHECK(needs(out, n, "silu pair out"));
    const std::array<std::uint32_t, 2> push{static_cast<std::uint32_t>(n), ff};
    return rec.dispatch(ShaderId::silu_mul_pair_f32, {&gu, &gu, &out}, push, gridFor(groupsOf(static_cast<std::uint32_t>(n), 256)));
}

Status recordAdd(Recorder &rec, const Buffer &y, const Buffer &x, std::uint32_t n)
{
    LOWBIT_CHECK(needs(y, n, "add y"));
    LOWBIT_CHECK(needs(x, n, "add x"));
    return rec.dispatch(ShaderId::add_f32, {&y, &x}, ElementwisePush{n}, gridFor(groupsOf(n, 256)));
}

Status recordAddBias(Recorder &rec, const Buffer &y, const Buffer &bias, const AddBiasPush &p)
{
    const std::uint64_t n = std::uint64_t(p.rows) * p.width;
    if (n > 0xFFFFFFFFull)
        return makeError(ErrorCode::InvalidArgument, "add bias: too many elements for one dispatch");
    LOWBIT_CHECK(needs(y, p.offset + n, "add bias y"));
    LOWBIT_CHECK(needs(bias, p.width, "bias"));
    return rec.dispatch(ShaderId::add_bias_f32, {&y, &bias}, p, gridFor(groupsOf(n, 256)));
}

Status recordEmbedding(Recorder &rec, const Buffer &table, const Buffer &ids, const Buffer &out, const EmbeddingPush &p)
{
    LOWBIT_CHECK(needs(table, std::uint64_t(p.vocab) * p.dim, "embedding table"));
    LOWBIT_CHECK(needs(ids, p.tokens, "embedding ids"));
    LOWBIT_CHECK(needs(out, std::uint64_t(p.tokens) * p.dim, "embedding out"));
    return rec.dispatch(ShaderId::embedding_f32, {&table, &ids, &out}, p, gridFor(groupsOf(std::uint64_t(p.tokens) * p.dim, 256)));
}

} // namespace lowbit::gpu
