// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Dense LSB-first bit-streams of k-bit codes (k = 1…16), the storage of every packed code array
/// (datatypes.md §4).
///
/// Layout (what the CPU engine, the GPU shaders and the exporters index):
///  - code i of a row occupies bits [i·k, i·k + k) of the row's stream, least significant bit first;
///  - the stream is a sequence of 32-bit little-endian words: bit b lives in word b / 32 at bit b % 32,
///    so a code may straddle two words (low part in the earlier word);
///  - every row starts on a word boundary: a row of n codes takes bitstreamWords(n, k) = ceil(n·k / 32)
///    words, and row r of a matrix starts at word r · bitstreamWords(cols, k);
///  - unused bits at the end of a row are zero.

#include "core/util/result.h"

#include <cstdint>
#include <span>

namespace lowbit {

/// Largest code width a bit-stream holds (VQ indices reach 16 bits).
inline constexpr unsigned kMaxStreamCodeBits = 16;

/// 32-bit words holding `count` codes of `bits` bits: ceil(count·bits / 32). 0 for count ≤ 0.
/// The caller guarantees count·bits does not overflow (any tensor that fits in memory is fine).
constexpr std::int64_t bitstreamWords(std::int64_t count, unsigned bits)
{
    return count <= 0 ? 0 : (count * static_cast<std::int64_t>(bits) + 31) / 32;
}

/// Packs codes[0..n) (each < 2^bits) into words, which must hold exactly bitstreamWords(n, bits)
/// words; writes every word (padding bits zero). Errors: InvalidArgument for bits outside 1…16, a
/// word span of the wrong size, or a code that does not fit in `bits` (names its index).
Status packBits(std::span<const std::uint8_t> codes, unsigned bits, std::span<std::uint32_t> words);
Status packBits(std::span<const std::uint16_t> codes, unsigned bits, std::span<std::uint32_t> words);

/// Unpacks codes.size() codes from words (which must hold exactly bitstreamWords(codes.size(), bits)).
/// Errors: InvalidArgument for bits outside 1…16 (1…8 for the uint8 overload) or a wrong word count.
Status unpackBits(std::span<const std::uint32_t> words, unsigned bits, std::span<std::uint8_t> codes);
Status unpackBits(std::span<const std::uint32_t> words, unsigned bits, std::span<std::uint16_t> codes);

/// Code i of a stream, unchecked (hot paths): the caller guarantees 1 ≤ bits ≤ 16 and that code i
/// lies inside `words`. Reads at most the two words holding the code.
inline std::uint32_t readBits(const std::uint32_t *words, std::int64_t i, unsigned bits)
{
    const std::uint64_t bit = static_cast<std::uint64_t>(i) * bits;
    const std::uint64_t w = bit >> 5;
    const unsigned off = static_cast<unsigned>(bit & 31u);
    std::uint64_t v = words[w] >> off;
    if (off + bits > 32)
        v |= static_cast<std::uint64_t>(words[w + 1]) << (32 - off);
    return static_cast<std::uint32_t>(v) & ((1u << bits) - 1u);
}

} // namespace lowbit
