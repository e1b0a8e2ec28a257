// SPDX-License-Identifier: GPL-3.0-or-later
// AVX2 kernels (compiled for AVX2 per function, chosen at run time), equal to the portable rules.
#include "core/quant/simd_detail.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#if LOWBIT_HAVE_X86
#include <immintrin.h>

namespace lowbit::simd::detail {

// ---- AVX2 ----
#define LOWBIT_AVX2 __attribute__((target("avx2")))

LOWBIT_AVX2 inline void store8Codes(std::uint8_t *dst, __m256i idx)
{
    const __m256i shuf = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, //
                                          0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i b = _mm256_shuffle_epi8(idx, shuf);
    const __m256i packed = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i *>(dst), _mm256_castsi256_si128(packed));
}

/// lut[idx] for idx in 0..15 from two registers (lo = lut[0..7], hi = lut[8..15]).
LOWBIT_AVX2 inline __m256 lookup16(__m256i idx, __m256 lo, __m256 hi)
{
    const __m256 a = _mm256_permutevar8x32_ps(lo, idx);
    const __m256 b = _mm256_permutevar8x32_ps(hi, idx);
    return _mm256_blendv_ps(a, b, _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28))); // bit 3 → sign
}

/// The midpoints in registers when there are ≤ 15 of them (+Inf padded to 16).
struct SmallMids {
    __m256 lo, hi;
    int top = 0; ///< first binary-search step; 0 when the grid is too large (gather path)
};

LOWBIT_AVX2 inline SmallMids smallMids(const GridLut &lut)
{
    SmallMids m;
    m.top = lut.steps <= 4 ? 1 << (lut.steps - 1) : 0;
    m.lo = _mm256_loadu_ps(lut.mids16.data());
    m.hi = _mm256_loadu_ps(lut.mids16.data() + 8);
    return m;
}

/// #{midpoints < y}: branch-free binary search (in registers for ≤ 15 midpoints, else gathers);
/// on a non-decreasing array this is exactly the count.
LOWBIT_AVX2 inline __m256i countBelowAvx2(__m256 y, const GridLut &lut, const SmallMids &sm)
{
    __m256i pos = _mm256_setzero_si256();
    if (sm.top != 0) {
        for (int step = sm.top; step >= 1; step >>= 1) {
            const __m256i probe = _mm256_add_epi32(pos, _mm256_set1_epi32(step - 1));
            const __m256i lt = _mm256_castps_si256(_mm256_cmp_ps(lookup16(probe, sm.lo, sm.hi), y, _CMP_LT_OQ));
            pos = _mm256_add_epi32(pos, _mm256_and_si256(lt, _mm256_set1_epi32(step)));
        }
        return pos;
    }
    if (lut.perBucket > 0) {
        // bucket of y by its order key, then a few steps inside the bucket
        const __m256i u = _mm256_castps_si256(_mm256_add_ps(y, _mm256_setzero_ps())); // −0 → +0
        const __m256i neg = _mm256_srai_epi32(u, 31);
        const __m256i ordered = _mm256_xor_si256(u, _mm256_or_si256(neg, _mm256_set1_epi32(static_cast<int>(0x80000000u))));
        const __m256i key = _mm256_srli_epi32(ordered, 20);
        pos = _mm256_i32gather_epi32(lut.bucketStart.data(), key, 4);
        const __m256i one = _mm256_set1_epi32(1);
        for (int t = 0; t < lut.perBucket; ++t) {
            const __m256 m = _mm256_i32gather_ps(lut.midsEnd.data(), pos, 4);
            pos = _mm256_add_epi32(pos, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(m, y, _CMP_LT_OQ)), one));
        }
        return pos;
    }
    for (int step = 1 << (lut.steps - 1); step >= 1; step >>= 1) {
        const __m256i probe = _mm256_add_epi32(pos, _mm256_set1_epi32(step - 1));
        const __m256 m = _mm256_i32gather_ps(lut.mids.data(), probe, 4);
        const __m256i lt = _mm256_castps_si256(_mm256_cmp_ps(m, y, _CMP_LT_OQ));
        pos = _mm256_add_epi32(pos, _mm256_and_si256(lt, _mm256_set1_epi32(step)));
    }
    return pos;
}

LOWBIT_AVX2 void gridIndicesAvx2(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                 std::uint8_t *codes)
{
    const __m256 vs = _mm256_set1_ps(s);
    const __m256i nc = _mm256_set1_epi32(nanCode);
    const SmallMids sm = smallMids(lut);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 y = _mm256_div_ps(_mm256_loadu_ps(x + i), vs);
        const __m256 isNan = _mm256_cmp_ps(y, y, _CMP_UNORD_Q);
        store8Codes(codes + i, _mm256_blendv_epi8(countBelowAvx2(y, lut, sm), nc, _mm256_castps_si256(isNan)));
    }
    gridIndicesPortable(x + i, n - i, s, lut, nanCode, codes + i);
}

