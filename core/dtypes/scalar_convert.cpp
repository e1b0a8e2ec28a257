// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dtypes/scalar_convert.h"

#include <array>

namespace lowbit {

namespace {
// The non-negative finite values of an 8-bit float in code order. A nearest-even search over
// them keeps the rounding obviously right (no double rounding); speed does not matter here.
template <std::size_t N, class Decode>
std::array<float, N> makeTable(Decode decode)
{
    std::array<float, N> t{};
    for (unsigned c = 0; c < N; ++c)
        t[c] = decode(static_cast<std::uint8_t>(c));
    return t;
}

template <std::size_t N>
unsigned nearestEvenCode(const std::array<float, N> &table, float a)
{
    unsigned lo = 0, hi = N - 1;
    while (lo < hi) { // first value >= a
        const unsigned mid = (lo + hi) / 2;
        if (table[mid] < a)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        const float dBelow = a - table[lo - 1], dAbove = table[lo] - a;
        if (dBelow < dAbove || (dBelow == dAbove && ((lo - 1) & 1u) == 0))
            return lo - 1;
    }
    return lo;
}
} // namespace

std::uint8_t floatToFp8e4m3(float f)
{
    static const auto table = makeTable<127>(fp8e4m3ToFloat); // 0x00..0x7E
    if (std::isnan(f))
        return 0x7F;
    const std::uint8_t sign = std::signbit(f) ? 0x80 : 0x00;
    const float a = std::fabs(f);
    if (a >= 448.0f)
        return static_cast<std::uint8_t>(sign | 0x7Eu);
    return static_cast<std::uint8_t>(sign | nearestEvenCode(table, a));
}

std::uint8_t floatToFp8e5m2(float f)
{
    static const auto table = makeTable<124>(fp8e5m2ToFloat); // 0x00..0x7B, 0x7C = Inf
    if (std::isnan(f))
        return 0x7E;
    const std::uint8_t sign = std::signbit(f) ? 0x80 : 0x00;
    const float a = std::fabs(f);
    if (a >= 61440.0f) // halfway between 57344 and the next binade: IEEE rounds to Inf
        return static_cast<std::uint8_t>(sign | 0x7Cu);
    return static_cast<std::uint8_t>(sign | nearestEvenCode(table, a));
}

} // namespace lowbit
