// SPDX-License-Identifier: GPL-3.0-or-later
// Portable element rules of the quantization kernels: the definitions the AVX2 versions equal.
#include "core/quant/simd_detail.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace lowbit::simd::detail {




void gridIndicesPortable(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode, std::uint8_t *codes)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const float y = x[i] / s;
        codes[i] = std::isnan(y) ? nanCode : countBelow(y, lut);
    }
}

void gridIndicesTwoScalePortable(const float *x, std::int64_t n, float sPos, float sNeg, const GridLut &lut,
                                 std::uint8_t zeroCode, std::uint8_t *codes)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        const float y = v > 0.0f ? v / sPos : (v < 0.0f ? v / sNeg : NAN);
        codes[i] = std::isnan(y) ? zeroCode : countBelow(y, lut);
    }
}

void intIndicesPortable(const float *x, std::int64_t n, float s, float offset, float maxCode, std::uint8_t nanCode,
                        std::uint8_t *codes)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const float y = x[i] / s;
        if (std::isnan(y)) {
            codes[i] = nanCode;
            continue;
        }
        float q = roundHalfAway(y) + offset;
        q = q < 0.0f ? 0.0f : (q > maxCode ? maxCode : q);
        codes[i] = static_cast<std::uint8_t>(q);
    }
}

void gridDequantPortable(const std::uint8_t *codes, std::int64_t n, float s, const float *lut, float *out, int)
{
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = lut[codes[i]] * s;
}

void gridIndicesDequantPortable(const float *x, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                std::uint8_t *codes, float *out)
{
    gridIndicesPortable(x, n, s, lut, nanCode, codes);
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = lut.values[codes[i]] * s;
}

void dividePortable(const float *x, std::int64_t n, float s, float *y)
{
    for (std::int64_t i = 0; i < n; ++i)
        y[i] = x[i] / s;
}

void gridIndicesDequantYPortable(const float *y, std::int64_t n, float s, const GridLut &lut, std::uint8_t nanCode,
                                 std::uint8_t *codes, float *out)
{
    for (std::int64_t i = 0; i < n; ++i) {
        codes[i] = std::isnan(y[i]) ? nanCode : countBelow(y[i], lut);
        out[i] = lut.values[codes[i]] * s;
    }
}

void intDequantPortable(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out)
{
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = (static_cast<float>(codes[i]) - z) * s;
}

void gridDequantTwoScalePortable(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *lut, float *out)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = lut[codes[i]];
        out[i] = v * (v < 0.0f ? sNeg : sPos);
    }
}

void squaredErrors4Portable(const float *x, const float *const xh[4], const float *imp, std::int64_t n, double err[4])
{
    for (int k = 0; k < 4; ++k) {
        double e = 0.0;
        for (std::int64_t i = 0; i < n; ++i) {
            const double d = static_cast<double>(x[i]) - static_cast<double>(xh[k][i]);
            e += imp ? static_cast<double>(imp[i]) * d * d : d * d;
        }
        err[k] = e;
    }
}

void squaredErrors4x4Portable(int groups, const float *const x[4], const float *const xh[4][4], const float *const imp[4],
                              const std::int64_t n[4], double err[4][4])
{
    for (int q = 0; q < groups; ++q)
        squaredErrors4Portable(x[q], xh[q], imp[q], n[q], err[q]);
}


void nvfp4Groups16Portable(const float *x, std::int64_t groups, float t, const GridLut &lut, std::uint8_t zeroCode,
                           std::uint8_t *codes, float *scales)
{
    for (std::int64_t g = 0; g < groups; ++g) {
        const float *xg = x + g * 16;
        float am = 0.0f;
        for (int i = 0; i < 16; ++i) {
            const float a = std::fabs(xg[i]);
            am = a > am ? a : am;
        }
        scales[g] = nvfp4Scale(am, t);
        const float s = scales[g] * t;
        for (int i = 0; i < 16; ++i) {
            const float y = xg[i] / s;
            codes[g * 16 + i] = s == 0.0f || std::isnan(y) ? zeroCode : countBelow(y, lut);
        }
    }
}

float absMaxPortable(const float *x, std::int64_t n)
{
    float m = 0.0f;
    for (std::int64_t i = 0; i < n; ++i) {
        const float a = std::fabs(x[i]);
        m = a > m ? a : m; // NaN compares false: ignored
    }
    return m;
}

void minMaxPortable(const float *x, std::int64_t n, float &mn, float &mx)
{
    float lo = std::numeric_limits<float>::infinity(), hi = -std::numeric_limits<float>::infinity();
    for (std::int64_t i = 0; i < n; ++i) {
        lo = x[i] < lo ? x[i] : lo;
        hi = x[i] > hi ? x[i] : hi;
    }
    mn = lo;
    mx = hi;
}

} // namespace lowbit::simd::detail
