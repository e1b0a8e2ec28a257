// SPDX-License-Identifier: GPL-3.0-or-later
// CentroidSearch (kmeans.h): nearest centroid by ‖c‖² − 2·x·c over blocks of 8 centroids, 4 vectors
// per tile. The AVX2 + FMA kernel and the portable loop evaluate the same scores in the same order
// (the kernel fuses the multiply-adds, so a near tie may resolve differently).
#include "core/methods/kmeans.h"

#include "core/quant/simd_kernels.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#if defined(__x86_64__) || defined(__i386__)
#define LOWBIT_KMEANS_X86 1
#include <immintrin.h>
#else
#define LOWBIT_KMEANS_X86 0
#endif

namespace lowbit {

namespace {

constexpr int kLanes = 8; // centroids per block
constexpr int kTile = 4;  // vectors per tile

/// Picks the lowest index among the lanes holding the minimum score.
inline std::uint32_t reduceLanes(const float *best, const std::uint32_t *idx)
{
    float v = best[0];
    std::uint32_t i = idx[0];
    for (int l = 1; l < kLanes; ++l)
        if (best[l] < v || (best[l] == v && idx[l] < i)) {
            v = best[l];
            i = idx[l];
        }
    return i;
}

/// xm2: kTile × dim values −2·(x − mean). Portable version of the kernel below.
void searchTilePortable(const float *blocked, const float *norms, int blocks, int dim, const float *xm2, std::uint32_t *out)
{
    for (int t = 0; t < kTile; ++t) {
        std::array<float, kLanes> best;
        std::array<std::uint32_t, kLanes> idx{};
        best.fill(std::numeric_limits<float>::infinity());
        const float *xt = xm2 + t * dim;
        for (int b = 0; b < blocks; ++b) {
            const float *cb = blocked + static_cast<std::size_t>(b) * static_cast<std::size_t>(dim) * kLanes;
            std::array<float, kLanes> acc;
            for (int l = 0; l < kLanes; ++l)
                acc[static_cast<std::size_t>(l)] = norms[b * kLanes + l];
            for (int d = 0; d < dim; ++d)
                for (int l = 0; l < kLanes; ++l)
                    acc[static_cast<std::size_t>(l)] += xt[d] * cb[d * kLanes + l];
            for (int l = 0; l < kLanes; ++l) {
                const auto ul = static_cast<std::size_t>(l);
                if (acc[ul] < best[ul]) {
                    best[ul] = acc[ul];
                    idx[ul] = static_cast<std::uint32_t>(b * kLanes + l);
                }
            }
        }
        out[t] = reduceLanes(best.data(), idx.data());
    }
}

/// Lowest-index minimum over the lanes and the smallest other score (every other lane's best and
/// every lane's second best).
inline std::uint32_t reduceLanesWithSecond(const float *best, const std::uint32_t *idx, const float *second, float &secondOut)
{
    int bl = 0;
    for (int l = 1; l < kLanes; ++l)
        if (best[l] < best[bl] || (best[l] == best[bl] && idx[l] < idx[bl]))
            bl = l;
    float s2 = std::numeric_limits<float>::infinity();
    for (int l = 0; l < kLanes; ++l) {
        if (l != bl)
            s2 = std::min(s2, best[l]);
        s2 = std::min(s2, second[l]);
    }
    secondOut = s2;
    return idx[bl];
}

/// One vector (xm2: dim values −2·(x − mean)): nearest centroid and the second-best score.
void searchSecondPortable(const float *blocked, const float *norms, int blocks, int dim, const float *xm2, std::uint32_t &out, float &second)
{
    std::array<float, kLanes> best, sec;
    std::array<std::uint32_t, kLanes> idx{};
    best.fill(std::numeric_limits<float>::infinity());
    sec.fill(std::numeric_limits<float>::infinity());
    for (int b = 0; b < blocks; ++b) {
        const float *cb = blocked + static_cast<std::size_t>(b) * static_cast<std::size_t>(dim) * kLanes;
        std::array<float, kLanes> acc;
        for (int l = 0; l < kLanes; ++l)
            acc[static_cast<std::size_t>(l)] = norms[b * kLanes + l];
        for (int d = 0; d < dim; ++d)
            for (int l = 0; l < kLanes; ++l)
                acc[static_cast<std::size_t>(l)] += xm2[d] * cb[d * kLanes + l];
        for (int l = 0; l < kLanes; ++l) {
            const auto ul = static_cast<std::size_t>(l);
            if (acc[ul] < best[ul]) {
                sec[ul] = best[ul];
                best[ul] = acc[ul];
                idx[ul] = static_cast<std::uint32_t>(b * kLanes + l);
            } else if (acc[ul] < sec[ul]) {
                sec[ul] = acc[ul];
            }
        }
    }
    out = reduceLanesWithSecond(best.data(), idx.data(), sec.data(), second);
}

#if LOWBIT_KMEANS_X86
#define LOWBIT_AVX2_FMA __attribute__((target("avx2,fma")))

bool cpuHasAvx2Fma()
{
    static const bool has = __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0;
    return has;
}

template <int Dim>
LOWBIT_AVX2_FMA void searchTileAvx2(const float *blocked, const float *norms, int blocks, int dimRuntime, const float *xm2,
                                    std::uint32_t *out)
{
    const int dim = Dim > 0 ? Dim : dimRuntime;
    const float *x0 = xm2, *x1 = xm2 + dim, *x2 = xm2 + 2 * dim, *x3 = xm2 + 3 * dim;
    const __m256 inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    __m256 b0 = inf, b1 = inf, b2 = inf, b3 = inf;
    __m256i i0 = _mm256_setzero_si256(), i1 = i0, i2 = i0, i3 = i0;
    __m256i cur = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i step = _mm256_set1_epi32(kLanes);
    for (int b = 0; b < blocks; ++b) {
        const float *cb = blocked + static_cast<std::size_t>(b) * static_cast<std::size_t>(dim) * kLanes;
        const __m256 nrm = _mm256_loadu_ps(norms + b * kLanes);
        __m256 a0 = nrm, a1 = nrm, a2 = nrm, a3 = nrm;
        for (int d = 0; d < dim; ++d) {
            const __m256 c = _mm256_loadu_ps(cb + d * kLanes);
            a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(x0 + d), c, a0);
            a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(x1 + d), c, a1);
            a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(x2 + d), c, a2);
            a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(x3 + d), c, a3);
        }
        const __m256 m0 = _mm256_cmp_ps(a0, b0, _CMP_LT_OQ);
        const __m256 m1 = _mm256_cmp_ps(a1, b1, _CMP_LT_OQ);
        const __m256 m2 = _mm256_cmp_ps(a2, b2, _CMP_LT_OQ);
        const __m256 m3 = _mm256_cmp_ps(a3, b3, _CMP_LT_OQ);
        b0 = _mm256_blendv_ps(b0, a0, m0);
        b1 = _mm256_blendv_ps(b1, a1, m1);
        b2 = _mm256_blendv_ps(b2, a2, m2);
        b3 = _mm256_blendv_ps(b3, a3, m3);
        const __m256 cf = _mm256_castsi256_ps(cur);
        i0 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i0), cf, m0));
        i1 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i1), cf, m1));
        i2 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i2), cf, m2));
        i3 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i3), cf, m3));
        cur = _mm256_add_epi32(cur, step);
    }
    alignas(32) float best[kLanes];
    alignas(32) std::uint32_t idx[kLanes];
    const __m256 bs[kTile] = {b0, b1, b2, b3};
    const __m256i is[kTile] = {i0, i1, i2, i3};
    for (int t = 0; t < kTile; ++t) {
        _mm256_store_ps(best, bs[t]);
        _mm256_store_si256(reinterpret_cast<__m256i *>(idx), is[t]);
        out[t] = reduceLanes(best, idx);
    }
}

