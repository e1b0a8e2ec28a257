// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// One weight matrix of a model on the device, in the form it was given: a studio-quantized
/// tensor (packedTensorOf(view) non-null) stays packed and runs through the fused dequant
/// kernels; anything else is converted to fp32. Either form is split into row slices when it is
/// larger than the device's storage-buffer range (lavapipe: 128 MiB).

#include "core/tensor/tensor_view.h"
#include "core/util/result.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/vq_ops.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace lowbit::gpu {

class Arena;
class Recorder;
struct Buffer;

struct GpuWeight {
    struct F32Slice {
        Buffer *data = nullptr;
        std::uint32_t row0 = 0, rows = 0;
    };
    std::int64_t rows = 0, cols = 0;
    std::vector<F32Slice> f32;            ///< fp32 rows, when not packed
    std::optional<GpuPackedTensor> packed; ///< packed codes, when the view is studio-quantized
    std::optional<GpuVqTensor> vq;         ///< VPTQ indices + codebooks (vectors ≤ kGpuVqMaxVector)
    std::uint64_t deviceBytes = 0;

    bool isPacked() const { return packed.has_value() || vq.has_value(); }
};

/// Bytes a view will take on the device (packed: its stored arrays; otherwise fp32).
std::uint64_t deviceBytesFor(const TensorView &view);

/// Uploads a 2-D view. packed: how packed tensors are uploaded (its maxSliceBytes also splits
/// fp32 weights; 0 = the device's storage-buffer range, tests pass less). rowLookup: the weight
/// is read by rows (an embedding table): VQ tensors are then decoded to fp32 (they have no
/// row-lookup kernel). Errors: Io (out of device memory), InvalidArgument (a single row larger
/// than a buffer), those of decoding the view.
Result<GpuWeight> uploadWeight(Arena &arena, const TensorView &view, const PackedUploadOptions &packed = {}, bool rowLookup = false);

/// Uploads the rows of each part in turn as one weight (one GEMV for linears of the same input:
/// gate and up, or q, k and v) where they decode by one rule: all converted to fp32, or all
/// studio-packed and rowsConcatenable (core/quant/packed_concat.h). Empty where they cannot share
/// one (a VQ tensor, some packed and some not, other formats or columns, fewer than two parts):
/// the caller uploads them apart. Errors as uploadWeight.
Result<std::optional<GpuWeight>> uploadWeightRows(Arena &arena, std::span<const TensorView *const> parts, const PackedUploadOptions &packed = {});

/// Y[yOffset + t·yStride + r] = W[r, :] · X[t, :] for t < tokens; one token on packed weights
/// runs the fused dequant × vector kernel, several the fused dequant × matrix kernel. vqXp: room
/// for the VQ GEMM's x pass (recordMatmulVq's xpScratch), or none.
Status recordLinear(Recorder &rec, const GpuWeight &w, const Buffer &x, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                    std::uint32_t yStride, const Buffer *vqXp = nullptr);

/// An activation the linears of a layer share, and with int8 activations its quantized copies,
/// each written by the first linear that takes it (rowsInt8Runs, treeInt8Runs) and reused by the others.
struct LinearInput {
    const Buffer &x;
    Buffer *quantized = nullptr; ///< room for quantizedXBytes(cols, tokens); null: fp32 x only
    bool ready = false;
    const Buffer *vqXp = nullptr; ///< room for the VQ GEMM's x pass (recordLinear), or none
    Buffer *pieces = nullptr; ///< room for quantizedPiecesBytes(cols, tokens) (the tree's integer GEMV); null: none
    bool piecesReady = false;
};
/// The same, reading `in`'s int8 copy where the weight has the integer kernel.
Status recordLinear(Recorder &rec, const GpuWeight &w, LinearInput &in, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                    std::uint32_t yStride);

/// out[t, :] = W[ids[t], :] for t < n (the embedding lookup; ids already validated).
Status recordRowLookup(Recorder &rec, const GpuWeight &w, const Buffer &ids, std::uint32_t n, const Buffer &out);

} // namespace lowbit::gpu
