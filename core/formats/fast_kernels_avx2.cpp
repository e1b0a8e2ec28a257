// SPDX-License-Identifier: GPL-3.0-or-later
// AVX2 element kernels (function-level target attributes, no -march flag; chosen at run time).
// Every operation is an IEEE single rounding equal to the scalar reference: true division,
// separate multiply and add (no FMA), exact truncation-based rounding.
#include "core/formats/fast_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <limits>

#define LOWBIT_AVX2 __attribute__((target("avx2,fma")))

namespace lowbit::formats {
namespace {

LOWBIT_AVX2 inline void store8(std::uint8_t *dst, __m256i v)
{
    const __m128i p16 = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i *>(dst), _mm_packus_epi16(p16, p16));
}

LOWBIT_AVX2 inline __m256i load8(const std::uint8_t *src)
{
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(src)));
}

LOWBIT_AVX2 inline __m256 zeroNan(__m256 y) { return _mm256_andnot_ps(_mm256_cmp_ps(y, y, _CMP_UNORD_Q), y); }

/// count of midpoints < y (y not NaN).
LOWBIT_AVX2 inline __m256i gridIndex(__m256 y, const GridTable &t)
{
    if (t.nMids <= 16) {
        __m256i idx = _mm256_setzero_si256();
        for (int m = 0; m < t.nMids; ++m)
            idx = _mm256_sub_epi32(idx, _mm256_castps_si256(_mm256_cmp_ps(_mm256_set1_ps(t.mids[m]), y, _CMP_LT_OQ)));
        return idx;
    }
    if (t.bucketCompares > 0) { // bucket of the order key, then ≤ 4 compares
        const __m256i u = _mm256_castps_si256(y);
        const __m256i flip = _mm256_or_si256(_mm256_srai_epi32(u, 31), _mm256_set1_epi32(static_cast<int>(0x80000000u)));
        const __m256i bucket = _mm256_srli_epi32(_mm256_xor_si256(u, flip), 32 - GridTable::kBucketBits);
        const __m256i lo = _mm256_i32gather_epi32(t.bucketLo, bucket, 4);
        __m256i idx = lo;
        for (int j = 0; j < t.bucketCompares; ++j) {
            const __m256 m = _mm256_i32gather_ps(t.mids, _mm256_add_epi32(lo, _mm256_set1_epi32(j)), 4);
            idx = _mm256_sub_epi32(idx, _mm256_castps_si256(_mm256_cmp_ps(m, y, _CMP_LT_OQ)));
        }
        return idx;
    }
    __m256i idx = _mm256_setzero_si256();
    for (int step = t.pow2 / 2; step >= 1; step /= 2) {
        const __m256i st = _mm256_set1_epi32(step);
        const __m256i cand = _mm256_add_epi32(idx, st);
        const __m256 m = _mm256_i32gather_ps(t.mids, _mm256_sub_epi32(cand, _mm256_set1_epi32(1)), 4);
        idx = _mm256_add_epi32(idx, _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(m, y, _CMP_LT_OQ)), st));
    }
    return idx;
}

/// round half away from zero of a non-NaN y (exact for every float).
LOWBIT_AVX2 inline __m256 roundHalfAway(__m256 y)
{
    const __m256 t = _mm256_round_ps(y, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
    const __m256 diff = _mm256_sub_ps(y, t);
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 away = _mm256_cmp_ps(_mm256_and_ps(diff, absMask), _mm256_set1_ps(0.5f), _CMP_GE_OQ);
    const __m256 one = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_andnot_ps(absMask, y)); // copysign(1, y)
    return _mm256_add_ps(t, _mm256_and_ps(away, one));
}

LOWBIT_AVX2 inline float hmax(__m256 v)
{
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_max_ss(m, _mm_shuffle_ps(m, m, 1)));
}

LOWBIT_AVX2 inline float hmin(__m256 v)
{
    __m128 m = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_min_ps(m, _mm_movehl_ps(m, m));
    return _mm_cvtss_f32(_mm_min_ss(m, _mm_shuffle_ps(m, m, 1)));
}

