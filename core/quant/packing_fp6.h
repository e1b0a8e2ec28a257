// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The FP6 "4+2" bit-plane layout (ZeroQuant(4+2) / FP6-LLM, datatypes.md §4).
///
/// A 6-bit code c = s·e·e·e·m·m (an E3M2 or E2M3 bit pattern, sign in bit 5) is split into
///  - the low plane: bits 3..0 of c, a dense 4-bit LSB-first stream (8 codes per 32-bit word);
///  - the high plane: bits 5..4 of c, a dense 2-bit LSB-first stream (16 codes per 32-bit word).
/// The planes are separate arrays; in each, row r starts on a word boundary, at word
/// r·bitstreamWords(cols, 4) of the low plane and r·bitstreamWords(cols, 2) of the high plane, so a
/// kernel reads whole words of each plane. Code i of a row = lo4[i] | hi2[i] << 4.
///
/// Dequantization without a lookup table: put the sign at bit 15 and the five E/M bits into an
/// fp16 word so that they line up with the fp16 exponent/mantissa fields, read it as fp16 and
/// multiply by 2^(15 − bias) (2^12 for E3M2, 2^14 for E2M3), then by the scale. The fp16 value
/// is exact, the power-of-two product is exact, so x̂ = value · scale with a single rounding.

#include "core/util/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace lowbit {

/// The two planes of a rows × cols matrix of 6-bit codes.
struct Fp6Planes {
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::vector<std::uint32_t> lo4; ///< rows · bitstreamWords(cols, 4) words
    std::vector<std::uint32_t> hi2; ///< rows · bitstreamWords(cols, 2) words

    /// Bytes of both planes.
    std::int64_t byteSize() const { return static_cast<std::int64_t>((lo4.size() + hi2.size()) * 4); }
};

/// Splits row-major codes (rows·cols of them, each < 64) into the planes. Errors: InvalidArgument
/// for a negative or overflowing shape, a span of the wrong size, or a code ≥ 64 (names its index).
Result<Fp6Planes> packFp6Planes(std::span<const std::uint8_t> codes, std::int64_t rows, std::int64_t cols);

/// Joins the planes back into row-major codes. Errors: InvalidArgument when the plane sizes do
/// not match rows and cols.
Result<std::vector<std::uint8_t>> unpackFp6Planes(const Fp6Planes &planes);

/// Code `col` of row `row`, unchecked (the caller keeps row < rows, col < cols).
std::uint8_t fp6PlaneCode(const Fp6Planes &planes, std::int64_t row, std::int64_t col);

/// The fp16 trick of the 4+2 layout for a 6-bit code of a 1+E+M = 6 minifloat (E = 2 or 3):
/// the fp16 word with the sign at bit 15 and the five E/M bits shifted left by 10 − M (so the
/// mantissa's top bits meet fp16's), read as fp16, times 2^(15 − bias). Exact; no scale applied.
/// exponentBits must be 2 or 3 (unchecked).
float fp6ViaFp16(std::uint8_t code, unsigned exponentBits);

/// Dequantizes one code the way the GPU shaders do: fp6ViaFp16(code, exponentBits) · scale.
inline float fp6Dequant(std::uint8_t code, unsigned exponentBits, float scale) { return fp6ViaFp16(code, exponentBits) * scale; }

} // namespace lowbit
