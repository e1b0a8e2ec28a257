// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/packed_tensor.h"

#include "core/dtypes/scalar_convert.h"
#include "core/quant/bitstream.h"
#include "core/quant/packing_fp6.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

namespace lowbit {

namespace {

enum class Second : std::uint8_t { None, NegScale, ZeroPoint };

Result<Second> secondKind(const FastPlan &plan, unsigned &zeroBits)
{
    bool neg = false, zero = false;
    zeroBits = 0;
    for (const auto &m : plan.members) {
        neg = neg || m.kind == FastKind::GridTwoScale;
        if (m.kind == FastKind::IntAsym) {
            zero = true;
            zeroBits = std::max(zeroBits, m.codeBits);
        }
    }
    if (neg && zero)
        return makeError(ErrorCode::Unsupported, "packed tensor: a mixture of AFPQ and INT-asym members (second scales and zero points) has no layout");
    return neg ? Second::NegScale : zero ? Second::ZeroPoint : Second::None;
}

unsigned planCodeBits(const FastPlan &plan)
{
    unsigned b = 1;
    for (const auto &m : plan.members)
        b = std::max(b, m.codeBits);
    return b;
}

bool fp6Layout(const FastPlan &plan)
{
    return plan.members.size() == 1 && plan.members[0].fp6ExponentBits != 0 && plan.members[0].maxCode < 64;
}

/// grid index → FP6 bit pattern and back, from the member's dequantization table.
struct Fp6Map {
    std::array<std::uint8_t, 256> toPattern{};
    std::array<std::uint8_t, 64> toIndex{};
    bool ok = true;
};

Fp6Map fp6Map(const FastMember &m)
{
    Fp6Map map;
    map.toIndex.fill(0xFF);
    for (unsigned pat = 0; pat < 64; ++pat) {
        const float v = fp6ViaFp16(static_cast<std::uint8_t>(pat), m.fp6ExponentBits);
        for (unsigned c = 0; c <= m.maxCode; ++c)
            if (m.table[c] == v) { // −0 (pattern 0x20) maps to the index of 0
                map.toIndex[pat] = static_cast<std::uint8_t>(c);
                if (pat != 0x20)
                    map.toPattern[c] = static_cast<std::uint8_t>(pat);
            }
    }
    for (unsigned pat = 0; pat < 64; ++pat)
        map.ok = map.ok && map.toIndex[pat] != 0xFF;
    return map;
}

} // namespace

unsigned scaleStorageBytes(FastScaleRound storage)
{
    switch (storage) {
    case FastScaleRound::F32: return 4;
    case FastScaleRound::F16:
    case FastScaleRound::BF16: return 2;
    case FastScaleRound::E8M0:
    case FastScaleRound::E4M3: return 1;
    }
    return 4;
}

bool encodeScale(float s, FastScaleRound storage, std::uint8_t *dst)
{
    switch (storage) {
    case FastScaleRound::F32: {
        const auto b = std::bit_cast<std::uint32_t>(s);
        for (int i = 0; i < 4; ++i)
            dst[i] = static_cast<std::uint8_t>(b >> (8 * i));
        return true;
    }
    case FastScaleRound::F16:
    case FastScaleRound::BF16: {
        const std::uint16_t h = storage == FastScaleRound::F16 ? floatToFp16(s) : floatToBf16(s);
        dst[0] = static_cast<std::uint8_t>(h & 0xFFu);
        dst[1] = static_cast<std::uint8_t>(h >> 8);
        break;
    }
    case FastScaleRound::E4M3:
        dst[0] = floatToFp8e4m3(s);
        break;
    case FastScaleRound::E8M0: {
        if (s == 0.0f && !std::signbit(s)) {
            dst[0] = 0xFF;
            return true;
        }
        if (!(s > 0.0f) || std::isinf(s))
            return false;
        int ex = 0;
        const float f = std::frexp(s, &ex);
        if (f != 0.5f || ex - 1 < -127 || ex - 1 > 127)
            return false;
        dst[0] = static_cast<std::uint8_t>(ex - 1 + 127);
        return true;
    }
    }
    return std::bit_cast<std::uint32_t>(decodeScale(dst, storage)) == std::bit_cast<std::uint32_t>(s);
}

float decodeScale(const std::uint8_t *src, FastScaleRound storage)
{
    switch (storage) {
    case FastScaleRound::F32: {
        std::uint32_t b = 0;
        for (int i = 0; i < 4; ++i)
            b |= static_cast<std::uint32_t>(src[i]) << (8 * i);
        return std::bit_cast<float>(b);
    }
    case FastScaleRound::F16: return fp16ToFloat(static_cast<std::uint16_t>(src[0] | (src[1] << 8)));
    case FastScaleRound::BF16: return bf16ToFloat(static_cast<std::uint16_t>(src[0] | (src[1] << 8)));
    case FastScaleRound::E4M3: return fp8e4m3ToFloat(src[0]);
    case FastScaleRound::E8M0: return src[0] == 0xFF ? 0.0f : std::ldexp(1.0f, static_cast<int>(src[0]) - 127);
    }
    return 0.0f;
}

std::int64_t PackedTensor::groups() const { return fastGroupCount(plan, rows, cols); }

std::int64_t PackedTensor::payloadBits() const
{
    const std::int64_t g = groups();
    std::int64_t bits = rows * cols * static_cast<std::int64_t>(codeBits) + g * 8 * static_cast<std::int64_t>(scaleBytes);
    if (!scales2.empty())
        bits += g * 8 * static_cast<std::int64_t>(scaleBytes);
    bits += g * static_cast<std::int64_t>(zeroPointBits) + g * static_cast<std::int64_t>(selectorBits);
    if (hasTensorScale)
        bits += 32;
    return bits;
}

std::int64_t PackedTensor::byteSize() const
{
    return static_cast<std::int64_t>(4 * (codes.size() + codesHi.size() + zeroPoints.size() + selectors.size()) + scales.size() +
                                     scales2.size()) +
           (hasTensorScale ? 4 : 0);
}

Result<PackedTensor> pack(const FastQuantized &q, const FastPlan &plan)
{
    std::int64_t n = 0;
    if (plan.members.empty() || q.rows < 0 || q.cols < 0 || __builtin_mul_overflow(q.rows, q.cols, &n) ||
        static_cast<std::int64_t>(q.codes.size()) != n)
        return makeError(ErrorCode::InvalidArgument, "pack: codes do not match the " + std::to_string(q.rows) + " x " + std::to_string(q.cols) + " shape");
    PackedTensor p;
    p.plan = plan;
    p.rows = q.rows;
    p.cols = q.cols;
    const std::int64_t groups = p.groups();
    unsigned zeroBits = 0;
    LOWBIT_TRY(const Second second, secondKind(plan, zeroBits));
    const bool mix = plan.kind == FastKind::Mixture;
    if (static_cast<std::int64_t>(q.scales.size()) != groups ||
        static_cast<std::int64_t>(q.scales2.size()) != (second == Second::None ? 0 : groups) ||
        static_cast<std::int64_t>(q.selectors.size()) != (mix ? groups : 0))
        return makeError(ErrorCode::InvalidArgument, "pack: " + std::to_string(q.scales.size()) + " scales, " + std::to_string(q.scales2.size()) +
                                                         " second scales and " + std::to_string(q.selectors.size()) + " selectors for " +
                                                         std::to_string(groups) + " groups");
    // codes
    p.codeBits = planCodeBits(plan);
    if (fp6Layout(plan)) {
        const Fp6Map map = fp6Map(plan.members[0]);
        if (!map.ok)
            return makeError(ErrorCode::Internal, "pack: the FP6 grid does not match its bit patterns");
        std::vector<std::uint8_t> patterns(q.codes.size());
        for (std::size_t i = 0; i < q.codes.size(); ++i) {
            if (q.codes[i] > plan.members[0].maxCode)
                return makeError(ErrorCode::InvalidArgument, "pack: code " + std::to_string(q.codes[i]) + " at index " + std::to_string(i) + " is out of range");
            patterns[i] = map.toPattern[q.codes[i]];
        }
        LOWBIT_TRY(Fp6Planes planes, packFp6Planes(patterns, q.rows, q.cols));
        p.layout = CodeLayout::Fp6Planes;
        p.codeBits = 6;
        p.rowWords = bitstreamWords(q.cols, 4);
        p.rowWordsHi = bitstreamWords(q.cols, 2);
        p.codes = std::move(planes.lo4);
        p.codesHi = std::move(planes.hi2);
    } else {
        p.rowWords = bitstreamWords(q.cols, p.codeBits);
        p.codes.assign(static_cast<std::size_t>(q.rows * p.rowWords), 0u);
        for (std::int64_t r = 0; r < q.rows; ++r) {
            const std::span<const std::uint8_t> row(q.codes.data() + r * q.cols, static_cast<std::size_t>(q.cols));
            for (std::int64_t c = 0; c < q.cols; ++c) {
                const std::uint8_t code = row[static_cast<std::size_t>(c)];
                std::uint8_t maxCode = 0;
                for (const auto &m : plan.members)
                    maxCode = std::max(maxCode, m.maxCode);
                if (code > maxCode)
                    return makeError(ErrorCode::InvalidArgument, "pack: code " + std::to_string(code) + " at row " + std::to_string(r) +
                                                                     ", column " + std::to_string(c) + " is out of range");
            }
            LOWBIT_CHECK(packBits(row, p.codeBits, std::span<std::uint32_t>(p.codes.data() + r * p.rowWords, static_cast<std::size_t>(p.rowWords))));
        }
    }
    // scales
    p.scaleBytes = scaleStorageBytes(plan.storage);
    p.scales.assign(static_cast<std::size_t>(groups) * p.scaleBytes, 0);
    auto putScales = [&](const std::vector<float> &src, std::vector<std::uint8_t> &dst, const char *what) -> Status {
        for (std::size_t g = 0; g < src.size(); ++g)
            if (!encodeScale(src[g], plan.storage, dst.data() + g * p.scaleBytes))
                return makeError(ErrorCode::Unsupported, std::string("pack: ") + what + " " + std::to_string(src[g]) + " of group " +
                                                             std::to_string(g) + " is not representable in its storage precision");
        return {};
    };
    LOWBIT_CHECK(putScales(q.scales, p.scales, "scale"));
    if (second == Second::NegScale) {
        p.scales2.assign(static_cast<std::size_t>(groups) * p.scaleBytes, 0);
        LOWBIT_CHECK(putScales(q.scales2, p.scales2, "negative scale"));
    } else if (second == Second::ZeroPoint) {
        p.zeroPointBits = zeroBits;
        std::vector<std::uint16_t> z(static_cast<std::size_t>(groups));
        for (std::size_t g = 0; g < z.size(); ++g) {
            const float v = q.scales2[g];
            if (!(v >= 0.0f) || v != std::floor(v) || v >= static_cast<float>(1u << zeroBits))
                return makeError(ErrorCode::InvalidArgument, "pack: zero point " + std::to_string(v) + " of group " + std::to_string(g) + " is not a " +
                                                                 std::to_string(zeroBits) + "-bit integer");
            z[g] = static_cast<std::uint16_t>(v);
        }
        p.zeroPoints.assign(static_cast<std::size_t>(bitstreamWords(groups, zeroBits)), 0u);
        LOWBIT_CHECK(packBits(z, zeroBits, p.zeroPoints));
    }
    if (mix) {
        p.selectorBits = fastSelectorBits(plan);
        for (std::size_t g = 0; g < q.selectors.size(); ++g)
            if (q.selectors[g] >= plan.members.size())
                return makeError(ErrorCode::InvalidArgument, "pack: selector " + std::to_string(q.selectors[g]) + " of group " + std::to_string(g) + " is out of range");
        p.selectors.assign(static_cast<std::size_t>(bitstreamWords(groups, p.selectorBits)), 0u);
        LOWBIT_CHECK(packBits(q.selectors, p.selectorBits, p.selectors));
    }
    p.hasTensorScale = plan.kind == FastKind::Nvfp4;
    p.tensorScale = q.tensorScale;
    return p;
}

namespace {

Status checkPacked(const PackedTensor &p)
{
    std::int64_t n = 0;
    const std::int64_t groups = p.groups();
    const bool ok = !p.plan.members.empty() && p.rows >= 0 && p.cols >= 0 && !__builtin_mul_overflow(p.rows, p.cols, &n) &&
                    p.codeBits >= 1 && p.codeBits <= 8 &&
                    (p.layout == CodeLayout::Dense
                         ? p.rowWords == bitstreamWords(p.cols, p.codeBits) && p.codesHi.empty()
                         : p.rowWords == bitstreamWords(p.cols, 4) && p.rowWordsHi == bitstreamWords(p.cols, 2) &&
                               static_cast<std::int64_t>(p.codesHi.size()) == p.rows * p.rowWordsHi) &&
                    static_cast<std::int64_t>(p.codes.size()) == p.rows * p.rowWords && p.scaleBytes == scaleStorageBytes(p.plan.storage) &&
                    static_cast<std::int64_t>(p.scales.size()) == groups * p.scaleBytes &&
                    (p.scales2.empty() || static_cast<std::int64_t>(p.scales2.size()) == groups * p.scaleBytes) &&
                    static_cast<std::int64_t>(p.zeroPoints.size()) == (p.zeroPointBits ? bitstreamWords(groups, p.zeroPointBits) : 0) &&
                    static_cast<std::int64_t>(p.selectors.size()) == (p.selectorBits ? bitstreamWords(groups, p.selectorBits) : 0) &&
                    p.zeroPointBits <= 16 && p.selectorBits <= 8 && (p.plan.kind == FastKind::Mixture) == (p.selectorBits != 0);
    if (!ok)
        return makeError(ErrorCode::InvalidArgument, "packed tensor: array sizes do not match " + std::to_string(p.rows) + " x " +
                                                         std::to_string(p.cols) + " and the format");
    return {};
}

/// Codes of one row as grid indices.
void rowCodes(const PackedTensor &p, std::int64_t r, std::uint8_t *dst, const Fp6Map *map)
{
    const std::uint32_t *w = p.codes.data() + r * p.rowWords;
    if (p.layout == CodeLayout::Fp6Planes) {
        const std::uint32_t *hi = p.codesHi.data() + r * p.rowWordsHi;
        for (std::int64_t c = 0; c < p.cols; ++c)
            dst[c] = map->toIndex[readBits(w, c, 4) | (readBits(hi, c, 2) << 4)];
        return;
    }
    for (std::int64_t c = 0; c < p.cols; ++c)
        dst[c] = static_cast<std::uint8_t>(readBits(w, c, p.codeBits));
}

float secondOf(const PackedTensor &p, std::int64_t g)
{
    if (!p.scales2.empty())
        return decodeScale(p.scales2.data() + g * p.scaleBytes, p.plan.storage);
    if (p.zeroPointBits)
        return static_cast<float>(readBits(p.zeroPoints.data(), g, p.zeroPointBits));
    return 0.0f;
}

} // namespace

Result<FastQuantized> unpack(const PackedTensor &p)
{
    LOWBIT_CHECK(checkPacked(p));
    FastQuantized q;
    q.rows = p.rows;
    q.cols = p.cols;
    q.codes.resize(static_cast<std::size_t>(p.rows * p.cols));
    Fp6Map map;
    if (p.layout == CodeLayout::Fp6Planes)
        map = fp6Map(p.plan.members[0]);
    for (std::int64_t r = 0; r < p.rows; ++r)
        rowCodes(p, r, q.codes.data() + r * p.cols, &map);
    const std::int64_t groups = p.groups();
    for (std::int64_t g = 0; g < groups; ++g)
        q.scales.push_back(decodeScale(p.scales.data() + g * p.scaleBytes, p.plan.storage));
    if (!p.scales2.empty() || p.zeroPointBits)
        for (std::int64_t g = 0; g < groups; ++g)
            q.scales2.push_back(secondOf(p, g));
    if (p.selectorBits) {
        q.selectors.resize(static_cast<std::size_t>(groups));
        LOWBIT_CHECK(unpackBits(p.selectors, p.selectorBits, q.selectors));
    }
    q.tensorScale = p.tensorScale;
    return q;
}

Status dequantizeRow(const PackedTensor &p, std::int64_t row, float *out)
{
    LOWBIT_CHECK(checkPacked(p));
    if (row < 0 || row >= p.rows)
        return makeError(ErrorCode::InvalidArgument, "dequantize row: row " + std::to_string(row) + " of " + std::to_string(p.rows));
    std::vector<std::uint8_t> codes(static_cast<std::size_t>(p.cols));
    Fp6Map map;
    if (p.layout == CodeLayout::Fp6Planes)
        map = fp6Map(p.plan.members[0]);
    rowCodes(p, row, codes.data(), &map);
    const std::int64_t g = p.plan.groupSize < 0 ? p.cols : (p.plan.groupSize == 0 ? p.cols : p.plan.groupSize);
    const std::int64_t gpr = fastGroupsPerRow(p.plan, p.cols);
    for (std::int64_t j = 0; j * g < p.cols; ++j) {
        const std::int64_t gi = p.plan.groupSize < 0 ? 0 : row * gpr + j;
        const std::size_t sel = p.selectorBits ? readBits(p.selectors.data(), gi, p.selectorBits) : 0u;
        if (sel >= p.plan.members.size())
            return makeError(ErrorCode::InvalidArgument, "dequantize row: selector out of range");
        const FastMember &m = p.plan.members[sel];
        const std::int64_t start = j * g, len = std::min(g, p.cols - start);
        for (std::int64_t c = start; c < start + len; ++c)
            if (codes[static_cast<std::size_t>(c)] > m.maxCode)
                return makeError(ErrorCode::InvalidArgument, "dequantize row: code out of range");
        dequantizeGroup(m, decodeScale(p.scales.data() + gi * p.scaleBytes, p.plan.storage), secondOf(p, gi), codes.data() + start, len,
                        p.tensorScale, out + start);
    }
    return {};
}

} // namespace lowbit
