// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Internal to core/quant/simd_kernels*.cpp: the portable element rules (the definitions the AVX2
/// kernels must equal) and the AVX2 kernels, dispatched by simd_kernels.cpp.

#include "core/dtypes/scalar_convert.h"
#include "core/quant/simd_kernels.h"

#include <array>
#include <cmath>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#define LOWBIT_HAVE_X86 1
#else
#define LOWBIT_HAVE_X86 0
#endif

namespace lowbit::simd::detail {

inline std::uint8_t countBelow(float y, const GridLut &lut)
{
    // branch-free lower bound over the padded, non-decreasing midpoints: #{m < y}
    int pos = 0;
    for (int step = 1 << (lut.steps - 1); step >= 1; step >>= 1)
        if (lut.mids[static_cast<std::size_t>(pos + step - 1)] < y)
            pos += step;
    return static_cast<std::uint8_t>(pos);
}

inline float roundHalfAway(float y)
{
    const float t = std::trunc(y);
    const float d = y - t; // exact
    if (std::fabs(d) >= 0.5f)
        return t + (y < 0.0f ? -1.0f : 1.0f);
    return t;
}

/// E4M3 rounding of an NVFP4 group scale (as the generic path: encode then decode).
inline float nvfp4Scale(float am, float t)
{
    static const auto table = [] {
        std::array<float, 256> v{};
        for (unsigned c = 0; c < 256; ++c)
            v[c] = fp8e4m3ToFloat(static_cast<std::uint8_t>(c));
        return v;
    }();
    return t > 0.0f ? table[floatToFp8e4m3((am / 6.0f) / t)] : 0.0f;
}

void gridIndicesPortable(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes);
void gridIndicesTwoScalePortable(const float *x, std::int64_t n, float sPos, float sNeg, const GridLut &lut,
                                 std::uint8_t zeroCode, std::uint8_t *codes);
void intIndicesPortable(const float *x, std::int64_t n, float s, float offset, float maxCode, std::uint8_t nanCode,
                        std::uint8_t *codes);
void gridDequantPortable(const std::uint8_t *codes, std::int64_t n, float s, const float *lut, float *out, int lutSize = 256);
void gridIndicesDequantPortable(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                std::uint8_t *codes, float *out);
void dividePortable(const float *x, std::int64_t n, float s, float *y);
void gridIndicesDequantYPortable(const float *y, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                 std::uint8_t *codes, float *out);
void intDequantPortable(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out);
void gridDequantTwoScalePortable(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *lut, float *out);
void squaredErrors4Portable(const float *x, const float *const xh[4], const float *imp, std::int64_t n, double err[4]);
void squaredErrors4x4Portable(int groups, const float *const x[4], const float *const xh[4][4], const float *const imp[4],
                              const std::int64_t n[4], double err[4][4]);
void nvfp4Groups16Portable(const float *x, std::int64_t groups, float t, const GridLut &lut, std::uint8_t zeroCode,
                           std::uint8_t *codes, float *scales);
float absMaxPortable(const float *x, std::int64_t n);
void minMaxPortable(const float *x, std::int64_t n, float &mn, float &mx);

#if LOWBIT_HAVE_X86
void gridIndicesAvx2(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                 std::uint8_t *codes);
void gridIndicesTwoScaleAvx2(const float *x, std::int64_t n, float sPos, float sNeg, const GridLut &lut,
                                         std::uint8_t zeroCode, std::uint8_t *codes);
void intIndicesAvx2(const float *x, std::int64_t n, float s, float offset, float maxCode, std::uint8_t nanCode,
                                std::uint8_t *codes);
void gridDequantAvx2(const std::uint8_t *codes, std::int64_t n, float s, const float *lut, float *out, int lutSize);
void gridIndicesDequantAvx2(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                        std::uint8_t *codes, float *out);
void divideAvx2(const float *x, std::int64_t n, float s, float *y);
void gridIndicesDequantYAvx2(const float *yv, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                         std::uint8_t *codes, float *out);
void intDequantAvx2(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out);
void gridDequantTwoScaleAvx2(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *lut,
                                         float *out);
void squaredErrors4Avx2(const float *x, const float *const xh[4], const float *imp, std::int64_t n, double err[4]);
void squaredErrors4x4Avx2(int groups, const float *const x[4], const float *const xh[4][4], const float *const imp[4],
                                      const std::int64_t n[4], double err[4][4]);
float absMaxAvx2(const float *x, std::int64_t n);
void nvfp4Groups16Avx2(const float *x, std::int64_t groups, float t, const GridLut &lut, std::uint8_t zeroCode,
                                   std::uint8_t *codes, float *scales);
void minMaxAvx2(const float *x, std::int64_t n, float &mn, float &mx);
#endif

} // namespace lowbit::simd::detail
