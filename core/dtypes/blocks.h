// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// ggml block layouts (ggml-common.h), as plain structs with their sizes checked.

#include <cstdint>

namespace lowbit {

inline constexpr int kQK4_0 = 32;
struct BlockQ4_0 {
    std::uint16_t d;              // fp16 scale
    std::uint8_t qs[kQK4_0 / 2];  // x[j] = d*((qs[j]&15)-8), x[j+16] = d*((qs[j]>>4)-8)
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block is 18 bytes (4.5 bpw)");

inline constexpr int kQK8_0 = 32;
struct BlockQ8_0 {
    std::uint16_t d;        // fp16 scale
    std::int8_t qs[kQK8_0]; // x[j] = d*qs[j]
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block is 34 bytes (8.5 bpw)");

} // namespace lowbit
