// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Packed low-bit weights on the device, in their storage layout: the code words exactly as
/// core's PackedTensor stores them (dense bit-streams or the FP6 4+2 planes), the raw scales at
/// their storage precision, zero-point and selector bit-streams, plus each member's value table
/// (1 KiB). Device bytes ≈ PackedTensor::byteSize(); nothing is expanded to fp32.
///
/// Kernels (one SPIR-V variant per code width, see shaders/variants.cmake): dequantize (all rows,
/// or the rows named by token ids — the embedding lookup), fused dequant × vector (decode) and
/// fused dequant × matrix (prefill). A tensor larger than the device's storage-buffer range is
/// split into row slices, one dispatch per slice.

#include "core/quant/packed_tensor.h"
#include "core/util/result.h"
#include "gpu/ops/basic_ops.h"
#include "gpu/pipeline/pipelines.h"
#include "gpu/pipeline/shader_registry.h"

#include <vulkan/vulkan.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace lowbit::gpu {

class Arena;
class Recorder;
struct Buffer;
struct DeviceInfo;

/// True on devices that can run the row kernels (matvec_rows, matvec_vq_rows): 8-lane subgroups
/// with ballot and shuffle operations, and RGBA32UI texel buffers (the row kernels read theirs by
/// imageLoad, as storage texel buffers) as large as any storage buffer.
bool rowKernelsRun(const DeviceInfo &device);
/// True on devices whose large GEMVs take the row layout (MatvecLayout::Rows): CPU
/// implementations of Vulkan that can run the row kernels (docs/gpu.md).
bool rowLayoutDevice(const DeviceInfo &device);

/// PackedPush::scaleKind (SCALE_* in shaders/packed_decode.glsl).
enum : std::uint32_t { kScaleF32 = 0, kScaleF16 = 1, kScaleBf16 = 2, kScaleByteLut = 3, kScaleE8m0 = 4, kScaleE4m3 = 5 };

/// Push constants of every packed kernel (mirrors `Push` in shaders/packed_decode.glsl).
struct PackedPush {
    std::uint32_t rows, cols, rowWords, codeBits;
    std::uint32_t groupSize, groupsPerRow, row0, hiBase;
    std::uint32_t rowWordsHi, scaleKind, scalesBase, scales2Base;
    std::uint32_t zpBase, zpBits, selBase, selBits;
    std::uint32_t kindsBase, scaleLutBase;
    float tensorScale;
    std::uint32_t tokens, yOffset, yStride, tpr, mode;
    std::uint32_t members;
    float lin0; ///< matvec_rows linear path: a LUT member whose table is exactly code + lin0
    /// matvec_rows minifloat path: table[c] = ±mfUnit·I(|c − mfZero|), I the integer value of a
    /// sign-less minifloat code with mfMant mantissa bits (subnormals at exponent 0)
    std::uint32_t mfMant, mfZero;
    float mfUnit;
    std::uint32_t tiledRows; ///< rows of the slice stored tiled (tiledCodeWord), 0: row-major
    /// matvec_rows inserted path: member m's table is a base table with one value inserted at
    /// code (insertPos >> 4m) & 15 (insertedTables)
    std::uint32_t insertPos;
    std::uint32_t xBase; ///< matvec_rows with x quantized to int8: its first texel (recordQuantizeX8)
};
static_assert(sizeof(PackedPush) == shaderInfo(ShaderId::matvec_packed_b4).pushBytes, "packed push constants drifted");
static_assert(sizeof(PackedPush) == shaderInfo(ShaderId::matmul_packed_fp6).pushBytes, "packed push constants drifted");
static_assert(sizeof(PackedPush) == shaderInfo(ShaderId::dequant_packed_b1).pushBytes, "packed push constants drifted");

/// Rows [row0, row0 + rows) of a packed tensor: their code words (FP6: low plane, then high plane).
struct GpuPackedSlice {
    Buffer *codes = nullptr;
    std::uint32_t row0 = 0, rows = 0;
};

/// How the fused GEMV is laid out on the device.
enum class MatvecLayout : std::uint8_t {
    SharedTree, ///< `tpr` invocations per slot of 2 rows (neighbouring 8-column pieces), partial sums in a shared-memory tree (GPUs)
    Rows,       ///< one invocation per row, no shared memory or barriers (CPU implementations)
};
/// How matvec_rows decodes a group (chosen at upload from the format's members).
enum class RowsDecode : std::uint8_t {
    Generic, ///< decodeValue() per weight (mixtures, AFPQ two-scale)
    Linear,  ///< (code − offset)·scale: INT-asym, or a table that is exactly code + lin0
    Lut,     ///< table[code]·scale (·tensor scale): one LUT or NVFP4 member (≤ 4 bits: from registers)
    Minifloat, ///< a member whose sorted table is a symmetric minifloat grid: decoded by integer ops, no table read
    Tables,    ///< ≤ 4 members of 3- or 4-bit tables picked per group (mixtures, BitMoD): from registers
    TablesTwoScale, ///< one AFPQ grid of 3 or 4 bits: v·(v < 0 ? s2 : s1), from registers
    TablesInserted, ///< ≤ 4 members of 3 or 4 bits, each one base table with one value inserted (BitMoD)
};