LOWBIT_AVX2 void gridIndicesTwoScaleAvx2(const float *x, std::int64_t n, float sPos, float sNeg, const GridLut &lut,
                                         std::uint8_t zeroCode, std::uint8_t *codes)
{
    const __m256 vp = _mm256_set1_ps(sPos), vn = _mm256_set1_ps(sNeg), zero = _mm256_setzero_ps();
    const __m256i zc = _mm256_set1_epi32(zeroCode);
    const SmallMids sm = smallMids(lut);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 pos = _mm256_cmp_ps(v, zero, _CMP_GT_OQ);
        const __m256 neg = _mm256_cmp_ps(v, zero, _CMP_LT_OQ);
        const __m256 y = _mm256_div_ps(v, _mm256_blendv_ps(vn, vp, pos));
        const __m256i c = countBelowAvx2(y, lut, sm);
        const __m256 ordered = _mm256_cmp_ps(y, y, _CMP_ORD_Q);
        const __m256i either = _mm256_castps_si256(_mm256_and_ps(_mm256_or_ps(pos, neg), ordered));
        store8Codes(codes + i, _mm256_blendv_epi8(zc, c, either));
    }
    gridIndicesTwoScalePortable(x + i, n - i, sPos, sNeg, lut, zeroCode, codes + i);
}

LOWBIT_AVX2 void intIndicesAvx2(const float *x, std::int64_t n, float s, float offset, float maxCode, std::uint8_t nanCode,
                                std::uint8_t *codes)
{
    const __m256 vs = _mm256_set1_ps(s), off = _mm256_set1_ps(offset), hi = _mm256_set1_ps(maxCode);
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f), zero = _mm256_setzero_ps();
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 signMask = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(0x80000000u)));
    const __m256i nc = _mm256_set1_epi32(nanCode);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 y = _mm256_div_ps(_mm256_loadu_ps(x + i), vs);
        const __m256 t = _mm256_round_ps(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
        const __m256 d = _mm256_sub_ps(y, t);
        const __m256 up = _mm256_cmp_ps(_mm256_and_ps(d, absMask), half, _CMP_GE_OQ);
        const __m256 step = _mm256_and_ps(up, _mm256_or_ps(one, _mm256_and_ps(y, signMask)));
        __m256 q = _mm256_add_ps(_mm256_add_ps(t, step), off);
        // clamp as the portable code: q < 0 → 0, q > max → max (q is not NaN here unless y is)
        q = _mm256_blendv_ps(q, zero, _mm256_cmp_ps(q, zero, _CMP_LT_OQ));
        q = _mm256_blendv_ps(q, hi, _mm256_cmp_ps(q, hi, _CMP_GT_OQ));
        const __m256 isNan = _mm256_cmp_ps(y, y, _CMP_UNORD_Q);
        const __m256i c = _mm256_blendv_epi8(_mm256_cvttps_epi32(q), nc, _mm256_castps_si256(isNan));
        store8Codes(codes + i, c);
    }
    intIndicesPortable(x + i, n - i, s, offset, maxCode, nanCode, codes + i);
}

LOWBIT_AVX2 inline __m256 lutLookup(const std::uint8_t *codes, const float *lut)
{
    const __m256i idx = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(codes)));
    return _mm256_i32gather_ps(lut, idx, 4);
}

LOWBIT_AVX2 void gridDequantAvx2(const std::uint8_t *codes, std::int64_t n, float s, const float *lut, float *out, int lutSize)
{
    const __m256 vs = _mm256_set1_ps(s);
    std::int64_t i = 0;
    if (lutSize <= 16) {
        alignas(32) float t[16] = {};
        std::copy(lut, lut + lutSize, t);
        const __m256 lo = _mm256_load_ps(t), hi = _mm256_load_ps(t + 8);
        for (; i + 8 <= n; i += 8) {
            const __m256i idx = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(codes + i)));
            _mm256_storeu_ps(out + i, _mm256_mul_ps(lookup16(idx, lo, hi), vs));
        }
    } else {
        for (; i + 8 <= n; i += 8)
            _mm256_storeu_ps(out + i, _mm256_mul_ps(lutLookup(codes + i, lut), vs));
    }
    gridDequantPortable(codes + i, n - i, s, lut, out + i);
}