LOWBIT_AVX2 void stats(const float *x, std::int64_t n, float *absmax, float *mn, float *mx, bool *any)
{
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    __m256 vam = _mm256_setzero_ps(), vmn = inf, vmx = _mm256_sub_ps(_mm256_setzero_ps(), inf);
    __m256 vany = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 a = _mm256_and_ps(v, absMask);
        const __m256 fin = _mm256_cmp_ps(a, inf, _CMP_LT_OQ);
        vany = _mm256_or_ps(vany, fin);
        vam = _mm256_max_ps(vam, _mm256_and_ps(fin, a));
        vmn = _mm256_min_ps(vmn, _mm256_blendv_ps(inf, v, fin));
        vmx = _mm256_max_ps(vmx, _mm256_blendv_ps(_mm256_sub_ps(_mm256_setzero_ps(), inf), v, fin));
    }
    bool found = _mm256_movemask_ps(vany) != 0;
    float a0 = hmax(vam), l0 = hmin(vmn), h0 = hmax(vmx); // max/min are exact in any order
    for (; i < n; ++i) {
        if (!std::isfinite(x[i]))
            continue;
        found = true;
        a0 = std::max(a0, std::fabs(x[i]));
        l0 = std::min(l0, x[i]);
        h0 = std::max(h0, x[i]);
    }
    *any = found;
    *absmax = found ? a0 : 0.0f;
    *mn = found ? l0 : 0.0f;
    *mx = found ? h0 : 0.0f;
}

LOWBIT_AVX2 void codesGrid(const float *x, std::int64_t n, float s, const GridTable &t, std::uint8_t *codes)
{
    const __m256 vs = _mm256_set1_ps(s);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        store8(codes + i, gridIndex(zeroNan(_mm256_div_ps(_mm256_loadu_ps(x + i), vs)), t));
    for (; i < n; ++i) {
        float y = x[i] / s;
        y = std::isnan(y) ? 0.0f : y;
        codes[i] = static_cast<std::uint8_t>(std::lower_bound(t.mids, t.mids + t.nMids, y) - t.mids);
    }
}

LOWBIT_AVX2 void codesAfpq(const float *x, std::int64_t n, float sPos, float sNeg, const GridTable &t,
                           std::uint8_t *codes)
{
    const __m256 zero = _mm256_setzero_ps();
    // a zero scale keeps y = 0 on its side: divide by 1 and mask the result away
    const __m256 okPos = sPos != 0.0f ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : zero;
    const __m256 okNeg = sNeg != 0.0f ? _mm256_castsi256_ps(_mm256_set1_epi32(-1)) : zero;
    const __m256 vp = _mm256_set1_ps(sPos != 0.0f ? sPos : 1.0f), vn = _mm256_set1_ps(sNeg != 0.0f ? sNeg : 1.0f);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 pos = _mm256_and_ps(_mm256_cmp_ps(v, zero, _CMP_GT_OQ), okPos);
        const __m256 neg = _mm256_and_ps(_mm256_cmp_ps(v, zero, _CMP_LT_OQ), okNeg);
        const __m256 y = _mm256_or_ps(_mm256_and_ps(pos, _mm256_div_ps(v, vp)), _mm256_and_ps(neg, _mm256_div_ps(v, vn)));
        store8(codes + i, gridIndex(y, t));
    }
    for (; i < n; ++i) {
        const float v = x[i];
        float y = 0.0f;
        if (v > 0.0f && sPos != 0.0f)
            y = v / sPos;
        else if (v < 0.0f && sNeg != 0.0f)
            y = v / sNeg;
        codes[i] = static_cast<std::uint8_t>(std::lower_bound(t.mids, t.mids + t.nMids, y) - t.mids);
    }
}

LOWBIT_AVX2 void codesIntSym(const float *x, std::int64_t n, float s, float qmax, std::uint8_t *codes)
{
    const __m256 vs = _mm256_set1_ps(s), hi = _mm256_set1_ps(qmax), lo = _mm256_set1_ps(-qmax);
    const __m256i off = _mm256_set1_epi32(static_cast<int>(qmax));
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 y = zeroNan(_mm256_div_ps(_mm256_loadu_ps(x + i), vs));
        y = _mm256_min_ps(hi, _mm256_max_ps(lo, y));
        store8(codes + i, _mm256_add_epi32(_mm256_cvttps_epi32(roundHalfAway(y)), off));
    }
    for (; i < n; ++i) {
        float y = x[i] / s;
        y = std::isnan(y) ? 0.0f : y;
        codes[i] = static_cast<std::uint8_t>(static_cast<int>(std::round(std::fmin(qmax, std::fmax(-qmax, y)))) +
                                             static_cast<int>(qmax));
    }
}

LOWBIT_AVX2 void codesIntAsym(const float *x, std::int64_t n, float s, float z, float qmax, std::uint8_t *codes)
{
    const __m256 vs = _mm256_set1_ps(s), vz = _mm256_set1_ps(z), hi = _mm256_set1_ps(qmax);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
        // round(±Inf) stays ±Inf (t = Inf, diff = NaN, not "away"), then clamps
        __m256 q = _mm256_add_ps(roundHalfAway(_mm256_div_ps(v, vs)), vz);
        q = _mm256_blendv_ps(q, vz, nan);
        q = _mm256_min_ps(hi, _mm256_max_ps(_mm256_setzero_ps(), q));
        store8(codes + i, _mm256_cvttps_epi32(q));
    }
    for (; i < n; ++i) {
        const float q = std::isnan(x[i]) ? z : std::round(x[i] / s) + z;
        codes[i] = static_cast<std::uint8_t>(std::fmin(qmax, std::fmax(0.0f, q)));
    }
}