/// Two vectors at a time, tracking the second-best score per lane too.
template <int Dim>
LOWBIT_AVX2_FMA void searchSecondAvx2(const float *blocked, const float *norms, int blocks, int dimRuntime, const float *xm2,
                                      std::uint32_t *out, float *second)
{
    const int dim = Dim > 0 ? Dim : dimRuntime;
    const float *x0 = xm2, *x1 = xm2 + dim;
    const __m256 inf = _mm256_set1_ps(std::numeric_limits<float>::infinity());
    __m256 b0 = inf, b1 = inf, s0 = inf, s1 = inf;
    __m256i i0 = _mm256_setzero_si256(), i1 = i0;
    __m256i cur = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i step = _mm256_set1_epi32(kLanes);
    for (int b = 0; b < blocks; ++b) {
        const float *cb = blocked + static_cast<std::size_t>(b) * static_cast<std::size_t>(dim) * kLanes;
        __m256 a0 = _mm256_loadu_ps(norms + b * kLanes), a1 = a0;
        for (int d = 0; d < dim; ++d) {
            const __m256 c = _mm256_loadu_ps(cb + d * kLanes);
            a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(x0 + d), c, a0);
            a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(x1 + d), c, a1);
        }
        const __m256 m0 = _mm256_cmp_ps(a0, b0, _CMP_LT_OQ), n0 = _mm256_cmp_ps(a0, s0, _CMP_LT_OQ);
        const __m256 m1 = _mm256_cmp_ps(a1, b1, _CMP_LT_OQ), n1 = _mm256_cmp_ps(a1, s1, _CMP_LT_OQ);
        s0 = _mm256_blendv_ps(_mm256_blendv_ps(s0, a0, n0), b0, m0); // new best: the old best becomes second
        s1 = _mm256_blendv_ps(_mm256_blendv_ps(s1, a1, n1), b1, m1);
        b0 = _mm256_blendv_ps(b0, a0, m0);
        b1 = _mm256_blendv_ps(b1, a1, m1);
        const __m256 cf = _mm256_castsi256_ps(cur);
        i0 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i0), cf, m0));
        i1 = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(i1), cf, m1));
        cur = _mm256_add_epi32(cur, step);
    }
    alignas(32) float best[kLanes], sec[kLanes];
    alignas(32) std::uint32_t idx[kLanes];
    const __m256 bs[2] = {b0, b1}, ss[2] = {s0, s1};
    const __m256i is[2] = {i0, i1};
    for (int t = 0; t < 2; ++t) {
        _mm256_store_ps(best, bs[t]);
        _mm256_store_ps(sec, ss[t]);
        _mm256_store_si256(reinterpret_cast<__m256i *>(idx), is[t]);
        out[t] = reduceLanesWithSecond(best, idx, sec, second[t]);
    }
}

