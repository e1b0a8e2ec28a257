// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Fast whole-matrix quantize and dequantize: AVX2 (with a portable fallback, chosen at run time)
/// and multithreaded over rows (core/util/parallel.h). Bit-identical to the scalar reference by
/// construction: the same fp32 operations in the same order (scale = f32(absmax / f32(qmax)) then
/// rounded to storage, y = x / s as a true division, grid index = number of fp32 midpoints below y,
/// INT round-half-away-from-zero, mixtures by the lowest squared error with ties to the first member).

#include "core/quant/fast_plan.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

namespace lowbit {

/// Unpacked result of a fast quantization (the same fields as the reference's QuantizedMatrix).
struct FastQuantized {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<std::uint8_t> codes;     ///< rows·cols, row-major, index into the (member's) grid
    std::vector<float> scales;           ///< per group, rounded to the storage precision
    std::vector<float> scales2;          ///< AFPQ: s_neg; INT-asym: zero point; else empty
    std::vector<std::uint8_t> selectors; ///< mixture member per group; else empty
    float tensorScale = 1.0f;            ///< NVFP4 t; 1 otherwise
};

/// Groups of one row (1 for per-channel) or, for per-tensor, of the whole matrix (1).
std::int64_t fastGroupsPerRow(const FastPlan &plan, std::int64_t cols);
/// Total groups of a rows × cols matrix.
std::int64_t fastGroupCount(const FastPlan &plan, std::int64_t rows, std::int64_t cols);

/// Rounds a non-negative fp32 scale to the storage precision and back (exact widening).
float roundScaleToStorage(float s, FastScaleRound storage);

/// Quantizes w (rows × cols, row-major fp32). `importance` (optional, rows·cols, ≥ 0) weights the
/// squared error that picks mixture members. threads = 0: all hardware threads. Errors:
/// InvalidArgument for a negative or overflowing shape or an empty plan.
Result<FastQuantized> quantizeWithPlan(const float *w, std::int64_t rows, std::int64_t cols, const FastPlan &plan,
                                       const float *importance = nullptr, unsigned threads = 0);

/// Dequantizes into out (rows·cols floats, caller-owned). Errors: InvalidArgument when the arrays'
/// sizes do not match the plan and shape, or a code/selector is out of range.
Status dequantizeWithPlan(const FastQuantized &q, const FastPlan &plan, float *out, unsigned threads = 0);

/// Dequantizes one group of n codes of member m: s1 = scale (s_pos), s2 = s_neg or zero point,
/// tensorScale for NVFP4. The one decoding rule shared by the fast path and PackedTensor.
void dequantizeGroup(const FastMember &m, float s1, float s2, const std::uint8_t *codes, std::int64_t n, float tensorScale, float *out);

/// Codes of one group of n weights of member m under fixed parameters (the same s1, s2 and
/// tensorScale as dequantizeGroup): bit-identical to quantizeGroupWithParams (quantize_ref.h)
/// without its per-call preparation, for methods that code one element at a time (GPTQ).
void encodeGroup(const FastMember &m, float s1, float s2, const float *x, std::int64_t n, float tensorScale, std::uint8_t *codes);

} // namespace lowbit
