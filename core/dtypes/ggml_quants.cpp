// SPDX-License-Identifier: GPL-3.0-or-later
// Reference quantizers of the 32-weight ggml blocks and the plain float types; the K-quants are
// in ggml_quants_k.cpp.
#include "core/dtypes/ggml_quants.h"

#include "core/dtypes/blocks.h"
#include "core/dtypes/scalar_convert.h"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace lowbit {

namespace ggml_detail {

int nearestInt(float x)
{
    const float v = x + 12582912.0f; // 1.5·2^23: the mantissa then holds round-half-even(x) + 2^22
    return static_cast<int>(std::bit_cast<std::uint32_t>(v) & 0x007FFFFFu) - 0x00400000;
}

int truncClamp(float x, int lo, int hi)
{
    if (std::isnan(x))
        return 0;
    if (x <= static_cast<float>(lo))
        return lo;
    if (x >= static_cast<float>(hi))
        return hi;
    return static_cast<int>(x);
}

} // namespace ggml_detail

using ggml_detail::truncClamp;

namespace {

template <class Block>
void storeBlock(std::byte *dst, std::size_t i, const Block &b)
{
    std::memcpy(dst + i * sizeof(Block), &b, sizeof(Block));
}

/// The element of largest magnitude (the first on ties) and that magnitude.
void signedMax(const float *x, int n, float &amax, float &max)
{
    amax = 0.0f;
    max = 0.0f;
    for (int j = 0; j < n; ++j)
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
}

void minMax(const float *x, int n, float &min, float &max)
{
    min = FLT_MAX;
    max = -FLT_MAX;
    for (int j = 0; j < n; ++j) {
        min = std::min(min, x[j]);
        max = std::max(max, x[j]);
    }
}

/// Sets the 5th bits of elements j and j + 16 of a Q5 block.
void putHighBits(std::uint32_t &qh, int j, int q0, int q1)
{
    qh |= static_cast<std::uint32_t>((q0 & 0x10) >> 4) << j;
    qh |= static_cast<std::uint32_t>((q1 & 0x10) >> 4) << (j + 16);
}

/// ggml's best_index_int8: nearest of 16 sorted levels, ties to the upper one, saturating.
int nearestLevel(const std::int8_t *values, float x)
{
    if (!(x > values[0])) // also NaN → the first level, as ggml's comparisons would fall through
        return 0;
    if (x >= values[15])
        return 15;
    int lo = 0, hi = 15;
    while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        if (x < static_cast<float>(values[mid]))
            hi = mid;
        else
            lo = mid;
    }
    return x - static_cast<float>(values[hi - 1]) < static_cast<float>(values[hi]) - x ? hi - 1 : hi;
}

} // namespace

void quantizeQ8_0Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / kQK8_0; ++b, x += kQK8_0) {
        float amax = 0.0f;
        for (int j = 0; j < kQK8_0; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ8_0 blk{};
        blk.d = floatToFp16(d);
        for (int j = 0; j < kQK8_0; ++j)
            blk.qs[j] = static_cast<std::int8_t>(truncClamp(std::round(x[j] * id), -128, 127));
        storeBlock(dst, b, blk);
    }
}

void quantizeQ4_0Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / kQK4_0; ++b, x += kQK4_0) {
        float amax, max;
        signedMax(x, kQK4_0, amax, max);
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_0 blk{};
        blk.d = floatToFp16(d);
        for (int j = 0; j < kQK4_0 / 2; ++j) {
            const int q0 = std::min(15, truncClamp(x[j] * id + 8.5f, -128, 127));
            const int q1 = std::min(15, truncClamp(x[j + 16] * id + 8.5f, -128, 127));
            blk.qs[j] = static_cast<std::uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
        }
        storeBlock(dst, b, blk);
    }
}

void quantizeQ4_1Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / 32; ++b, x += 32) {
        float min, max;
        minMax(x, 32, min, max);
        const float d = (max - min) / 15.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_1 blk{};
        blk.d = floatToFp16(d);
        blk.m = floatToFp16(min);
        for (int j = 0; j < 16; ++j) {
            const int q0 = std::min(15, truncClamp((x[j] - min) * id + 0.5f, -128, 127));
            const int q1 = std::min(15, truncClamp((x[j + 16] - min) * id + 0.5f, -128, 127));
            blk.qs[j] = static_cast<std::uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
        }
        storeBlock(dst, b, blk);
    }
}

void quantizeQ5_0Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / 32; ++b, x += 32) {
        float amax, max;
        signedMax(x, 32, amax, max);
        const float d = max / -16.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ5_0 blk{};
        blk.d = floatToFp16(d);
        std::uint32_t qh = 0;
        for (int j = 0; j < 16; ++j) {
            const int q0 = std::min(31, truncClamp(x[j] * id + 16.5f, -128, 127));
            const int q1 = std::min(31, truncClamp(x[j + 16] * id + 16.5f, -128, 127));
            blk.qs[j] = static_cast<std::uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
            putHighBits(qh, j, q0, q1);
        }
        std::memcpy(blk.qh, &qh, 4);
        storeBlock(dst, b, blk);
    }
}

