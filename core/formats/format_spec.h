// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// FormatSpec = format + group size + scale storage + clipping ratio, with the exact bits per
/// weight of a [rows, cols] matrix (every overhead counted) and the scale storage rounding.

#include "core/formats/format.h"

#include <cstdint>
#include <optional>

namespace lowbit::formats {

inline constexpr std::int64_t kPerChannel = 0; ///< group = the whole row
inline constexpr std::int64_t kPerTensor = -1; ///< one group for the whole matrix

struct FormatSpec {
    Format format;
    std::int64_t group = 32;                 ///< > 0 elements; kPerChannel; kPerTensor
    ScaleStorage storage = ScaleStorage::Fp32;
    float clip = 1.0f;                       ///< statistics (absmax, min, max) are multiplied by this
};

/// Builds a spec. MX forces g32 + E8M0, NVFP4 g16 + E4M3 (+ an fp32 tensor scale), q4_0
/// g32 + fp16, whatever was asked; `storage` empty = fp32 (or the forced one).
/// Errors (InvalidArgument): group < −1, clip not in (0, 1], E8M0 storage for a signed scale.
Result<FormatSpec> makeFormatSpec(Format format, std::int64_t group = 32,
                                  std::optional<ScaleStorage> storage = std::nullopt, float clip = 1.0f);
/// parseFormat + makeFormatSpec.
Result<FormatSpec> makeFormatSpec(std::string_view name, std::int64_t group = 32,
                                  std::optional<ScaleStorage> storage = std::nullopt, float clip = 1.0f);

/// Group geometry of a [rows, cols] matrix: every group is one contiguous run of the row-major
/// data (per-tensor: the whole matrix; otherwise ⌈cols/g⌉ groups per row, the last shorter).
struct GroupLayout {
    std::int64_t rows = 0, cols = 0;
    std::int64_t groupLen = 0;     ///< nominal group length
    std::int64_t groupsPerRow = 0; ///< 0 for per-tensor
    std::int64_t groupCount = 0;

    std::int64_t offset(std::int64_t g) const;  ///< first element of group g
    std::int64_t length(std::int64_t g) const;  ///< its length (the last of a row may be shorter)
};
/// Errors: InvalidArgument for non-positive or overflowing shapes.
Result<GroupLayout> makeGroupLayout(const FormatSpec &spec, std::int64_t rows, std::int64_t cols);

/// Exact storage of a quantized matrix, in bits.
struct BitsBreakdown {
    std::uint64_t codeBits = 0;     ///< numel · code bits
    std::uint64_t scaleBits = 0;    ///< groups · storage width
    std::uint64_t scale2Bits = 0;   ///< AFPQ: groups · storage width
    std::uint64_t zeroBits = 0;     ///< INT-asym: groups · k
    std::uint64_t selectorBits = 0; ///< mixtures: groups · ceil(log2 n)
    std::uint64_t tensorBits = 0;   ///< NVFP4: 32
    std::uint64_t totalBits = 0;
    double bitsPerWeight = 0.0;     ///< totalBits / numel
};
/// Errors: as makeGroupLayout.
Result<BitsBreakdown> bitsPerWeight(const FormatSpec &spec, std::int64_t rows, std::int64_t cols);
/// Nominal bpw for listings: code bits + per-group bits / g (per-tensor overheads ignored).
double nominalBitsPerWeight(const FormatSpec &spec);

/// Rounds a scale to its storage: fp16/bf16/E4M3 round to nearest-even and saturate at their
/// largest finite value; E8M0 rounds |s| up to a power of two in [2^−127, 2^127] (0 → 2^−127);
/// fp32 saturates ±Inf to ±FLT_MAX. NaN → 0.
float roundScale(float s, ScaleStorage storage);
/// Raw stored bits of a scale (little-endian width of the storage) and back.
std::uint32_t encodeScale(float s, ScaleStorage storage);
float decodeScale(std::uint32_t bits, ScaleStorage storage);
/// Round-to-nearest-even into OCP E4M3fn saturating at ±448 (NaN → 0x7F): equal to
/// floatToFp8e4m3 of core/dtypes, without its table search (NVFP4 rounds a scale per 16 weights).
std::uint8_t encodeE4m3Fast(float f);

} // namespace lowbit::formats
