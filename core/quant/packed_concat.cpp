// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/packed_concat.h"

#include "core/quant/bitstream.h"

#include <bit>
#include <cstring>
#include <vector>

namespace lowbit {

namespace {

bool sameMember(const FastMember &a, const FastMember &b)
{
    return a.kind == b.kind && a.codeBits == b.codeBits && a.fp6ExponentBits == b.fp6ExponentBits &&
           std::memcmp(a.table.data(), b.table.data(), sizeof(a.table)) == 0;
}

/// Both k-bit streams of `na` and `nb` values as one stream of na + nb values.
Result<std::vector<std::uint32_t>> concatStream(const std::vector<std::uint32_t> &a, std::int64_t na, const std::vector<std::uint32_t> &b,
                                                std::int64_t nb, unsigned bits)
{
    if (bits == 0)
        return std::vector<std::uint32_t>{};
    if (static_cast<std::int64_t>(a.size()) != bitstreamWords(na, bits) || static_cast<std::int64_t>(b.size()) != bitstreamWords(nb, bits))
        return makeError(ErrorCode::InvalidArgument, "concatRows: a zero-point or selector stream does not match its group count");
    std::vector<std::uint16_t> values(static_cast<std::size_t>(na + nb));
    LOWBIT_CHECK(unpackBits(a, bits, std::span<std::uint16_t>(values.data(), static_cast<std::size_t>(na))));
    LOWBIT_CHECK(unpackBits(b, bits, std::span<std::uint16_t>(values.data() + na, static_cast<std::size_t>(nb))));
    std::vector<std::uint32_t> out(static_cast<std::size_t>(bitstreamWords(na + nb, bits)));
    LOWBIT_CHECK(packBits(values, bits, out));
    return out;
}

template <class T>
std::vector<T> joined(const std::vector<T> &a, const std::vector<T> &b)
{
    std::vector<T> out;
    out.reserve(a.size() + b.size());
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

} // namespace

bool rowsConcatenable(const PackedTensor &a, const PackedTensor &b)
{
    const FastPlan &pa = a.plan, &pb = b.plan;
    if (pa.kind != pb.kind || pa.groupSize != pb.groupSize || pa.groupSize < 0 || pa.storage != pb.storage ||
        pa.members.size() != pb.members.size())
        return false;
    for (std::size_t i = 0; i < pa.members.size(); ++i)
        if (!sameMember(pa.members[i], pb.members[i]))
            return false;
    return a.cols == b.cols && a.codeBits == b.codeBits && a.layout == b.layout && a.rowWords == b.rowWords && a.rowWordsHi == b.rowWordsHi &&
           a.scaleBytes == b.scaleBytes && a.scales2.empty() == b.scales2.empty() && a.zeroPointBits == b.zeroPointBits &&
           a.selectorBits == b.selectorBits && a.hasTensorScale == b.hasTensorScale &&
           std::bit_cast<std::uint32_t>(a.tensorScale) == std::bit_cast<std::uint32_t>(b.tensorScale);
}

Result<PackedTensor> concatRows(const PackedTensor &a, const PackedTensor &b)
{
    if (!rowsConcatenable(a, b))
        return makeError(ErrorCode::InvalidArgument, "concatRows: the tensors do not decode by the same rule (format, group, storage or columns differ)");
    const std::int64_t ga = a.groups(), gb = b.groups();
    const auto words = [](const PackedTensor &t, const std::vector<std::uint32_t> &v, std::int64_t perRow) {
        return static_cast<std::int64_t>(v.size()) == t.rows * perRow;
    };
    const auto bytes = [](const std::vector<std::uint8_t> &v, std::int64_t groups, unsigned per) {
        return v.empty() || static_cast<std::int64_t>(v.size()) == groups * per;
    };
    if (!words(a, a.codes, a.rowWords) || !words(b, b.codes, b.rowWords) || !words(a, a.codesHi, a.rowWordsHi) ||
        !words(b, b.codesHi, b.rowWordsHi) || static_cast<std::int64_t>(a.scales.size()) != ga * a.scaleBytes ||
        static_cast<std::int64_t>(b.scales.size()) != gb * b.scaleBytes || !bytes(a.scales2, ga, a.scaleBytes) || !bytes(b.scales2, gb, b.scaleBytes))
        return makeError(ErrorCode::InvalidArgument, "concatRows: an array does not match its tensor's shape");
    PackedTensor out = a; // spec, plan, widths, tensor scale
    out.rows = a.rows + b.rows;
    // rows start on word boundaries and groups are numbered row by row: the arrays follow each other
    out.codes = joined(a.codes, b.codes);
    out.codesHi = joined(a.codesHi, b.codesHi);
    out.scales = joined(a.scales, b.scales);
    out.scales2 = joined(a.scales2, b.scales2);
    // the k-bit streams over the groups are dense: b's values move to bit ga·k
    LOWBIT_TRY(out.zeroPoints, concatStream(a.zeroPoints, ga, b.zeroPoints, gb, a.zeroPointBits));
    LOWBIT_TRY(out.selectors, concatStream(a.selectors, ga, b.selectors, gb, a.selectorBits));
    return out;
}

} // namespace lowbit
