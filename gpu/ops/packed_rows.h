// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The rows layout of packed tensors on CPU Vulkan devices (MatvecLayout::Rows, matvec_rows.comp):
/// which shader variant a tensor takes, and the recording of its GEMV and of the prefill's GEMM —
/// three tokens a dispatch (every decode path has a GEMM variant), a lone last token by the GEMV.
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
/// or, beyond the uniform range, in storage buffers; groups of 16 columns have their own forms,
/// every other grouping takes the same one; groupCols 0: per tensor or per channel).
ShaderId rowsShader(unsigned codeBits, CodeLayout layout, RowsDecode decode, bool xUniform, std::uint32_t groupCols);
/// The rows GEMM variant of kRowsGemmTokens tokens for the same choice: every path rowsDecodeFor
/// picks has one (linear and lut of 1–8 bits, lut and generic of the FP6 planes, minifloat of 5–8
/// bits, the tables paths of 3 and 4 bits, generic of any width); nullopt for other combinations.
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

/// Texels (RGBA32UI) of one chunk of 32 columns of a quantized x (quantize_x8.comp).
inline constexpr std::uint32_t kX8TexelsPerChunk = 5;

/// The shared-tree GEMV's workgroup and the rows of one invocation slot (WG and ROWS in
/// matvec_packed.comp): a workgroup takes kTreeWorkgroup / tpr slots.
inline constexpr std::uint32_t kTreeWorkgroup = 64, kTreeRows = 2;

} // namespace lowbit::gpu
