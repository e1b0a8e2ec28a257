// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/vq_ops.h"

#include "core/dtypes/scalar_convert.h"
#include "core/quant/bitstream.h"
#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/recorder.h"
#include "gpu/pipeline/spirv_shared.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <vector>

namespace lowbit::gpu {

namespace {
constexpr std::uint32_t kNone = 0xFFFFFFFFu;
constexpr std::uint32_t kSharedCodebookFloats = 4096; // SHARED_CB in vq_shared_codebook.glsl
constexpr std::uint32_t kSharedCodebookHalves = 2 * kSharedCodebookFloats; // the same as fp16 pairs

/// Whether every value is zero or an fp16 normal number: then fp16 holds it exactly on every
/// device (no subnormal that one might flush).
bool exactInHalves(const std::vector<float> &values)
{
    return std::all_of(values.begin(), values.end(), [](float v) {
        return v == 0.0f || (std::isfinite(v) && std::fabs(v) >= 0x1p-14f && fp16ToFloat(floatToFp16(v)) == v);
    });
}

/// Appends codes as a `bits`-wide stream (the stored layout); returns its first word.
Result<std::uint32_t> appendStream(std::vector<std::uint32_t> &words, const std::vector<std::uint16_t> &codes, unsigned bits)
{
    const auto at = static_cast<std::uint32_t>(words.size());
    const auto n = static_cast<std::size_t>(bitstreamWords(static_cast<std::int64_t>(codes.size()), bits));
    words.resize(words.size() + n + 1, 0u); // + 1: a read may touch the word after the last code
    LOWBIT_CHECK(packBits(codes, bits, std::span<std::uint32_t>(words.data() + at, n)));
    return at;
}

std::uint32_t appendFloats(std::vector<float> &vals, const std::vector<float> &src)
{
    const auto at = static_cast<std::uint32_t>(vals.size());
    vals.insert(vals.end(), src.begin(), src.end());
    return at;
}

template <class T>
void alignTo4(std::vector<T> &v) { v.resize((v.size() + 3) / 4 * 4, T{}); }

/// The row layout's width for codes of `bits` bits: 8, 12 or 16 (32 codes are whole texels).
unsigned rowLayoutBits(unsigned bits) { return bits <= 8 ? 8u : bits <= 12 ? 12u : 16u; }

/// A centroid with only finite values (the padding positions' code: its value times x = 0 must be 0).
std::uint16_t finiteCentroid(const VqCodebook &cb, int v)
{
    for (int i = 0; i < cb.entries; ++i) {
        const auto first = cb.values.begin() + static_cast<std::ptrdiff_t>(i) * v;
        if (std::all_of(first, first + v, [](float x) { return std::isfinite(x); }))
            return static_cast<std::uint16_t>(i);
    }
    return 0;
}

/// Position-major codes (p'·R + r) reordered by vector row: code r·stride + p', padded with `pad`.
std::vector<std::uint16_t> byVectorRow(const std::vector<std::uint16_t> &codes, std::int64_t positions, std::int64_t R, std::int64_t stride,
                                       std::uint16_t pad)
{
    std::vector<std::uint16_t> out(static_cast<std::size_t>(R * stride), pad);
    for (std::int64_t r = 0; r < R; ++r)
        for (std::int64_t p = 0; p < positions; ++p)
            out[static_cast<std::size_t>(r * stride + p)] = codes[static_cast<std::size_t>(p * R + r)];
    return out;
}

/// The codebook with each centroid padded to `stride` floats (a multiple of 4), appended at a
/// multiple of 4 floats; returns its first float.
std::uint32_t appendPadded(std::vector<float> &vals, const VqCodebook &cb, int v, std::uint32_t stride)
{
    alignTo4(vals);
    const auto at = static_cast<std::uint32_t>(vals.size());
    vals.resize(vals.size() + static_cast<std::size_t>(cb.entries) * stride, 0.0f);
    for (int i = 0; i < cb.entries; ++i)
        std::copy_n(cb.values.begin() + static_cast<std::ptrdiff_t>(i) * v, v, vals.begin() + at + static_cast<std::ptrdiff_t>(i) * stride);
    return at;
}

ShaderId rowsShader(std::uint32_t v, unsigned bits, bool residual)
{
    static constexpr std::array<std::array<std::array<ShaderId, 2>, 3>, 3> kIds = {{
        {{{ShaderId::matvec_vq_rows_v0_i8, ShaderId::matvec_vq_rows_v0_i8_r},
          {ShaderId::matvec_vq_rows_v0_i12, ShaderId::matvec_vq_rows_v0_i12_r},
          {ShaderId::matvec_vq_rows_v0_i16, ShaderId::matvec_vq_rows_v0_i16_r}}},
        {{{ShaderId::matvec_vq_rows_v4_i8, ShaderId::matvec_vq_rows_v4_i8_r},
          {ShaderId::matvec_vq_rows_v4_i12, ShaderId::matvec_vq_rows_v4_i12_r},
          {ShaderId::matvec_vq_rows_v4_i16, ShaderId::matvec_vq_rows_v4_i16_r}}},
        {{{ShaderId::matvec_vq_rows_v8_i8, ShaderId::matvec_vq_rows_v8_i8_r},
          {ShaderId::matvec_vq_rows_v8_i12, ShaderId::matvec_vq_rows_v8_i12_r},
          {ShaderId::matvec_vq_rows_v8_i16, ShaderId::matvec_vq_rows_v8_i16_r}}},
    }};
    const std::size_t vi = v == 4 ? 1 : v == 8 ? 2 : 0;
    const std::size_t bi = bits == 8 ? 0 : bits == 12 ? 1 : 2;
    return kIds[vi][bi][residual ? 1 : 0];
}

/// The GPU GEMV (matvec_vq.comp) or GEMM (matmul_vq.comp) for vectors of v: centroids as vec4
/// for 4 and 8, any v ≤ 16 otherwise.
ShaderId treeShader(std::uint32_t v, bool subgroupReduce, bool gemm = false)
{
    static constexpr std::array<std::array<std::array<ShaderId, 2>, 3>, 2> kIds = {{
        {{{ShaderId::matvec_vq_v0, ShaderId::matvec_vq_v0_sg},
          {ShaderId::matvec_vq_v4, ShaderId::matvec_vq_v4_sg},
          {ShaderId::matvec_vq_v8, ShaderId::matvec_vq_v8_sg}}},
        {{{ShaderId::matmul_vq_v0, ShaderId::matmul_vq_v0_sg},
          {ShaderId::matmul_vq_v4, ShaderId::matmul_vq_v4_sg},
          {ShaderId::matmul_vq_v8, ShaderId::matmul_vq_v8_sg}}},
    }};
    const std::size_t vi = v == 4 ? 1 : v == 8 ? 2 : 0;
    return kIds[gemm ? 1 : 0][vi][subgroupReduce ? 1 : 0];
}

/// The rows GEMM of kVqGemmTokens tokens: vectors of 4 or 8 only.
std::optional<ShaderId> rowsGemmShader(std::uint32_t v, unsigned bits, bool residual)
{
    static constexpr std::array<std::array<std::array<ShaderId, 2>, 3>, 2> kIds = {{
        {{{ShaderId::matmul_vq_rows_v4_i8, ShaderId::matmul_vq_rows_v4_i8_r},
          {ShaderId::matmul_vq_rows_v4_i12, ShaderId::matmul_vq_rows_v4_i12_r},
          {ShaderId::matmul_vq_rows_v4_i16, ShaderId::matmul_vq_rows_v4_i16_r}}},
        {{{ShaderId::matmul_vq_rows_v8_i8, ShaderId::matmul_vq_rows_v8_i8_r},
          {ShaderId::matmul_vq_rows_v8_i12, ShaderId::matmul_vq_rows_v8_i12_r},
          {ShaderId::matmul_vq_rows_v8_i16, ShaderId::matmul_vq_rows_v8_i16_r}}},
    }};
    if (v != 4 && v != 8)
        return std::nullopt;
    const std::size_t bi = bits == 8 ? 0 : bits == 12 ? 1 : 2;
    return kIds[v == 4 ? 0 : 1][bi][residual ? 1 : 0];
}

/// The x pass (vq_xprep.comp) for p.tokens tokens from x[p.xOffset …] into xp (w.xp unless given).
Status recordXprep(Recorder &rec, const GpuVqTensor &w, VqPush p, const Buffer &x, const Buffer *xp = nullptr)
{
    const std::uint64_t n = std::uint64_t(p.rowStride) + p.outlierCols;
    return rec.dispatch(ShaderId::vq_xprep, {w.indices, w.values, &x, xp ? xp : w.xp}, p, gridFor((n + 63) / 64 * p.tokens));
}
} // namespace

Result<GpuVqTensor> uploadVq(Arena &arena, const VqQuantizedTensor &t, std::optional<MatvecLayout> matvec, std::optional<bool> subgroupReduce)
{
    const VqContent c = t.content();
    GpuVqTensor g;
    // the row kernel broadcasts within subgroups of exactly 8 lanes (lavapipe's default)
    const DeviceInfo &dev = arena.context().info();
    g.rowsMatvec = (matvec ? *matvec == MatvecLayout::Rows : rowLayoutDevice(dev)) && rowKernelsRun(dev);
    g.subgroupReduce = subgroupReduce.value_or(true) && arena.context().info().subgroupShuffle;
    if (!g.rowsMatvec) { // the tree kernels hold the codebook and their sums in workgroup memory
        const auto v = static_cast<std::uint32_t>(c.vectorLength);
        for (const ShaderId id : {treeShader(v, g.subgroupReduce), treeShader(v, g.subgroupReduce, true)})
            LOWBIT_CHECK(checkSharedMemory(id, dev));
    }
    VqPush &p = g.push;
    p.rows = static_cast<std::uint32_t>(c.rows);
    p.cols = static_cast<std::uint32_t>(c.cols);
    p.v = static_cast<std::uint32_t>(c.vectorLength);
    p.R = static_cast<std::uint32_t>(c.vectorsPerColumn());
    p.outlierCols = static_cast<std::uint32_t>(c.outlierColumns);
    std::vector<std::uint32_t> idx;
    std::vector<float> vals;
    const auto R = static_cast<std::int64_t>(p.R);
    const std::int64_t mainPositions = c.cols - c.outlierColumns;
    p.mainBits = vqIndexBits(c.main.entries);
    p.resBase = kNone;
    p.resCb = 0;
    if (c.residual.entries)
        p.resBits = vqIndexBits(c.residual.entries);
    // both layouts store the main and residual codes by vector row, each row padded to whole
    // blocks of 32 positions (whole words; whole texels in the row layout), so that neighbouring
    // lanes read neighbouring codes; the row layout at one width of 8, 12 or 16 bits
    const bool byRow = mainPositions > 0;
    if (byRow)
        p.rowStride = static_cast<std::uint32_t>((mainPositions + 31) / 32 * 32);
    if (byRow && g.rowsMatvec) {
        g.storedBits = rowLayoutBits(std::max(p.mainBits, c.residual.entries ? p.resBits : 0u));
        p.mainBits = p.resBits = g.storedBits;
    }
    const auto stream = [&](const std::vector<std::uint16_t> &codes, const VqCodebook &cb, unsigned bits) -> Result<std::uint32_t> {
        if (!byRow)
            return appendStream(idx, codes, bits);
        alignTo4(idx);
        return appendStream(idx, byVectorRow(codes, mainPositions, R, p.rowStride, finiteCentroid(cb, c.vectorLength)), bits);
    };
    LOWBIT_TRY(p.mainBase, stream(c.mainIndices, c.main, p.mainBits));
    // codebooks start on whole texels (the row kernel fetches a centroid as texels when v is 4 or 8)
    p.mainCb = appendFloats(vals, c.main.values);
    if (c.residual.entries) {
        LOWBIT_TRY(p.resBase, stream(c.residualIndices, c.residual, p.resBits));
        alignTo4(vals);
        p.resCb = appendFloats(vals, c.residual.values);
    }
    p.outBase = 0;
    p.outCb = 0;
    if (c.outlierColumns > 0) {
        p.outBits = vqIndexBits(c.outlier.entries);
        LOWBIT_TRY(p.outBase, appendStream(idx, c.outlierIndices, p.outBits));
        p.outCb = appendFloats(vals, c.outlier.values);
    }
    p.permBase = kNone;
    if (!c.perm.empty()) {
        p.permBase = static_cast<std::uint32_t>(idx.size());
        for (std::int32_t col : c.perm)
            idx.push_back(static_cast<std::uint32_t>(col));
    }
    p.scaleBase = kNone;
    p.biasBase = 0;
    if (!c.scale.empty()) {
        p.scaleBase = appendFloats(vals, c.scale);
        p.biasBase = appendFloats(vals, c.bias);
    }
    // row layout: the codebooks as whole texels per centroid (padded copies when v is not a multiple of 4)
    const auto v = static_cast<std::uint32_t>(c.vectorLength);
    p.cbStride = (v + 3) / 4 * 4;
    p.cbBase = p.mainCb;
    p.rcbBase = p.resCb;
    if (g.rowsMatvec && v % 4 != 0 && v <= static_cast<std::uint32_t>(kGpuVqMaxVector)) {
        p.cbBase = appendPadded(vals, c.main, c.vectorLength, p.cbStride);
        if (c.residual.entries)
            p.rcbBase = appendPadded(vals, c.residual, c.vectorLength, p.cbStride);
    }
    if (g.rowsMatvec) { // whole texels, and room for the any-v kernel's four texels per centroid
        alignTo4(idx);
        vals.resize(vals.size() + 16, 0.0f);
        alignTo4(vals);
    }
    const auto mainFloats = static_cast<std::uint64_t>(c.main.values.size());
    p.sharedMain = mainFloats <= kSharedCodebookFloats ? static_cast<std::uint32_t>(mainFloats) : 0u;
    // the GPU GEMV holds the main codebook as fp16 where that is exact (VPTQ's fp16 codebooks):
    // half the shared-memory reads per centroid, and twice the codebook that fits
    p.sharedHalves = !g.rowsMatvec && mainFloats <= kSharedCodebookHalves && exactInHalves(c.main.values) ? static_cast<std::uint32_t>(mainFloats) : 0u;
    if (idx.size() * 4 > arena.maxBufferBytes() || vals.size() * 4 > arena.maxBufferBytes())
        return makeError(ErrorCode::InvalidArgument, "vq tensor does not fit one storage buffer of this device");
    LOWBIT_TRY(g.indices, arena.upload(std::span<const std::uint32_t>(idx)));
    LOWBIT_TRY(g.values, arena.upload(std::span<const float>(vals)));
    g.deviceBytes = (idx.size() + vals.size()) * 4;
    p.tokens = 1;
    // xp per token (whole texels): main positions, outliers, one bias partial per 64; the row
    // layout always (kVqGemmTokens tokens), the GPU GEMV where a permutation or normalization
    // would otherwise have it gather x (one token)
    const bool prepared = g.rowsMatvec || p.permBase != kNone || p.scaleBase != kNone;
    if (prepared) {
        const std::uint64_t n = std::uint64_t(p.rowStride) + p.outlierCols;
        p.xpStride = static_cast<std::uint32_t>((n + (n + 63) / 64 + 3) / 4 * 4);
        LOWBIT_TRY(g.xp, arena.allocate(std::uint64_t(p.xpStride) * (g.rowsMatvec ? kVqGemmTokens : 1u) * 4));
        g.deviceBytes += g.xp->size;
    }
    return g;
}

Status recordDequantVq(Recorder &rec, const GpuVqTensor &w, const Buffer &out, std::uint32_t yOffset)
{
    if (out.size < (yOffset + static_cast<std::uint64_t>(w.push.rows) * w.push.cols) * 4)
        return makeError(ErrorCode::Internal, "vq dequant output buffer too small");
    VqPush p = w.push;
    p.yOffset = yOffset;
    const std::uint64_t n = static_cast<std::uint64_t>(p.cols) * p.R;
    return rec.dispatch(ShaderId::dequant_vq, {w.indices, w.values, w.values, &out}, p, gridFor((n + 63) / 64));
}

Status recordMatvecVq(Recorder &rec, const GpuVqTensor &w, const Buffer &x, const Buffer &y, std::uint32_t xOffset, std::uint32_t yOffset)
{
    if (w.push.v > static_cast<std::uint32_t>(kGpuVqMaxVector))
        return makeError(ErrorCode::Unsupported, "vq vectors longer than " + std::to_string(kGpuVqMaxVector) + " have no fused Vulkan kernel");
    if (x.size < (xOffset + static_cast<std::uint64_t>(w.push.cols)) * 4 || y.size < (yOffset + static_cast<std::uint64_t>(w.push.rows)) * 4)
        return makeError(ErrorCode::Internal, "vq matvec buffers too small");
    VqPush p = w.push;
    p.xOffset = xOffset;
    p.yOffset = yOffset;
    p.tokens = 1;
    if (!w.rowsMatvec) {
        if (w.xp == nullptr)
            return rec.dispatch(treeShader(p.v, w.subgroupReduce), {w.indices, w.values, &x, &y}, p, gridFor(p.R));
        LOWBIT_CHECK(recordXprep(rec, w, p, x));
        p.xOffset = 0;
        return rec.dispatch(treeShader(p.v, w.subgroupReduce), {w.indices, w.values, w.xp, &y}, p, gridFor(p.R));
    }
    LOWBIT_CHECK(recordXprep(rec, w, p, x));
    return rec.dispatch(rowsShader(p.v, w.storedBits, p.resBase != kNone), {w.indices, w.values, w.xp, &y}, p, gridFor((p.R + 31) / 32));
}

std::uint32_t treeXpFloatsPerToken(const GpuVqTensor &w) { return !w.rowsMatvec && w.xp != nullptr ? w.push.xpStride : 0u; }

Status recordMatmulVq(Recorder &rec, const GpuVqTensor &w, const Buffer &x, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                      std::uint32_t yStride, const Buffer *xpScratch)
{
    if (tokens == 0)
        return {};
    if (w.push.v > static_cast<std::uint32_t>(kGpuVqMaxVector))
        return makeError(ErrorCode::Unsupported, "vq vectors longer than " + std::to_string(kGpuVqMaxVector) + " have no fused Vulkan kernel");
    if (yStride < w.push.rows)
        return makeError(ErrorCode::Internal, "vq matmul: output stride smaller than the row count");
    const std::uint64_t cols = w.push.cols;
    if (x.size < tokens * cols * 4 || y.size < (yOffset + std::uint64_t(tokens - 1) * yStride + w.push.rows) * 4)
        return makeError(ErrorCode::Internal, "vq matmul buffers too small");
    if (!w.rowsMatvec) { // the tree GEMM: kVqTreeTokens tokens a workgroup
        VqPush p = w.push;
        p.yStride = yStride;
        const ShaderId gemm = treeShader(p.v, w.subgroupReduce, true);
        // where x must be put into position order first: as many tokens a run as the x pass's
        // buffer holds (the caller's scratch, else the tensor's own, one token)
        const bool scratchFits = xpScratch != nullptr && xpScratch->size >= std::uint64_t(p.xpStride) * 4;
        const Buffer *xp = w.xp == nullptr ? nullptr : scratchFits ? xpScratch : w.xp;
        const std::uint64_t perRun = xp == nullptr ? tokens : std::max<std::uint64_t>(1, xp->size / (std::uint64_t(p.xpStride) * 4));
        for (std::uint32_t t = 0; t < tokens;) {
            const auto n = static_cast<std::uint32_t>(std::min<std::uint64_t>(perRun, tokens - t));
            p.tokens = n;
            p.xOffset = t * w.push.cols;
            p.yOffset = yOffset + t * yStride;
            const std::uint64_t groups = std::uint64_t(p.R) * ((n + kVqTreeTokens - 1) / kVqTreeTokens);
            if (xp == nullptr) {
                LOWBIT_CHECK(rec.dispatch(gemm, {w.indices, w.values, &x, &y}, p, gridFor(groups)));
            } else {
                LOWBIT_CHECK(recordXprep(rec, w, p, x, xp));
                p.xOffset = 0;
                LOWBIT_CHECK(rec.dispatch(gemm, {w.indices, w.values, xp, &y}, p, gridFor(groups)));
            }
            t += n;
        }
        return {};
    }
    const std::optional<ShaderId> gemm = rowsGemmShader(w.push.v, w.storedBits, w.push.resBase != kNone);
    std::uint32_t t = 0;
    while (t < tokens) {
        const std::uint32_t n = std::min(kVqGemmTokens, tokens - t);
        if (!gemm || n == 1) { // one token by the GEMV
            LOWBIT_CHECK(recordMatvecVq(rec, w, x, y, t * w.push.cols, yOffset + t * yStride));
            ++t;
            continue;
        }
        VqPush p = w.push;
        p.tokens = n;
        p.xOffset = t * w.push.cols;
        p.yOffset = yOffset + t * yStride;
        p.yStride = yStride;
        LOWBIT_CHECK(recordXprep(rec, w, p, x));
        LOWBIT_CHECK(rec.dispatch(*gemm, {w.indices, w.values, w.xp, &y}, p, gridFor((p.R + 31) / 32)));
        t += n;
    }
    return {};
}

} // namespace lowbit::gpu
