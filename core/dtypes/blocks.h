// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// ggml block layouts (ggml-common.h), as plain structs with their sizes checked. Scales are
/// fp16 bit patterns (uint16_t); the comments give the dequantization rule and the bpw.

#include <cstdint>

namespace lowbit {

inline constexpr int kQK4_0 = 32;
struct BlockQ4_0 {
    std::uint16_t d;             // x[j] = d*((qs[j]&15)-8), x[j+16] = d*((qs[j]>>4)-8)
    std::uint8_t qs[kQK4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0: 4.5 bpw");

struct BlockQ4_1 {
    std::uint16_t d, m;          // x = d*q + m
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockQ4_1) == 20, "Q4_1: 5 bpw");

struct BlockQ5_0 {
    std::uint16_t d;             // x = d*(q - 16), q = 4 low bits from qs | 5th bit from qh
    std::uint8_t qh[4];
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockQ5_0) == 22, "Q5_0: 5.5 bpw");

struct BlockQ5_1 {
    std::uint16_t d, m;          // x = d*q + m
    std::uint8_t qh[4];
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockQ5_1) == 24, "Q5_1: 6 bpw");

inline constexpr int kQK8_0 = 32;
struct BlockQ8_0 {
    std::uint16_t d;             // x[j] = d*qs[j]
    std::int8_t qs[kQK8_0];
};
static_assert(sizeof(BlockQ8_0) == 34, "Q8_0: 8.5 bpw");

inline constexpr int kQK_K = 256; // super-block of the K-quants
inline constexpr int kKScaleSize = 12;

struct BlockQ2_K {
    std::uint8_t scales[kQK_K / 16]; // 4-bit scale | 4-bit min per 16 weights
    std::uint8_t qs[kQK_K / 4];
    std::uint16_t d, dmin;
};
static_assert(sizeof(BlockQ2_K) == 84, "Q2_K: 2.625 bpw");

struct BlockQ3_K {
    std::uint8_t hmask[kQK_K / 8];   // high bit (set = no −4 offset)
    std::uint8_t qs[kQK_K / 4];      // low 2 bits
    std::uint8_t scales[kKScaleSize];// 16 6-bit scales, packed
    std::uint16_t d;
};
static_assert(sizeof(BlockQ3_K) == 110, "Q3_K: 3.4375 bpw");

struct BlockQ4_K {
    std::uint16_t d, dmin;
    std::uint8_t scales[kKScaleSize]; // 8 6-bit scales and 8 6-bit mins, packed
    std::uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ4_K) == 144, "Q4_K: 4.5 bpw");

struct BlockQ5_K {
    std::uint16_t d, dmin;
    std::uint8_t scales[kKScaleSize];
    std::uint8_t qh[kQK_K / 8];
    std::uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ5_K) == 176, "Q5_K: 5.5 bpw");

struct BlockQ6_K {
    std::uint8_t ql[kQK_K / 2];      // low 4 bits
    std::uint8_t qh[kQK_K / 4];      // high 2 bits
    std::int8_t scales[kQK_K / 16];  // 8-bit scale per 16 weights
    std::uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210, "Q6_K: 6.5625 bpw");

struct BlockIQ4_NL {
    std::uint16_t d;                 // x = d*kIq4nlValues[nibble], Q4_0's nibble order
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockIQ4_NL) == 18, "IQ4_NL: 4.5 bpw");

struct BlockMXFP4 {
    std::uint8_t e;                  // E8M0 shared exponent: x = kMxfp4Values[nibble]*2^(e-128)
    std::uint8_t qs[16];
};
static_assert(sizeof(BlockMXFP4) == 17, "MXFP4: 4.25 bpw");

inline constexpr std::int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
/// E2M1 values doubled (so they are integers); the block exponent is biased by one more.
inline constexpr std::int8_t kMxfp4Values[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

} // namespace lowbit
