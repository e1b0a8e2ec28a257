// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Scalar reference quantization: the obviously-correct, one-element-at-a-time implementation of
/// the rules of datatypes.md §5 for every Format of the registry (format.h). The fast paths
/// (fast_quantize.h) must equal it bit for bit; methods (RTN, GPTQ, clipping) build on the
/// per-group functions.
///
/// Arithmetic (all fp32, no FMA):
///  - scale s = f32(clip·absmax / f32(qmax)), then rounded to the storage precision
///    (fp16/bf16 round-to-nearest-even, E8M0 = 2^floor(log2 s), E4M3 RNE saturating at 448);
///  - y = x / s (a true division); grid index = number of fp32 midpoints (v_i + v_{i+1})·0.5f
///    strictly below y (exact midpoints go to the lower index; beyond the grid saturates);
///  - INT: round half away from zero on y, then clamp;
///  - AFPQ (-asym grids): s_pos = max(max,0)/R, s_neg = |min(min,0)|/R with R = max(V); x > 0 is
///    divided by s_pos, x < 0 by s_neg, and the nearest value is searched over the whole grid;
///  - MX: s = 2^e, e = floor(log2 absmax) − emax (frexp, exact), clamped to [−127, 127], −127 for
///    an all-zero group; NVFP4: t = f32(amax(finite weights) / 2688), scale = E4M3(f32(absmax/6)/t),
///    x̂ = (v·scale)·t; IQ4_NL: s = (element of largest |x|, first on ties) / −127;
///  - q4_0 follows ggml (quantize_row_q4_0_ref) instead: d = (element of largest |x|)/−8, codes
///    min(15, trunc(x·(1/d) + 8.5)) against the unrounded d, then d is stored as fp16; x̂ = (q − 8)·d.
///  - Mixtures: every member quantizes the group with its own parameters; the lowest squared error
///    Σ w_i·(x_i − x̂_i)² (double, element order; w_i = importance or 1) wins, ties to the first member.
///
/// Special values (never a crash, never undefined behaviour):
///  - NaN weights are ignored by every statistic (absmax, min, max, amax) and get the code of the
///    grid value nearest to 0 (INT: 0; INT-asym: the zero point); they dequantize to that value.
///  - ±Inf weights count in absmax: the scale becomes Inf, finite weights of the group then code 0
///    and the Inf ones give Inf/Inf = NaN → the code of 0. Where the scale stays finite (NVFP4 ignores
///    Inf in t), Inf saturates to the grid's end.
///  - An all-zero (or all-NaN) group gets scale 0 and the code of 0 (MX: e = −127).
///  - Denormal inputs are ordinary numbers (no flush to zero).

#include "core/quant/format.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

namespace lowbit {

/// An unpacked quantized matrix (rows × cols, row-major codes).
struct QuantizedMatrix {
    FormatSpec spec;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<std::uint8_t> codes;     ///< one per element: index into the grid (or the selected member's grid)
    std::vector<float> scales;           ///< per group, already rounded to the storage precision
    std::vector<float> scales2;          ///< per group: AFPQ s_neg or INT-asym zero point; empty when no member needs one
    std::vector<std::uint8_t> selectors; ///< per group: mixture member; empty otherwise
    float tensorScale = 1.0f;            ///< NVFP4 per-tensor scale t; 1 otherwise
};

/// The parameters of one group (what a method may choose before coding the elements).
struct GroupParams {
    float scale = 0.0f;      ///< s (s_pos for AFPQ, 2^e for MX, the E4M3 group scale for NVFP4)
    float scale2 = 0.0f;     ///< AFPQ s_neg, INT-asym zero point (an integer), else 0
    std::uint8_t member = 0; ///< mixture member (index into Format::members); 0 otherwise
    float codingScale = 0.0f; ///< q4_0: the unrounded d that ggml codes against (0: use scale)
};

/// Groups in one row (1 for per-channel or per-tensor) and in the whole matrix (per-tensor: 1).
std::int64_t refGroupsPerRow(const FormatSpec &spec, std::int64_t cols);
std::int64_t refGroupCount(const FormatSpec &spec, std::int64_t rows, std::int64_t cols);

/// The sorted values a code indexes for a scalar format (INT-k: −qmax…qmax; INT-asym: 0…2^k−1;
/// grids: the grid). Empty for mixtures.
std::vector<float> codeValues(const Format &scalar);

/// Index of the nearest value of a sorted grid to y: the number of midpoints strictly below y.
/// NaN y gives the index nearest to 0.
std::uint8_t nearestGridIndex(const std::vector<float> &sortedGrid, float y);

/// RTN parameters of one group of n weights (x, contiguous). For a mixture this quantizes the
/// group with every member and returns the winner's parameters; `importance` (n weights ≥ 0,
/// may be null) weights the squared error of that choice and is otherwise unused.
/// tensorScale: NVFP4's t (ignored by other formats).
GroupParams chooseGroupParams(const FormatSpec &spec, const float *x, std::int64_t n, const float *importance = nullptr,
                              float tensorScale = 1.0f);

/// Codes of n weights under fixed parameters (elementwise: GPTQ may call it one column at a time).
void quantizeGroupWithParams(const FormatSpec &spec, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *codes,
                             float tensorScale = 1.0f);

/// Dequantizes n codes under the parameters. Codes beyond the (member's) grid decode as 0.
void dequantizeGroupWithParams(const FormatSpec &spec, const GroupParams &p, const std::uint8_t *codes, std::int64_t n, float *out,
                               float tensorScale = 1.0f);

/// NVFP4's per-tensor scale f32(amax / (448·6)) over the finite weights (0 when none is finite).
float nvfp4TensorScale(const float *w, std::int64_t n);

/// Quantizes w (rows × cols fp32, row-major) with RTN. importance: optional rows·cols weights of
/// the squared error that picks mixture members. Errors: InvalidArgument for a negative or
/// overflowing shape or a spec that makeFormatSpec would reject (message says why).
Result<QuantizedMatrix> quantizeRef(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                                    const float *importance = nullptr);

/// Dequantizes into out (rows·cols floats, caller-owned). A matrix whose arrays do not match its
/// shape (not made by quantizeRef) writes zeros instead of reading out of bounds.
void dequantizeRef(const QuantizedMatrix &q, float *out);

} // namespace lowbit