/// The form of the shared-tree GEMV/GEMM (matvec_packed / matmul_packed) for a tensor.
struct TreeForm {
    /// INT and INT-asym codes (RowsDecode::Linear, or INT-asym of any zero-point width) decode as
    /// (code − offset)·scale, no table read or member lookup per piece (the `_lin` variants)
    bool linear = false;
    /// one LUT or NVFP4 member (no zero points, selectors or second scales) decodes as table[code],
    /// the scale (and NVFP4's tensor scale) applied to a piece's sum: no per-weight member lookup or
    /// selects on the kind (the `_lut` variants; FP6 planes too)
    bool lut = false;
    /// a slot's lanes sum by subgroup shuffles, no shared-memory tree (the `_sg` variants:
    /// devices with subgroup shuffles)
    bool subgroupReduce = false;
    /// the GEMV's lanes load four pieces before decoding any, so that a GPU has four times as many
    /// loads in flight (off: one at a time, the `_a1` variants of the subgroup forms; the other
    /// forms always load ahead)
    bool loadAhead = true;
    /// prompts of at least kTiledGemmMinTokens tokens (basic_ops.h) take the tiled GEMM (matmul_packed_tiled:
    /// 64 rows × 32 tokens a workgroup, weights and x staged in shared memory) where groups do not
    /// straddle pieces of 8 columns; off: the slots' GEMM (matmul_packed) for any token count
    bool tiledGemm = false;
    /// the GEMV has an integer form for x quantized to int8 per piece of 8 columns
    /// (recordMatvecPackedInt8; the `_x8` variants): 2- to 4-bit codes on the linear decode with subgroup
    /// sums, every piece whole and inside one group, and a device with the integer dot product
    /// (PackedUploadOptions::treeInt8)
    bool int8Dot = false;
};


struct GpuPackedTensor {
    std::vector<GpuPackedSlice> slices;
    Buffer *meta = nullptr;   ///< raw scales, second scales, zero points, selectors, member kinds
    Buffer *tables = nullptr; ///< member value tables, then the 1-byte scale table
    PackedPush push{};        ///< fields shared by the slices (rows/row0/hiBase set per slice)
    std::int64_t rows = 0, cols = 0;
    unsigned codeBits = 0;
    CodeLayout layout = CodeLayout::Dense;
    MatvecLayout matvec = MatvecLayout::SharedTree;
    RowsDecode rowsDecode = RowsDecode::Generic;
    TreeForm tree{};
    /// the code words of each slice's whole blocks of 64 rows are tiled (tiledCodeWord): with the
    /// Rows layout, where the rows are whole texels
    bool tiled = false;
    /// its kernels' pipelines are specialized for its scale kind, zero-point and selector widths, and
    /// in the SharedTree layout its group size (packedSpecialization): a CPU device pays for the
    /// branches on them, and a GPU divides by the group size for every piece
    bool specialized = false;
    std::uint64_t deviceBytes = 0; ///< bytes uploaded for this tensor
};

/// The smallest tensor (rows × cols) the automatic choice puts on the Rows layout.
inline constexpr std::uint64_t kRowsMinWeights = 65536;

