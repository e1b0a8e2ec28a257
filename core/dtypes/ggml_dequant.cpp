// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dtypes/ggml_dequant.h"

#include "core/dtypes/blocks.h"
#include "core/dtypes/scalar_convert.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace lowbit {

namespace {

template <class Block>
Block loadBlock(const std::byte *src, std::size_t i)
{
    Block b;
    std::memcpy(&b, src + i * sizeof(Block), sizeof(Block)); // file data need not be aligned
    return b;
}

float h2f(std::uint16_t h) { return fp16ToFloat(h); }

} // namespace

void dequantizeQ4_0(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / 32; ++i, y += 32) {
        const auto b = loadBlock<BlockQ4_0>(src, i);
        const float d = h2f(b.d);
        for (int j = 0; j < 16; ++j) {
            y[j] = d * static_cast<float>((b.qs[j] & 0x0F) - 8);
            y[j + 16] = d * static_cast<float>((b.qs[j] >> 4) - 8);
        }
    }
}

void dequantizeQ4_1(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / 32; ++i, y += 32) {
        const auto b = loadBlock<BlockQ4_1>(src, i);
        const float d = h2f(b.d), m = h2f(b.m);
        for (int j = 0; j < 16; ++j) {
            y[j] = d * static_cast<float>(b.qs[j] & 0x0F) + m;
            y[j + 16] = d * static_cast<float>(b.qs[j] >> 4) + m;
        }
    }
}

void dequantizeQ5_0(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / 32; ++i, y += 32) {
        const auto b = loadBlock<BlockQ5_0>(src, i);
        const float d = h2f(b.d);
        std::uint32_t qh;
        std::memcpy(&qh, b.qh, 4);
        for (unsigned j = 0; j < 16; ++j) {
            const std::uint32_t h0 = ((qh >> j) << 4) & 0x10u;       // 5th bit of element j
            const std::uint32_t h1 = (qh >> (j + 12)) & 0x10u;       // 5th bit of element j+16
            y[j] = d * static_cast<float>(static_cast<int>((b.qs[j] & 0x0Fu) | h0) - 16);
            y[j + 16] = d * static_cast<float>(static_cast<int>((b.qs[j] >> 4) | h1) - 16);
        }
    }
}

void dequantizeQ5_1(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / 32; ++i, y += 32) {
        const auto b = loadBlock<BlockQ5_1>(src, i);
        const float d = h2f(b.d), m = h2f(b.m);
        std::uint32_t qh;
        std::memcpy(&qh, b.qh, 4);
        for (unsigned j = 0; j < 16; ++j) {
            const std::uint32_t h0 = ((qh >> j) << 4) & 0x10u;
            const std::uint32_t h1 = (qh >> (j + 12)) & 0x10u;
            y[j] = d * static_cast<float>((b.qs[j] & 0x0Fu) | h0) + m;
            y[j + 16] = d * static_cast<float>((b.qs[j] >> 4) | h1) + m;
        }
    }
}

void dequantizeQ8_0(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / 32; ++i, y += 32) {
        const auto b = loadBlock<BlockQ8_0>(src, i);
        const float d = h2f(b.d);
        for (int j = 0; j < 32; ++j)
            y[j] = d * static_cast<float>(b.qs[j]);
    }
}

void kQuantScaleMin(int j, const unsigned char *q, unsigned char &d, unsigned char &m)
{
    if (j < 4) {
        d = q[j] & 63;
        m = q[j + 4] & 63;
    } else {
        d = static_cast<unsigned char>((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4));
        m = static_cast<unsigned char>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

void dequantizeQ2_K(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / kQK_K; ++i) {
        const auto b = loadBlock<BlockQ2_K>(src, i);
        const float d = h2f(b.d), dmin = h2f(b.dmin);
        const std::uint8_t *q = b.qs;
        int is = 0;
        for (int half = 0; half < 2; ++half, q += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; ++part) {
                    const std::uint8_t sc = b.scales[is++];
                    const float dl = d * static_cast<float>(sc & 0x0F), ml = dmin * static_cast<float>(sc >> 4);
                    for (int l = 0; l < 16; ++l)
                        *y++ = dl * static_cast<float>((q[l + 16 * part] >> shift) & 3) - ml;
                }
            }
        }
    }
}

