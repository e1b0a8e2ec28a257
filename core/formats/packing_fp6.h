// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// FP6 "4+2" bit planes (ZeroQuant(4+2) / FP6-LLM): each 6-bit minifloat code s·E·M is split
/// into a 2-bit plane (bits 5..4) and a 4-bit plane (bits 3..0), stored as separate per-row
/// bit-streams so a kernel reads whole words of each plane.

#include <cstdint>

namespace lowbit::formats {

/// Dequantizes one FP6 code from its planes: the sign goes to bit 15 and the E·M bits into an
/// fp16 word (exponent low bits, mantissa high bits), which is scaled by 2^(15 − bias) (2^12
/// for E3M2, 2^14 for E2M3) and then by `scale`. e + m must be 5.
float fp6PlaneDequant(std::uint8_t hi2, std::uint8_t lo4, int e, int m, float scale);

inline std::uint8_t fp6High2(std::uint8_t code) { return static_cast<std::uint8_t>((code >> 4) & 0x3u); }
inline std::uint8_t fp6Low4(std::uint8_t code) { return static_cast<std::uint8_t>(code & 0xFu); }

} // namespace lowbit::formats
