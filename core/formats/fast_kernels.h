// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Element kernels of the fast quantizers: one table per instruction set (portable C++ and
/// AVX2), each entry equal bit for bit to the reference definitions of reference.h. Callers
/// handle zero scales (every kernel below assumes s ≠ 0 unless stated).

#include <cstdint>

namespace lowbit::formats {

/// A sorted grid prepared for the kernels: midpoints padded with +Inf and values padded with 0
/// to 256 entries, so gathers never read past the arrays.
struct GridTable {
    alignas(32) float mids[256];
    alignas(32) float values[256];
    int nMids = 0;  ///< grid size − 1
    int pow2 = 1;   ///< smallest power of two ≥ grid size
    /// Big grids: the order key of y (float bits made monotone) picks one of kGridBuckets
    /// buckets; bucketLo = midpoints below the bucket, bucketCompares = most midpoints inside
    /// one bucket (0: not usable, binary search instead).
    static constexpr int kBucketBits = 12;
    int bucketCompares = 0;
    alignas(32) std::int32_t bucketLo[1 << kBucketBits];
};

/// Order-preserving key of a non-NaN float (−0 just below +0).
inline std::uint32_t floatOrderKey(std::uint32_t bits)
{
    return bits ^ ((bits & 0x80000000u) ? 0xFFFFFFFFu : 0x80000000u);
}

struct ElementKernels {
    const char *name;
    /// Finite-element absmax/min/max of x[0..n); any = false (and all 0) when none is finite.
    void (*stats)(const float *x, std::int64_t n, float *absmax, float *mn, float *mx, bool *any);
    /// code = #(mids < x/s), NaN → as 0.
    void (*codesGrid)(const float *x, std::int64_t n, float s, const GridTable &t, std::uint8_t *codes);
    /// AFPQ: y = x/sPos (x > 0), x/sNeg (x < 0), else 0; a zero scale gives y = 0 on its side.
    void (*codesAfpq)(const float *x, std::int64_t n, float sPos, float sNeg, const GridTable &t, std::uint8_t *codes);
    /// INT-sym: round-half-away(clamp(x/s, ±qmax)) + qmax, NaN → qmax.
    void (*codesIntSym)(const float *x, std::int64_t n, float s, float qmax, std::uint8_t *codes);
    /// INT-asym: clamp(round-half-away(x/s) + z, 0, qmax), NaN → z.
    void (*codesIntAsym)(const float *x, std::int64_t n, float s, float z, float qmax, std::uint8_t *codes);
    /// ggml q4_0: min(15, trunc(max(0, x·(1/d) + 8.5))), NaN → 8; d may be 0 (id = 0).
    void (*codesQ40)(const float *x, std::int64_t n, float d, std::uint8_t *codes);
    /// Mixture error Σ w·(x − x̂)² over finite x (w may be null = 1), as the reference: 8 partial
    /// sums by element index mod 8, then added in order.
    double (*mixError)(const float *x, const float *xh, const float *w, std::int64_t n);
    /// codesGrid (t) or codesIntSym (t = nullptr, qmax) fused with mixError: the codes of one
    /// mixture member and its error, without storing x̂. s ≠ 0.
    double (*encodeError)(const float *x, const float *w, std::int64_t n, float s, const GridTable *t, float qmax,
                          std::uint8_t *codes);
    /// out = s · table[code].
    void (*dequantTable)(const std::uint8_t *codes, std::int64_t n, float s, const float *table, float *out);
    /// out = s · (code − z).
    void (*dequantAsym)(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out);
    /// out = sPos·v (v > 0), sNeg·v (v < 0), +0 otherwise, v = table[code].
    void (*dequantAfpq)(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *table,
                        float *out);
};

const ElementKernels &portableKernels();
/// nullptr when the build or the CPU has no AVX2+FMA.
const ElementKernels *avx2Kernels();

} // namespace lowbit::formats