void dequantizeQ3_K(const std::byte *src, float *y, std::size_t n)
{
    constexpr std::uint32_t kMask1 = 0x03030303, kMask2 = 0x0f0f0f0f;
    for (std::size_t i = 0; i < n / kQK_K; ++i) {
        const auto b = loadBlock<BlockQ3_K>(src, i);
        const float dAll = h2f(b.d);
        // unpack 16 6-bit scales: low 4 bits in bytes 0..7, high 2 bits in bytes 8..11
        std::uint32_t aux[4];
        std::memcpy(aux, b.scales, 12);
        const std::uint32_t tmp = aux[2];
        aux[2] = ((aux[0] >> 4) & kMask2) | (((tmp >> 4) & kMask1) << 4);
        aux[3] = ((aux[1] >> 4) & kMask2) | (((tmp >> 6) & kMask1) << 4);
        aux[0] = (aux[0] & kMask2) | (((tmp >> 0) & kMask1) << 4);
        aux[1] = (aux[1] & kMask2) | (((tmp >> 2) & kMask1) << 4);
        std::int8_t scales[16];
        std::memcpy(scales, aux, 16);
        const std::uint8_t *q = b.qs;
        std::uint8_t m = 1;
        int is = 0;
        for (int half = 0; half < 2; ++half, q += 32) {
            for (int shift = 0; shift < 8; shift += 2, m = static_cast<std::uint8_t>(m << 1)) {
                for (int part = 0; part < 2; ++part) {
                    const float dl = dAll * static_cast<float>(scales[is++] - 32);
                    for (int l = 0; l < 16; ++l) {
                        const int k = l + 16 * part;
                        const int v = ((q[k] >> shift) & 3) - ((b.hmask[k] & m) ? 0 : 4);
                        *y++ = dl * static_cast<float>(v);
                    }
                }
            }
        }
    }
}

void dequantizeQ4_K(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / kQK_K; ++i) {
        const auto b = loadBlock<BlockQ4_K>(src, i);
        const float d = h2f(b.d), dmin = h2f(b.dmin);
        const std::uint8_t *q = b.qs;
        for (int j = 0; j < 8; j += 2, q += 32) {
            unsigned char sc, m;
            kQuantScaleMin(j, b.scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            kQuantScaleMin(j + 1, b.scales, sc, m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>(q[l] & 0x0F) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>(q[l] >> 4) - m2;
        }
    }
}

void dequantizeQ5_K(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / kQK_K; ++i) {
        const auto b = loadBlock<BlockQ5_K>(src, i);
        const float d = h2f(b.d), dmin = h2f(b.dmin);
        const std::uint8_t *ql = b.qs;
        unsigned u1 = 1, u2 = 2;
        for (int j = 0; j < 8; j += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
            unsigned char sc, m;
            kQuantScaleMin(j, b.scales, sc, m);
            const float d1 = d * sc, m1 = dmin * m;
            kQuantScaleMin(j + 1, b.scales, sc, m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; ++l)
                *y++ = d1 * static_cast<float>((ql[l] & 0x0F) + ((b.qh[l] & u1) ? 16 : 0)) - m1;
            for (int l = 0; l < 32; ++l)
                *y++ = d2 * static_cast<float>((ql[l] >> 4) + ((b.qh[l] & u2) ? 16 : 0)) - m2;
        }
    }
}

void dequantizeQ6_K(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / kQK_K; ++i) {
        const auto b = loadBlock<BlockQ6_K>(src, i);
        const float d = h2f(b.d);
        const std::uint8_t *ql = b.ql;
        const std::uint8_t *qh = b.qh;
        const std::int8_t *sc = b.scales;
        for (int half = 0; half < 2; ++half, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
                y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
                y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
                y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
            }
        }
    }
}

void dequantizeIQ4_NL(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / 32; ++i, y += 32) {
        const auto b = loadBlock<BlockIQ4_NL>(src, i);
        const float d = h2f(b.d);
        for (int j = 0; j < 16; ++j) {
            y[j] = d * static_cast<float>(kIq4nlValues[b.qs[j] & 0x0F]);
            y[j + 16] = d * static_cast<float>(kIq4nlValues[b.qs[j] >> 4]);
        }
    }
}

void dequantizeMXFP4(const std::byte *src, float *y, std::size_t n)
{
    for (std::size_t i = 0; i < n / 32; ++i, y += 32) {
        const auto b = loadBlock<BlockMXFP4>(src, i);
        const float d = std::ldexp(1.0f, static_cast<int>(b.e) - 128); // doubled grid: one extra halving
        for (int j = 0; j < 16; ++j) {
            y[j] = d * static_cast<float>(kMxfp4Values[b.qs[j] & 0x0F]);
            y[j + 16] = d * static_cast<float>(kMxfp4Values[b.qs[j] >> 4]);
        }
    }
}

} // namespace lowbit