LOWBIT_AVX2 void gridIndicesDequantAvx2(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                        std::uint8_t *codes, float *out)
{
    if (lut.values.size() > 16) {
        gridIndicesAvx2(x, n, s, lut, nanCode, codes);
        gridDequantAvx2(codes, n, s, lut.values.data(), out, static_cast<int>(lut.values.size()));
        return;
    }
    const __m256 lo = _mm256_loadu_ps(lut.values16.data()), hi = _mm256_loadu_ps(lut.values16.data() + 8);
    const __m256 vs = _mm256_set1_ps(s);
    const __m256i nc = _mm256_set1_epi32(nanCode);
    const SmallMids sm = smallMids(lut);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 y = _mm256_div_ps(_mm256_loadu_ps(x + i), vs);
        const __m256 isNan = _mm256_cmp_ps(y, y, _CMP_UNORD_Q);
        const __m256i idx = _mm256_blendv_epi8(countBelowAvx2(y, lut, sm), nc, _mm256_castps_si256(isNan));
        store8Codes(codes + i, idx);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(lookup16(idx, lo, hi), vs));
    }
    gridIndicesDequantPortable(x + i, n - i, s, lut, nanCode, codes + i, out + i);
}

LOWBIT_AVX2 void divideAvx2(const float *x, std::int64_t n, float s, float *y)
{
    const __m256 vs = _mm256_set1_ps(s);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_div_ps(_mm256_loadu_ps(x + i), vs));
    dividePortable(x + i, n - i, s, y + i);
}

LOWBIT_AVX2 void gridIndicesDequantYAvx2(const float *yv, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                         std::uint8_t *codes, float *out)
{
    if (lut.values.size() > 16) {
        gridIndicesDequantYPortable(yv, n, s, lut, nanCode, codes, out);
        return;
    }
    const __m256 lo = _mm256_loadu_ps(lut.values16.data()), hi = _mm256_loadu_ps(lut.values16.data() + 8);
    const __m256 vs = _mm256_set1_ps(s);
    const __m256i nc = _mm256_set1_epi32(nanCode);
    const SmallMids sm = smallMids(lut);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 y = _mm256_loadu_ps(yv + i);
        const __m256 isNan = _mm256_cmp_ps(y, y, _CMP_UNORD_Q);
        const __m256i idx = _mm256_blendv_epi8(countBelowAvx2(y, lut, sm), nc, _mm256_castps_si256(isNan));
        store8Codes(codes + i, idx);
        _mm256_storeu_ps(out + i, _mm256_mul_ps(lookup16(idx, lo, hi), vs));
    }
    gridIndicesDequantYPortable(yv + i, n - i, s, lut, nanCode, codes + i, out + i);
}

LOWBIT_AVX2 void intDequantAvx2(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out)
{
    const __m256 vs = _mm256_set1_ps(s), vz = _mm256_set1_ps(z);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i c = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(codes + i)));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_sub_ps(_mm256_cvtepi32_ps(c), vz), vs));
    }
    intDequantPortable(codes + i, n - i, s, z, out + i);
}

LOWBIT_AVX2 void gridDequantTwoScaleAvx2(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *lut,
                                         float *out)
{
    const __m256 vp = _mm256_set1_ps(sPos), vn = _mm256_set1_ps(sNeg), zero = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = lutLookup(codes + i, lut);
        const __m256 sc = _mm256_blendv_ps(vp, vn, _mm256_cmp_ps(v, zero, _CMP_LT_OQ));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(v, sc));
    }
    gridDequantTwoScalePortable(codes + i, n - i, sPos, sNeg, lut, out + i);
}

LOWBIT_AVX2 void squaredErrors4Avx2(const float *x, const float *const xh[4], const float *imp, std::int64_t n, double err[4])
{
    __m256d e = _mm256_setzero_pd();
    const float *a = xh[0], *b = xh[1], *c = xh[2], *d = xh[3];
    for (std::int64_t i = 0; i < n; ++i) {
        const __m256d xi = _mm256_set1_pd(static_cast<double>(x[i]));
        const __m256d v = _mm256_cvtps_pd(_mm_setr_ps(a[i], b[i], c[i], d[i]));
        const __m256d diff = _mm256_sub_pd(xi, v);
        __m256d sq;
        if (imp)
            sq = _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(static_cast<double>(imp[i])), diff), diff);
        else
            sq = _mm256_mul_pd(diff, diff);
        e = _mm256_add_pd(e, sq);
    }
    _mm256_storeu_pd(err, e);
}

LOWBIT_AVX2 inline __m256d errTerm(const float *x, const float *const xh[4], const float *imp, std::int64_t i)
{
    const __m256d xi = _mm256_set1_pd(static_cast<double>(x[i]));
    const __m256d diff = _mm256_sub_pd(xi, _mm256_cvtps_pd(_mm_setr_ps(xh[0][i], xh[1][i], xh[2][i], xh[3][i])));
    if (imp)
        return _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(static_cast<double>(imp[i])), diff), diff);
    return _mm256_mul_pd(diff, diff);
}

