// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/packing_fp6.h"

#include "core/dtypes/scalar_convert.h"

#include <cmath>

namespace lowbit::formats {

float fp6PlaneDequant(std::uint8_t hi2, std::uint8_t lo4, int e, int m, float scale)
{
    const unsigned code = (static_cast<unsigned>(hi2 & 0x3u) << 4) | (lo4 & 0xFu);
    const unsigned sign = code >> 5, mag = code & 0x1Fu;
    const auto word = static_cast<std::uint16_t>((sign << 15) | (mag << (10 - m)));
    const int bias = (1 << (e - 1)) - 1;
    // exact: an fp16 value times a power of two stays representable in fp32
    return std::ldexp(fp16ToFloat(word), 15 - bias) * scale;
}

} // namespace lowbit::formats
