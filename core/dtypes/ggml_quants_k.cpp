// SPDX-License-Identifier: GPL-3.0-or-later
// Reference quantizers of the K-quant super-blocks (256 weights) Q4_K and Q6_K, following the
// arithmetic of ggml-quants.c's quantize_row_q4_K_ref / quantize_row_q6_K_ref step by step (all
// fp32, same operation order) so the blocks are byte-identical with llama.cpp's.
#include "core/dtypes/ggml_quants.h"

#include "core/dtypes/blocks.h"
#include "core/dtypes/ggml_dequant.h"
#include "core/dtypes/scalar_convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lowbit {

using ggml_detail::nearestInt;

namespace {

constexpr float kGroupMaxEps = 1e-15f;

/// ggml's make_qkx2_quants: an asymmetric fit x ≈ scale·L − min (L in 0..nmax, min ≥ 0 returned
/// through theMin) minimising the weighted squared error over a small grid of trial scales.
float fitAsymmetric(int n, int nmax, const float *x, const float *weights, std::uint8_t *L, float &theMin,
                    float rmin, float rdelta, int nstep)
{
    float min = x[0], max = x[0];
    float sumW = weights[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        min = std::min(min, x[i]);
        max = std::max(max, x[i]);
        sumW += weights[i];
        sumX += weights[i] * x[i];
    }
    if (min > 0)
        min = 0;
    if (max == min) {
        std::fill(L, L + n, std::uint8_t{0});
        theMin = -min;
        return 0.0f;
    }
    const float fnmax = static_cast<float>(nmax);
    float iscale = fnmax / (max - min);
    float scale = 1.0f / iscale;
    float bestError = 0.0f;
    for (int i = 0; i < n; ++i) {
        const int l = std::clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
        L[i] = static_cast<std::uint8_t>(l);
        const float diff = scale * static_cast<float>(l) + min - x[i];
        bestError += weights[i] * (diff * diff);
    }
    std::uint8_t aux[32];
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + fnmax) / (max - min);
        float sumL = 0, sumL2 = 0, sumXL = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
            aux[i] = static_cast<std::uint8_t>(l);
            const float fl = static_cast<float>(l);
            const float w = weights[i];
            sumL += w * fl;
            sumL2 += w * fl * fl;
            sumXL += w * fl * x[i];
        }
        const float D = sumW * sumL2 - sumL * sumL;
        if (D > 0) {
            float thisScale = (sumW * sumXL - sumX * sumL) / D;
            float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXL / sumL2;
            }
            float error = 0;
            for (int i = 0; i < n; ++i) {
                const float diff = thisScale * static_cast<float>(aux[i]) + thisMin - x[i];
                error += weights[i] * (diff * diff);
            }
            if (error < bestError) {
                std::copy(aux, aux + n, L);
                bestError = error;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    theMin = -min;
    return scale;
}

/// ggml's make_qx_quants with rmse_type 1 and no importance: a symmetric fit x ≈ scale·(L − nmax)
/// (L in 0..2·nmax − 1) with weights x², over 19 trial scales.
float fitSymmetric(int n, int nmax, const float *x, std::int8_t *L)
{
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    if (amax < kGroupMaxEps) {
        std::fill(L, L + n, std::int8_t{0});
        return 0.0f;
    }
    const float fnmax = static_cast<float>(nmax);
    auto level = [&](float iscale, int i) { return std::clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1); };
    float iscale = -fnmax / max;
    float sumlx = 0, suml2 = 0;
    for (int i = 0; i < n; ++i) {
        const int l = level(iscale, i);
        L[i] = static_cast<std::int8_t>(l + nmax);
        const float w = x[i] * x[i];
        const float fl = static_cast<float>(l);
        sumlx += w * x[i] * fl;
        suml2 += w * fl * fl;
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; ++is) {
        if (is == 0)
            continue;
        iscale = -(fnmax + 0.1f * static_cast<float>(is)) / max;
        sumlx = suml2 = 0;
        for (int i = 0; i < n; ++i) {
            const float fl = static_cast<float>(level(iscale, i));
            const float w = x[i] * x[i];
            sumlx += w * x[i] * fl;
            suml2 += w * fl * fl;
        }
        if (suml2 > 0 && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; ++i)
                L[i] = static_cast<std::int8_t>(level(iscale, i) + nmax);
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

} // namespace