LOWBIT_AVX2 void codesQ40(const float *x, std::int64_t n, float d, std::uint8_t *codes)
{
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    const __m256 vid = _mm256_set1_ps(id), half = _mm256_set1_ps(8.5f), hi = _mm256_set1_ps(15.0f);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 nan = _mm256_cmp_ps(v, v, _CMP_UNORD_Q);
        __m256 q = _mm256_add_ps(_mm256_mul_ps(v, vid), half);
        // operand order as fmax(0, q): a NaN q (0·Inf) gives 0 like the scalar rule
        q = _mm256_min_ps(_mm256_max_ps(q, _mm256_setzero_ps()), hi);
        q = _mm256_blendv_ps(q, _mm256_set1_ps(8.0f), nan);
        store8(codes + i, _mm256_cvttps_epi32(q));
    }
    for (; i < n; ++i)
        codes[i] = std::isnan(x[i]) ? 8
                                    : static_cast<std::uint8_t>(std::fmin(15.0f, std::fmax(0.0f, x[i] * id + 8.5f)));
}

LOWBIT_AVX2 void dequantTable(const std::uint8_t *codes, std::int64_t n, float s, const float *table, float *out)
{
    const __m256 vs = _mm256_set1_ps(s);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(vs, _mm256_i32gather_ps(table, load8(codes + i), 4)));
    for (; i < n; ++i)
        out[i] = s * table[codes[i]];
}

LOWBIT_AVX2 void dequantAsym(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out)
{
    const __m256 vs = _mm256_set1_ps(s), vz = _mm256_set1_ps(z);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_mul_ps(vs, _mm256_sub_ps(_mm256_cvtepi32_ps(load8(codes + i)), vz)));
    for (; i < n; ++i)
        out[i] = s * (static_cast<float>(codes[i]) - z);
}

LOWBIT_AVX2 void dequantAfpq(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *table,
                             float *out)
{
    const __m256 zero = _mm256_setzero_ps(), vp = _mm256_set1_ps(sPos), vn = _mm256_set1_ps(sNeg);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_i32gather_ps(table, load8(codes + i), 4);
        const __m256 pos = _mm256_and_ps(_mm256_cmp_ps(v, zero, _CMP_GT_OQ), _mm256_mul_ps(vp, v));
        const __m256 neg = _mm256_and_ps(_mm256_cmp_ps(v, zero, _CMP_LT_OQ), _mm256_mul_ps(vn, v));
        _mm256_storeu_ps(out + i, _mm256_or_ps(pos, neg));
    }
    for (; i < n; ++i) {
        const float v = table[codes[i]];
        out[i] = v > 0.0f ? sPos * v : (v < 0.0f ? sNeg * v : 0.0f);
    }
}

/// values[idx] for a grid of ≤ 16 values: two in-register permutes instead of a gather.
LOWBIT_AVX2 inline __m256 lookup16(const GridTable &t, __m256i idx)
{
    const __m256 lo = _mm256_permutevar8x32_ps(_mm256_load_ps(t.values), idx);
    const __m256 hi = _mm256_permutevar8x32_ps(_mm256_load_ps(t.values + 8), idx);
    return _mm256_blendv_ps(lo, hi, _mm256_castsi256_ps(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(7))));
}

LOWBIT_AVX2 double mixError(const float *x, const float *xh, const float *w, std::int64_t n)
{
    // lanes 0..3 and 4..7 are the partial sums of elements i ≡ lane (mod 8)
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 fin = _mm256_cmp_ps(_mm256_and_ps(v, absMask), inf, _CMP_LT_OQ);
        // non-finite x: x, x̂ and w read as 0 there, so the partial is unchanged (p + 0 = p)
        const __m256 vx = _mm256_and_ps(v, fin);
        const __m256 vhx = _mm256_and_ps(_mm256_loadu_ps(xh + i), fin);
        __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(vx)), _mm256_cvtps_pd(_mm256_castps256_ps128(vhx)));
        __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(vx, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(vhx, 1)));
        __m256d t0 = d0, t1 = d1;
        if (w) {
            const __m256 vw = _mm256_and_ps(_mm256_loadu_ps(w + i), fin);
            t0 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(vw)), d0);
            t1 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(vw, 1)), d1);
        }
        acc0 = _mm256_add_pd(acc0, _mm256_mul_pd(t0, d0));
        acc1 = _mm256_add_pd(acc1, _mm256_mul_pd(t1, d1));
    }
    alignas(32) double partial[8];
    _mm256_store_pd(partial, acc0);
    _mm256_store_pd(partial + 4, acc1);
    for (; i < n; ++i) {
        if (!std::isfinite(x[i]))
            continue;
        const double d = static_cast<double>(x[i]) - static_cast<double>(xh[i]);
        partial[i % 8] += (w ? static_cast<double>(w[i]) : 1.0) * d * d;
    }
    double err = 0.0;
    for (const double v : partial)
        err += v;
    return err;
}

