// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/simd_kernels.h"

#include "core/quant/simd_detail.h"

#include "core/dtypes/scalar_convert.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>


namespace lowbit::simd {

using namespace detail;

namespace {

std::atomic<bool> g_forcePortable{false};

bool cpuHasAvx2()
{
#if LOWBIT_HAVE_X86
    static const bool has = __builtin_cpu_supports("avx2") != 0;
    return has;
#else
    return false;
#endif
}


} // namespace

bool avx2Active() { return cpuHasAvx2() && !g_forcePortable.load(std::memory_order_relaxed); }

bool forcePortable(bool portable) { return g_forcePortable.exchange(portable); }

namespace {

/// Order-preserving 12-bit key of a float (−0 and +0 share a key; NaN lands at an end).
inline std::uint32_t orderKey(float v)
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(v + 0.0f);
    const std::uint32_t mask = (u & 0x80000000u) ? 0xFFFFFFFFu : 0x80000000u;
    return (u ^ mask) >> 20;
}

} // namespace

GridLut makeGridLut(std::span<const float> sortedGrid)
{
    GridLut lut;
    lut.values.assign(sortedGrid.begin(), sortedGrid.end());
    const std::size_t n = std::max<std::size_t>(1, sortedGrid.size());
    int steps = 0;
    while ((std::size_t{1} << steps) < n)
        ++steps;
    lut.steps = std::max(steps, 1);
    lut.mids.assign((std::size_t{1} << lut.steps) - 1, std::numeric_limits<float>::infinity());
    for (std::size_t i = 0; i + 1 < sortedGrid.size(); ++i)
        lut.mids[i] = (sortedGrid[i] + sortedGrid[i + 1]) * 0.5f;
    lut.mids16.fill(std::numeric_limits<float>::infinity());
    lut.values16.fill(0.0f);
    if (lut.steps <= 4) {
        std::copy(lut.mids.begin(), lut.mids.end(), lut.mids16.begin());
        std::copy(sortedGrid.begin(), sortedGrid.end(), lut.values16.begin());
    }
    if (lut.steps > 4) {
        const std::size_t nm = sortedGrid.size() - 1;
        lut.midsEnd.assign(lut.mids.begin(), lut.mids.begin() + static_cast<std::ptrdiff_t>(nm));
        lut.midsEnd.push_back(std::numeric_limits<float>::infinity());
        lut.bucketStart.assign(4096, 0);
        std::vector<int> perKey(4096, 0);
        for (std::size_t i = 0; i < nm; ++i)
            ++perKey[orderKey(lut.mids[i])];
        int below = 0, most = 0;
        for (std::size_t k = 0; k < 4096; ++k) {
            lut.bucketStart[k] = below;
            below += perKey[k];
            most = std::max(most, perKey[k]);
        }
        lut.perBucket = most <= 6 ? std::max(most, 1) : 0; // crowded buckets: binary search instead
        if (lut.perBucket == 0) {
            lut.bucketStart.clear();
            lut.midsEnd.clear();
        }
    }
    return lut;
}

#if LOWBIT_HAVE_X86
#define LOWBIT_DISPATCH(name, ...) (avx2Active() ? name##Avx2(__VA_ARGS__) : name##Portable(__VA_ARGS__))
#else
#define LOWBIT_DISPATCH(name, ...) name##Portable(__VA_ARGS__)
#endif

void gridIndices(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes)
{
    LOWBIT_DISPATCH(gridIndices, x, n, s, lut, nanCode, codes);
}

void gridIndicesTwoScale(const float *x, std::int64_t n, float sPos, float sNeg, const GridLut &lut, std::uint8_t zeroCode,
                         std::uint8_t *codes)
{
    LOWBIT_DISPATCH(gridIndicesTwoScale, x, n, sPos, sNeg, lut, zeroCode, codes);
}

void intIndices(const float *x, std::int64_t n, float s, float offset, float maxCode, std::uint8_t nanCode, std::uint8_t *codes)
{
    LOWBIT_DISPATCH(intIndices, x, n, s, offset, maxCode, nanCode, codes);
}

void gridDequant(const std::uint8_t *codes, std::int64_t n, float s, const float *lut, float *out, int lutSize)
{
    LOWBIT_DISPATCH(gridDequant, codes, n, s, lut, out, lutSize);
}

void gridIndicesDequant(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes,
                        float *out)
{
    LOWBIT_DISPATCH(gridIndicesDequant, x, n, s, lut, nanCode, codes, out);
}

void divide(const float *x, std::int64_t n, float s, float *y) { LOWBIT_DISPATCH(divide, x, n, s, y); }

void gridIndicesDequantY(const float *y, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes,
                         float *out)
{
    LOWBIT_DISPATCH(gridIndicesDequantY, y, n, s, lut, nanCode, codes, out);
}

void intDequant(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out)
{
    LOWBIT_DISPATCH(intDequant, codes, n, s, z, out);
}

void gridDequantTwoScale(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *lut, float *out)
{
    LOWBIT_DISPATCH(gridDequantTwoScale, codes, n, sPos, sNeg, lut, out);
}

void squaredErrors4(const float *x, const float *const xh[4], const float *imp, std::int64_t n, double err[4])
{
    LOWBIT_DISPATCH(squaredErrors4, x, xh, imp, n, err);
}

void squaredErrors4x4(int groups, const float *const x[4], const float *const xh[4][4], const float *const imp[4],
                      const std::int64_t n[4], double err[4][4])
{
    LOWBIT_DISPATCH(squaredErrors4x4, groups, x, xh, imp, n, err);
}

void nvfp4Groups16(const float *x, std::int64_t groups, float t, const GridLut &lut, std::uint8_t zeroCode, std::uint8_t *codes,
                   float *scales)
{
    LOWBIT_DISPATCH(nvfp4Groups16, x, groups, t, lut, zeroCode, codes, scales);
}

float absMax(const float *x, std::int64_t n) { return LOWBIT_DISPATCH(absMax, x, n); }

void minMax(const float *x, std::int64_t n, float &mn, float &mx) { LOWBIT_DISPATCH(minMax, x, n, mn, mx); }

} // namespace lowbit::simd