void searchSecondFast(const float *blocked, const float *norms, int blocks, int dim, const float *xm2, std::uint32_t *out, float *second)
{
    switch (dim) {
    case 2: return searchSecondAvx2<2>(blocked, norms, blocks, dim, xm2, out, second);
    case 4: return searchSecondAvx2<4>(blocked, norms, blocks, dim, xm2, out, second);
    case 6: return searchSecondAvx2<6>(blocked, norms, blocks, dim, xm2, out, second);
    case 8: return searchSecondAvx2<8>(blocked, norms, blocks, dim, xm2, out, second);
    case 12: return searchSecondAvx2<12>(blocked, norms, blocks, dim, xm2, out, second);
    case 16: return searchSecondAvx2<16>(blocked, norms, blocks, dim, xm2, out, second);
    default: return searchSecondAvx2<0>(blocked, norms, blocks, dim, xm2, out, second);
    }
}

void searchTileFast(const float *blocked, const float *norms, int blocks, int dim, const float *xm2, std::uint32_t *out)
{
    switch (dim) {
    case 2: return searchTileAvx2<2>(blocked, norms, blocks, dim, xm2, out);
    case 4: return searchTileAvx2<4>(blocked, norms, blocks, dim, xm2, out);
    case 6: return searchTileAvx2<6>(blocked, norms, blocks, dim, xm2, out);
    case 8: return searchTileAvx2<8>(blocked, norms, blocks, dim, xm2, out);
    case 12: return searchTileAvx2<12>(blocked, norms, blocks, dim, xm2, out);
    case 16: return searchTileAvx2<16>(blocked, norms, blocks, dim, xm2, out);
    default: return searchTileAvx2<0>(blocked, norms, blocks, dim, xm2, out);
    }
}
#endif

