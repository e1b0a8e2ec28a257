// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Which GGUF type holds a tensor: the exact mapping of studio formats onto ggml blocks (codes and
/// scales carried bit for bit), the closest type for formats GGUF cannot carry, and llama.cpp's
/// fallbacks for rows that are not whole blocks.
///
/// A studio tensor decodes as x̂ = s·v[code] (s its group scale after storage rounding, v the
/// format's value table); a ggml block decodes as x̂ = d·k[nibble]. The two are bit-identical when
/// the group is one ggml block (32 weights along the row), s is stored exactly as ggml stores d,
/// and every v is one of ggml's k. Hence (single-member formats only, no second scale, dense codes):
///  - fp16 scales, every v an integer in −8…7 → Q4_0 (int2/int3/int4, q4_0 g32 fp16);
///  - fp16 scales, every v one of IQ4_NL's 16 levels → IQ4_NL (iq4nl g32 fp16);
///  - fp16 scales, every v an integer in −16…15 → Q5_0 (int5);
///  - fp16 scales, every v an integer in −128…127 → Q8_0 (int6, int7, int8, integer LUTs);
///  - E8M0 scales, every 2v one of MXFP4's values → MXFP4 (mxfp4; fp4 g32 e8m0).
/// INT-asym (x̂ = s·(q − z), Q4_1 stores m = −s·z in fp16: not exact), AFPQ, mixtures, NVFP4,
/// fp32/bf16/E4M3 scales and other group sizes have no exact GGUF type.

#include "core/dtypes/dtype.h"
#include "core/quant/packed_tensor.h"
#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace lowbit {

/// The GGUF type that carries `p` bit-exactly (the smallest one when several do), or nullopt.
std::optional<DType> exactGgufType(const PackedTensor &p);

/// Writes source rows rowOf(0) … rowOf(nrows − 1) of `p` as ggml blocks of `type` (which must be
/// exactGgufType(p)) into dst (nrows · cols/32 blocks). Errors: InvalidArgument when `type` does
/// not carry `p`, Malformed for codes outside the format.
Status carryPackedRows(const PackedTensor &p, DType type, const std::int64_t *rowOf, std::int64_t nrows, std::byte *dst);

/// The GGUF type closest to a representation of `bitsPerWeight` bits (rows of `cols` weights,
/// after ggufTypeForRow): ≤ 4.75 → Q4_K, ≤ 5.6 → Q5_0, ≤ 6.7 → Q6_K, ≤ 9 → Q8_0, else F16.
DType closestGgufType(double bitsPerWeight, std::int64_t cols);

/// `type` when a row of `cols` weights is whole blocks of it; else llama.cpp's substitute
/// (Q4_K → Q5_0, Q6_K → Q8_0, only when cols is a multiple of 32); else F32.
DType ggufTypeForRow(DType type, std::int64_t cols);

/// Parses a GGUF type name as llama.cpp spells it ("Q4_K", "q4_k", "Q4_K_M" is not a type).
/// Errors: InvalidArgument listing the types the exporter writes.
Result<DType> parseGgufTypeName(std::string_view name);

} // namespace lowbit
