// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Element-wise building blocks of the fast quantizers, each in an AVX2 version and a portable
/// version that give the same bits (the AVX2 code is compiled with __attribute__((target)) and
/// chosen at run time with __builtin_cpu_supports; no -march flags). Every function is defined
/// element by element (or as an order-independent reduction), so AVX2, portable and the scalar
/// reference agree bit for bit: no FMA, true divisions, the same comparisons.
///
/// Internal to core/quant (fast_quantize.cpp); not a stable API.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace lowbit::simd {

/// True when the AVX2 versions run (the CPU has AVX2 and the portable path is not forced).
bool avx2Active();
/// Forces the portable versions (tests and the benchmark compare both); returns the old value.
bool forcePortable(bool portable);

/// A sorted grid prepared for branch-free searching: the midpoints m_i = (v_i + v_{i+1})·0.5f
/// padded with +Inf to 2^steps − 1 entries.
struct GridLut {
    std::vector<float> values; ///< the grid, ascending, ≤ 256 values
    std::vector<float> mids;   ///< 2^steps − 1 midpoints, +Inf padded
    int steps = 0;             ///< log2 of the padded size
    std::array<float, 16> mids16{};   ///< grids ≤ 16 values: the midpoints, +Inf padded (in-register search)
    std::array<float, 16> values16{}; ///< grids ≤ 16 values: the values, zero padded (in-register lookup)
    /// Bucketed search for large grids: the 12-bit order key of y (sign, exponent, 3 mantissa bits;
    /// ±0 merged) indexes bucketStart = #midpoints in lower buckets, then at most perBucket
    /// compares against midsEnd (the midpoints + one +Inf). perBucket = 0: not used.
    std::vector<std::int32_t> bucketStart;
    std::vector<float> midsEnd;
    int perBucket = 0;
};

/// Builds the lookup for a sorted grid of 1…256 values.
GridLut makeGridLut(std::span<const float> sortedGrid);

/// codes[i] = number of midpoints strictly less than y, y = x[i] / s (true division); NaN y → nanCode.
void gridIndices(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes);

/// AFPQ: y = x[i] / (x[i] > 0 ? sPos : sNeg), then as gridIndices. x[i] == 0 (either sign), NaN x
/// and NaN y (Inf / Inf) use `zeroCode`.
void gridIndicesTwoScale(const float *x, std::int64_t n, float sPos, float sNeg, const GridLut &lut, std::uint8_t zeroCode,
                         std::uint8_t *codes);

/// INT: codes[i] = clamp(roundHalfAwayFromZero(x[i] / s) + offset, 0, maxCode), NaN → nanCode.
/// offset and maxCode are small integers (exact in fp32).
void intIndices(const float *x, std::int64_t n, float s, float offset, float maxCode, std::uint8_t nanCode, std::uint8_t *codes);

/// out[i] = lut[codes[i]] · s (codes must index lut; ≤ 256 entries). lutSize ≤ 16 takes an
/// in-register lookup instead of a gather (same values).
void gridDequant(const std::uint8_t *codes, std::int64_t n, float s, const float *lut, float *out, int lutSize = 256);

/// y[i] = x[i] / s (true division), to share one division among mixture members with equal scales.
void divide(const float *x, std::int64_t n, float s, float *y);

/// As gridIndicesDequant with the quotients y = x / s already computed.
void gridIndicesDequantY(const float *y, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes,
                         float *out);

/// gridIndices and then gridDequant with lut = the grid, in one pass (mixtures need both).
void gridIndicesDequant(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes,
                        float *out);

/// INT-asym dequant: out[i] = (float(codes[i]) − z) · s (z a small integer, exact in fp32).
void intDequant(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out);

/// AFPQ dequant: v = lut[codes[i]]; out[i] = v · (v < 0 ? sNeg : sPos).
void gridDequantTwoScale(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *lut, float *out);

/// Squared errors of 4 candidates: err[k] = Σ_i w_i·(x_i − xh[k][i])² (w_i = 1 without imp), each
/// summed in double in element order (d = double(x) − double(xh), then (w·d)·d or d·d), exactly
/// like four separate sequential loops; the AVX2 version keeps one candidate per double lane.
void squaredErrors4(const float *x, const float *const xh[4], const float *imp, std::int64_t n, double err[4]);

/// squaredErrors4 for up to 4 groups at once (groups ≤ 4; group q: x[q], its 4 candidates xh[q],
/// imp[q] (may be null), n[q] elements). Same sums, same order; the independent chains hide latency.
void squaredErrors4x4(int groups, const float *const x[4], const float *const xh[4][4], const float *const imp[4],
                      const std::int64_t n[4], double err[4][4]);

/// NVFP4 over `groups` whole groups of 16 (contiguous): per group am = max |x| ignoring NaN,
/// scale = E4M3(f32(am / 6) / t) (0 when t ≤ 0 or not a number), codes = gridIndices of x / (scale·t)
/// (zeroCode when scale·t == 0). Writes 16·groups codes and `groups` scales.
void nvfp4Groups16(const float *x, std::int64_t groups, float t, const GridLut &lut, std::uint8_t zeroCode, std::uint8_t *codes,
                   float *scales);

/// max |x[i]| ignoring NaN (0 when none is a number); Inf counts.
float absMax(const float *x, std::int64_t n);
/// min and max ignoring NaN (+Inf / −Inf when none is a number).
void minMax(const float *x, std::int64_t n, float &mn, float &mx);

} // namespace lowbit::simd