bool useFastKernel()
{
#if LOWBIT_KMEANS_X86
    // simd::avx2Active() honours the tests' forcePortable switch.
    return cpuHasAvx2Fma() && simd::avx2Active();
#else
    return false;
#endif
}

} // namespace

double squaredDistance(const float *a, const float *b, int dim)
{
    double s = 0;
    for (int d = 0; d < dim; ++d) {
        const double t = static_cast<double>(a[d]) - static_cast<double>(b[d]);
        s += t * t;
    }
    return s;
}

CentroidSearch::CentroidSearch(std::span<const float> centroids, int k, int dim)
    : m_k(k), m_dim(dim), m_blocks((k + kLanes - 1) / kLanes), m_centroids(centroids.begin(), centroids.end())
{
    const auto udim = static_cast<std::size_t>(dim);
    std::vector<double> mean(udim, 0.0);
    for (int i = 0; i < k; ++i)
        for (std::size_t d = 0; d < udim; ++d)
            mean[d] += m_centroids[static_cast<std::size_t>(i) * udim + d];
    m_mean.resize(udim);
    for (std::size_t d = 0; d < udim; ++d)
        m_mean[d] = static_cast<float>(mean[d] / std::max(1, k));
    m_blocked.assign(static_cast<std::size_t>(m_blocks) * udim * kLanes, 0.0f);
    m_norms.assign(static_cast<std::size_t>(m_blocks) * kLanes, std::numeric_limits<float>::infinity());
    for (int i = 0; i < k; ++i) {
        const std::size_t b = static_cast<std::size_t>(i / kLanes), l = static_cast<std::size_t>(i % kLanes);
        double n = 0;
        for (std::size_t d = 0; d < udim; ++d) {
            const float c = m_centroids[static_cast<std::size_t>(i) * udim + d] - m_mean[d];
            m_blocked[(b * udim + d) * kLanes + l] = c;
            n += static_cast<double>(c) * c;
        }
        m_norms[static_cast<std::size_t>(i)] = static_cast<float>(n);
    }
}

void CentroidSearch::assignTile(const float *x, int count, std::uint32_t *out, float *scratch) const
{
    // scratch: kTile × dim values −2·(x − mean); a short tile repeats its last vector.
    for (int t = 0; t < kTile; ++t) {
        const float *xv = x + static_cast<std::ptrdiff_t>(std::min(t, count - 1)) * m_dim;
        for (int d = 0; d < m_dim; ++d)
            scratch[t * m_dim + d] = -2.0f * (xv[d] - m_mean[static_cast<std::size_t>(d)]);
    }
    std::uint32_t res[kTile];
#if LOWBIT_KMEANS_X86
    if (useFastKernel())
        searchTileFast(m_blocked.data(), m_norms.data(), m_blocks, m_dim, scratch, res);
    else
#endif
        searchTilePortable(m_blocked.data(), m_norms.data(), m_blocks, m_dim, scratch, res);
    for (int t = 0; t < count; ++t)
        out[t] = res[t];
}

