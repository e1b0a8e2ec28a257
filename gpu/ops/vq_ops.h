// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// VPTQ codebook tensors ("vq" kind, core/methods/vq_tensor.h) on the device: the index
/// bit-streams, the permutation, and the codebooks / column scales as fp32 (a few KiB).
/// Dequantization (bit-identical to decodeRows) and a fused dequant × vector. The main and
/// residual index streams are stored by vector row (neighbouring lanes read neighbouring codes).
/// On GPUs a workgroup per vector row with the main codebook in shared memory when it fits
/// (≤ 4096 floats), after a pass that puts x·scale in position order where the tensor has a
/// permutation or normalization (matvec_vq.comp, vq_xprep.comp); on CPU devices (the row layout)
/// an invocation per vector row reading codes widened to 8, 12 or 16 bits as texels, always after
/// that pass (matvec_vq_rows.comp).

#include "core/methods/vq_tensor.h"
#include "core/util/result.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/pipeline/shader_registry.h"

#include <cstdint>
#include <optional>

namespace lowbit::gpu {

class Arena;
class Recorder;
struct Buffer;

struct VqPush {
    std::uint32_t rows, cols, v, R;
    std::uint32_t outlierCols, mainBits, resBits, outBits;
    std::uint32_t mainBase, resBase, outBase, permBase;
    std::uint32_t mainCb, resCb, outCb, scaleBase;
    std::uint32_t biasBase, yOffset, xOffset, sharedMain;
    std::uint32_t rowStride, cbStride, cbBase, rcbBase; ///< the row layout (vq_push.glsl)
    std::uint32_t tokens, yStride, xpStride;            ///< GEMM tokens and strides (vq_push.glsl)
    std::uint32_t sharedHalves;                         ///< the GEMV's codebook in shared memory as fp16 (vq_push.glsl)
};
static_assert(sizeof(VqPush) == shaderInfo(ShaderId::matvec_vq_v0).pushBytes, "vq push constants drifted");
static_assert(sizeof(VqPush) == shaderInfo(ShaderId::dequant_vq).pushBytes, "vq push constants drifted");
static_assert(sizeof(VqPush) == shaderInfo(ShaderId::vq_xprep).pushBytes, "vq push constants drifted");
static_assert(sizeof(VqPush) == shaderInfo(ShaderId::matvec_vq_rows_v8_i8).pushBytes, "vq push constants drifted");

/// Dispatches one recordMatvecVq records at most (the x pass and the GEMV), and recordMatmulVq
/// per token at most.
inline constexpr std::uint32_t kVqMatvecDispatches = 2;
/// Tokens of one rows-layout GEMM dispatch (matmul_vq_rows: TOKENS).
inline constexpr std::uint32_t kVqGemmTokens = 3;
/// Tokens of one workgroup of the tree GEMM (matmul_vq.comp: TT).
inline constexpr std::uint32_t kVqTreeTokens = 4;

/// The longest vector the fused kernel takes (dequantization takes any).
inline constexpr int kGpuVqMaxVector = 16;

struct GpuVqTensor {
    Buffer *indices = nullptr; ///< main | residual | outlier index words | permutation
    Buffer *values = nullptr;  ///< main | residual | outlier codebooks | scale | bias (fp32)
    VqPush push{};
    bool rowsMatvec = false;   ///< matvec_vq_rows (one invocation per vector row; CPU implementations)
    /// the tree kernels sum a vector row's lanes by subgroup shuffles (the `_sg` variants)
    bool subgroupReduce = false;
    Buffer *xp = nullptr;      ///< x·scale in position order and the bias partial sums (vq_xprep.comp), or none
    unsigned storedBits = 0;   ///< row layout: width of the main and residual codes (8, 12, 16)
    std::uint64_t deviceBytes = 0;
};

/// Uploads a vq tensor. `matvec`: the GEMV layout, as for packed tensors (empty: rows on CPU
/// implementations, device type "cpu"; the shared-memory tree elsewhere). `subgroupReduce`: the
/// tree kernels' sums by subgroup shuffles (empty: where the device has them). Errors:
/// InvalidArgument when it does not fit one storage buffer, Io.
Result<GpuVqTensor> uploadVq(Arena &arena, const VqQuantizedTensor &t, std::optional<MatvecLayout> matvec = std::nullopt,
                             std::optional<bool> subgroupReduce = std::nullopt);

/// out[yOffset + r·cols + c] = W[r, c].
Status recordDequantVq(Recorder &rec, const GpuVqTensor &w, const Buffer &out, std::uint32_t yOffset = 0);
/// y[yOffset + r] = W[r, :] · x[xOffset …]. Errors: Unsupported for vectors longer than kGpuVqMaxVector.
Status recordMatvecVq(Recorder &rec, const GpuVqTensor &w, const Buffer &x, const Buffer &y, std::uint32_t xOffset = 0,
                      std::uint32_t yOffset = 0);
/// Floats a token of the tree GEMM's x pass takes (the tensor has a permutation or normalization
/// and the tree layout), else 0: a scratch of this many times kVqXpRunTokens lets
/// recordMatmulVq run that many tokens a dispatch.
std::uint32_t treeXpFloatsPerToken(const GpuVqTensor &w);
/// Tokens a run of the tree GEMM's x pass the engine's scratch holds (GpuModel).
inline constexpr std::uint32_t kVqXpRunTokens = 128;

/// Y[yOffset + t·yStride + r] = W[r, :] · X[t, :] for `tokens` rows of X (cols floats each): on
/// the row layout a GEMM of kVqGemmTokens tokens a dispatch (vectors of 4 or 8; a last lone token
/// and other lengths by the GEMV), elsewhere a GEMM of kVqTreeTokens tokens a workgroup, after the
/// x pass where the tensor has a permutation or normalization: as many tokens a run as fit
/// `xpScratch` (treeXpFloatsPerToken floats each; without it the tensor's own buffer, one token).
/// Errors as recordMatvecVq.
Status recordMatmulVq(Recorder &rec, const GpuVqTensor &w, const Buffer &x, const Buffer &y, std::uint32_t tokens, std::uint32_t yOffset,
                      std::uint32_t yStride, const Buffer *xpScratch = nullptr);

} // namespace lowbit::gpu
