// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Scalar reference quantize/dequantize: the definition every fast path, shader and exporter
/// must equal bit for bit (docs/datatypes.md §5). All arithmetic is fp32:
///  - s = f32(stat / f32(qmax)) where stat = f32(absmax · clip), then rounded to the storage;
///  - y = x / s (true division; s = 0 gives y = 0); grid code = number of fp32 midpoints
///    f32((v_i + v_{i+1}) · 0.5f) strictly below y (ties → lower index), saturating at the ends;
///    INT: round half away from zero, then clamp;
///  - statistics (absmax, min, max, NVFP4 amax) ignore NaN and ±Inf; a NaN element is
///    quantized as 0 (the zero code); ±Inf saturates to the grid ends;
///  - a group whose statistic is 0 gets scale 0 (E8M0: 2^−127) and the zero code;
///  - INT-asym of a constant non-zero group widens the range to include 0 (else s would be 0);
///  - AFPQ: x > 0 uses s_pos, x < 0 uses s_neg, over the full grid; x̂ = s_pos·v (v > 0) or s_neg·v;
///  - mixtures: lowest Σ w·(x − x̂)² in double over finite x, ties → first member; the sum is
///    8 partial sums (element i into partial i mod 8, each in element order) added 0…7 in order,
///    so a vector unit can reproduce it exactly;
///  - NVFP4: effective scale f32(scale_e4m3 · t); x̂ = f32(scale · t) · v;
///  - IQ4_NL: d = f32(x_m · clip) / (−127) with x_m the first element of largest |x|;
///  - q4_0: ggml's rule (codes from the fp32 d, x̂ = (q − 8) · fp16(d)).

#include "core/formats/format_spec.h"

#include <cstdint>
#include <vector>

namespace lowbit::formats {

/// Partial sums of the mixture error (see the rules above).
inline constexpr int kMixErrorLanes = 8;

/// Parameters of one group.
struct GroupParams {
    float scale = 0.0f;     ///< stored scale (rounded to the storage); IQ4_NL/q4_0: signed d
    float scale2 = 0.0f;    ///< AFPQ s_neg (rounded); INT-asym zero point z (an integer)
    std::uint8_t selector = 0; ///< mixture member
    float codeScale = 0.0f; ///< divisor for the codes and multiplier of grid values (= scale, but
                            ///< NVFP4: f32(scale·t); q4_0: the fp32 d before fp16 rounding)
};

/// A quantized matrix, unpacked: one code per element, per-group parameters.
struct QuantizedMatrix {
    FormatSpec spec;
    GroupLayout layout;
    std::vector<std::uint8_t> codes;     ///< rows·cols
    std::vector<float> scales;           ///< per group, at storage precision
    std::vector<float> scales2;          ///< per group (AFPQ s_neg, INT-asym zero point), else empty
    std::vector<std::uint8_t> selectors; ///< per group (mixtures), else empty
    float tensorScale = 0.0f;            ///< NVFP4 t, else 0

    GroupParams params(std::int64_t g) const;
};

/// NVFP4 tensor scale t = f32(amax / (448·6)) over the finite elements (0 when none).
float nvfp4TensorScale(const float *x, std::int64_t n);

/// Chooses the parameters of one group x[0..n) (w: optional importance weights, nullptr = 1;
/// used by mixtures). tensorScale: NVFP4's t (ignored otherwise).
GroupParams chooseGroupParamsRef(const FormatSpec &spec, const float *x, std::int64_t n, const float *w,
                                 float tensorScale);
/// Finite-element statistics of a group (all 0 and any = false when none is finite).
struct GroupStats {
    float absmax = 0.0f, mn = 0.0f, mx = 0.0f;
    bool any = false;
    std::int64_t argAbsmax = -1; ///< first element of largest |x| (−1 when none)
};
GroupStats groupStatsRef(const float *x, std::int64_t n);
/// The per-group parameter rules given the statistics (mixtures also read x and w).
GroupParams paramsFromStats(const FormatSpec &spec, const GroupStats &st, const float *x, std::int64_t n,
                            const float *w, float tensorScale);
/// Value of a mixture member's code (INT: code − qmax; grid: grid[code]).
float mixMemberValue(const MixMember &m, std::uint8_t code);

/// Codes of one group under given parameters (usable with parameters chosen elsewhere, e.g. GPTQ).
void quantizeGroupRef(const FormatSpec &spec, const GroupParams &p, const float *x, std::int64_t n,
                      std::uint8_t *codes);
/// x̂ of one code under given parameters.
float dequantizeValue(const FormatSpec &spec, const GroupParams &p, std::uint8_t code);

/// Code of y on a sorted grid given its midpoints (count of midpoints < y; NaN → as 0).
std::uint8_t gridCodeRef(const std::vector<float> &midpoints, float y);
/// INT-sym code (q + qmax) of y: NaN → 0, clamp to ±qmax, round half away from zero.
std::uint8_t intSymCodeRef(float y, float qmax);

/// Quantizes a row-major [rows, cols] fp32 matrix. importance: optional rows·cols weights.
/// Errors: InvalidArgument for a bad shape.
Result<QuantizedMatrix> quantizeRef(const FormatSpec &spec, const float *x, std::int64_t rows, std::int64_t cols,
                                    const float *importance = nullptr);
/// Dequantizes into out[rows·cols].
void dequantizeRef(const QuantizedMatrix &q, float *out);

} // namespace lowbit::formats