struct PackedUploadOptions {
    std::uint64_t maxSliceBytes = 0; ///< largest code buffer per slice; 0 = the device's storage-buffer range
    std::uint32_t threadsPerRow = 0; ///< invocations sharing a row slot in the tree matvec/matmul (power of two ≤ 64); 0 = auto
    /// GEMV layout; empty: Rows on CPU implementations (device type "cpu") for tensors of at least
    /// kRowsMinWeights weights, SharedTree elsewhere. Rows needs subgroups of 8 lanes; on other
    /// devices it falls back to SharedTree.
    std::optional<MatvecLayout> matvec;
    /// tile the code words where the Rows layout can read them tiled (false: row-major, for
    /// measuring what the tiling gains)
    bool tileRows = true;
    /// the tree kernels' linear INT decode where the format allows it (false: the table path, for
    /// measuring what it gains)
    bool treeLinear = true;
    /// the tree kernels' one-table decode where the format allows it (TreeForm::lut; false: the
    /// table path with its per-weight selects, for measuring what it gains)
    bool treeLut = true;
    /// the tree kernels sum by subgroup shuffles; empty: where the device has them
    std::optional<bool> subgroupReduce;
    /// the tree GEMV loads ahead (TreeForm::loadAhead); empty: on GPUs, not on CPU implementations
    /// (device type "cpu"), where it spills registers: lavapipe's int4 tree GEMV ran 0.21 GB/s
    /// ahead against 0.33 one piece at a time
    std::optional<bool> treeAhead;
    /// the tiled GEMM for prompts of many tokens (TreeForm::tiledGemm); off only to measure what
    /// it gains (lavapipe, tree tensors of 256² and 512 × 2048: 1.0–1.4 times the slots' GEMM at 16
    /// tokens, 1.9–3.3 times at 64)
    bool treeTiledGemm = true;
    /// specialize the kernels' pipelines for a tensor (GpuPackedTensor::specialized): llvmpipe runs
    /// both sides of every uniform branch, and the scale's decode for every kind cost lavapipe's
    /// int4 GEMV a third of its time; on the tree layout the group size too, since 2026-12-05, so
    /// that a GPU finds a piece's group without a division by a uniform (a dozen instructions a
    /// piece and row). Off only to measure what it gains
    bool specialize = true;
    /// ... the tree layout's tensors too; empty: on GPUs, not on CPU devices, where the tree serves
    /// only small tensors and each specialization is one more pipeline for llvmpipe to compile
    /// (0.5–9 s each: with the tree specialized, tst_packed_kernels took 7.6 minutes with a cold
    /// shader cache, against 4.2 without and 1.4 warm)
    std::optional<bool> specializeTree;
    /// the integer form of the tree GEMV where the tensor allows it (TreeForm::int8Dot); empty:
    /// where the device accelerates the 4×8-bit dot product (GPUs; lavapipe emulates it, and its
    /// large tensors take the rows layout's own integer kernels)
    std::optional<bool> treeInt8;
};

/// The specialization of a tensor's packed kernels for a slice's push constants
/// (shaders/packed_decode.glsl): the scale kind, zero-point width and selector width (and, for the
/// SharedTree layout, the group size) as constants of the pipeline, so that the driver drops the
/// branches on them; none where w.specialized is off.
Specialization packedSpecialization(const GpuPackedTensor &w, const PackedPush &p);

/// Where word i of slice row `row` of a code plane of `rowWords` words per row (a multiple of 4)
/// is stored when the slice's first `tiledRows` rows (a multiple of 64) are tiled: texel i / 4 of
/// the 64 rows of a block side by side, row 8l + k at place 8k + l, so that each subgroup of
/// matvec_rows (lane l taking rows 8l..8l+7) reads one contiguous stream; later rows row-major.
/// Mirrors codeWord in shaders/packed_decode.glsl.
std::uint64_t tiledCodeWord(std::uint32_t row, std::uint32_t i, std::uint32_t rowWords, std::uint32_t tiledRows);

/// Uploads a PackedTensor after checking every array size and range against its shape and
/// format (a hostile tensor gives InvalidArgument, never an out-of-bounds read on the device).
/// Errors: InvalidArgument (inconsistent arrays, a selector out of range, a row or the metadata
/// too large for one storage buffer), Unsupported (more than 256 members), Io (device memory).
Result<GpuPackedTensor> uploadPacked(Arena &arena, const PackedTensor &p, const PackedUploadOptions &options = {});

/// out[yOffset + r·cols + c] = dequant(W)[r, c] (bit-identical to core's dequantizeRow).
Status recordDequantPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &out, std::uint32_t yOffset = 0);
/// out[t·cols + c] = dequant(W)[ids[t], c] for t < n (the caller validates ids < rows).
Status recordDequantRowsPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &ids, std::uint32_t n, const Buffer &out);
/// y[yOffset + r] = dequant(W)[r, :] · x.
Status recordMatvecPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y, std::uint32_t yOffset = 0);
/// y[yOffset + t·yStride + r] = dequant(W)[r, :] · X[t, :] for t < tokens (X row-major, cols wide).
Status recordMatmulPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y, std::uint32_t tokens,
                          std::uint32_t yOffset, std::uint32_t yStride);

