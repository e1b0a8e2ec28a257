// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/engine/gpu_weight.h"

#include "core/methods/vq_tensor.h"
#include "core/quant/packed_concat.h"
#include "core/quant/quantized_tensor.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/basic_ops.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/recorder.h"

#include <algorithm>
#include <limits>

namespace lowbit::gpu {

namespace {
const VqQuantizedTensor *vqTensorOf(const TensorView &view)
{
    const auto *t = dynamic_cast<const VqQuantizedTensor *>(view.decoder.get());
    return t && t->content().vectorLength <= kGpuVqMaxVector ? t : nullptr;
}

/// fp32 rows × cols values as row slices of at most the storage-buffer range (or maxSliceBytes).
Result<GpuWeight> uploadF32(Arena &arena, const std::string &name, const std::vector<float> &values, std::int64_t rows, std::int64_t cols,
                            const PackedUploadOptions &packed)
{
    if (rows > std::numeric_limits<std::int32_t>::max() || cols > std::numeric_limits<std::int32_t>::max())
        return makeError(ErrorCode::InvalidArgument, name + ": shape too large for the Vulkan kernels");
    GpuWeight w;
    w.rows = rows;
    w.cols = cols;
    const std::uint64_t limit = packed.maxSliceBytes ? packed.maxSliceBytes : arena.maxBufferBytes();
    const std::uint64_t rowBytes = static_cast<std::uint64_t>(std::max<std::int64_t>(cols, 1)) * sizeof(float);
    if (rowBytes > limit)
        return makeError(ErrorCode::InvalidArgument, name + ": one row is larger than a storage buffer of this device");
    const auto rowsPerSlice = static_cast<std::int64_t>(limit / rowBytes);
    for (std::int64_t r0 = 0; r0 < std::max<std::int64_t>(rows, 1); r0 += rowsPerSlice) {
        const std::int64_t n = std::min(rowsPerSlice, rows - r0);
        auto b = arena.upload(std::span<const float>(values.data() + r0 * cols, static_cast<std::size_t>(std::max<std::int64_t>(n, 0) * cols)));
        if (!b)
            return b.error().withContext(name);
        w.f32.push_back({*b, static_cast<std::uint32_t>(r0), static_cast<std::uint32_t>(std::max<std::int64_t>(n, 0))});
        w.deviceBytes += static_cast<std::uint64_t>(std::max<std::int64_t>(n, 0) * cols) * sizeof(float);
    }
    return w;
}
} // namespace

std::uint64_t deviceBytesFor(const TensorView &view)
{
    if (const PackedTensor *p = packedTensorOf(view))
        return static_cast<std::uint64_t>(p->byteSize());
    if (view.decoder)
        return view.decoder->storedBytes();
    return view.numel() * sizeof(float);
}

Result<GpuWeight> uploadWeight(Arena &arena, const TensorView &view, const PackedUploadOptions &packed, bool rowLookup)
{
    GpuWeight w;
    if (const VqQuantizedTensor *vq = rowLookup ? nullptr : vqTensorOf(view)) {
        auto t = uploadVq(arena, *vq, packed.matvec, packed.subgroupReduce);
        if (!t)
            return t.error().withContext(view.name);
        w.rows = vq->rows();
        w.cols = vq->cols();
        w.deviceBytes = t->deviceBytes;
        w.vq = *t;
        return w;
    }
    if (const PackedTensor *p = packedTensorOf(view)) {
        auto t = uploadPacked(arena, *p, packed);
        if (!t)
            return t.error().withContext(view.name);
        w.rows = p->rows;
        w.cols = p->cols;
        w.deviceBytes = t->deviceBytes;
        w.packed = std::move(*t);
        return w;
    }
    const std::int64_t cols = view.shape.empty() ? 1 : view.shape.back();
    const std::int64_t rows = cols > 0 ? static_cast<std::int64_t>(view.numel()) / cols : 0;
    auto values = view.toFloatVector();
    if (!values)
        return values.error().withContext(view.name);
    return uploadF32(arena, view.name, *values, rows, cols, packed);
}

Result<std::optional<GpuWeight>> uploadWeightRows(Arena &arena, std::span<const TensorView *const> parts, const PackedUploadOptions &packed)
{
    if (parts.size() < 2)
        return std::optional<GpuWeight>{};
    std::string name = parts.front()->name;
    bool packedAll = true, packedAny = false;
    for (const TensorView *v : parts) {
        if (v != parts.front())
            name += " + " + v->name;
        if (vqTensorOf(*v) || v->shape.size() != 2 || v->shape[1] != parts.front()->shape[1])
            return std::optional<GpuWeight>{};
        const bool p = packedTensorOf(*v) != nullptr;
        packedAll = packedAll && p;
        packedAny = packedAny || p;
    }
    if (packedAll) {
        PackedTensor joined = *packedTensorOf(*parts.front());
        for (const TensorView *v : parts.subspan(1)) {
            const PackedTensor &next = *packedTensorOf(*v);
            if (!rowsConcatenable(joined, next))
                return std::optional<GpuWeight>{};
            auto j = concatRows(joined, next);
            if (!j)
                return j.error().withContext(name);
            joined = std::move(*j);
        }
        auto t = uploadPacked(arena, joined, packed);
        if (!t)
            return t.error().withContext(name);
        GpuWeight w;
        w.rows = joined.rows;
        w.cols = joined.cols;
        w.deviceBytes = t->deviceBytes;
        w.packed = std::move(*t);
        return std::optional<GpuWeight>(std::move(w));
    }
    if (packedAny)
        return std::optional<GpuWeight>{};
    std::vector<float> all;
    std::int64_t rows = 0;
    for (const TensorView *v : parts) {
        auto values = v->toFloatVector();
        if (!values)
            return values.error().withContext(v->name);
        all.insert(all.end(), values->begin(), values->end());
        rows += v->shape[0];
    }
    LOWBIT_TRY(GpuWeight w, uploadF32(arena, name, all, rows, parts.front()->shape[1], packed));
    return std::optional<GpuWeight>(std::move(w));
}

Status recordLinear(Recorder &rec, const GpuWeight &w, const Buffer &x, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                    std::uint32_t yStride, const Buffer *vqXp)
{
    if (w.vq) {
        if (tokens == 1)
            return recordMatvecVq(rec, *w.vq, x, y, 0, yOffset);
        return recordMatmulVq(rec, *w.vq, x, y, tokens, yOffset, yStride, vqXp);
    }
    if (w.packed) {
        if (tokens == 1)
            return recordMatvecPacked(rec, *w.packed, x, y, yOffset);
        return recordMatmulPacked(rec, *w.packed, x, y, tokens, yOffset, yStride);
    }
    const auto cols = static_cast<std::uint32_t>(w.cols);
    for (const auto &s : w.f32)
        LOWBIT_CHECK(recordMatmulF32(rec, *s.data, x, y, {s.rows, cols, tokens, yOffset + s.row0, yStride}));
    return {};
}

Status recordLinear(Recorder &rec, const GpuWeight &w, LinearInput &in, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                    std::uint32_t yStride)
{
    // the tree's integer GEMV (one token: a prompt keeps the fp32 GEMM, which decodes a weight once for 8 or 32 tokens)
    if (in.pieces && tokens == 1 && w.packed && treeInt8Runs(*w.packed)) {
        if (!in.piecesReady) {
            LOWBIT_CHECK(recordQuantizeX8Pieces(rec, in.x, 0, static_cast<std::uint32_t>(w.cols), 1, *in.pieces));
            in.piecesReady = true;
        }
        return recordMatvecPackedInt8(rec, *w.packed, *in.pieces, y, yOffset);
    }
    if (!in.quantized || !w.packed || !rowsInt8Runs(*w.packed))
        return recordLinear(rec, w, in.x, y, tokens, yOffset, yStride, in.vqXp);
    if (!in.ready) {
        LOWBIT_CHECK(recordQuantizeX8(rec, in.x, 0, static_cast<std::uint32_t>(w.cols), tokens, *in.quantized));
        in.ready = true;
    }
    return recordRowsMatmulInt8(rec, *w.packed, *in.quantized, y, tokens, yOffset, yStride);
}

Status recordRowLookup(Recorder &rec, const GpuWeight &w, const Buffer &ids, std::uint32_t n, const Buffer &out)
{
    if (w.vq)
        return makeError(ErrorCode::Internal, "a vq weight was uploaded for row lookups");
    if (w.packed)
        return recordDequantRowsPacked(rec, *w.packed, ids, n, out);
    const auto cols = static_cast<std::uint32_t>(w.cols);
    for (std::size_t i = 0; i < w.f32.size(); ++i) {
        const auto &s = w.f32[i];
        LOWBIT_CHECK(recordEmbedding(rec, *s.data, ids, out, {n, cols, s.rows, s.row0, i == 0 ? 1u : 0u}));
    }
    return {};
}

} // namespace lowbit::gpu