void quantizeQ4_KRef(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        std::uint8_t L[kQK_K];
        float weights[32], mins[8], scales[8];
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; ++j) {
            const float *xs = x + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; ++l)
                sumX2 += xs[l] * xs[l];
            const float avX = std::sqrt(sumX2 / 32.0f);
            for (int l = 0; l < 32; ++l)
                weights[l] = avX + std::fabs(xs[l]);
            scales[j] = fitAsymmetric(32, 15, xs, weights, L + 32 * j, mins[j], -1.0f, 0.1f, 20);
            maxScale = std::max(maxScale, scales[j]);
            maxMin = std::max(maxMin, mins[j]);
        }
        const float invScale = maxScale > 0 ? 63.0f / maxScale : 0.0f;
        const float invMin = maxMin > 0 ? 63.0f / maxMin : 0.0f;
        BlockQ4_K blk{};
        for (int j = 0; j < 8; ++j) {
            // ggml stores nearest_int into a uint8_t before the MIN: keep the wrap-around
            const auto ls = static_cast<std::uint8_t>(std::min(63, static_cast<int>(static_cast<std::uint8_t>(nearestInt(invScale * scales[j])))));
            const auto lm = static_cast<std::uint8_t>(std::min(63, static_cast<int>(static_cast<std::uint8_t>(nearestInt(invMin * mins[j])))));
            if (j < 4) {
                blk.scales[j] = ls;
                blk.scales[j + 4] = lm;
            } else {
                blk.scales[j + 4] = static_cast<std::uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
                blk.scales[j - 4] = static_cast<std::uint8_t>(blk.scales[j - 4] | ((ls >> 4) << 6));
                blk.scales[j] = static_cast<std::uint8_t>(blk.scales[j] | ((lm >> 4) << 6));
            }
        }
        blk.d = floatToFp16(maxScale / 63.0f);
        blk.dmin = floatToFp16(maxMin / 63.0f);
        for (int j = 0; j < 8; ++j) {
            unsigned char sc, m;
            kQuantScaleMin(j, blk.scales, sc, m);
            const float d = fp16ToFloat(blk.d) * static_cast<float>(sc);
            if (d == 0.0f)
                continue;
            const float dm = fp16ToFloat(blk.dmin) * static_cast<float>(m);
            for (int i = 0; i < 32; ++i)
                L[32 * j + i] = static_cast<std::uint8_t>(std::clamp(nearestInt((x[32 * j + i] + dm) / d), 0, 15));
        }
        std::uint8_t *q = blk.qs;
        for (int j = 0; j < kQK_K; j += 64, q += 32)
            for (int l = 0; l < 32; ++l)
                q[l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 4));
        std::memcpy(dst + b * sizeof blk, &blk, sizeof blk);
    }
}

void quantizeQ6_KRef(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / kQK_K; ++b, x += kQK_K) {
        std::int8_t L[kQK_K];
        float scales[16];
        float maxScale = 0, maxAbsScale = 0;
        for (int ib = 0; ib < 16; ++ib) {
            scales[ib] = fitSymmetric(16, 32, x + 16 * ib, L + 16 * ib);
            if (std::fabs(scales[ib]) > maxAbsScale) {
                maxAbsScale = std::fabs(scales[ib]);
                maxScale = scales[ib];
            }
        }
        BlockQ6_K blk{};
        if (maxAbsScale < kGroupMaxEps) {
            std::memcpy(dst + b * sizeof blk, &blk, sizeof blk); // all zero, d = +0
            continue;
        }
        const float iscale = -128.0f / maxScale;
        blk.d = floatToFp16(1.0f / iscale);
        for (int ib = 0; ib < 16; ++ib)
            blk.scales[ib] = static_cast<std::int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
        for (int j = 0; j < 16; ++j) {
            const float d = fp16ToFloat(blk.d) * static_cast<float>(blk.scales[j]);
            if (d == 0.0f)
                continue;
            for (int i = 0; i < 16; ++i)
                L[16 * j + i] = static_cast<std::int8_t>(std::clamp(nearestInt(x[16 * j + i] / d), -32, 31) + 32);
        }
        std::uint8_t *ql = blk.ql;
        std::uint8_t *qh = blk.qh;
        for (int j = 0; j < kQK_K; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                ql[l] = static_cast<std::uint8_t>(q1 | (q3 << 4));
                ql[l + 32] = static_cast<std::uint8_t>(q2 | (q4 << 4));
                qh[l] = static_cast<std::uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4)
                                                  | ((L[j + l + 96] >> 4) << 6));
            }
        }
        std::memcpy(dst + b * sizeof blk, &blk, sizeof blk);
    }
}

} // namespace lowbit
