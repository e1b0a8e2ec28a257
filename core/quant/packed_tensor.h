// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// PackedTensor: a quantized weight matrix in its storage layout, the one type the CPU engine, the
/// GPU shaders and the exporters read.
///
/// Layout (all little-endian):
///  - codes: one dense LSB-first bit-stream per row (bitstream.h), codeBits per code, each row
///    starting on a 32-bit word boundary (row r at word r·rowWords); for FP6 grids (E3M2/E2M3) the
///    4+2 bit planes of packing_fp6.h instead (codes = low 4-bit plane, codesHi = high 2-bit plane),
///    holding the minifloat bit pattern s·eee·mm rather than the grid index;
///  - groups are numbered row by row (g = r·groupsPerRow + j); per-tensor has one group;
///  - scales: one per group at the storage precision, raw bytes (fp32 4, fp16/bf16 2, E8M0/E4M3 1);
///    E8M0 stores 2^e as e + 127; a zero scale (all-zero group) is stored as 0xFF in E8M0;
///  - second scales (AFPQ s_neg) in the same raw form; INT-asym zero points as a k-bit stream over
///    the groups; mixture selectors as a ceil(log2 n)-bit stream over the groups;
///  - NVFP4: the fp32 tensor scale.

#include "core/quant/fast_plan.h"
#include "core/quant/fast_quantize.h"
#include "core/quant/format.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

namespace lowbit {

enum class CodeLayout : std::uint8_t {
    Dense,     ///< one bit-stream per row
    Fp6Planes, ///< FP6 4+2 planes (minifloat bit patterns)
};

struct PackedTensor {
    FormatSpec spec;                      ///< the public format (name, group, storage); set by the FormatSpec overloads
    FastPlan plan;                        ///< the resolved format (grids, storage, group size)
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    unsigned codeBits = 0;                ///< bits per code
    CodeLayout layout = CodeLayout::Dense;
    std::int64_t rowWords = 0;            ///< words per row of `codes`
    std::int64_t rowWordsHi = 0;          ///< words per row of `codesHi` (FP6 planes)
    std::vector<std::uint32_t> codes;     ///< rows·rowWords words
    std::vector<std::uint32_t> codesHi;   ///< rows·rowWordsHi words (FP6 planes only)
    unsigned scaleBytes = 4;              ///< bytes per stored scale
    std::vector<std::uint8_t> scales;     ///< groups·scaleBytes
    std::vector<std::uint8_t> scales2;    ///< AFPQ: groups·scaleBytes; else empty
    unsigned zeroPointBits = 0;           ///< INT-asym: k; else 0
    std::vector<std::uint32_t> zeroPoints; ///< bitstreamWords(groups, k)
    unsigned selectorBits = 0;            ///< mixtures: ceil(log2 members); else 0
    std::vector<std::uint32_t> selectors; ///< bitstreamWords(groups, selectorBits)
    bool hasTensorScale = false;          ///< NVFP4
    float tensorScale = 1.0f;

    std::int64_t groups() const;
    /// Exact information bits, no padding: codes + scales + second scales / zero points +
    /// selectors + tensor scale. Equals bits-per-weight × rows × cols.
    std::int64_t payloadBits() const;
    /// Bytes of all arrays as stored (row padding to words included).
    std::int64_t byteSize() const;
};

/// Packs an unpacked quantization. Errors: InvalidArgument when arrays do not match the shape or
/// a code/selector/zero point is out of range; Unsupported when a scale is not representable in
/// its storage precision (e.g. a negative scale in E8M0) or the mixture mixes zero points with
/// second scales.
Result<PackedTensor> pack(const FastQuantized &q, const FastPlan &plan);

/// pack() with the plan resolved from a spec (fastPlanFor), keeping the spec in the result.
Result<PackedTensor> pack(const FastQuantized &q, const FormatSpec &spec);

/// Unpacks exactly what pack() was given. Errors: InvalidArgument on inconsistent arrays.
Result<FastQuantized> unpack(const PackedTensor &p);

/// Dequantizes row `row` into out (cols floats), bit-identical to dequantizeWithPlan. Errors:
/// InvalidArgument for a row out of range or inconsistent arrays.
Status dequantizeRow(const PackedTensor &p, std::int64_t row, float *out);

/// Bytes per stored scale of a storage precision.
unsigned scaleStorageBytes(FastScaleRound storage);
/// Raw little-endian bytes of a scale already rounded to `storage`; false when not representable.
bool encodeScale(float s, FastScaleRound storage, std::uint8_t *dst);
/// The scale back from its raw bytes (exact).
float decodeScale(const std::uint8_t *src, FastScaleRound storage);

} // namespace lowbit
