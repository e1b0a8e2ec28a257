// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/packed_tensor.h"

#include "core/formats/bitstream.h"
#include "core/formats/packing_fp6.h"

#include <array>
#include <cstring>

namespace lowbit::formats {
namespace {

bool usesFp6Planes(const Format &f)
{
    return f.codeBits == 6 && f.minifloatE >= 1 && f.minifloatE + f.minifloatM == 5 &&
           (f.family == Family::Grid || f.family == Family::GridAsym || f.family == Family::Mx);
}

/// grid index ↔ FP6 bit pattern (−0 reads as the index of 0).
struct Fp6Maps {
    std::array<std::uint8_t, 64> toPattern{};
    std::array<std::uint8_t, 64> toIndex{};
    std::array<bool, 64> valid{}; ///< the pattern is a value of the grid (−0 included)
};

Fp6Maps fp6Maps(const Format &f)
{
    Fp6Maps m;
    for (std::size_t i = 0; i < f.grid.size() && i < 64; ++i)
        m.toPattern[i] = static_cast<std::uint8_t>(minifloatPattern(f, f.grid[i]));
    for (std::size_t i = 0; i < f.grid.size() && i < 64; ++i)
        m.toIndex[m.toPattern[i]] = static_cast<std::uint8_t>(i);
    for (std::size_t i = 0; i < f.grid.size() && i < 64; ++i)
        m.valid[m.toPattern[i]] = true;
    m.toIndex[32] = m.toIndex[0]; // −0
    m.valid[32] = m.valid[0];
    return m;
}

std::size_t storageBytes(ScaleStorage s) { return static_cast<std::size_t>(scaleStorageBits(s) / 8); }

void putScale(std::vector<std::uint8_t> &dst, std::size_t g, float s, ScaleStorage st)
{
    const std::uint32_t bits = encodeScale(s, st);
    const std::size_t w = storageBytes(st);
    for (std::size_t b = 0; b < w; ++b)
        dst[g * w + b] = static_cast<std::uint8_t>(bits >> (8 * b));
}

float getScale(const std::vector<std::uint8_t> &src, std::size_t g, ScaleStorage st)
{
    const std::size_t w = storageBytes(st);
    std::uint32_t bits = 0;
    for (std::size_t b = 0; b < w; ++b)
        bits |= static_cast<std::uint32_t>(src[g * w + b]) << (8 * b);
    return decodeScale(bits, st);
}

Error malformed(const std::string &what) { return makeError(ErrorCode::Malformed, "packed tensor: " + what); }

} // namespace

std::uint64_t PackedTensor::payloadBits() const
{
    const auto numel = static_cast<std::uint64_t>(layout.rows) * static_cast<std::uint64_t>(layout.cols);
    const auto groups = static_cast<std::uint64_t>(layout.groupCount);
    const FamilyTraits &t = spec.format.traits();
    return numel * static_cast<std::uint64_t>(spec.format.codeBits) + 8 * (scaleBytes.size() + scale2Bytes.size()) +
           (t.zeroPoint ? groups * static_cast<std::uint64_t>(spec.format.intBits) : 0) +
           (t.selector ? groups * static_cast<std::uint64_t>(spec.format.selectorBits) : 0) + (t.tensorScale ? 32 : 0);
}

std::uint64_t PackedTensor::byteSize() const
{
    return 4 * (codeWords.size() + planeHiWords.size() + zeroWords.size() + selectorWords.size()) + scaleBytes.size() +
           scale2Bytes.size() + (spec.format.traits().tensorScale ? 4 : 0);
}

Result<PackedTensor> packTensor(const QuantizedMatrix &q)
{
    const GroupLayout &l = q.layout;
    const Format &f = q.spec.format;
    const FamilyTraits &t = f.traits();
    const auto groups = static_cast<std::size_t>(l.groupCount);
    if (q.codes.size() != static_cast<std::size_t>(l.rows * l.cols) || q.scales.size() != groups ||
        ((t.twoScales || t.zeroPoint) && q.scales2.size() != groups) || (t.selector && q.selectors.size() != groups))
        return makeError(ErrorCode::Internal, "packTensor: quantized arrays do not match the layout");
    PackedTensor p;
    p.spec = q.spec;
    p.layout = l;
    p.tensorScale = q.tensorScale;
    p.fp6Planes = usesFp6Planes(f);
    if (p.fp6Planes) {
        const Fp6Maps maps = fp6Maps(f);
        p.wordsPerRow = bitstreamWords(l.cols, 4);
        p.wordsPerRowHi = bitstreamWords(l.cols, 2);
        p.codeWords.resize(static_cast<std::size_t>(l.rows * p.wordsPerRow));
        p.planeHiWords.resize(static_cast<std::size_t>(l.rows * p.wordsPerRowHi));
        std::vector<std::uint8_t> lo(static_cast<std::size_t>(l.cols)), hi(lo.size());
        for (std::int64_t r = 0; r < l.rows; ++r) {
            for (std::int64_t c = 0; c < l.cols; ++c) {
                const std::uint8_t pat = maps.toPattern[q.codes[static_cast<std::size_t>(r * l.cols + c)] & 63u];
                lo[static_cast<std::size_t>(c)] = fp6Low4(pat);
                hi[static_cast<std::size_t>(c)] = fp6High2(pat);
            }
            packBits(lo.data(), l.cols, 4, p.codeWords.data() + r * p.wordsPerRow);
            packBits(hi.data(), l.cols, 2, p.planeHiWords.data() + r * p.wordsPerRowHi);
        }
    } else {
        p.wordsPerRow = bitstreamWords(l.cols, f.codeBits);
        p.codeWords.resize(static_cast<std::size_t>(l.rows * p.wordsPerRow));
        for (std::int64_t r = 0; r < l.rows; ++r)
            packBits(q.codes.data() + r * l.cols, l.cols, f.codeBits, p.codeWords.data() + r * p.wordsPerRow);
    }
    p.scaleBytes.resize(groups * storageBytes(q.spec.storage));
    for (std::size_t g = 0; g < groups; ++g)
        putScale(p.scaleBytes, g, q.scales[g], q.spec.storage);
    if (t.twoScales) {
        p.scale2Bytes.resize(groups * storageBytes(q.spec.storage));
        for (std::size_t g = 0; g < groups; ++g)
            putScale(p.scale2Bytes, g, q.scales2[g], q.spec.storage);
    }
    if (t.zeroPoint) {
        std::vector<std::uint16_t> z(groups);
        for (std::size_t g = 0; g < groups; ++g)
            z[g] = static_cast<std::uint16_t>(q.scales2[g]);
        p.zeroWords.resize(static_cast<std::size_t>(bitstreamWords(l.groupCount, f.intBits)));
        packBits(z.data(), l.groupCount, f.intBits, p.zeroWords.data());
    }
    if (t.selector) {
        p.selectorWords.resize(static_cast<std::size_t>(bitstreamWords(l.groupCount, f.selectorBits)));
        packBits(q.selectors.data(), l.groupCount, f.selectorBits, p.selectorWords.data());
    }
    return p;
}

static Status checkSizes(const PackedTensor &p)
{
    const GroupLayout &l = p.layout;
    const Format &f = p.spec.format;
    const FamilyTraits &t = f.traits();
    LOWBIT_TRY(GroupLayout check, makeGroupLayout(p.spec, l.rows, l.cols));
    if (check.groupCount != l.groupCount || check.groupLen != l.groupLen)
        return malformed("layout disagrees with the spec");
    const auto groups = static_cast<std::size_t>(l.groupCount);
    const std::size_t sb = storageBytes(p.spec.storage);
    const std::int64_t wpr = bitstreamWords(l.cols, p.fp6Planes ? 4 : f.codeBits);
    if (p.fp6Planes != usesFp6Planes(f) || p.wordsPerRow != wpr ||
        p.codeWords.size() != static_cast<std::size_t>(l.rows * wpr) || p.scaleBytes.size() != groups * sb ||
        p.scale2Bytes.size() != (t.twoScales ? groups * sb : 0) ||
        p.zeroWords.size() != (t.zeroPoint ? static_cast<std::size_t>(bitstreamWords(l.groupCount, f.intBits)) : 0) ||
        p.selectorWords.size() != (t.selector ? static_cast<std::size_t>(bitstreamWords(l.groupCount, f.selectorBits)) : 0))
        return malformed("array sizes disagree with the layout");
    if (p.fp6Planes && (p.wordsPerRowHi != bitstreamWords(l.cols, 2) ||
                        p.planeHiWords.size() != static_cast<std::size_t>(l.rows * p.wordsPerRowHi)))
        return malformed("FP6 plane sizes disagree with the layout");
    return {};
}

Result<QuantizedMatrix> unpackTensor(const PackedTensor &p)
{
    LOWBIT_CHECK(checkSizes(p));
    const GroupLayout &l = p.layout;
    const Format &f = p.spec.format;
    const FamilyTraits &t = f.traits();
    const auto groups = static_cast<std::size_t>(l.groupCount);
    QuantizedMatrix q;
    q.spec = p.spec;
    q.layout = l;
    q.tensorScale = p.tensorScale;
    q.codes.resize(static_cast<std::size_t>(l.rows * l.cols));
    if (p.fp6Planes) {
        const Fp6Maps maps = fp6Maps(f);
        std::vector<std::uint8_t> lo(static_cast<std::size_t>(l.cols)), hi(lo.size());
        for (std::int64_t r = 0; r < l.rows; ++r) {
            unpackBits(p.codeWords.data() + r * p.wordsPerRow, l.cols, 4, lo.data());
            unpackBits(p.planeHiWords.data() + r * p.wordsPerRowHi, l.cols, 2, hi.data());
            for (std::int64_t c = 0; c < l.cols; ++c) {
                const auto pat = static_cast<std::uint8_t>((hi[static_cast<std::size_t>(c)] << 4) | lo[static_cast<std::size_t>(c)]);
                if (!maps.valid[pat & 63u])
                    return malformed("FP6 pattern " + std::to_string(pat) + " is not a value of " + f.name);
                q.codes[static_cast<std::size_t>(r * l.cols + c)] = maps.toIndex[pat];
            }
        }
    } else {
        for (std::int64_t r = 0; r < l.rows; ++r)
            unpackBits(p.codeWords.data() + r * p.wordsPerRow, l.cols, f.codeBits, q.codes.data() + r * l.cols);
    }
    const std::size_t codeLimit = t.hasGrid ? f.grid.size() : (f.family == Family::IntSym ? 2 * static_cast<std::size_t>(f.qmax) + 1 : std::size_t{1} << f.codeBits);
    q.scales.resize(groups);
    for (std::size_t g = 0; g < groups; ++g)
        q.scales[g] = getScale(p.scaleBytes, g, p.spec.storage);
    if (t.twoScales) {
        q.scales2.resize(groups);
        for (std::size_t g = 0; g < groups; ++g)
            q.scales2[g] = getScale(p.scale2Bytes, g, p.spec.storage);
    }
    if (t.zeroPoint) {
        std::vector<std::uint16_t> z(groups);
        unpackBits(p.zeroWords.data(), l.groupCount, f.intBits, z.data());
        q.scales2.assign(z.begin(), z.end());
    }
    if (t.selector) {
        q.selectors.resize(groups);
        unpackBits(p.selectorWords.data(), l.groupCount, f.selectorBits, q.selectors.data());
        for (std::size_t g = 0; g < groups; ++g) {
            if (q.selectors[g] >= f.members.size())
                return malformed("selector " + std::to_string(q.selectors[g]) + " names no member");
            const MixMember &m = f.members[q.selectors[g]];
            const std::size_t lim = m.intBits ? 2 * static_cast<std::size_t>(m.qmax) + 1 : m.grid.size();
            const std::int64_t off = l.offset(static_cast<std::int64_t>(g)), len = l.length(static_cast<std::int64_t>(g));
            for (std::int64_t i = 0; i < len; ++i)
                if (q.codes[static_cast<std::size_t>(off + i)] >= lim)
                    return malformed("code out of range for member " + m.name);
        }
    } else {
        for (const std::uint8_t c : q.codes)
            if (c >= codeLimit)
                return malformed("code " + std::to_string(c) + " out of range for " + f.name);
    }
    return q;
}

Status dequantizeRow(const PackedTensor &p, std::int64_t row, float *out)
{
    const GroupLayout &l = p.layout;
    if (row < 0 || row >= l.rows)
        return makeError(ErrorCode::InvalidArgument, "dequantizeRow: row " + std::to_string(row) + " out of range");
    LOWBIT_CHECK(checkSizes(p));
    const Format &f = p.spec.format;
    const FamilyTraits &t = f.traits();
    // this row's codes only
    std::vector<std::uint8_t> codes(static_cast<std::size_t>(l.cols)), hi;
    if (p.fp6Planes) {
        hi.resize(codes.size());
        unpackBits(p.codeWords.data() + row * p.wordsPerRow, l.cols, 4, codes.data());
        unpackBits(p.planeHiWords.data() + row * p.wordsPerRowHi, l.cols, 2, hi.data());
    } else {
        unpackBits(p.codeWords.data() + row * p.wordsPerRow, l.cols, f.codeBits, codes.data());
    }
    const Fp6Maps maps = p.fp6Planes ? fp6Maps(f) : Fp6Maps{};
    const std::size_t codeLimit = t.hasGrid ? f.grid.size()
                                            : (f.family == Family::IntSym ? 2 * static_cast<std::size_t>(f.qmax) + 1
                                                                          : std::size_t{1} << f.codeBits);
    const std::int64_t firstGroup = l.groupsPerRow == 0 ? 0 : row * l.groupsPerRow;
    const std::int64_t nGroups = l.groupsPerRow == 0 ? 1 : l.groupsPerRow;
    for (std::int64_t g = firstGroup; g < firstGroup + nGroups; ++g) {
        const auto gi = static_cast<std::size_t>(g);
        GroupParams gp;
        gp.scale = getScale(p.scaleBytes, gi, p.spec.storage);
        if (t.twoScales)
            gp.scale2 = getScale(p.scale2Bytes, gi, p.spec.storage);
        if (t.zeroPoint)
            gp.scale2 = static_cast<float>(readBits(p.zeroWords.data(), g, f.intBits));
        std::size_t limit = codeLimit;
        if (t.selector) {
            const std::uint32_t sel = readBits(p.selectorWords.data(), g, f.selectorBits);
            if (sel >= f.members.size())
                return malformed("selector " + std::to_string(sel) + " names no member");
            gp.selector = static_cast<std::uint8_t>(sel);
            const MixMember &m = f.members[sel];
            limit = m.intBits ? 2 * static_cast<std::size_t>(m.qmax) + 1 : m.grid.size();
        }
        gp.codeScale = f.family == Family::Nvfp4 ? gp.scale * p.tensorScale : gp.scale;
        const std::int64_t c0 = l.groupsPerRow == 0 ? 0 : (g - firstGroup) * l.groupLen;
        const std::int64_t c1 = l.groupsPerRow == 0 ? l.cols : std::min(l.cols, c0 + l.groupLen);
        for (std::int64_t c = c0; c < c1; ++c) {
            const auto ci = static_cast<std::size_t>(c);
            if (p.fp6Planes) {
                const auto pat = static_cast<std::uint8_t>((hi[ci] << 4) | codes[ci]);
                if (!maps.valid[pat & 63u])
                    return malformed("FP6 pattern " + std::to_string(pat) + " is not a value of " + f.name);
                out[c] = f.family == Family::GridAsym
                             ? dequantizeValue(p.spec, gp, maps.toIndex[pat])
                             : fp6PlaneDequant(hi[ci], codes[ci], f.minifloatE, f.minifloatM, gp.scale);
            } else {
                if (codes[ci] >= limit)
                    return malformed("code " + std::to_string(codes[ci]) + " out of range for " + f.name);
                out[c] = dequantizeValue(p.spec, gp, codes[ci]);
            }
        }
    }
    return {};
}

} // namespace lowbit::formats
