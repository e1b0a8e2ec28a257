// SPDX-License-Identifier: GPL-3.0-or-later
// Int8 activations: the two quantizers of x (quantize_x8.comp: per 32 columns for the rows
// layout's SWAR kernels, per piece of 8 for the tree), and the integer form of the shared-tree GEMV
// (GPUs): a piece of a row summed by two 4×8-bit dot products (shaders/matvec_packed.comp, X8_DOT).
#include "gpu/ops/packed_ops.h"

#include "gpu/memory/arena.h"
#include "gpu/ops/packed_rows.h"
#include "gpu/ops/recorder.h"

#include <string>

namespace lowbit::gpu {

namespace {

/// Bytes of one piece of a quantized x: q of the even columns, of the odd ones, d, Σq.
constexpr VkDeviceSize kPieceBytes = 16;

/// One invocation per unit of `unitCols` columns of each token (`bytes`: the output's size).
Status recordQuantize(Recorder &rec, ShaderId shader, const Buffer &x, std::uint32_t xOffset, std::uint32_t cols, std::uint32_t tokens,
                      const Buffer &out, VkDeviceSize bytes, std::uint32_t unitCols)
{
    if (tokens == 0 || cols == 0)
        return {};
    if (x.size < (static_cast<std::uint64_t>(xOffset) + static_cast<std::uint64_t>(cols) * tokens) * 4 || out.size < bytes)
        return makeError(ErrorCode::Internal, std::string(shaderInfo(shader).name) + ": buffers too small");
    struct {
        std::uint32_t cols, tokens, xOffset;
    } p{cols, tokens, xOffset};
    const std::uint64_t units = static_cast<std::uint64_t>((cols + unitCols - 1) / unitCols) * tokens;
    return rec.dispatch(shader, {&x, &out}, p, gridFor((units + 63) / 64));
}

} // namespace

VkDeviceSize quantizedXBytes(std::uint32_t cols, std::uint32_t tokens)
{
    return static_cast<VkDeviceSize>((cols + 31) / 32) * tokens * kX8TexelsPerChunk * 16;
}

Status recordQuantizeX8(Recorder &rec, const Buffer &x, std::uint32_t xOffset, std::uint32_t cols, std::uint32_t tokens, const Buffer &out)
{
    return recordQuantize(rec, ShaderId::quantize_x8, x, xOffset, cols, tokens, out, quantizedXBytes(cols, tokens), 32);
}

VkDeviceSize quantizedPiecesBytes(std::uint32_t cols, std::uint32_t tokens)
{
    return static_cast<VkDeviceSize>((cols + 7) / 8) * tokens * kPieceBytes;
}

Status recordQuantizeX8Pieces(Recorder &rec, const Buffer &x, std::uint32_t xOffset, std::uint32_t cols, std::uint32_t tokens, const Buffer &out)
{
    return recordQuantize(rec, ShaderId::quantize_x8_pieces, x, xOffset, cols, tokens, out, quantizedPiecesBytes(cols, tokens), 8);
}

bool treeInt8Runs(const GpuPackedTensor &w) { return w.matvec == MatvecLayout::SharedTree && w.tree.int8Dot; }

Status recordMatvecPackedInt8(Recorder &rec, const GpuPackedTensor &w, const Buffer &xq, const Buffer &y, std::uint32_t yOffset)
{
    if (!treeInt8Runs(w))
        return makeError(ErrorCode::Internal, "the integer tree GEMV takes 2- to 4-bit linear codes in whole pieces on a device with the integer dot product only");
    if (xq.size < quantizedPiecesBytes(static_cast<std::uint32_t>(w.cols), 1) || y.size < (yOffset + static_cast<std::uint64_t>(w.rows)) * 4)
        return makeError(ErrorCode::Internal, "int8-x matvec buffers too small");
    using S = ShaderId;
    // [bits − 2][four pieces ahead, one]
    static constexpr S ids[3][2] = {{S::matvec_packed_b2_lin_sg_x8, S::matvec_packed_b2_lin_sg_a1_x8},
                                    {S::matvec_packed_b3_lin_sg_x8, S::matvec_packed_b3_lin_sg_a1_x8},
                                    {S::matvec_packed_b4_lin_sg_x8, S::matvec_packed_b4_lin_sg_a1_x8}};
    const ShaderId id = ids[w.codeBits - 2][w.tree.loadAhead ? 0 : 1];
    for (const GpuPackedSlice &s : w.slices) {
        PackedPush p = slicePush(w, s);
        p.yOffset = yOffset + s.row0;
        p.xBase = 0;
        const std::uint32_t rowsPerGroup = kTreeWorkgroup / p.tpr * kTreeRows;
        LOWBIT_CHECK(rec.dispatch(id, {s.codes, w.meta, w.tables, &xq, &y}, p, gridFor((s.rows + rowsPerGroup - 1) / rowsPerGroup),
                                  packedSpecialization(w, p)));
    }
    return {};
}

} // namespace lowbit::gpu
