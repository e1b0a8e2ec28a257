// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Storage dtypes of tensors in files (safetensors element types and GGUF block types).
/// Every question about a dtype is answered from kDTypeTraits, never from a switch.

#include "core/util/result.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lowbit {

/// Permanent numbering: never renumber; a removed value stays reserved.
enum class DType : std::uint8_t {
    F32 = 0,
    F16 = 1,
    BF16 = 2,
    F64 = 3,
    F8_E4M3 = 4,
    F8_E5M2 = 5,
    I8 = 6,
    U8 = 7,
    I16 = 8,
    I32 = 9,
    I64 = 10,
    Bool = 11,
    Q4_0 = 12, ///< ggml: 32 weights, f16 d + 16 bytes of nibbles (4.5 bpw)
    Q8_0 = 13, ///< ggml: 32 weights, f16 d + 32 int8 (8.5 bpw)
    Q4_1 = 14, ///< ggml: f16 d, f16 m + 16 bytes (5 bpw)
    Q5_0 = 15,
    Q5_1 = 16,
    Q4_K = 17,
    Q6_K = 18,
    IQ4_NL = 19,
    MXFP4 = 20,
    U16 = 21,
    U32 = 22,
    U64 = 23,
    Q2_K = 24,
    Q3_K = 25,
    Q5_K = 26,
    Lowbit = 27, ///< a studio-quantized tensor: no byte layout of its own, decoded by TensorView::decoder
};
inline constexpr std::size_t kDTypeCount = 28;

/// Converts `n` elements (a multiple of blockSize) starting at `src` to fp32.
using DTypeToFloatFn = void (*)(const std::byte *src, float *dst, std::size_t n);

struct DTypeTraits {
    std::string_view name;           ///< lower-case, matching ggml where it exists ("q4_0", "f16")
    std::string_view safetensorsName;///< "F32", "BF16", ...; empty when safetensors has none
    int ggmlType;                    ///< GGUF ggml_type id, -1 when GGUF has none
    std::uint32_t blockSize;         ///< elements per block (1 for plain element types)
    std::uint32_t blockBytes;        ///< bytes per block
    bool isQuantized;                ///< block-quantized (ggml) type
    bool isFloat;                    ///< plain floating-point element type
    DTypeToFloatFn toFloat;          ///< nullptr: no conversion to fp32 yet (reported as unsupported)
};

const DTypeTraits &dtypeTraits(DType t);

std::optional<DType> dtypeFromSafetensorsName(std::string_view name);
std::optional<DType> dtypeFromGgmlType(std::uint32_t ggmlType);
inline std::string_view dtypeName(DType t) { return dtypeTraits(t).name; }

/// Bytes needed for `n` elements, or nullopt when n is not a multiple of the block size or
/// the product overflows 64 bits.
std::optional<std::uint64_t> dtypeByteCount(DType t, std::uint64_t n);

/// Converts `n` elements of dtype `t` to fp32. Errors: Unsupported when the dtype has no
/// conversion, InvalidArgument when n is not a whole number of blocks.
Status convertToFloat(DType t, const std::byte *src, float *dst, std::size_t n);

} // namespace lowbit
