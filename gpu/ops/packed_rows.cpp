// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/packed_rows.h"

#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/recorder.h"

#include <algorithm>
#include <array>

namespace lowbit::gpu {

ShaderId rowsShader(unsigned codeBits, CodeLayout layout, RowsDecode decode, bool xUniform, std::uint32_t groupCols)
{
#define LOWBIT_ROWS(d, sfx)                                                                                                         \
    {ShaderId::matvec_rows_b1_##d##sfx, ShaderId::matvec_rows_b2_##d##sfx, ShaderId::matvec_rows_b3_##d##sfx,                       \
     ShaderId::matvec_rows_b4_##d##sfx, ShaderId::matvec_rows_b5_##d##sfx, ShaderId::matvec_rows_b6_##d##sfx,                       \
     ShaderId::matvec_rows_b7_##d##sfx, ShaderId::matvec_rows_b8_##d##sfx, ShaderId::matvec_rows_fp6_##d##sfx}
// the tables paths exist for 3- and 4-bit codes (rowsDecodeFor picks them only there)
#define LOWBIT_ROWS_T(d, sfx, gsfx)                                                                                                 \
    {ShaderId::matvec_rows_b1_generic##gsfx, ShaderId::matvec_rows_b2_generic##gsfx, ShaderId::matvec_rows_b3_##d##sfx,             \
     ShaderId::matvec_rows_b4_##d##sfx,      ShaderId::matvec_rows_b5_generic##gsfx, ShaderId::matvec_rows_b6_generic##gsfx,       \
     ShaderId::matvec_rows_b7_generic##gsfx, ShaderId::matvec_rows_b8_generic##gsfx, ShaderId::matvec_rows_fp6_generic##gsfx}
    using Table = std::array<std::array<std::array<ShaderId, 9>, 7>, 2>;
    static constexpr Table kIds = {{
        {{LOWBIT_ROWS(generic, _sx), LOWBIT_ROWS(linear, _sx), LOWBIT_ROWS(lut, _sx), LOWBIT_ROWS(minifloat, _sx),
          LOWBIT_ROWS_T(tables, _sx, _sx), LOWBIT_ROWS_T(tables2, _sx, _sx), LOWBIT_ROWS_T(inserted, _sx, _sx)}},
        {{LOWBIT_ROWS(generic, ), LOWBIT_ROWS(linear, ), LOWBIT_ROWS(lut, ), LOWBIT_ROWS(minifloat, ), LOWBIT_ROWS_T(tables, , ),
          LOWBIT_ROWS_T(tables2, , ), LOWBIT_ROWS_T(inserted, , )}},
    }};
    // groups of 16 columns: the parameter-window paths have their own form (the generic one handles any)
    static constexpr Table kIds16 = {{
        {{LOWBIT_ROWS(generic, _sx), LOWBIT_ROWS(linear, _g16_sx), LOWBIT_ROWS(lut, _g16_sx), LOWBIT_ROWS(minifloat, _g16_sx),
          LOWBIT_ROWS_T(tables, _g16_sx, _sx), LOWBIT_ROWS_T(tables2, _g16_sx, _sx),
          LOWBIT_ROWS_T(inserted, _g16_sx, _sx)}},
        {{LOWBIT_ROWS(generic, ), LOWBIT_ROWS(linear, _g16), LOWBIT_ROWS(lut, _g16), LOWBIT_ROWS(minifloat, _g16),
          LOWBIT_ROWS_T(tables, _g16, ), LOWBIT_ROWS_T(tables2, _g16, ), LOWBIT_ROWS_T(inserted, _g16, )}},
    }};
#undef LOWBIT_ROWS_T
#undef LOWBIT_ROWS
    const std::size_t v = layout == CodeLayout::Fp6Planes ? 8 : std::clamp<std::size_t>(codeBits, 1, 8) - 1;
    const auto &ids = groupCols == 16 ? kIds16 : kIds;
    return ids[xUniform ? 1 : 0][static_cast<std::size_t>(decode)][v];
}

std::optional<ShaderId> rowsGemmShader(unsigned codeBits, CodeLayout layout, RowsDecode decode, bool xUniform, std::uint32_t groupCols)
{
    // per code width (1–8 bits, then the FP6 planes) the GEMM variant of each path, where
    // rowsDecodeFor can pick that path (variants.cmake lists the same)
    using Widths = std::array<std::optional<ShaderId>, 9>;
    constexpr std::optional<ShaderId> no;
#define LOWBIT_GEMM_ALL(d, sfx)                                                                                                     \
    Widths{ShaderId::matmul_rows_b1_##d##sfx, ShaderId::matmul_rows_b2_##d##sfx, ShaderId::matmul_rows_b3_##d##sfx,                \
           ShaderId::matmul_rows_b4_##d##sfx, ShaderId::matmul_rows_b5_##d##sfx, ShaderId::matmul_rows_b6_##d##sfx,                \
           ShaderId::matmul_rows_b7_##d##sfx, ShaderId::matmul_rows_b8_##d##sfx, ShaderId::matmul_rows_fp6_##d##sfx}
// linear: no FP6-planes form (rowsDecodeFor picks it only for dense codes)
#define LOWBIT_GEMM_LINEAR(sfx)                                                                                                     \
    Widths{ShaderId::matmul_rows_b1_linear##sfx, ShaderId::matmul_rows_b2_linear##sfx, ShaderId::matmul_rows_b3_linear##sfx,       \
           ShaderId::matmul_rows_b4_linear##sfx, ShaderId::matmul_rows_b5_linear##sfx, ShaderId::matmul_rows_b6_linear##sfx,       \
           ShaderId::matmul_rows_b7_linear##sfx, ShaderId::matmul_rows_b8_linear##sfx, no}
// minifloat: dense codes wider than 4 bits (a narrower grid is read from registers by the lut path)
#define LOWBIT_GEMM_MINIFLOAT(sfx)                                                                                                  \
    Widths{no, no, no, no, ShaderId::matmul_rows_b5_minifloat##sfx, ShaderId::matmul_rows_b6_minifloat##sfx,                        \
           ShaderId::matmul_rows_b7_minifloat##sfx, ShaderId::matmul_rows_b8_minifloat##sfx, no}
// the tables paths: dense 3- and 4-bit codes
#define LOWBIT_GEMM_TABLES(d, sfx) Widths{no, no, ShaderId::matmul_rows_b3_##d##sfx, ShaderId::matmul_rows_b4_##d##sfx, no, no, no, no, no}
    // [x uniform][grouping: any, 16][decode]: the generic path has one form for every grouping
    // (sfx: the grouping's and x binding's suffix, xsfx: the x binding's alone)
#define LOWBIT_GEMM_PATHS(sfx, xsfx)                                                                                                \
    std::array<Widths, 7>{LOWBIT_GEMM_ALL(generic, xsfx), LOWBIT_GEMM_LINEAR(sfx), LOWBIT_GEMM_ALL(lut, sfx),                     \
                          LOWBIT_GEMM_MINIFLOAT(sfx), LOWBIT_GEMM_TABLES(tables, sfx), LOWBIT_GEMM_TABLES(tables2, sfx),          \
                          LOWBIT_GEMM_TABLES(inserted, sfx)}
    static constexpr std::array<std::array<std::array<Widths, 7>, 2>, 2> kIds = {{
        {{LOWBIT_GEMM_PATHS(_sx, _sx), LOWBIT_GEMM_PATHS(_g16_sx, _sx)}},
        {{LOWBIT_GEMM_PATHS(, ), LOWBIT_GEMM_PATHS(_g16, )}},
    }};
#undef LOWBIT_GEMM_PATHS
#undef LOWBIT_GEMM_TABLES
#undef LOWBIT_GEMM_MINIFLOAT
#undef LOWBIT_GEMM_LINEAR
#undef LOWBIT_GEMM_ALL
    const auto d = static_cast<std::size_t>(decode);
    if (d >= 7 || codeBits < 1 || codeBits > 8 || (layout == CodeLayout::Fp6Planes && codeBits != 6))
        return std::nullopt;
    const std::size_t v = layout == CodeLayout::Fp6Planes ? 8 : codeBits - 1;
    return kIds[xUniform ? 1 : 0][groupCols == 16 ? 1 : 0][d][v];
}

namespace {

/// Whether the variant reading x and the value tables from uniform buffers applies: the x rows of
/// `tokens` tokens from xOffset on (whole vec4s) and the tables fit the uniform range.
bool rowsXUniform(const Recorder &rec, const GpuPackedTensor &w, const Buffer &x, VkDeviceSize xOffset, std::uint32_t tokens = 1)
{
    const std::uint64_t range = rec.context().info().maxUniformBufferRange;
    const std::uint64_t xBytes = (static_cast<std::uint64_t>(w.cols) * tokens + 3) / 4 * 16;
    return xBytes <= std::min<std::uint64_t>(range, 65536) && x.size >= xOffset + xBytes && w.tables->size <= std::min<std::uint64_t>(range, 65536);
}

/// Columns per group as the variant choice takes them (0: per tensor or per channel).
std::uint32_t groupColumns(const GpuPackedTensor &w) { return w.push.groupsPerRow != 0 ? w.push.groupSize : 0u; }

// local_size_x and RPI in matvec_rows.comp
constexpr std::uint32_t kRowsWorkgroup = 32, kRowsPerInvocation = 8;

/// The binding offset alignment of the x binding of a rows variant.
VkDeviceSize xAlignment(const Recorder &rec, bool xUniform)
{
    const DeviceInfo &dev = rec.context().info();
    return xUniform ? dev.minUniformOffsetAlignment : dev.minStorageOffsetAlignment;
}

/// One dispatch of `id` per slice, x bound from xOffset, y from yOffset (+ the slice's first row).
Status dispatchRows(Recorder &rec, const GpuPackedTensor &w, ShaderId id, const Buffer &x, VkDeviceSize xOffset, const Buffer &y,
                    std::uint32_t yOffset, std::uint32_t tokens, std::uint32_t yStride)
{
    for (const GpuPackedSlice &s : w.slices) {
        PackedPush p = slicePush(w, s);
        p.yOffset = yOffset + s.row0;
        p.tokens = tokens;
        p.yStride = yStride;
        const std::uint32_t rowsPerGroup = kRowsWorkgroup * kRowsPerInvocation;
        LOWBIT_CHECK(rec.dispatchAt(id, {s.codes, w.meta, w.tables, &x, &y, w.tables, s.codes, w.meta}, {0, 0, 0, xOffset}, p,
                                    gridFor((s.rows + rowsPerGroup - 1) / rowsPerGroup), packedSpecialization(w, p)));
    }
    return {};
}

} // namespace

Status recordRowsMatvec(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, VkDeviceSize xOffset, const Buffer &y, std::uint32_t yOffset)
{
    const bool xUniform = rowsXUniform(rec, w, x, xOffset);
    const ShaderId id = rowsShader(w.codeBits, w.layout, w.rowsDecode, xUniform, groupColumns(w));
    return dispatchRows(rec, w, id, x, xOffset, y, yOffset, 1, 0);
}

Status recordRowsMatmul(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                        std::uint32_t yStride)
{
    const VkDeviceSize rowBytes = static_cast<VkDeviceSize>(w.cols) * 4;
    std::uint32_t t = 0;
    while (t < tokens) {
        const std::uint32_t n = std::min(kRowsGemmTokens, tokens - t);
        const VkDeviceSize off = rowBytes * t;
        const bool xUniform = rowsXUniform(rec, w, x, off, n);
        const std::optional<ShaderId> gemm = n > 1 ? rowsGemmShader(w.codeBits, w.layout, w.rowsDecode, xUniform, groupColumns(w)) : std::nullopt;
        if (gemm && off % xAlignment(rec, xUniform) == 0) {
            LOWBIT_CHECK(dispatchRows(rec, w, *gemm, x, off, y, yOffset + t * yStride, n, yStride));
            t += n;
        } else { // one token by the GEMV (rowsXAligned checked its offset)
            LOWBIT_CHECK(recordRowsMatvec(rec, w, x, off, y, yOffset + t * yStride));
            ++t;
        }
    }
    return {};
}

/// Whether every token's x row can be bound where the rows GEMV reads x (aligned offsets).
bool rowsXAligned(const Recorder &rec, const GpuPackedTensor &w, const Buffer &x, std::uint32_t tokens)
{
    const std::uint64_t stride = static_cast<std::uint64_t>(w.cols) * 4;
    for (std::uint32_t t = 1; t < tokens; ++t) { // (the variant can differ for the last tokens)
        const VkDeviceSize off = stride * t;
        if (off % xAlignment(rec, rowsXUniform(rec, w, x, off)) != 0)
            return false;
    }
    return true;
}

namespace {

/// The int8-x variant of the GEMV (tokens 1) or GEMM for w's code width (2–4 bits) and grouping.
ShaderId rowsInt8Shader(const GpuPackedTensor &w, bool gemm)
{
    using S = ShaderId;
    // [gemm][bits − 2][grouping: any, 16]
    static constexpr S ids[2][3][2] = {
        {{S::matvec_rows_b2_linear_x8, S::matvec_rows_b2_linear_g16_x8},
         {S::matvec_rows_b3_linear_x8, S::matvec_rows_b3_linear_g16_x8},
         {S::matvec_rows_b4_linear_x8, S::matvec_rows_b4_linear_g16_x8}},
        {{S::matmul_rows_b2_linear_x8, S::matmul_rows_b2_linear_g16_x8},
         {S::matmul_rows_b3_linear_x8, S::matmul_rows_b3_linear_g16_x8},
         {S::matmul_rows_b4_linear_x8, S::matmul_rows_b4_linear_g16_x8}},
    };
    return ids[gemm ? 1 : 0][w.codeBits - 2][groupColumns(w) == 16 ? 1 : 0];
}

} // namespace

bool rowsInt8Runs(const GpuPackedTensor &w)
{
    return w.matvec == MatvecLayout::Rows && w.layout == CodeLayout::Dense && w.codeBits >= 2 && w.codeBits <= 4 &&
           w.rowsDecode == RowsDecode::Linear &&
           (groupColumns(w) == 0 || groupColumns(w) % 16 == 0);
}

Status recordRowsMatmulInt8(Recorder &rec, const GpuPackedTensor &w, const Buffer &xq, const Buffer &y, std::uint32_t tokens,
                            std::uint32_t yOffset, std::uint32_t yStride)
{
    if (tokens == 0)
        return {};
    if (!rowsInt8Runs(w))
        return makeError(ErrorCode::Internal, "the int8-x GEMV takes 2- to 4-bit linear codes in the rows layout only");
    const auto cols = static_cast<std::uint32_t>(w.cols);
    if (xq.size < quantizedXBytes(cols, tokens) || (tokens > 1 && yStride < w.rows) ||
        y.size < (yOffset + static_cast<std::uint64_t>(tokens - 1) * yStride + static_cast<std::uint64_t>(w.rows)) * 4)
        return makeError(ErrorCode::Internal, "int8-x matmul buffers too small");
    const std::uint32_t texelsPerToken = (cols + 31) / 32 * kX8TexelsPerChunk;
    for (std::uint32_t t = 0; t < tokens;) {
        const std::uint32_t n = std::min(kRowsGemmTokens, tokens - t);
        const bool gemm = n > 1;
        for (const GpuPackedSlice &s : w.slices) {
            PackedPush p = slicePush(w, s);
            p.yOffset = yOffset + t * yStride + s.row0;
            p.tokens = gemm ? n : 1;
            p.yStride = yStride;
            p.xBase = t * texelsPerToken;
            const std::uint32_t rowsPerGroup = kRowsWorkgroup * kRowsPerInvocation;
            LOWBIT_CHECK(rec.dispatch(rowsInt8Shader(w, gemm), {s.codes, w.meta, w.tables, &xq, &y, w.tables, s.codes, w.meta}, p,
                                      gridFor((s.rows + rowsPerGroup - 1) / rowsPerGroup), packedSpecialization(w, p)));
        }
        t += gemm ? n : 1;
    }
    return {};
}

} // namespace lowbit::gpu
