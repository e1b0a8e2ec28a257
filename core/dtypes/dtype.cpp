// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dtypes/dtype.h"

#include "core/dtypes/ggml_dequant.h"
#include "core/dtypes/scalar_convert.h"

#include <cstring>

namespace lowbit {

namespace {

template <class T>
T load(const std::byte *p)
{
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

template <class T>
void plainToFloat(const std::byte *src, float *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        dst[i] = static_cast<float>(load<T>(src + i * sizeof(T)));
}

void f16ToFloat(const std::byte *src, float *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        dst[i] = fp16ToFloat(load<std::uint16_t>(src + 2 * i));
}

void bf16ToFloatN(const std::byte *src, float *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        dst[i] = bf16ToFloat(load<std::uint16_t>(src + 2 * i));
}

void e4m3ToFloatN(const std::byte *src, float *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        dst[i] = fp8e4m3ToFloat(static_cast<std::uint8_t>(src[i]));
}

void e5m2ToFloatN(const std::byte *src, float *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        dst[i] = fp8e5m2ToFloat(static_cast<std::uint8_t>(src[i]));
}

void boolToFloat(const std::byte *src, float *dst, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        dst[i] = src[i] != std::byte{0} ? 1.0f : 0.0f;
}

constexpr std::array<DTypeTraits, kDTypeCount> kDTypeTraits = {{
    // name      safetensors ggml blk bytes quant float toFloat
    {"f32", "F32", 0, 1, 4, false, true, plainToFloat<float>},
    {"f16", "F16", 1, 1, 2, false, true, f16ToFloat},
    {"bf16", "BF16", 30, 1, 2, false, true, bf16ToFloatN},
    {"f64", "F64", 28, 1, 8, false, true, plainToFloat<double>},
    {"f8_e4m3", "F8_E4M3", -1, 1, 1, false, true, e4m3ToFloatN},
    {"f8_e5m2", "F8_E5M2", -1, 1, 1, false, true, e5m2ToFloatN},
    {"i8", "I8", 24, 1, 1, false, false, plainToFloat<std::int8_t>},
    {"u8", "U8", -1, 1, 1, false, false, plainToFloat<std::uint8_t>},
    {"i16", "I16", 25, 1, 2, false, false, plainToFloat<std::int16_t>},
    {"i32", "I32", 26, 1, 4, false, false, plainToFloat<std::int32_t>},
    {"i64", "I64", 27, 1, 8, false, false, plainToFloat<std::int64_t>},
    {"bool", "BOOL", -1, 1, 1, false, false, boolToFloat},
    {"q4_0", "", 2, 32, 18, true, false, dequantizeQ4_0},
    {"q8_0", "", 8, 32, 34, true, false, dequantizeQ8_0},
    {"q4_1", "", 3, 32, 20, true, false, dequantizeQ4_1},
    {"q5_0", "", 6, 32, 22, true, false, dequantizeQ5_0},
    {"q5_1", "", 7, 32, 24, true, false, dequantizeQ5_1},
    {"q4_K", "", 12, 256, 144, true, false, dequantizeQ4_K},
    {"q6_K", "", 14, 256, 210, true, false, dequantizeQ6_K},
    {"iq4_nl", "", 20, 32, 18, true, false, dequantizeIQ4_NL},
    {"mxfp4", "", 39, 32, 17, true, false, dequantizeMXFP4},
    {"u16", "U16", -1, 1, 2, false, false, plainToFloat<std::uint16_t>},
    {"u32", "U32", -1, 1, 4, false, false, plainToFloat<std::uint32_t>},
    {"u64", "U64", -1, 1, 8, false, false, plainToFloat<std::uint64_t>},
    {"q2_K", "", 10, 256, 84, true, false, dequantizeQ2_K},
    {"q3_K", "", 11, 256, 110, true, false, dequantizeQ3_K},
    {"q5_K", "", 13, 256, 176, true, false, dequantizeQ5_K},
    {"lowbit", "", -1, 1, 0, true, false, nullptr},
}};

} // namespace

const DTypeTraits &dtypeTraits(DType t) { return kDTypeTraits[static_cast<std::size_t>(t)]; }

std::optional<DType> dtypeFromSafetensorsName(std::string_view name)
{
    for (std::size_t i = 0; i < kDTypeCount; ++i)
        if (!kDTypeTraits[i].safetensorsName.empty() && kDTypeTraits[i].safetensorsName == name)
            return static_cast<DType>(i);
    return std::nullopt;
}

std::optional<DType> dtypeFromGgmlType(std::uint32_t ggmlType)
{
    for (std::size_t i = 0; i < kDTypeCount; ++i)
        if (kDTypeTraits[i].ggmlType >= 0 && static_cast<std::uint32_t>(kDTypeTraits[i].ggmlType) == ggmlType)
            return static_cast<DType>(i);
    return std::nullopt;
}

std::optional<std::uint64_t> dtypeByteCount(DType t, std::uint64_t n)
{
    const auto &tr = dtypeTraits(t);
    if (n % tr.blockSize != 0)
        return std::nullopt;
    const std::uint64_t blocks = n / tr.blockSize;
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(blocks, static_cast<std::uint64_t>(tr.blockBytes), &bytes))
        return std::nullopt;
    return bytes;
}

Status convertToFloat(DType t, const std::byte *src, float *dst, std::size_t n)
{
    const auto &tr = dtypeTraits(t);
    if (!tr.toFloat)
        return makeError(ErrorCode::Unsupported, "no fp32 conversion for dtype " + std::string(tr.name) + " yet");
    if (n % tr.blockSize != 0)
        return makeError(ErrorCode::InvalidArgument,
                         std::to_string(n) + " elements is not a whole number of " + std::string(tr.name) + " blocks");
    tr.toFloat(src, dst, n);
    return {};
}

} // namespace lowbit
