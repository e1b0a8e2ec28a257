// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/format_spec.h"

#include "core/dtypes/scalar_convert.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cfloat>
#include <cmath>

namespace lowbit::formats {

std::uint8_t encodeE4m3Fast(float f)
{
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
    const auto sign = static_cast<std::uint8_t>((bits >> 24) & 0x80u);
    const std::uint32_t absBits = bits & 0x7FFFFFFFu;
    if (absBits > 0x7F800000u)
        return 0x7F; // NaN
    const float a = std::bit_cast<float>(absBits);
    if (a >= 448.0f)
        return static_cast<std::uint8_t>(sign | 0x7Eu); // saturate
    if (a < 0x1p-6f) // subnormal: m·2^-9, m = RNE(a·2^9) (exact scaling); m = 8 is 2^-6, code 0x08
        return static_cast<std::uint8_t>(sign | static_cast<std::uint32_t>(std::nearbyint(a * 0x1p9f)));
    // normal: round the 23-bit mantissa to 3 bits, nearest-even (a carry moves into the exponent)
    const std::uint32_t r = (absBits + 0x7FFFFu + ((absBits >> 20) & 1u)) >> 20;
    const std::uint32_t exp = (r >> 3) - 127u + 7u, man = r & 7u;
    return static_cast<std::uint8_t>(sign | (exp << 3) | man);
}

Result<FormatSpec> makeFormatSpec(Format format, std::int64_t group, std::optional<ScaleStorage> storage, float clip)
{
    const FamilyTraits &t = format.traits();
    if (group < kPerTensor)
        return makeError(ErrorCode::InvalidArgument,
                         "group size " + std::to_string(group) +
                             " is impossible; valid: a positive length (a shorter last group per row is allowed), "
                             "0 = per-channel, -1 = per-tensor");
    if (!(clip > 0.0f && clip <= 1.0f))
        return makeError(ErrorCode::InvalidArgument, "clip ratio must be in (0, 1]");
    FormatSpec spec;
    spec.group = t.forcedGroup > 0 ? t.forcedGroup : group;
    spec.storage = t.forcedStorage >= 0 ? static_cast<ScaleStorage>(t.forcedStorage) : storage.value_or(ScaleStorage::Fp32);
    if (t.signedScale && spec.storage == ScaleStorage::E8m0)
        return makeError(ErrorCode::InvalidArgument,
                         "format '" + format.name + "' has a signed scale; valid storages: fp32, fp16, bf16, e4m3");
    spec.clip = clip;
    spec.format = std::move(format);
    return spec;
}

Result<FormatSpec> makeFormatSpec(std::string_view name, std::int64_t group, std::optional<ScaleStorage> storage,
                                  float clip)
{
    LOWBIT_TRY(Format f, parseFormat(name));
    return makeFormatSpec(std::move(f), group, storage, clip);
}

std::int64_t GroupLayout::offset(std::int64_t g) const
{
    if (groupsPerRow == 0)
        return 0;
    return (g / groupsPerRow) * cols + (g % groupsPerRow) * groupLen;
}

std::int64_t GroupLayout::length(std::int64_t g) const
{
    if (groupsPerRow == 0)
        return rows * cols;
    const std::int64_t start = (g % groupsPerRow) * groupLen;
    return std::min(groupLen, cols - start);
}

Result<GroupLayout> makeGroupLayout(const FormatSpec &spec, std::int64_t rows, std::int64_t cols)
{
    std::int64_t numel = 0;
    if (rows <= 0 || cols <= 0 || __builtin_mul_overflow(rows, cols, &numel) || numel > (std::int64_t{1} << 48))
        return makeError(ErrorCode::InvalidArgument,
                         "matrix shape [" + std::to_string(rows) + ", " + std::to_string(cols) + "] is not quantizable");
    GroupLayout l;
    l.rows = rows;
    l.cols = cols;
    if (spec.group == kPerTensor) {
        l.groupLen = numel;
        l.groupsPerRow = 0;
        l.groupCount = 1;
    } else {
        l.groupLen = spec.group == kPerChannel ? cols : std::min(spec.group, cols);
        l.groupsPerRow = (cols + l.groupLen - 1) / l.groupLen;
        l.groupCount = l.groupsPerRow * rows;
    }
    return l;
}

Result<BitsBreakdown> bitsPerWeight(const FormatSpec &spec, std::int64_t rows, std::int64_t cols)
{
    LOWBIT_TRY(GroupLayout l, makeGroupLayout(spec, rows, cols));
    const FamilyTraits &t = spec.format.traits();
    const auto groups = static_cast<std::uint64_t>(l.groupCount);
    const auto numel = static_cast<std::uint64_t>(rows) * static_cast<std::uint64_t>(cols);
    const auto sw = static_cast<std::uint64_t>(scaleStorageBits(spec.storage));
    BitsBreakdown b;
    b.codeBits = numel * static_cast<std::uint64_t>(spec.format.codeBits);
    b.scaleBits = groups * sw;
    b.scale2Bits = t.twoScales ? groups * sw : 0;
    b.zeroBits = t.zeroPoint ? groups * static_cast<std::uint64_t>(spec.format.intBits) : 0;
    b.selectorBits = t.selector ? groups * static_cast<std::uint64_t>(spec.format.selectorBits) : 0;
    b.tensorBits = t.tensorScale ? 32 : 0;
    b.totalBits = b.codeBits + b.scaleBits + b.scale2Bits + b.zeroBits + b.selectorBits + b.tensorBits;
    b.bitsPerWeight = static_cast<double>(b.totalBits) / static_cast<double>(numel);
    return b;
}

double nominalBitsPerWeight(const FormatSpec &spec)
{
    const FamilyTraits &t = spec.format.traits();
    const double sw = scaleStorageBits(spec.storage);
    double perGroup = sw + (t.twoScales ? sw : 0.0) + (t.zeroPoint ? spec.format.intBits : 0) +
                      (t.selector ? spec.format.selectorBits : 0);
    const double g = spec.group > 0 ? static_cast<double>(spec.group) : 0.0;
    return spec.format.codeBits + (g > 0 ? perGroup / g : 0.0);
}

float roundScale(float s, ScaleStorage storage) { return decodeScale(encodeScale(s, storage), storage); }

namespace {

std::uint32_t encFp32(float s) { return std::bit_cast<std::uint32_t>(std::isinf(s) ? std::copysign(FLT_MAX, s) : s); }
float decFp32(std::uint32_t b) { return std::bit_cast<float>(b); }
std::uint32_t encFp16(float s) { return floatToFp16(std::fmax(-65504.0f, std::fmin(65504.0f, s))); }
float decFp16(std::uint32_t b) { return fp16ToFloat(static_cast<std::uint16_t>(b)); }
std::uint32_t encBf16(float s)
{
    std::uint16_t b = floatToBf16(s);
    if ((b & 0x7FFFu) == 0x7F80u) // overflowed to Inf: saturate at the largest finite bf16
        b = static_cast<std::uint16_t>((b & 0x8000u) | 0x7F7Fu);
    return b;
}
float decBf16(std::uint32_t b) { return bf16ToFloat(static_cast<std::uint16_t>(b)); }
std::uint32_t encE8m0(float s)
{
    const float a = std::fabs(s);
    if (!(a > 0.0f))
        return 0; // 2^-127
    int e = 0;
    const float f = std::frexp(a, &e); // a = f · 2^e, f in [0.5, 1)
    const int p = std::max(-127, std::min(127, f == 0.5f ? e - 1 : e)); // round up to a power of two
    return static_cast<std::uint32_t>(p + 127);
}
float decE8m0(std::uint32_t b) { return std::ldexp(1.0f, static_cast<int>(b & 0xFFu) - 127); }
std::uint32_t encE4m3(float s) { return encodeE4m3Fast(s); }
float decE4m3(std::uint32_t b) { return fp8e4m3ToFloat(static_cast<std::uint8_t>(b)); }

struct StorageCodec {
    ScaleStorage storage;
    std::uint32_t (*encode)(float);
    float (*decode)(std::uint32_t);
};
constexpr std::array<StorageCodec, 5> kCodecs{{{ScaleStorage::Fp32, encFp32, decFp32},
                                               {ScaleStorage::Fp16, encFp16, decFp16},
                                               {ScaleStorage::Bf16, encBf16, decBf16},
                                               {ScaleStorage::E8m0, encE8m0, decE8m0},
                                               {ScaleStorage::E4m3, encE4m3, decE4m3}}};
static_assert(static_cast<int>(kCodecs[4].storage) == 4, "kCodecs is indexed by ScaleStorage");

} // namespace

std::uint32_t encodeScale(float s, ScaleStorage storage)
{
    return kCodecs[static_cast<std::size_t>(storage)].encode(std::isnan(s) ? 0.0f : s);
}

float decodeScale(std::uint32_t bits, ScaleStorage storage) { return kCodecs[static_cast<std::size_t>(storage)].decode(bits); }

} // namespace lowbit::formats
