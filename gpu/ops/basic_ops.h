// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Host side of the fp32 kernels: one push-constant struct per shader family, its size checked
/// at compile time against the generated shader table, and a recording function per op.

#include "core/util/result.h"
#include "gpu/pipeline/shader_registry.h"

#include <cstdint>

namespace lowbit::gpu {

class Recorder;
struct Buffer;

struct MatvecPush {
    std::uint32_t rows;
    std::uint32_t cols;
};
static_assert(sizeof(MatvecPush) == shaderInfo(ShaderId::matvec_f32_f32).pushBytes, "matvec push constants drifted from the shader");

struct MatmulPush {
    std::uint32_t rows, cols, tokens;
    std::uint32_t yOffset; ///< first output float
    std::uint32_t yStride; ///< floats between output rows (tokens); ≥ rows
};
static_assert(sizeof(MatmulPush) == shaderInfo(ShaderId::matmul_f32_f32).pushBytes, "matmul push constants drifted from the shader");
static_assert(sizeof(MatmulPush) == shaderInfo(ShaderId::matmul_f32_f32_rows).pushBytes, "matmul push constants drifted from the shader");

struct RmsnormPush {
    std::uint32_t cols;
    float eps;
};
static_assert(sizeof(RmsnormPush) == shaderInfo(ShaderId::rmsnorm_f32).pushBytes, "rmsnorm push constants drifted from the shader");
static_assert(sizeof(RmsnormPush) == shaderInfo(ShaderId::add_rmsnorm_f32).pushBytes, "add_rmsnorm push constants drifted from the shader");

/// y[rows] = W[rows, cols] · x[cols], all fp32, W row-major.
Status recordMatvecF32(Recorder &rec, const Buffer &w, const Buffer &x, const Buffer &y, std::uint32_t rows, std::uint32_t cols);
/// The tiled GEMMs (gemm_tile.glsl: matmul_tiled.comp for fp32 weights, matmul_packed_tiled.comp
/// for packed ones): rows and tokens a workgroup, and the prompt length from which they are taken.
inline constexpr std::uint32_t kTiledRows = 64;
inline constexpr std::uint32_t kTiledTokens = 32;
inline constexpr std::uint32_t kTiledGemmMinTokens = 16;

/// Which fp32 matmul kernel: a workgroup per (row, 8 tokens) with a shared-memory sum (matmul.comp),
/// a workgroup per tile of 64 rows × 32 tokens through shared memory (matmul_tiled.comp: each x
/// value read once per 64 rows), a subgroup per row reading it as vec4s and summing by
/// subgroupAdd (matvec_sg.comp: the decode GEMV; each further token reads the row again), or an
/// invocation per (row, 4 tokens) summing the row in order (matmul_rows.comp, CPU devices, where
/// workgroup barriers are slow). Auto: Rows where it runs, else Subgroup for one token, Tiled from
/// kTiledGemmMinTokens tokens, Tree between.
enum class MatmulF32Kernel : std::uint8_t { Auto, Tree, Rows, Tiled, Subgroup };
/// Whether the rows kernel runs a matmul of `cols` columns here: a row-layout device (CPU Vulkan
/// implementations with 8-lane subgroups) and whole vec4s a row.
bool matmulF32RowsRuns(const Recorder &rec, std::uint32_t cols);
/// Y[t, r] = W[rows, cols] · X[t, :] for t < tokens, written at yOffset + t·yStride + r. Rows
/// where matmulF32RowsRuns is false is an error.
Status recordMatmulF32(Recorder &rec, const Buffer &w, const Buffer &x, const Buffer &y, const MatmulPush &p,
                       MatmulF32Kernel kernel = MatmulF32Kernel::Auto);
/// y[r, :] = x[r, :] / sqrt(mean(x[r, :]²) + eps) · g, for `rows` rows of `cols` values.
Status recordRmsnormF32(Recorder &rec, const Buffer &x, const Buffer &g, const Buffer &y, std::uint32_t rows, std::uint32_t cols, float eps);
/// x[r, :] += res[r, :] (in place), then y = rmsnorm(x)·g as recordRmsnormF32: a residual add and
/// the norm after it in one dispatch, with the same fp32 results as the two.
Status recordAddRmsnormF32(Recorder &rec, const Buffer &x, const Buffer &res, const Buffer &g, const Buffer &y, std::uint32_t rows,
                           std::uint32_t cols, float eps);

} // namespace lowbit::gpu
