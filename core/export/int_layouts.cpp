// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/int_layouts.h"

#include "core/dtypes/scalar_convert.h"
#include "core/quant/quantized_tensor.h"

#include <cstring>

namespace lowbit {

namespace {

/// ORs `value` (bits wide) into an LSB-first stream of 32-bit words at bit offset `at`.
void putBits(std::uint32_t *words, std::int64_t at, std::uint32_t value, int bits)
{
    const std::int64_t w = at / 32;
    const int shift = static_cast<int>(at % 32);
    words[w] |= value << shift;
    if (shift + bits > 32)
        words[w + 1] |= value >> (32 - shift);
}

std::uint32_t getBits(const std::uint32_t *words, std::int64_t at, int bits)
{
    const std::int64_t w = at / 32;
    const int shift = static_cast<int>(at % 32);
    std::uint64_t v = words[w] >> shift;
    if (shift + bits > 32)
        v |= static_cast<std::uint64_t>(words[w + 1]) << (32 - shift);
    return static_cast<std::uint32_t>(v & ((std::uint64_t(1) << bits) - 1));
}

bool gptqBits(int b) { return b == 2 || b == 3 || b == 4 || b == 8; }

template <class T>
std::vector<T> copyOut(const TensorView &v)
{
    std::vector<T> out(static_cast<std::size_t>(v.nbytes / sizeof(T)));
    if (!out.empty())
        std::memcpy(out.data(), v.data, out.size() * sizeof(T));
    return out;
}

Status expectShape(const TensorView &v, DType dtype, std::vector<std::int64_t> shape, const char *what)
{
    if (v.dtype != dtype || v.shape != shape)
        return makeError(ErrorCode::Malformed, std::string(what) + " '" + v.name + "' is " + std::string(dtypeName(v.dtype)) + " "
                                                   + shapeToString(v.shape) + ", expected " + std::string(dtypeName(dtype)) + " "
                                                   + shapeToString(shape));
    return {};
}

} // namespace

Result<GptqLinear> packGptq(int bits, std::int64_t out, std::int64_t in, const std::vector<std::uint8_t> &codes,
                            const std::vector<std::uint8_t> &zeros, const std::vector<std::uint16_t> &scalesFp16,
                            const std::vector<std::int32_t> &gIdx, std::int64_t groups)
{
    if (!gptqBits(bits))
        return makeError(ErrorCode::InvalidArgument, "GPTQ stores 2, 3, 4 or 8 bits, not " + std::to_string(bits));
    if (in <= 0 || out <= 0 || groups <= 0 || (in * bits) % 32 != 0 || (out * bits) % 32 != 0)
        return makeError(ErrorCode::InvalidArgument, "GPTQ needs in·bits and out·bits to be multiples of 32 (in " + std::to_string(in)
                                                         + ", out " + std::to_string(out) + ", " + std::to_string(bits) + " bits)");
    if (codes.size() != static_cast<std::size_t>(out * in) || zeros.size() != static_cast<std::size_t>(groups * out)
        || scalesFp16.size() != zeros.size() || gIdx.size() != static_cast<std::size_t>(in))
        return makeError(ErrorCode::InvalidArgument, "GPTQ pack: array sizes do not match the shape");
    const std::uint32_t mask = (1u << bits) - 1u;
    GptqLinear g;
    g.bits = bits;
    g.in = in;
    g.out = out;
    g.groups = groups;
    const std::int64_t wordsIn = in * bits / 32, wordsOut = out * bits / 32;
    std::vector<std::uint32_t> col(static_cast<std::size_t>(wordsIn));
    std::vector<std::uint32_t> qw(static_cast<std::size_t>(wordsIn * out));
    for (std::int64_t o = 0; o < out; ++o) {
        std::fill(col.begin(), col.end(), 0u);
        for (std::int64_t i = 0; i < in; ++i) {
            const std::uint32_t q = codes[static_cast<std::size_t>(o * in + i)];
            if (q > mask)
                return makeError(ErrorCode::InvalidArgument, "GPTQ pack: code " + std::to_string(q) + " does not fit " + std::to_string(bits) + " bits");
            putBits(col.data(), i * bits, q, bits);
        }
        for (std::int64_t w = 0; w < wordsIn; ++w)
            qw[static_cast<std::size_t>(w * out + o)] = col[static_cast<std::size_t>(w)];
    }
    g.qweight.resize(qw.size());
    std::memcpy(g.qweight.data(), qw.data(), qw.size() * 4);
    std::vector<std::uint32_t> qz(static_cast<std::size_t>(groups * wordsOut), 0u);
    for (std::int64_t gr = 0; gr < groups; ++gr)
        for (std::int64_t o = 0; o < out; ++o) {
            const std::uint32_t z = zeros[static_cast<std::size_t>(gr * out + o)];
            if (z > mask)
                return makeError(ErrorCode::InvalidArgument, "GPTQ pack: zero point " + std::to_string(z) + " does not fit");
            putBits(qz.data() + gr * wordsOut, o * bits, (z - 1u) & mask, bits); // v1: z − 1
        }
    g.qzeros.resize(qz.size());
    std::memcpy(g.qzeros.data(), qz.data(), qz.size() * 4);
    g.scales = scalesFp16;
    for (std::int32_t x : gIdx)
        if (x < 0 || x >= groups)
            return makeError(ErrorCode::InvalidArgument, "GPTQ pack: g_idx " + std::to_string(x) + " outside 0.." + std::to_string(groups - 1));
    g.gIdx = gIdx;
    return g;
}

Result<std::vector<float>> dequantizeGptq(const TensorView &qweight, const TensorView &qzeros, const TensorView &scales,
                                          const TensorView &gIdx, int bits)
{
    if (!gptqBits(bits))
        return makeError(ErrorCode::InvalidArgument, "GPTQ stores 2, 3, 4 or 8 bits, not " + std::to_string(bits));
    if (qweight.shape.size() != 2 || scales.shape.size() != 2 || gIdx.shape.size() != 1)
        return makeError(ErrorCode::Malformed, "GPTQ tensors have the wrong rank");
    const std::int64_t in = gIdx.shape[0], out = qweight.shape[1], groups = scales.shape[0];
    if ((in * bits) % 32 != 0 || (out * bits) % 32 != 0)
        return makeError(ErrorCode::Malformed, "GPTQ shape does not fit " + std::to_string(bits) + " bits");
    LOWBIT_CHECK(expectShape(qweight, DType::I32, {in * bits / 32, out}, "qweight"));
    LOWBIT_CHECK(expectShape(qzeros, DType::I32, {groups, out * bits / 32}, "qzeros"));
    LOWBIT_CHECK(expectShape(scales, DType::F16, {groups, out}, "scales"));
    LOWBIT_CHECK(expectShape(gIdx, DType::I32, {in}, "g_idx"));
    const auto qw = copyOut<std::uint32_t>(qweight);
    const auto qz = copyOut<std::uint32_t>(qzeros);
    const auto sc = copyOut<std::uint16_t>(scales);
    const auto gi = copyOut<std::int32_t>(gIdx);
    const std::int64_t wordsIn = in * bits / 32, wordsOut = out * bits / 32;
    std::vector<float> w(static_cast<std::size_t>(out * in));
    std::vector<std::uint32_t> col(static_cast<std::size_t>(wordsIn));
    for (std::int64_t o = 0; o < out; ++o) {
        for (std::int64_t k = 0; k < wordsIn; ++k)
            col[static_cast<std::size_t>(k)] = qw[static_cast<std::size_t>(k * out + o)];
        for (std::int64_t i = 0; i < in; ++i) {
            const std::int32_t g = gi[static_cast<std::size_t>(i)];
            if (g < 0 || g >= groups)
                return makeError(ErrorCode::Malformed, "g_idx[" + std::to_string(i) + "] = " + std::to_string(g) + " is not a group");
            const auto q = static_cast<std::int32_t>(getBits(col.data(), i * bits, bits));
            const auto z = static_cast<std::int32_t>(getBits(qz.data() + g * wordsOut, o * bits, bits)) + 1;
            w[static_cast<std::size_t>(o * in + i)] = static_cast<float>(q - z) * fp16ToFloat(sc[static_cast<std::size_t>(g * out + o)]);
        }
    }
    return w;
}

Result<std::vector<std::int32_t>> packCompressedRows(int bits, std::int64_t out, std::int64_t in, const std::vector<std::uint8_t> &codes)
{
    if (bits != 2 && bits != 4 && bits != 8)
        return makeError(ErrorCode::InvalidArgument, "compressed-tensors pack-quantized stores 2, 4 or 8 bits here, not " + std::to_string(bits));
    if (in <= 0 || (in * bits) % 32 != 0 || codes.size() != static_cast<std::size_t>(out * in))
        return makeError(ErrorCode::InvalidArgument, "compressed-tensors needs rows of whole int32 words");
    const std::int64_t words = in * bits / 32;
    std::vector<std::uint32_t> packed(static_cast<std::size_t>(out * words), 0u);
    for (std::int64_t o = 0; o < out; ++o)
        for (std::int64_t i = 0; i < in; ++i)
            putBits(packed.data() + o * words, i * bits, codes[static_cast<std::size_t>(o * in + i)] & ((1u << bits) - 1u), bits);
    std::vector<std::int32_t> result(packed.size());
    std::memcpy(result.data(), packed.data(), packed.size() * 4);
    return result;
}

Result<std::vector<float>> dequantizeCompressedInt(const TensorView &packed, const TensorView &scale, const TensorView *zeroPoint,
                                                   int bits, std::int64_t groupSize)
{
    if (bits != 2 && bits != 4 && bits != 8)
        return makeError(ErrorCode::InvalidArgument, "pack-quantized: " + std::to_string(bits) + " bits");
    if (packed.dtype != DType::I32 || packed.shape.size() != 2 || scale.shape.size() != 2)
        return makeError(ErrorCode::Malformed, "weight_packed must be int32 [out, in·bits/32] and weight_scale 2-D");
    const std::int64_t out = packed.shape[0], in = packed.shape[1] * 32 / bits;
    const std::int64_t g = groupSize > 0 ? groupSize : in;
    const std::int64_t groups = (in + g - 1) / g;
    if (scale.shape != std::vector<std::int64_t>{out, groups})
        return makeError(ErrorCode::Malformed, "weight_scale is " + shapeToString(scale.shape) + ", expected " + shapeToString({out, groups}));
    if (zeroPoint && (zeroPoint->dtype != DType::I8 || zeroPoint->shape != scale.shape))
        return makeError(ErrorCode::Malformed, "weight_zero_point must be int8 shaped like weight_scale");
    LOWBIT_TRY(std::vector<float> s, scale.toFloatVector());
    const auto words = copyOut<std::uint32_t>(packed);
    const std::int64_t wpr = packed.shape[1];
    const std::int32_t offset = 1 << (bits - 1);
    std::vector<float> w(static_cast<std::size_t>(out * in));
    for (std::int64_t o = 0; o < out; ++o)
        for (std::int64_t i = 0; i < in; ++i) {
            const std::int64_t gi = o * groups + i / g;
            const std::int32_t q = static_cast<std::int32_t>(getBits(words.data() + o * wpr, i * bits, bits)) - offset;
            const std::int32_t z = zeroPoint ? static_cast<std::int32_t>(static_cast<const std::int8_t *>(static_cast<const void *>(zeroPoint->data))[gi]) : 0;
            w[static_cast<std::size_t>(o * in + i)] = static_cast<float>(q - z) * s[static_cast<std::size_t>(gi)];
        }
    return w;
}

Result<StudioInt> studioIntOf(const PackedTensor &p)
{
    const std::string what = describeSpec(p.spec);
    if (p.plan.members.size() != 1 || p.layout != CodeLayout::Dense || p.selectorBits != 0 || !p.scales2.empty() || p.hasTensorScale)
        return makeError(ErrorCode::Unsupported, what + " is not a plain INT format");
    const FastMember &m = p.plan.members[0];
    if (m.kind != FastKind::IntSym && m.kind != FastKind::IntAsym)
        return makeError(ErrorCode::Unsupported, what + " is not an INT format");
    StudioInt s;
    s.asymmetric = m.kind == FastKind::IntAsym;
    s.bits = static_cast<int>(p.spec.format.bits);
    s.rows = p.rows;
    s.cols = p.cols;
    s.storage = p.plan.storage;
    s.perTensor = p.plan.groupSize < 0;
    s.specGroup = p.plan.groupSize;
    s.group = p.plan.groupSize > 0 ? p.plan.groupSize : p.cols;
    if (p.cols % s.group != 0)
        return makeError(ErrorCode::Unsupported, what + ": groups of " + std::to_string(s.group) + " do not divide rows of " + std::to_string(p.cols));
    LOWBIT_TRY(s.q, unpack(p));
    return s;
}

} // namespace lowbit