/// acc += w·d·d for 8 elements (lanes 0..3 → acc0, 4..7 → acc1); non-finite x adds 0.
LOWBIT_AVX2 inline void accumulateError(__m256 v, __m256 vh, const float *w, __m256d &acc0, __m256d &acc1)
{
    const __m256 absMask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7FFFFFFF));
    const __m256 fin = _mm256_cmp_ps(_mm256_and_ps(v, absMask), _mm256_set1_ps(std::numeric_limits<float>::infinity()), _CMP_LT_OQ);
    const __m256 vx = _mm256_and_ps(v, fin), vhx = _mm256_and_ps(vh, fin);
    const __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(vx)), _mm256_cvtps_pd(_mm256_castps256_ps128(vhx)));
    const __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(vx, 1)), _mm256_cvtps_pd(_mm256_extractf128_ps(vhx, 1)));
    __m256d t0 = d0, t1 = d1;
    if (w) {
        const __m256 vw = _mm256_and_ps(_mm256_loadu_ps(w), fin);
        t0 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(vw)), d0);
        t1 = _mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(vw, 1)), d1);
    }
    acc0 = _mm256_add_pd(acc0, _mm256_mul_pd(t0, d0));
    acc1 = _mm256_add_pd(acc1, _mm256_mul_pd(t1, d1));
}

LOWBIT_AVX2 double encodeError(const float *x, const float *w, std::int64_t n, float s, const GridTable *t, float qmax,
                               std::uint8_t *codes)
{
    const __m256 vs = _mm256_set1_ps(s), hi = _mm256_set1_ps(qmax), lo = _mm256_set1_ps(-qmax);
    const __m256i off = _mm256_set1_epi32(static_cast<int>(qmax));
    __m256d acc0 = _mm256_setzero_pd(), acc1 = _mm256_setzero_pd();
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        const __m256 y = zeroNan(_mm256_div_ps(v, vs));
        __m256 vh;
        if (t) {
            const __m256i idx = gridIndex(y, *t);
            store8(codes + i, idx);
            vh = _mm256_mul_ps(vs, t->nMids < 16 ? lookup16(*t, idx) : _mm256_i32gather_ps(t->values, idx, 4));
        } else {
            const __m256 q = roundHalfAway(_mm256_min_ps(hi, _mm256_max_ps(lo, y)));
            store8(codes + i, _mm256_add_epi32(_mm256_cvttps_epi32(q), off));
            vh = _mm256_mul_ps(vs, q);
        }
        accumulateError(v, vh, w ? w + i : nullptr, acc0, acc1);
    }
    alignas(32) double partial[8];
    _mm256_store_pd(partial, acc0);
    _mm256_store_pd(partial + 4, acc1);
    for (; i < n; ++i) {
        float y = x[i] / s;
        y = std::isnan(y) ? 0.0f : y;
        float xh = 0.0f;
        if (t) {
            codes[i] = static_cast<std::uint8_t>(std::lower_bound(t->mids, t->mids + t->nMids, y) - t->mids);
            xh = s * t->values[codes[i]];
        } else {
            const int q = static_cast<int>(std::round(std::fmin(qmax, std::fmax(-qmax, y))));
            codes[i] = static_cast<std::uint8_t>(q + static_cast<int>(qmax));
            xh = s * static_cast<float>(q);
        }
        if (!std::isfinite(x[i]))
            continue;
        const double d = static_cast<double>(x[i]) - static_cast<double>(xh);
        partial[i % 8] += (w ? static_cast<double>(w[i]) : 1.0) * d * d;
    }
    double err = 0.0;
    for (const double e : partial)
        err += e;
    return err;
}

constexpr ElementKernels kAvx2{"avx2",       stats,    codesGrid, codesAfpq,   codesIntSym, codesIntAsym,
                               codesQ40,     mixError, encodeError, dequantTable, dequantAsym, dequantAfpq};

} // namespace

const ElementKernels *avx2Kernels()
{
    static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return ok ? &kAvx2 : nullptr;
}

} // namespace lowbit::formats

#else
namespace lowbit::formats {
const ElementKernels *avx2Kernels() { return nullptr; }
} // namespace lowbit::formats
#endif