void CentroidSearch::assign(const float *x, std::int64_t n, std::uint32_t *out, unsigned threads) const
{
    if (n <= 0 || m_k <= 0)
        return;
    const std::int64_t tiles = (n + kTile - 1) / kTile;
    // Work per tile ~ k·dim; keep chunks at ≥ ~2M multiply-adds so thread start-up stays small.
    const std::int64_t perTile = std::max<std::int64_t>(1, static_cast<std::int64_t>(m_k) * m_dim * kTile);
    const std::int64_t minChunk = std::max<std::int64_t>(1, (std::int64_t(1) << 21) / perTile);
    parallelFor(
        tiles,
        [&](std::int64_t t0, std::int64_t t1) {
            std::vector<float> scratch(static_cast<std::size_t>(kTile * m_dim));
            for (std::int64_t t = t0; t < t1; ++t) {
                const std::int64_t i = t * kTile;
                const int count = static_cast<int>(std::min<std::int64_t>(kTile, n - i));
                assignTile(x + i * m_dim, count, out + i, scratch.data());
            }
        },
        threads, minChunk);
}

void CentroidSearch::assignWithSecond(const float *x, std::int64_t n, std::uint32_t *out, float *second, unsigned threads) const
{
    if (n <= 0 || m_k <= 0)
        return;
    float maxNorm = 0;
    for (int i = 0; i < m_k; ++i)
        maxNorm = std::max(maxNorm, m_norms[static_cast<std::size_t>(i)]);
    const std::int64_t pairs = (n + 1) / 2;
    const std::int64_t perPair = std::max<std::int64_t>(1, static_cast<std::int64_t>(m_k) * m_dim * 2);
    parallelFor(
        pairs,
        [&](std::int64_t p0, std::int64_t p1) {
            std::vector<float> xm2(static_cast<std::size_t>(2 * m_dim));
            float sec[2];
            std::uint32_t res[2];
            for (std::int64_t p = p0; p < p1; ++p) {
                const std::int64_t i = 2 * p;
                const int count = static_cast<int>(std::min<std::int64_t>(2, n - i));
                float xx[2] = {0, 0};
                for (int t = 0; t < 2; ++t) {
                    const float *xv = x + (i + std::min(t, count - 1)) * m_dim;
                    for (int d = 0; d < m_dim; ++d) {
                        const float c = xv[d] - m_mean[static_cast<std::size_t>(d)];
                        xm2[static_cast<std::size_t>(t * m_dim + d)] = -2.0f * c;
                        xx[t] += c * c;
                    }
                }
#if LOWBIT_KMEANS_X86
                if (useFastKernel())
                    searchSecondFast(m_blocked.data(), m_norms.data(), m_blocks, m_dim, xm2.data(), res, sec);
                else
#endif
                {
                    searchSecondPortable(m_blocked.data(), m_norms.data(), m_blocks, m_dim, xm2.data(), res[0], sec[0]);
                    searchSecondPortable(m_blocked.data(), m_norms.data(), m_blocks, m_dim, xm2.data() + m_dim, res[1], sec[1]);
                }
                for (int t = 0; t < count; ++t) {
                    out[i + t] = res[t];
                    // Scores carry rounding of order 1e-7·(‖x‖² + ‖c‖²) (centred); keep the bound safe.
                    const float margin = 1e-5f * (xx[t] + maxNorm) + 1e-30f;
                    second[i + t] = std::max(0.0f, sec[t] + xx[t] - margin);
                }
            }
        },
        threads, std::max<std::int64_t>(1, (std::int64_t(1) << 21) / perPair));
}

std::uint32_t CentroidSearch::nearestPrefix(const float *x, int len) const
{
    double best = std::numeric_limits<double>::infinity();
    std::uint32_t bi = 0;
    for (int i = 0; i < m_k; ++i) {
        const double d = squaredDistance(x, centroid(static_cast<std::uint32_t>(i)), len);
        if (d < best) {
            best = d;
            bi = static_cast<std::uint32_t>(i);
        }
    }
    return bi;
}

} // namespace lowbit
