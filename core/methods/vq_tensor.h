// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The "vq" QuantizedTensor kind: a weight matrix W [rows = out, cols = in] stored as VPTQ codebook
/// indices (datatypes.md §3).
///
/// Layout (what decodeRows, the exporters and the GPU kernels index):
///  - vectors are v consecutive rows of one column; a column holds R = ceil(rows / v) vectors, the
///    last one padded (its padding rows are not part of the matrix);
///  - columns are taken in *position* order: position p holds original column perm[p] (identity
///    when there is no permutation). Positions [0, outlierColumns) use the outlier codebook, the
///    others the main codebook and, when present, the residual codebook;
///  - the value of vector r of position p is c[i] (+ r[j]) — and, when normalized, that value times
///    scale[col] plus bias[col] (per original column) — evaluated by vqDecodeVector();
///  - indices are dense LSB-first bit-streams (bitstream.h) of ceil(log2 k) bits, one code per
///    (position, vector) in position-major order: code p'·R + r (p' counts positions of that
///    codebook from its first);
///  - codebooks, scales and biases are fp16 or fp32 (every value exactly representable).
///
/// Serialized arrays (suffixes): vq.centroids [k, v], vq.indices (U32 words), vq.res_centroids,
/// vq.res_indices, vq.outlier_centroids, vq.outlier_indices, vq.perm (I32 [cols]), vq.scale and
/// vq.bias ([cols]); metadata: kind "vq", rows, cols, vector_length, centroids, residual_centroids,
/// outlier_centroids, outlier_columns, codebook_dtype ("f16"/"f32"), permuted, normalized.

#include "core/quant/quantized_tensor.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace lowbit {

enum class VqCodebookType : std::uint8_t { F16, F32 };

/// Largest codebook (indices are at most 16 bits).
inline constexpr int kVqMaxCentroids = 65536;
/// Longest vector a VQ tensor may use.
inline constexpr int kVqMaxVectorLength = 256;

struct VqCodebook {
    int entries = 0;          ///< k (0: absent; otherwise 2 … kVqMaxCentroids)
    std::vector<float> values; ///< entries × vectorLength, row-major
};

/// Everything a VQ tensor holds, with the indices unpacked (what the method builds, and what
/// VqQuantizedTensor::content() gives back).
struct VqContent {
    std::int64_t rows = 0, cols = 0;
    int vectorLength = 0;
    VqCodebookType codebookType = VqCodebookType::F16;
    std::int64_t outlierColumns = 0;            ///< positions [0, outlierColumns) use `outlier`
    std::vector<std::int32_t> perm;             ///< position → original column; empty: identity
    VqCodebook main, residual, outlier;         ///< residual (main positions only) and outlier may be absent
    std::vector<std::uint16_t> mainIndices;     ///< (cols − outlierColumns) × vectorsPerColumn()
    std::vector<std::uint16_t> residualIndices; ///< same count as mainIndices, or empty without residual
    std::vector<std::uint16_t> outlierIndices;  ///< outlierColumns × vectorsPerColumn()
    std::vector<float> scale, bias;             ///< per original column; empty when not normalized

    std::int64_t vectorsPerColumn() const { return vectorLength > 0 ? (rows + vectorLength - 1) / vectorLength : 0; }
    std::int64_t columnAt(std::int64_t position) const { return perm.empty() ? position : perm[static_cast<std::size_t>(position)]; }
};

/// Index bits for a codebook of k entries: ceil(log2 k) (k ≥ 2).
unsigned vqIndexBits(int entries);

/// Rounds v to the codebook type (fp16: nearest-even; values beyond fp16's range become ±Inf).
float vqRoundToStorage(float v, VqCodebookType type);

/// The decode arithmetic, shared by decodeRows and the method so both give the same bits: out[d] =
/// c[d] (+ r[d] when r) and, when `normalized`, that value · scale + bias.
void vqDecodeVector(const float *c, const float *r, int v, bool normalized, float scale, float bias, float *out);

/// Information bits of a VQ tensor, by part (the sum divided by rows·cols is bitsPerWeight()).
struct VqBitBreakdown {
    double indices = 0;    ///< main + residual + outlier codes (count × bits, no word padding)
    double codebooks = 0;  ///< every centroid value at the codebook type's width
    double columns = 0;    ///< permutation (32 bits per column) and scale + bias per column
    double total() const { return indices + codebooks + columns; }
};

class VqQuantizedTensor final : public QuantizedTensor {
public:
    /// Validates `content` (shapes, index ranges, finite values exactly representable in the
    /// codebook type, a true permutation) and packs the indices. Errors: InvalidArgument naming
    /// the problem (load() turns them into Malformed).
    static Result<std::shared_ptr<const VqQuantizedTensor>> create(VqContent content);

    std::int64_t rows() const override { return m_c.rows; }
    std::int64_t cols() const override { return m_c.cols; }
    Status decodeRows(float *dst, std::int64_t row0, std::int64_t nrows) const override;
    std::string describe() const override;
    double bitsPerWeight() const override;
    std::uint64_t storedBytes() const override;
    std::string_view kind() const override { return "vq"; }
    Json metadata() const override;
    std::vector<QuantArrayRef> arrays() const override;

    VqBitBreakdown bitBreakdown() const;
    /// The whole content with the indices unpacked.
    VqContent content() const;

    /// The "vq" loader registered in kQuantizedKinds: any inconsistency is Malformed.
    static Result<QuantizedTensorPtr> load(const Json &metadata, const QuantArrayLookup &arrays);

private:
    VqQuantizedTensor() = default;
    void decodeVectorRow(std::int64_t r, float *rowsOut, std::int64_t rowStride, std::int64_t rowLo, std::int64_t rowHi) const;

    VqContent m_c; ///< without the index vectors (held packed below)
    std::vector<std::uint32_t> m_mainWords, m_residualWords, m_outlierWords;
    unsigned m_mainBits = 0, m_residualBits = 0, m_outlierBits = 0;
    /// Serialized forms of the float arrays (fp16 bits or fp32) for arrays().
    std::vector<std::byte> m_mainRaw, m_residualRaw, m_outlierRaw, m_scaleRaw, m_biasRaw;
};

} // namespace lowbit
