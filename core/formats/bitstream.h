// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Dense LSB-first bit-streams (docs/datatypes.md §4): code i at bit offset i·k of 32-bit
/// little-endian words, any width k = 1…16. Rows of a matrix each start on a word boundary.

#include <cstdint>

namespace lowbit::formats {

/// Words holding n codes of k bits: ⌈n·k / 32⌉.
std::int64_t bitstreamWords(std::int64_t n, int bits);

/// Writes n codes (each masked to k bits) into words[0 .. bitstreamWords(n, k)), which it
/// overwrites (padding bits are 0). k must be 1…16.
void packBits(const std::uint16_t *codes, std::int64_t n, int bits, std::uint32_t *words);
void packBits(const std::uint8_t *codes, std::int64_t n, int bits, std::uint32_t *words);
/// Reads n codes of k bits back.
void unpackBits(const std::uint32_t *words, std::int64_t n, int bits, std::uint16_t *codes);
void unpackBits(const std::uint32_t *words, std::int64_t n, int bits, std::uint8_t *codes);

/// Code i of a k-bit stream (random access).
std::uint32_t readBits(const std::uint32_t *words, std::int64_t i, int bits);

} // namespace lowbit::formats