LOWBIT_AVX2 void squaredErrors4x4Avx2(int groups, const float *const x[4], const float *const xh[4][4], const float *const imp[4],
                                      const std::int64_t n[4], double err[4][4])
{
    if (groups != 4) {
        for (int q = 0; q < groups; ++q)
            squaredErrors4Avx2(x[q], xh[q], imp[q], n[q], err[q]);
        return;
    }
    const std::int64_t common = std::min(std::min(n[0], n[1]), std::min(n[2], n[3]));
    __m256d e0 = _mm256_setzero_pd(), e1 = e0, e2 = e0, e3 = e0;
    for (std::int64_t i = 0; i < common; ++i) {
        e0 = _mm256_add_pd(e0, errTerm(x[0], xh[0], imp[0], i));
        e1 = _mm256_add_pd(e1, errTerm(x[1], xh[1], imp[1], i));
        e2 = _mm256_add_pd(e2, errTerm(x[2], xh[2], imp[2], i));
        e3 = _mm256_add_pd(e3, errTerm(x[3], xh[3], imp[3], i));
    }
    __m256d *acc[4] = {&e0, &e1, &e2, &e3};
    for (int q = 0; q < 4; ++q) {
        for (std::int64_t i = common; i < n[q]; ++i) // the rest of a longer group, still in order
            *acc[q] = _mm256_add_pd(*acc[q], errTerm(x[q], xh[q], imp[q], i));
        _mm256_storeu_pd(err[q], *acc[q]);
    }
}

LOWBIT_AVX2 float absMaxAvx2(const float *x, std::int64_t n)
{
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    __m256 m = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        m = _mm256_max_ps(_mm256_and_ps(_mm256_loadu_ps(x + i), absMask), m); // NaN first operand → m kept
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, m);
    float r = absMaxPortable(x + i, n - i);
    for (float l : lanes)
        r = l > r ? l : r;
    return r;
}

LOWBIT_AVX2 void nvfp4Groups16Avx2(const float *x, std::int64_t groups, float t, const GridLut &lut, std::uint8_t zeroCode,
                                   std::uint8_t *codes, float *scales)
{
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256i nc = _mm256_set1_epi32(zeroCode);
    const SmallMids sm = smallMids(lut);
    for (std::int64_t g = 0; g < groups; ++g) {
        const float *xg = x + g * 16;
        const __m256 a = _mm256_loadu_ps(xg), b = _mm256_loadu_ps(xg + 8);
        // NaN lanes drop out: max(x, acc) returns acc when x is NaN
        __m256 m = _mm256_max_ps(_mm256_and_ps(a, absMask), _mm256_setzero_ps());
        m = _mm256_max_ps(_mm256_and_ps(b, absMask), m);
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
        scales[g] = nvfp4Scale(_mm_cvtss_f32(m4), t);
        const float s = scales[g] * t;
        if (s == 0.0f) {
            std::memset(codes + g * 16, zeroCode, 16);
            continue;
        }
        const __m256 vs = _mm256_set1_ps(s);
        for (int h = 0; h < 2; ++h) {
            const __m256 y = _mm256_div_ps(h == 0 ? a : b, vs);
            const __m256 isNan = _mm256_cmp_ps(y, y, _CMP_UNORD_Q);
            store8Codes(codes + g * 16 + h * 8, _mm256_blendv_epi8(countBelowAvx2(y, lut, sm), nc, _mm256_castps_si256(isNan)));
        }
    }
}

LOWBIT_AVX2 void minMaxAvx2(const float *x, std::int64_t n, float &mn, float &mx)
{
    __m256 lo = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    __m256 hi = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        lo = _mm256_min_ps(v, lo);
        hi = _mm256_max_ps(v, hi);
    }
    // horizontal reduction by shuffles (lanes hold no NaN)
    __m128 l4 = _mm_min_ps(_mm256_castps256_ps128(lo), _mm256_extractf128_ps(lo, 1));
    __m128 h4 = _mm_max_ps(_mm256_castps256_ps128(hi), _mm256_extractf128_ps(hi, 1));
    l4 = _mm_min_ps(l4, _mm_movehl_ps(l4, l4));
    h4 = _mm_max_ps(h4, _mm_movehl_ps(h4, h4));
    l4 = _mm_min_ss(l4, _mm_shuffle_ps(l4, l4, 1));
    h4 = _mm_max_ss(h4, _mm_shuffle_ps(h4, h4, 1));
    float a = 0, b = 0;
    minMaxPortable(x + i, n - i, a, b);
    const float la = _mm_cvtss_f32(l4), hb = _mm_cvtss_f32(h4);
    mn = la < a ? la : a;
    mx = hb > b ? hb : b;
}

} // namespace lowbit::simd::detail
#endif
