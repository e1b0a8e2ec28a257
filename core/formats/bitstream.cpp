// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/bitstream.h"

#include <algorithm>

namespace lowbit::formats {
namespace {

template <class T>
void packT(const T *codes, std::int64_t n, int bits, std::uint32_t *words)
{
    const std::int64_t nw = bitstreamWords(n, bits);
    std::fill(words, words + nw, 0u);
    const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t bit = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(bits);
        const std::uint64_t v = (static_cast<std::uint64_t>(codes[i]) & mask) << (bit % 32);
        words[bit / 32] |= static_cast<std::uint32_t>(v);
        if ((bit % 32) + static_cast<std::uint64_t>(bits) > 32) // straddles two words
            words[bit / 32 + 1] |= static_cast<std::uint32_t>(v >> 32);
    }
}

template <class T>
void unpackT(const std::uint32_t *words, std::int64_t n, int bits, T *codes)
{
    const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
    for (std::int64_t i = 0; i < n; ++i) {
        const std::uint64_t bit = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(bits);
        std::uint64_t v = words[bit / 32];
        if ((bit % 32) + static_cast<std::uint64_t>(bits) > 32)
            v |= static_cast<std::uint64_t>(words[bit / 32 + 1]) << 32;
        codes[i] = static_cast<T>((v >> (bit % 32)) & mask);
    }
}

} // namespace

std::uint32_t readBits(const std::uint32_t *words, std::int64_t i, int bits)
{
    const std::uint64_t bit = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(bits);
    std::uint64_t v = words[bit / 32];
    if ((bit % 32) + static_cast<std::uint64_t>(bits) > 32)
        v |= static_cast<std::uint64_t>(words[bit / 32 + 1]) << 32;
    return static_cast<std::uint32_t>((v >> (bit % 32)) & ((std::uint64_t{1} << bits) - 1));
}

std::int64_t bitstreamWords(std::int64_t n, int bits) { return (n * bits + 31) / 32; }

void packBits(const std::uint16_t *codes, std::int64_t n, int bits, std::uint32_t *words) { packT(codes, n, bits, words); }
void packBits(const std::uint8_t *codes, std::int64_t n, int bits, std::uint32_t *words) { packT(codes, n, bits, words); }
void unpackBits(const std::uint32_t *words, std::int64_t n, int bits, std::uint16_t *codes) { unpackT(words, n, bits, codes); }
void unpackBits(const std::uint32_t *words, std::int64_t n, int bits, std::uint8_t *codes) { unpackT(words, n, bits, codes); }

} // namespace lowbit::formats