void quantizeQ5_1Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / 32; ++b, x += 32) {
        float min, max;
        minMax(x, 32, min, max);
        const float d = (max - min) / 31.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ5_1 blk{};
        blk.d = floatToFp16(d);
        blk.m = floatToFp16(min);
        std::uint32_t qh = 0;
        for (int j = 0; j < 16; ++j) {
            // ggml converts to uint8_t without a clamp; the values lie in [0, 31.5]
            const int q0 = truncClamp((x[j] - min) * id + 0.5f, 0, 255);
            const int q1 = truncClamp((x[j + 16] - min) * id + 0.5f, 0, 255);
            blk.qs[j] = static_cast<std::uint8_t>((q0 & 0xF) | ((q1 & 0xF) << 4));
            putHighBits(qh, j, q0, q1);
        }
        std::memcpy(blk.qh, &qh, 4);
        storeBlock(dst, b, blk);
    }
}

void quantizeIQ4_NLRef(const float *x, std::byte *dst, std::size_t n)
{
    const std::int8_t *values = kIq4nlValues;
    for (std::size_t b = 0; b < n / 32; ++b, x += 32) {
        BlockIQ4_NL blk{};
        float amax, max;
        signedMax(x, 32, amax, max);
        std::uint8_t L[32] = {};
        float d = 0.0f;
        if (amax >= 1e-15f) {
            const float id = 1.0f / (max / static_cast<float>(values[0]));
            float sumqx = 0.0f, sumq2 = 0.0f;
            for (int j = 0; j < 32; ++j) {
                const int l = nearestLevel(values, id * x[j]);
                L[j] = static_cast<std::uint8_t>(l);
                const float q = static_cast<float>(values[l]);
                const float w = x[j] * x[j];
                sumqx += w * q * x[j];
                sumq2 += w * q * q;
            }
            d = sumqx / sumq2;
        }
        blk.d = floatToFp16(d);
        for (int j = 0; j < 16; ++j)
            blk.qs[j] = static_cast<std::uint8_t>(L[j] | (L[j + 16] << 4));
        storeBlock(dst, b, blk);
    }
}

void quantizeMXFP4Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / 32; ++b, x += 32) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        int e = 0;
        if (amax > 0.0f && std::isfinite(amax))
            e = std::clamp(static_cast<int>(std::floor(std::log2(amax))) - 2 + 127, 0, 254);
        else if (amax > 0.0f)
            e = 254;
        const float d = std::ldexp(1.0f, e - 128);
        BlockMXFP4 blk{};
        blk.e = static_cast<std::uint8_t>(e);
        auto best = [&](float v) {
            int bi = 0;
            float be = std::fabs(static_cast<float>(kMxfp4Values[0]) * d - v);
            for (int i = 1; i < 16; ++i) {
                const float err = std::fabs(static_cast<float>(kMxfp4Values[i]) * d - v);
                if (err < be) {
                    bi = i;
                    be = err;
                }
            }
            return bi;
        };
        for (int j = 0; j < 16; ++j)
            blk.qs[j] = static_cast<std::uint8_t>(best(x[j]) | (best(x[j + 16]) << 4));
        storeBlock(dst, b, blk);
    }
}

void quantizeF16Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint16_t h = floatToFp16(x[i]);
        std::memcpy(dst + 2 * i, &h, 2);
    }
}

void quantizeBF16Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint16_t h = floatToBf16(x[i]);
        std::memcpy(dst + 2 * i, &h, 2);
    }
}

void quantizeF32Ref(const float *x, std::byte *dst, std::size_t n)
{
    if (n)
        std::memcpy(dst, x, n * sizeof(float));
}

GgmlQuantizeFn ggmlQuantizer(DType t)
{
    struct Entry {
        DType type;
        GgmlQuantizeFn fn;
    };
    static constexpr Entry kQuantizers[] = {
        {DType::F32, quantizeF32Ref},     {DType::F16, quantizeF16Ref},       {DType::BF16, quantizeBF16Ref},
        {DType::Q8_0, quantizeQ8_0Ref},   {DType::Q4_0, quantizeQ4_0Ref},     {DType::Q4_1, quantizeQ4_1Ref},
        {DType::Q5_0, quantizeQ5_0Ref},   {DType::Q5_1, quantizeQ5_1Ref},     {DType::Q4_K, quantizeQ4_KRef},
        {DType::Q6_K, quantizeQ6_KRef},   {DType::IQ4_NL, quantizeIQ4_NLRef}, {DType::MXFP4, quantizeMXFP4Ref},
    };
    for (const Entry &e : kQuantizers)
        if (e.type == t)
            return e.fn;
    return nullptr;
}

Status quantizeGgml(DType t, const float *x, std::byte *dst, std::size_t n)
{
    const GgmlQuantizeFn fn = ggmlQuantizer(t);
    if (!fn)
        return makeError(ErrorCode::Unsupported, "no reference quantizer for " + std::string(dtypeName(t)));
    if (n % dtypeTraits(t).blockSize != 0)
        return makeError(ErrorCode::InvalidArgument, std::to_string(n) + " values are not whole " + std::string(dtypeName(t)) + " blocks");
    fn(x, dst, n);
    return {};
}

} // namespace lowbit
