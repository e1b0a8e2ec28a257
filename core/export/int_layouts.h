// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The integer checkpoint layouts other tools load, as pure pack/unpack functions on one linear
/// layer (shared by the exporters and by the tests that re-read what they wrote).
///
/// GPTQ v1 (AutoGPTQ / transformers / vLLM): for W [out, in] with codes q ∈ 0…2^b − 1,
///  - qweight int32 [in·b/32, out]: per output column, the codes along the input dimension as one
///    LSB-first bit stream (2/4/8 bits: 32/b codes per word; 3 bits: 32 codes per 3 words, the
///    AutoGPTQ layout), so in·b must be a multiple of 32;
///  - qzeros int32 [groups, out·b/32]: per group, the stored zeros z − 1 (mod 2^b) along the
///    output dimension as an LSB-first bit stream ("v1": a zero point of 0 cannot be stored);
///  - scales fp16 [groups, out]; g_idx int32 [in]: the group of each input column (any order,
///    act-order checkpoints permute it);
///  - w[o, i] = scales[g_idx[i], o] · (q[i, o] − (z_stored[g_idx[i], o] + 1)).
/// compressed-tensors pack-quantized: weight_packed int32 [out, in·b/32] with the codes of a row
/// offset by 2^(b−1) (signed value + 2^(b−1)), 32/b per word LSB first (b = 2, 4, 8);
/// weight_scale [out, groups]; weight_zero_point int8 [out, groups] (signed) when asymmetric;
/// w = scale · ((packed − 2^(b−1)) − zero_point).

#include "core/quant/packed_tensor.h"
#include "core/tensor/tensor_view.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

namespace lowbit {

struct GptqLinear {
    int bits = 4;
    std::int64_t in = 0, out = 0, groups = 0;
    std::vector<std::int32_t> qweight;  ///< [in·bits/32, out]
    std::vector<std::int32_t> qzeros;   ///< [groups, out·bits/32]
    std::vector<std::uint16_t> scales;  ///< fp16 [groups, out]
    std::vector<std::int32_t> gIdx;     ///< [in]
};

/// Packs codes q [out, in] (row-major, as the studio stores W) with per-(group, out) zero points
/// z ∈ 0…2^bits − 1 ([groups, out]), fp16 scales [groups, out] and g_idx [in]. Errors:
/// InvalidArgument for bits outside {2, 3, 4, 8}, in·bits or out·bits not a multiple of 32, codes
/// or zeros out of range, a g_idx out of range.
Result<GptqLinear> packGptq(int bits, std::int64_t out, std::int64_t in, const std::vector<std::uint8_t> &codes,
                            const std::vector<std::uint8_t> &zeros, const std::vector<std::uint16_t> &scalesFp16,
                            const std::vector<std::int32_t> &gIdx, std::int64_t groups);

/// Dequantizes a GPTQ v1 linear from its four tensors into W [out, in] (row-major). Errors:
/// InvalidArgument / Malformed when dtypes, shapes or g_idx do not fit `bits`.
Result<std::vector<float>> dequantizeGptq(const TensorView &qweight, const TensorView &qzeros, const TensorView &scales,
                                          const TensorView &gIdx, int bits);

/// compressed-tensors pack-quantized: packs row-major codes c ∈ 0…2^bits − 1 (the stored value
/// packed − 2^(bits−1) is the signed code) into int32 [out, in·bits/32]. Errors: InvalidArgument
/// for bits outside {2, 4, 8} or in·bits not a multiple of 32.
Result<std::vector<std::int32_t>> packCompressedRows(int bits, std::int64_t out, std::int64_t in, const std::vector<std::uint8_t> &codes);

/// Dequantizes a compressed-tensors INT linear into W [out, in]: weight_packed, weight_scale
/// (any float dtype), optional weight_zero_point (null when symmetric). Errors: as above.
Result<std::vector<float>> dequantizeCompressedInt(const TensorView &packed, const TensorView &scale, const TensorView *zeroPoint,
                                                   int bits, std::int64_t groupSize);

/// A studio INT tensor (one symmetric or asymmetric INT member, dense codes) unpacked.
struct StudioInt {
    int bits = 4;
    bool asymmetric = false;
    std::int64_t rows = 0, cols = 0;
    std::int64_t group = 0;         ///< weights per group along the row (cols for per-channel / per-tensor)
    bool perTensor = false;         ///< one scale for the whole matrix
    std::int64_t specGroup = 0;     ///< the format's group size (> 0, 0 per-channel, −1 per-tensor)
    FastScaleRound storage = FastScaleRound::F32;
    FastQuantized q;                ///< codes (0…2^bits − 2 symmetric, 0…2^bits − 1 asymmetric), scales, zero points
    /// Group index of (row, column) in q.scales.
    std::int64_t groupOf(std::int64_t row, std::int64_t col) const
    {
        return perTensor ? 0 : row * (cols / group) + col / group;
    }
};

/// Errors: Unsupported naming the format when `p` is not a plain INT tensor whose groups divide
/// the row.
Result<StudioInt> studioIntOf(const PackedTensor &p);

} // namespace lowbit
