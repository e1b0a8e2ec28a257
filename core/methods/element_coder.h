// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// ElementCoder: the per-group functions of quantize_ref.h (chooseGroupParams,
/// quantizeGroupWithParams, dequantizeGroupWithParams) with the format prepared once, for methods
/// that code weights one at a time under a group's fixed parameters (GPTQ) or try many
/// parameter sets per group (clipping search). Coding and decoding run the fast path's kernels
/// (fast_quantize.h encodeGroup / dequantizeGroup), bit-identical to the reference; formats
/// without a fast plan (q4_0) use the reference functions. Formats stay plug-ins: nothing here
/// knows a grid.
///
/// GroupGeometry: where the groups of a FormatSpec lie in a rows × cols matrix (group size > 0,
/// per channel or per tensor), so methods address scales the way QuantizedMatrix stores them.

#include "core/quant/fast_plan.h"
#include "core/quant/format.h"
#include "core/quant/quantize_ref.h"
#include "core/util/result.h"

#include <cstdint>

namespace lowbit {

/// The group layout of a spec over a rows × cols matrix.
struct GroupGeometry {
    std::int64_t rows = 0, cols = 0;
    std::int64_t width = 0;       ///< columns of one group (per channel and per tensor: cols; the last may be shorter)
    std::int64_t perRow = 1;      ///< groups per row (1 for per channel and per tensor)
    bool perTensor = false;       ///< one group for the whole matrix

    static GroupGeometry of(const FormatSpec &spec, std::int64_t rows, std::int64_t cols);
    /// Index into QuantizedMatrix::scales of the group holding element (r, c).
    std::int64_t index(std::int64_t r, std::int64_t c) const { return perTensor ? 0 : r * perRow + c / width; }
    /// Group within a row of column c (per tensor: 0).
    std::int64_t column(std::int64_t c) const { return c / width; }
    std::int64_t count() const { return perTensor ? 1 : rows * perRow; }
};

class ElementCoder {
public:
    /// Validates the spec (makeFormatSpec). tensorScale: NVFP4's t (nvfp4TensorScale of the
    /// original weights); ignored by other formats. Errors: InvalidArgument from makeFormatSpec.
    static Result<ElementCoder> make(const FormatSpec &spec, float tensorScale = 1.0f);

    const FormatSpec &spec() const { return m_spec; }
    float tensorScale() const { return m_tensorScale; }

    /// chooseGroupParams (RTN parameters of n weights; mixtures pick their member here).
    GroupParams choose(const float *x, std::int64_t n) const;
    /// quantizeGroupWithParams, bit for bit.
    void encode(const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *codes) const;
    /// dequantizeGroupWithParams, bit for bit.
    void decode(const GroupParams &p, const std::uint8_t *codes, std::int64_t n, float *out) const;
    /// One weight: its code and dequantized value.
    float quantizeOne(const GroupParams &p, float x, std::uint8_t &code) const
    {
        encode(p, &x, 1, &code);
        float y = 0.0f;
        decode(p, &code, 1, &y);
        return y;
    }

    /// The RTN quantization of w (fast path, multithreaded; the reference for q4_0): every array
    /// of the right size, the result methods start from and overwrite. NVFP4's tensor scale is
    /// this coder's. Errors: those of quantizeRef.
    Result<QuantizedMatrix> rtn(const float *w, std::int64_t rows, std::int64_t cols, unsigned threads) const;

    /// Writes a group's parameters into q's arrays at group index gi (scales2 and selectors only
    /// where q has them).
    static void store(QuantizedMatrix &q, std::int64_t gi, const GroupParams &p);

private:
    const FastMember *member(const GroupParams &p) const;

    FormatSpec m_spec;
    float m_tensorScale = 1.0f;
    bool m_fast = false;
    FastPlan m_plan;
};

} // namespace lowbit
