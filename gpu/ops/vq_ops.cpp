// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/vq_ops.h"

#include "core/quant/bitstream.h"
#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/recorder.h"

#include <algorithm>
#include <vector>

namespace lowbit::gpu {

namespace {
constexpr std::uint32_t kNone = 0xFFFFFFFFu;
constexpr std::uint32_t kSharedCodebookFloats = 4096; // SHARED_CB in matvec_vq.comp

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
} // namespace

Result<GpuVqTensor> uploadVq(Arena &arena, const VqQuantizedTensor &t, std::optional<bool> rowsMatvec)
{
    const VqContent c = t.content();
    GpuVqTensor g;
    // the row kernel broadcasts within subgroups of exactly 8 lanes (lavapipe's default)
    g.rowsMatvec = rowsMatvec.value_or(rowLayoutDevice(arena.context().info())) && rowKernelsRun(arena.context().info());
    VqPush &p = g.push;
    p.rows = static_cast<std::uint32_t>(c.rows);
    p.cols = static_cast<std::uint32_t>(c.cols);
    p.v = static_cast<std::uint32_t>(c.vectorLength);
    p.R = static_cast<std::uint32_t>(c.vectorsPerColumn());
    p.outlierCols = static_cast<std::uint32_t>(c.outlierColumns);
    std::vector<std::uint32_t> idx;
    std::vector<float> vals;
    p.mainBits = vqIndexBits(c.main.entries);
    LOWBIT_TRY(p.mainBase, appendStream(idx, c.mainIndices, p.mainBits));
    p.mainCb = appendFloats(vals, c.main.values);
    p.resBase = kNone;
    p.resCb = 0;
    if (c.residual.entries) {
        p.resBits = vqIndexBits(c.residual.entries);
        LOWBIT_TRY(p.resBase, appendStream(idx, c.residualIndices, p.resBits));
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
    const auto mainFloats = static_cast<std::uint64_t>(c.main.values.size());
    p.sharedMain = mainFloats <= kSharedCodebookFloats ? static_cast<std::uint32_t>(mainFloats) : 0u;
    if (idx.size() * 4 > arena.maxBufferBytes() || vals.size() * 4 > arena.maxBufferBytes())
        return makeError(ErrorCode::InvalidArgument, "vq tensor does not fit one storage buffer of this device");
    LOWBIT_TRY(g.indices, arena.upload(std::span<const std::uint32_t>(idx)));
    LOWBIT_TRY(g.values, arena.upload(std::span<const float>(vals)));
    g.deviceBytes = (idx.size() + vals.size()) * 4;
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
    if (!w.rowsMatvec)
        return rec.dispatch(ShaderId::matvec_vq, {w.indices, w.values, &x, &y}, p, gridFor(p.R));
    // x and the codebooks from uniform buffers when both fit the uniform range
    const std::uint64_t range = std::min<std::uint64_t>(rec.context().info().maxUniformBufferRange, 65536);
    const std::uint64_t xBytes = (static_cast<std::uint64_t>(xOffset) + p.cols + 3) / 4 * 16;
    const bool uniform = xBytes <= range && x.size >= xBytes && w.values->size <= range;
    const ShaderId id = uniform ? (p.v == 4 ? ShaderId::matvec_vq_rows_v4 : p.v == 8 ? ShaderId::matvec_vq_rows_v8 : ShaderId::matvec_vq_rows)
                                : (p.v == 4 ? ShaderId::matvec_vq_rows_v4_sx : p.v == 8 ? ShaderId::matvec_vq_rows_v8_sx : ShaderId::matvec_vq_rows_sx);
    return rec.dispatch(id, {w.indices, w.values, &x, &y, w.values}, p, gridFor((p.R + 63) / 64));
}

} // namespace lowbit::gpu
