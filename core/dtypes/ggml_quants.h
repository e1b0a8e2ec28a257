// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Reference quantizers of ggml block types, following ggml-quants.c's quantize_row_*_ref rules
/// (the deterministic path llama.cpp uses without an importance matrix), bit for bit on finite
/// input. `n` is a multiple of the type's block size (32, or 256 for the K-quants).
///
/// Non-finite input never causes undefined behaviour: float → integer conversions saturate and
/// NaN converts to 0, so a NaN weight gives a defined (but meaningless) code. Exporters refuse
/// non-finite weights before calling these.

#include "core/dtypes/dtype.h"
#include "core/util/result.h"

#include <cstddef>

namespace lowbit {

/// Q8_0: d = absmax/127, q = round(x·(1/d)).
void quantizeQ8_0Ref(const float *x, std::byte *dst, std::size_t n);
/// Q4_0: d = (value of largest magnitude)/−8, q = min(15, trunc(x/d + 8.5)).
void quantizeQ4_0Ref(const float *x, std::byte *dst, std::size_t n);
/// Q4_1: d = (max − min)/15, m = min, q = min(15, trunc((x − min)/d + 0.5)).
void quantizeQ4_1Ref(const float *x, std::byte *dst, std::size_t n);
/// Q5_0: d = (value of largest magnitude)/−16, q = min(31, trunc(x/d + 16.5)); 5th bits in qh.
void quantizeQ5_0Ref(const float *x, std::byte *dst, std::size_t n);
/// Q5_1: d = (max − min)/31, m = min, q = trunc((x − min)/d + 0.5); 5th bits in qh.
void quantizeQ5_1Ref(const float *x, std::byte *dst, std::size_t n);
/// IQ4_NL (ggml's reference path): codes against d0 = (value of largest magnitude)/−127 on the
/// 16-level grid (ties to the upper level), then d = Σw·q·x / Σw·q² with w = x² (least squares).
void quantizeIQ4_NLRef(const float *x, std::byte *dst, std::size_t n);
/// MXFP4: e = floor(log2 absmax) − 2 + 127 (E8M0, clamped to 0..254; 0 for an all-zero block),
/// each element the nearest of the doubled E2M1 values times 2^(e−128) (first index on ties).
void quantizeMXFP4Ref(const float *x, std::byte *dst, std::size_t n);
/// Q4_K: per 32-weight sub-block an asymmetric 4-bit fit (make_qkx2_quants: weights
/// sqrt(mean x²) + |x|, scale search −1…+1 in steps of 0.1), 6-bit scales and mins against
/// fp16 super-scales d = max scale/63, dmin = max min/63, then the codes re-derived from them.
void quantizeQ4_KRef(const float *x, std::byte *dst, std::size_t n);
/// Q6_K: per 16-weight sub-block a symmetric 6-bit fit (make_qx_quants, rmse_type 1: weights x²,
/// scale search ±0.9 in steps of 0.1), int8 scales against d = max scale/−128, codes re-derived.
void quantizeQ6_KRef(const float *x, std::byte *dst, std::size_t n);
/// F16 / BF16: round to nearest even.
void quantizeF16Ref(const float *x, std::byte *dst, std::size_t n);
void quantizeBF16Ref(const float *x, std::byte *dst, std::size_t n);
/// F32: a copy.
void quantizeF32Ref(const float *x, std::byte *dst, std::size_t n);

using GgmlQuantizeFn = void (*)(const float *x, std::byte *dst, std::size_t n);

/// The reference quantizer of a dtype, nullptr when there is none (Q2_K, Q3_K, Q5_K, integer
/// and FP8 types).
GgmlQuantizeFn ggmlQuantizer(DType t);

/// Quantizes n values into dtype `t` (dst holds dtypeByteCount(t, n) bytes). Errors:
/// Unsupported when the dtype has no quantizer, InvalidArgument when n is not whole blocks.
Status quantizeGgml(DType t, const float *x, std::byte *dst, std::size_t n);

namespace ggml_detail {
/// ggml's nearest_int: round half to even via the 1.5·2^23 trick, exact for |x| < 2^22.
int nearestInt(float x);
/// C's (int) truncation toward zero, saturated to [lo, hi]; NaN gives 0.
int truncClamp(float x, int lo, int hi);
} // namespace ggml_detail

} // namespace lowbit
