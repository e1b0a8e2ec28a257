// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/bitstream.h"

#include <string>

namespace lowbit {

namespace {

Status checkShape(std::size_t count, unsigned bits, unsigned maxBits, std::size_t words)
{
    if (bits < 1 || bits > maxBits)
        return makeError(ErrorCode::InvalidArgument,
                         "bit-stream: code width " + std::to_string(bits) + " is outside 1.." + std::to_string(maxBits));
    const auto need = bitstreamWords(static_cast<std::int64_t>(count), bits);
    if (static_cast<std::int64_t>(words) != need)
        return makeError(ErrorCode::InvalidArgument, "bit-stream: " + std::to_string(count) + " codes of " + std::to_string(bits) +
                                                         " bits need " + std::to_string(need) + " words, got " +
                                                         std::to_string(words));
    return {};
}

template <class T>
Status packImpl(std::span<const T> codes, unsigned bits, std::span<std::uint32_t> words)
{
    LOWBIT_CHECK(checkShape(codes.size(), bits, kMaxStreamCodeBits, words.size()));
    std::uint64_t acc = 0;
    unsigned fill = 0;
    std::size_t w = 0;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        const std::uint32_t c = codes[i];
        if ((c >> bits) != 0u)
            return makeError(ErrorCode::InvalidArgument, "bit-stream: code " + std::to_string(c) + " at index " + std::to_string(i) +
                                                             " does not fit in " + std::to_string(bits) + " bits");
        acc |= static_cast<std::uint64_t>(c) << fill;
        fill += bits;
        if (fill >= 32) {
            words[w++] = static_cast<std::uint32_t>(acc);
            acc >>= 32;
            fill -= 32;
        }
    }
    if (fill > 0)
        words[w++] = static_cast<std::uint32_t>(acc);
    return {};
}

template <class T>
Status unpackImpl(std::span<const std::uint32_t> words, unsigned bits, std::span<T> codes, unsigned maxBits)
{
    LOWBIT_CHECK(checkShape(codes.size(), bits, maxBits, words.size()));
    const std::uint64_t mask = (std::uint64_t{1} << bits) - 1u;
    std::uint64_t acc = 0;
    unsigned fill = 0;
    std::size_t w = 0;
    for (std::size_t i = 0; i < codes.size(); ++i) {
        if (fill < bits) {
            acc |= static_cast<std::uint64_t>(words[w++]) << fill;
            fill += 32;
        }
        codes[i] = static_cast<T>(acc & mask);
        acc >>= bits;
        fill -= bits;
    }
    return {};
}

} // namespace

Status packBits(std::span<const std::uint8_t> codes, unsigned bits, std::span<std::uint32_t> words)
{
    return packImpl(codes, bits, words);
}

Status packBits(std::span<const std::uint16_t> codes, unsigned bits, std::span<std::uint32_t> words)
{
    return packImpl(codes, bits, words);
}

Status unpackBits(std::span<const std::uint32_t> words, unsigned bits, std::span<std::uint8_t> codes)
{
    return unpackImpl(words, bits, codes, 8);
}

Status unpackBits(std::span<const std::uint32_t> words, unsigned bits, std::span<std::uint16_t> codes)
{
    return unpackImpl(words, bits, codes, kMaxStreamCodeBits);
}

} // namespace lowbit