/// Activations quantized to int8 (llama.cpp's q8_1 rule) for the integer GEMV/GEMM of 2- to 4-bit
/// linear codes (INT, INT-asym) on CPU devices, where fp32 arithmetic bounds the GEMV
/// (docs/gpu.md): per chunk of 32 columns d = max|x|/127, q = roundEven(x·127/max|x|), x ≈ q·d.
/// Bytes of the quantized x of `tokens` rows of `cols` columns.
VkDeviceSize quantizedXBytes(std::uint32_t cols, std::uint32_t tokens);
/// out ← x[xOffset + t·cols + c] quantized, t < tokens (the layout in shaders/quantize_x8.comp).
Status recordQuantizeX8(Recorder &rec, const Buffer &x, std::uint32_t xOffset, std::uint32_t cols, std::uint32_t tokens, const Buffer &out);
/// Whether w has the integer GEMV: the rows layout, dense 2-, 3- or 4-bit codes on the linear path, groups
/// of a multiple of 16 columns (or per channel / per tensor).
bool rowsInt8Runs(const GpuPackedTensor &w);
/// y[yOffset + t·yStride + r] = Σ_c dequant(W)[r, c]·q[t, c]·d[t, c / 32] for t < tokens, from the
/// quantized x `xq` (recordQuantizeX8 of the same tokens): three tokens a GEMM, a lone last by the
/// GEMV. Errors: Internal when rowsInt8Runs(w) is false or a buffer is too small.
Status recordRowsMatmulInt8(Recorder &rec, const GpuPackedTensor &w, const Buffer &xq, const Buffer &y, std::uint32_t tokens,
                            std::uint32_t yOffset = 0, std::uint32_t yStride = 0);

/// Activations quantized to int8 per piece of 8 columns for the integer form of the shared-tree GEMV
/// on GPUs (TreeForm::int8Dot): d = max|x|/127 over the piece, q = roundEven(x·127/max|x|), one
/// uvec4 a piece (q of the even columns, of the odd ones, d, Σq: shaders/quantize_x8.comp, PIECES).
/// Bytes of the quantized x of `tokens` rows of `cols` columns.
VkDeviceSize quantizedPiecesBytes(std::uint32_t cols, std::uint32_t tokens);
/// out ← x[xOffset + t·cols + c] quantized by pieces, t < tokens.
Status recordQuantizeX8Pieces(Recorder &rec, const Buffer &x, std::uint32_t xOffset, std::uint32_t cols, std::uint32_t tokens, const Buffer &out);
/// Whether w's GEMV takes x quantized by pieces (the shared-tree layout and TreeForm::int8Dot).
bool treeInt8Runs(const GpuPackedTensor &w);
/// y[yOffset + r] = Σ_c dequant(W)[r, c]·q[c]·d[c / 8], from the quantized x `xq`
/// (recordQuantizeX8Pieces of one token): per piece two 4×8-bit dot products and one conversion.
/// Errors: Internal when treeInt8Runs(w) is false or a buffer is too small.
Status recordMatvecPackedInt8(Recorder &rec, const GpuPackedTensor &w, const Buffer &xq, const Buffer &y, std::uint32_t yOffset = 0);

/// The shader variant of a kernel family for a tensor (by code width / FP6 layout, and for the
/// tree GEMV/GEMM its form; Dequant ignores the form, and FP6 planes have no linear form).
enum class PackedKernel : std::uint8_t { Dequant, Matvec, Matmul, MatmulTiled };
ShaderId packedShader(PackedKernel kernel, unsigned codeBits, CodeLayout layout, TreeForm form = {});
/// The decode path matvec_rows takes for a format (Linear only when the table is exactly affine,
/// so (code − offset)·scale gives the dequantized value bit for bit; Lut for other tables of ≤ 4
/// bits, held in registers; TablesInserted for ≤ 4 members of 3- or 4-bit LUT tables that are
/// one base table with one value inserted each (insertedTables), Tables for other such mixtures, TablesTwoScale
/// for one 3- or 4-bit AFPQ grid; Minifloat only for wider codes whose table is exactly a minifloat
/// grid); reads push.codeBits, push.scaleKind and push.zpBits, fills the path's push
/// fields (lin0, mfMant/mfZero/mfUnit).
RowsDecode rowsDecodeFor(const FastPlan &plan, CodeLayout layout, PackedPush &push);
/// Whether every member's table (2^codeBits values, codeBits 3 or 4, ≤ 4 members) is one base
/// table of 2^codeBits − 1 values with one value inserted — member m's table[c] is base[c] below
/// code p_m, its own value at p_m and base[c − 1] above (BitMoD's variants: the FP3 / FP4 grid and
/// one extra value each), bit for bit. Fills push.insertPos with the p_m.
bool insertedTables(const FastPlan &plan, unsigned codeBits, PackedPush &push);
/// Whether the member's table is a symmetric minifloat grid around its zero code (the Minifloat
/// path): table[c] = sign(c − zero)·unit·I(|c − zero|) exactly for every code. Fills the push fields.
bool minifloatGrid(const FastMember &m, PackedPush &push);

} // namespace lowbit::gpu
