// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/roofline_ops.h"

#include "gpu/memory/arena.h"
#include "gpu/ops/recorder.h"

namespace lowbit::gpu {

Status recordBandwidthReduce(Recorder &rec, const Buffer &src, const Buffer &dst, const RooflinePush &p)
{
    if (p.tpr == 0 || p.tpr > 64 || (p.tpr & (p.tpr - 1)) != 0 || p.chunkWords == 0)
        return makeError(ErrorCode::InvalidArgument, "roofline: threads per row must be a power of two ≤ 64 and chunks non-empty");
    if (src.size < std::uint64_t(p.rows) * p.rowWords * 4 || dst.size < std::uint64_t(p.rows) * 4)
        return makeError(ErrorCode::Internal, "roofline buffers too small");
    const std::uint32_t rowsPerGroup = 64 / p.tpr;
    return rec.dispatch(ShaderId::bandwidth_reduce, {&src, &dst}, p, gridFor((p.rows + rowsPerGroup - 1) / rowsPerGroup));
}

Status recordBandwidthReduceRows(Recorder &rec, const Buffer &src, const Buffer &dst, std::uint32_t rows, std::uint32_t rowWords,
                                 RowsRead read)
{
    if (rowWords == 0 || rowWords % 4 != 0 || rows == 0)
        return makeError(ErrorCode::InvalidArgument, "roofline rows: row words must be a positive multiple of 4");
    if (src.size < std::uint64_t(rows) * rowWords * 4 || dst.size < std::uint64_t(rows) * 4)
        return makeError(ErrorCode::Internal, "roofline buffers too small");
    if (read != RowsRead::Storage && src.texelCount < std::uint64_t(rows) * rowWords / 4)
        return makeError(ErrorCode::Unsupported, "roofline rows: the source has no texel view covering its rows");
    const RooflinePush p{rows, rowWords, 4, 1};
    const ShaderId id = read == RowsRead::Texels  ? ShaderId::bandwidth_reduce_rows_texel
                        : read == RowsRead::Image ? ShaderId::bandwidth_reduce_rows_image
                                                  : ShaderId::bandwidth_reduce_rows;
    return rec.dispatch(id, {&src, &dst}, p,
                        gridFor((rows + 63) / 64));
}

} // namespace lowbit::gpu
