// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// PackedTensor: the storage form of a quantized matrix that the CPU engine, the GPU shaders and
/// the exporters read. Codes are per-row LSB-first bit-streams starting on word boundaries
/// (FP6 grids: two planes, 4-bit and 2-bit, holding the minifloat bit patterns); scales are raw
/// little-endian bytes at storage width; INT-asym zero points (k bits) and mixture selectors
/// (ceil(log2 n) bits) are bit-streams; NVFP4 keeps its fp32 tensor scale.

#include "core/formats/reference.h"

#include <cstdint>
#include <vector>

namespace lowbit::formats {

struct PackedTensor {
    FormatSpec spec;
    GroupLayout layout;
    bool fp6Planes = false;                   ///< codes are FP6 patterns in two planes
    std::int64_t wordsPerRow = 0;             ///< code words per row (FP6: of the 4-bit plane)
    std::int64_t wordsPerRowHi = 0;           ///< FP6: words per row of the 2-bit plane
    std::vector<std::uint32_t> codeWords;     ///< rows · wordsPerRow
    std::vector<std::uint32_t> planeHiWords;  ///< FP6: rows · wordsPerRowHi
    std::vector<std::uint8_t> scaleBytes;     ///< groups · storage bytes
    std::vector<std::uint8_t> scale2Bytes;    ///< AFPQ: groups · storage bytes
    std::vector<std::uint32_t> zeroWords;     ///< INT-asym: groups zero points of k bits
    std::vector<std::uint32_t> selectorWords; ///< mixtures: groups selectors
    float tensorScale = 0.0f;                 ///< NVFP4

    /// Exact payload bits without padding: equals bitsPerWeight(spec, rows, cols).totalBits.
    std::uint64_t payloadBits() const;
    /// Bytes actually held (word padding of rows and streams included).
    std::uint64_t byteSize() const;
};

/// Packs a quantized matrix. Errors: Internal if its arrays do not match its layout.
Result<PackedTensor> packTensor(const QuantizedMatrix &q);
/// Exact inverse of packTensor. Errors: Malformed when array sizes disagree with the layout
/// or a code/selector/zero point is out of range for the format.
Result<QuantizedMatrix> unpackTensor(const PackedTensor &p);
/// Dequantizes one row straight from the packed form (FP6 via the plane rule) into out[cols].
/// Errors: InvalidArgument for a row out of range, Malformed as unpackTensor.
Status dequantizeRow(const PackedTensor &p, std::int64_t row, float *out);

} // namespace lowbit::formats
