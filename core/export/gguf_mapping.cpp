// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/gguf_mapping.h"

#include "core/dtypes/blocks.h"
#include "core/quant/bitstream.h"
#include "core/quant/quantized_tensor.h"

#include <array>
#include <cctype>
#include <cmath>
#include <cstring>

namespace lowbit {

namespace {

constexpr int kBlock = 32;

/// The nibble/byte code of each studio code for `type`, or nullopt when some value has none.
std::optional<std::array<int, 256>> codeMap(const FastMember &m, DType type)
{
    std::array<int, 256> map{};
    for (int c = 0; c <= m.maxCode; ++c) {
        const float v = m.table[static_cast<std::size_t>(c)];
        const bool integral = std::isfinite(v) && v == std::nearbyint(v);
        constexpr int kNone = 1000;
        int code = kNone;
        switch (type) {
        case DType::Q4_0:
            if (integral && v >= -8 && v <= 7)
                code = static_cast<int>(v) + 8;
            break;
        case DType::Q5_0:
            if (integral && v >= -16 && v <= 15)
                code = static_cast<int>(v) + 16;
            break;
        case DType::Q8_0:
            if (integral && v >= -128 && v <= 127)
                code = static_cast<int>(v);
            break;
        case DType::IQ4_NL:
            for (int k = 0; k < 16 && code == kNone; ++k)
                if (v == static_cast<float>(kIq4nlValues[k]))
                    code = k;
            break;
        case DType::MXFP4:
            for (int k = 0; k < 16 && code == kNone; ++k)
                if (2.0f * v == static_cast<float>(kMxfp4Values[k]))
                    code = k;
            break;
        default:
            return std::nullopt;
        }
        if (code == kNone)
            return std::nullopt;
        map[static_cast<std::size_t>(c)] = code;
    }
    return map;
}

/// The shape conditions shared by every exact mapping.
const FastMember *singleMember(const PackedTensor &p)
{
    if (p.plan.members.size() != 1 || p.layout != CodeLayout::Dense || p.selectorBits != 0 || p.zeroPointBits != 0 || !p.scales2.empty()
        || p.hasTensorScale)
        return nullptr;
    const FastMember &m = p.plan.members[0];
    if (m.kind == FastKind::IntAsym || m.kind == FastKind::GridTwoScale || m.kind == FastKind::Nvfp4 || m.kind == FastKind::Mixture)
        return nullptr;
    if (p.plan.groupSize != kBlock || p.cols <= 0 || p.cols % kBlock != 0)
        return nullptr;
    return &m;
}

bool carries(const PackedTensor &p, DType type)
{
    const FastMember *m = singleMember(p);
    if (!m)
        return false;
    const bool fp16 = p.plan.storage == FastScaleRound::F16 && p.scaleBytes == 2;
    const bool e8m0 = p.plan.storage == FastScaleRound::E8M0 && p.scaleBytes == 1;
    if (type == DType::MXFP4 ? !e8m0 : !fp16)
        return false;
    return codeMap(*m, type).has_value();
}

} // namespace

std::optional<DType> exactGgufType(const PackedTensor &p)
{
    for (DType t : {DType::MXFP4, DType::Q4_0, DType::IQ4_NL, DType::Q5_0, DType::Q8_0}) // smallest first
        if (carries(p, t))
            return t;
    return std::nullopt;
}

Status carryPackedRows(const PackedTensor &p, DType type, const std::int64_t *rowOf, std::int64_t nrows, std::byte *dst)
{
    if (!carries(p, type))
        return makeError(ErrorCode::InvalidArgument, "GGUF " + std::string(dtypeName(type)) + " cannot carry " + describeSpec(p.spec));
    const FastMember &m = p.plan.members[0];
    const std::array<int, 256> map = *codeMap(m, type);
    const std::int64_t blocksPerRow = p.cols / kBlock;
    const std::size_t blockBytes = dtypeTraits(type).blockBytes;
    int codes[kBlock];
    for (std::int64_t i = 0; i < nrows; ++i) {
        const std::int64_t r = rowOf[i];
        if (r < 0 || r >= p.rows)
            return makeError(ErrorCode::InvalidArgument, "carry: row " + std::to_string(r) + " of " + std::to_string(p.rows));
        const std::uint32_t *words = p.codes.data() + r * p.rowWords;
        for (std::int64_t b = 0; b < blocksPerRow; ++b) {
            for (int j = 0; j < kBlock; ++j) {
                const std::uint32_t c = readBits(words, b * kBlock + j, p.codeBits);
                if (c > m.maxCode)
                    return makeError(ErrorCode::Malformed, "carry: code " + std::to_string(c) + " outside the format");
                codes[j] = map[c];
            }
            const std::uint8_t *scale = p.scales.data() + (r * blocksPerRow + b) * p.scaleBytes;
            std::byte *out = dst + static_cast<std::size_t>(i * blocksPerRow + b) * blockBytes;
            auto nibbles = [&](std::uint8_t *qs) {
                for (int j = 0; j < 16; ++j)
                    qs[j] = static_cast<std::uint8_t>((codes[j] & 0xF) | ((codes[j + 16] & 0xF) << 4));
            };
            if (type == DType::Q4_0 || type == DType::IQ4_NL) {
                BlockQ4_0 blk{}; // IQ4_NL has the same layout
                std::memcpy(&blk.d, scale, 2);
                nibbles(blk.qs);
                std::memcpy(out, &blk, sizeof blk);
            } else if (type == DType::Q5_0) {
                BlockQ5_0 blk{};
                std::memcpy(&blk.d, scale, 2);
                nibbles(blk.qs);
                std::uint32_t qh = 0;
                for (int j = 0; j < kBlock; ++j)
                    qh |= static_cast<std::uint32_t>((codes[j] >> 4) & 1) << j;
                std::memcpy(blk.qh, &qh, 4);
                std::memcpy(out, &blk, sizeof blk);
            } else if (type == DType::Q8_0) {
                BlockQ8_0 blk{};
                std::memcpy(&blk.d, scale, 2);
                for (int j = 0; j < kBlock; ++j)
                    blk.qs[j] = static_cast<std::int8_t>(codes[j]);
                std::memcpy(out, &blk, sizeof blk);
            } else { // MXFP4
                BlockMXFP4 blk{};
                blk.e = scale[0];
                if (blk.e == 0xFF) // the studio's zero scale: every weight decodes to 0
                    blk.e = 0;
                else
                    nibbles(blk.qs);
                std::memcpy(out, &blk, sizeof blk);
            }
        }
    }
    return {};
}

DType ggufTypeForRow(DType type, std::int64_t cols)
{
    const std::uint32_t block = dtypeTraits(type).blockSize;
    if (cols > 0 && cols % block == 0)
        return type;
    if (cols > 0 && cols % kBlock == 0) {
        if (type == DType::Q4_K)
            return DType::Q5_0;
        if (type == DType::Q6_K)
            return DType::Q8_0;
    }
    return DType::F32;
}

DType closestGgufType(double bitsPerWeight, std::int64_t cols)
{
    DType t = DType::F16;
    if (bitsPerWeight <= 4.75)
        t = DType::Q4_K;
    else if (bitsPerWeight <= 5.6)
        t = DType::Q5_0;
    else if (bitsPerWeight <= 6.7)
        t = DType::Q6_K;
    else if (bitsPerWeight <= 9.0)
        t = DType::Q8_0;
    return ggufTypeForRow(t, cols);
}

Result<DType> parseGgufTypeName(std::string_view name)
{
    static constexpr DType kWritable[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q8_0,   DType::Q4_0,  DType::Q4_1,
                                          DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q6_K, DType::IQ4_NL, DType::MXFP4};
    std::string lower(name);
    for (char &c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string valid;
    for (DType t : kWritable) {
        std::string n(dtypeName(t));
        for (char &c : n)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (n == lower)
            return t;
        std::string upper(dtypeName(t));
        for (char &c : upper)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        valid += (valid.empty() ? "" : ", ") + upper;
    }
    return makeError(ErrorCode::InvalidArgument, "unknown GGUF type '" + std::string(name) + "' (the exporter writes " + valid + ")");
}

} // namespace lowbit
