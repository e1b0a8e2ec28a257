// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Exact conversions between fp32 and the narrow float storage types (IEEE fp16, bf16,
/// OCP FP8 E4M3 "fn" and E5M2). Widening is exact; narrowing rounds to nearest-even.

#include <bit>
#include <cmath>
#include <cstdint>

namespace lowbit {

inline float fp16ToFloat(std::uint16_t h)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exp = (h >> 10) & 0x1Fu;
    const std::uint32_t man = h & 0x3FFu;
    std::uint32_t bits;
    if (exp == 0) {
        if (man == 0)
            return std::bit_cast<float>(sign);
        // subnormal: value = man * 2^-24, exact in fp32
        const float v = static_cast<float>(man) * 0x1p-24f;
        return (sign != 0u) ? -v : v;
    }
    if (exp == 31)
        bits = sign | 0x7F800000u | (man << 13);
    else
        bits = sign | ((exp + 112u) << 23) | (man << 13);
    return std::bit_cast<float>(bits);
}

inline std::uint16_t floatToFp16(float f)
{
    const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    const std::uint32_t absx = x & 0x7FFFFFFFu;
    if (absx > 0x7F800000u) // NaN: keep it quiet
        return static_cast<std::uint16_t>(sign | 0x7E00u);
    if (absx >= 0x477FF000u) // rounds to >= 65520 → Inf
        return static_cast<std::uint16_t>(sign | 0x7C00u);
    if (absx < 0x38800000u) { // below the smallest normal 2^-14: subnormal or zero
        const float a = std::bit_cast<float>(absx);
        // a / 2^-24 rounded to nearest-even (nearbyint uses the current mode: to-nearest-even)
        const auto m = static_cast<std::uint32_t>(std::nearbyint(a * 0x1p24f));
        return static_cast<std::uint16_t>(sign | m);
    }
    const std::uint32_t exp = (absx >> 23) - 112u;
    std::uint32_t man = absx & 0x7FFFFFu;
    std::uint32_t h = (exp << 10) | (man >> 13);
    const std::uint32_t rest = man & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u)))
        ++h; // carries into the exponent correctly
    return static_cast<std::uint16_t>(sign | h);
}

inline float bf16ToFloat(std::uint16_t b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

inline std::uint16_t floatToBf16(float f)
{
    std::uint32_t x = std::bit_cast<std::uint32_t>(f);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u)
        return static_cast<std::uint16_t>((x >> 16) | 0x40u); // quiet NaN
    x += 0x7FFFu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>(x >> 16);
}

/// OCP FP8 E4M3 "fn": bias 7, no Inf, S.1111.111 is NaN, max 448.
inline float fp8e4m3ToFloat(std::uint8_t v)
{
    const bool neg = (v & 0x80u) != 0;
    const unsigned exp = (v >> 3) & 0xFu;
    const unsigned man = v & 0x7u;
    float r;
    if (exp == 0xF && man == 0x7)
        r = NAN;
    else if (exp == 0)
        r = std::ldexp(static_cast<float>(man), -9); // man/8 * 2^-6
    else
        r = std::ldexp(1.0f + static_cast<float>(man) / 8.0f, static_cast<int>(exp) - 7);
    return neg ? -r : r;
}

/// OCP FP8 E5M2: IEEE-like, bias 15, Inf and NaN at exponent 31, max 57344.
inline float fp8e5m2ToFloat(std::uint8_t v) { return fp16ToFloat(static_cast<std::uint16_t>(v << 8)); }

/// Round-to-nearest-even into E4M3fn, saturating at ±448; NaN stays NaN.
std::uint8_t floatToFp8e4m3(float f);
/// Round-to-nearest-even into E5M2 (overflow → Inf as in IEEE).
std::uint8_t floatToFp8e5m2(float f);

} // namespace lowbit
