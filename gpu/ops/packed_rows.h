// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The rows layout of packed tensors on CPU Vulkan devices (MatvecLayout::Rows, matvec_rows.comp):
/// which shader variant a tensor takes, and the recording of its GEMV and of the prefill's GEMM —
/// three tokens a dispatch where the tensor's path has a GEMM variant, else one GEMV per token.
/// Internal to packed_ops (and its tests); callers use recordMatvecPacked / recordMatmulPacked.

#include "gpu/ops/packed_ops.h"

#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>

namespace lowbit::gpu {

/// Tokens of one rows-GEMM dispatch (TOKENS in shaders/variants.cmake).
inline constexpr std::uint32_t kRowsGemmTokens = 3;

/// The push constants of slice `s` of `w` (rows, first row, FP6 high plane, tiled rows).
PackedPush slicePush(const GpuPackedTensor &w, const GpuPackedSlice &s);

/// The matvec_rows variant (code width / FP6 layout, decode path; x and tables in uniform buffers
/// or, beyond the uniform range, in storage buffers; groups of 16 or 32 columns have their own
/// forms, groupCols 0: per tensor or per channel).
ShaderId rowsShader(unsigned codeBits, CodeLayout layout, RowsDecode decode, bool xUniform, std::uint32_t groupCols);
/// The rows GEMM variant of kRowsGemmTokens tokens for the same choice, where there is one: the
/// linear path of 2, 3, 4 and 8 bits, the lut path of 2 to 4 bits, 8-bit minifloat grids, the
/// tables (tables2 included) and inserted paths of 3 and 4 bits (not generic, FP6 planes).
std::optional<ShaderId> rowsGemmShader(unsigned codeBits, CodeLayout layout, RowsDecode decode, bool xUniform, std::uint32_t groupCols);

/// y[yOffset + r] = dequant(W)[r, :] · x[xOffset / 4 ...] by matvec_rows (xOffset aligned for
/// the x binding, rowsXAligned).
Status recordRowsMatvec(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, VkDeviceSize xOffset, const Buffer &y, std::uint32_t yOffset);
/// y[yOffset + t·yStride + r] = dequant(W)[r, :] · X[t, :] for t < tokens: the GEMM variant for
/// each run of kRowsGemmTokens tokens (fewer at the end, at least 2) whose x offset is aligned for
/// it, else the GEMV per token (rowsXAligned must hold).
Status recordRowsMatmul(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                        std::uint32_t yStride);
/// Whether every token's x row can be bound where the rows GEMV reads x (aligned offsets).
bool rowsXAligned(const Recorder &rec, const GpuPackedTensor &w, const Buffer &x, std::uint32_t tokens);

} // namespace lowbit::gpu
