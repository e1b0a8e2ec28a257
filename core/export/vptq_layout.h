// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The VPTQ Hugging Face layout of one linear layer (microsoft/VPTQ vptq/layers/vqlinear.py
/// VQuantLinear, as transformers ≥ 4.48 loads it: is_indice_packed true, vector_quant_dim "out"),
/// as pure functions shared by the exporter, the Hugging Face folder reader (vptq_read.cpp) and the
/// tests that re-read what it wrote.
///
/// For W [out, in] (docs/export.md "VPTQ" has the derivation from vqlinear.py):
///  - vectors are v consecutive rows (out features) of one column; R = ceil(out / v) vectors per
///    column, the padding rows of the last one dropped;
///  - columns are taken in *position* order: positions [0, outlier_size) are the outlier columns
///    (their own codebook of vector length v0, no residual), positions outlier_size + g·group_size
///    + j (j < group_size) belong to codebook g; W[:, perm[p]] is the column at position p
///    (dequant: qweight[:, argsort(perm)]);
///  - then, per original column c, w = value · weight_scale[c] + weight_bias[c] (enable_norm);
///  - tensors (prefix "<module>."): centroids.weight [group_num, k·v], res_centroids.weight
///    [group_num, k_res·v], outlier_centroids.weight [1, k0·v0] (fp16), indices int32
///    [group_num, R, ceil(group_size·(b + b_res)/32)], outlier_indices int16 [1, R0, outlier_size]
///    (uint16 values), perm int16 [in] (uint16 values), weight_scale and weight_bias fp16 [in];
///  - packed indices: per (codebook g, vector row n) the merged codes (res << b) | idx of the
///    group's positions j = 0…group_size−1, b + b_res bits each, as one LSB-first bit stream in
///    32-bit words (zero padding at the end), b = log2 k and b_res = log2 k_res (k, k_res powers
///    of two).

#include "core/methods/vq_tensor.h"
#include "core/model/model.h"
#include "core/tensor/tensor_view.h"
#include "core/util/json.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// One entry of quantization_config.config_for_layers.
struct VptqLayerConfig {
    std::int64_t inFeatures = 0, outFeatures = 0;
    int vectorLength = 0;          ///< vector_lens[1]
    int centroids = 0;             ///< num_centroids[1] (a power of two)
    int residualCentroids = 0;     ///< num_res_centroids[1] (0: none, written −1)
    int outlierVectorLength = 0;   ///< vector_lens[0] (0 without outliers, written −1)
    int outlierCentroids = 0;      ///< num_centroids[0] (0: none, written −1)
    std::int64_t outlierSize = 0;  ///< outlier columns
    int groupNum = 1;              ///< codebooks of the main part
    std::int64_t groupSize = 0;    ///< columns per codebook: (in − outlier_size) / group_num
    bool enableNorm = false, enablePerm = false;

    std::int64_t vectorsPerColumn() const { return (outFeatures + vectorLength - 1) / vectorLength; }
    unsigned indexBits() const;    ///< b = log2 k
    unsigned residualBits() const; ///< b_res (0 without a residual)
    /// 32-bit words per (codebook, vector row) of `indices`.
    std::int64_t packedWords() const { return (groupSize * (indexBits() + residualBits()) + 31) / 32; }
};

/// What of a layer VPTQ's CUDA kernels do not dispatch (empty: all of it is covered). They take
/// vector lengths 2, 4, 6, 8, 12, 16, index bits 4, 8, 12–16, residual index bits 0, 2–12, 16
/// and, in the GEMV, an outlier vector length of 4; other layers load and run through VPTQ's
/// (slower) torch dequantization.
std::string vptqCudaKernelGap(const VptqLayerConfig &config);

/// The JSON object VQuantLinear / VptqLayerConfig take (plus "bias": false, "indices_as_float": false,
/// "is_indice_packed": true).
Json vptqLayerConfigJson(const VptqLayerConfig &c);
/// Errors: Malformed naming the field when a field is missing, of the wrong type or inconsistent
/// (vector lengths, a codebook size that is not a power of two, group_num·group_size + outlier_size
/// ≠ in_features, is_indice_packed false: the unpacked layout is not read).
Result<VptqLayerConfig> parseVptqLayerConfig(const Json &j);

/// A linear in the VPTQ layout, tensors in memory (fp16 as raw bits).
struct VptqLinear {
    VptqLayerConfig config;
    std::vector<std::uint16_t> centroids, residualCentroids, outlierCentroids; ///< fp16, [codebook][entry][v]
    std::vector<std::int32_t> indices;          ///< [group_num, R, packedWords]
    std::vector<std::int16_t> outlierIndices;   ///< [1, R, outlier_size]
    std::vector<std::int16_t> perm;             ///< [in], uint16 values
    std::vector<std::uint16_t> scale, bias;     ///< fp16 [in]
    bool roundedToFp16 = false;                 ///< some codebook, scale or bias value was not an fp16 value
    std::vector<std::string> notes;             ///< conversions made (padded codebooks), for the report
};

/// Packs merged codes [rows][groupSize] (row-major, each < 2^bits, bits ≤ 32) as VPTQ does: each
/// row one LSB-first stream of ceil(groupSize·bits/32) int32 words, unused bits zero.
std::vector<std::int32_t> packVptqIndexRows(const std::vector<std::uint32_t> &merged, std::int64_t rows, std::int64_t groupSize,
                                            unsigned bits);

/// A studio VQ tensor in the VPTQ layout: one main codebook (group_num 1), codebook sizes rounded
/// up to powers of two (unused entries zero; the main codebook also up to the residual's size, since
/// VPTQ's torch dequant masks the residual index with the main index width), values rounded to
/// fp16 (exact for fp16 codebooks), and always enable_norm and enable_perm (identity perm, scale 1
/// and bias −0 when the studio tensor has none: VPTQ's CUDA kernels read both; x·1 + (−0) = x for
/// every x, signed zeros included). Errors: Unsupported when the layout cannot hold it (more than
/// 65536 columns: perm is int16; outlier columns with v = 1: VPTQ needs v0 > 1).
Result<VptqLinear> vptqFromVq(const VqContent &c);

/// The same q/k tensor with its rows in Hugging Face's rotate_half order, when its rows are in the
/// interleaved RoPE order (a llama2.c or GGUF source: HF row h·d + j·d/2 + p holds interleaved row
/// h·d + 2p + j, d = headDim). A vector of v interleaved rows (aligned, d % v = 0) holds v/2 pairs
/// (2p, 2p + 1); in HF order its even components are the v/2 consecutive rows of half j = 0 and
/// its odd ones those of half j = 1. So the tensor is exactly a VQ tensor of vector length v/2
/// whose codebooks have 2k entries (entry 2i + j = components j, j + 2, … of entry i) and whose
/// code for HF vector (half j of old vector n) is 2·code + j. Errors: Unsupported (odd v, d % v ≠ 0,
/// 2k > 65536, outliers with v/2 = 1: VPTQ needs v0 > 1).
Result<VqContent> vqForRotateHalfRows(const VqContent &c, std::int64_t headDim);

/// The float arithmetic of a reader: Exact evaluates the stored values as the studio decodes
/// (vqDecodeVector in fp32: (c + r)·scale + bias); TorchFp16 rounds each step to fp16 as
/// vqlinear.py's dequant does in a float16 model (c + r, ·scale, + bias).
enum class VptqArithmetic : std::uint8_t { Exact, TorchFp16 };

/// Looks up a tensor of the layer by suffix ("centroids.weight", "indices", …); nullptr: absent.
using VptqTensorLookup = std::function<const TensorView *(std::string_view suffix)>;

/// Dequantizes a VPTQ linear into W [out, in] (row-major) from its tensors (floats in f16, bf16 or
/// f32; perm int16 or int64). Errors: Malformed naming the tensor when one is missing, of the
/// wrong dtype or shape, or holds an index out of range.
Result<std::vector<float>> dequantizeVptq(const VptqLayerConfig &config, const VptqTensorLookup &tensors,
                                          VptqArithmetic arithmetic = VptqArithmetic::Exact);

/// The studio VQ tensor content of a VPTQ linear (codebooks as stored, so it decodes exactly as
/// dequantizeVptq's Exact arithmetic; fp32 codebooks unless every float tensor is fp16). Outlier
/// vectors of v/m rows that are vptqFromVq's exact split of v-long ones are merged back. Errors:
/// Unsupported for group_num > 1 or another outlier vector length ≠ the main one (the studio's VQ
/// tensor has one codebook of one vector length); Malformed as dequantizeVptq.
Result<VqContent> vqFromVptq(const VptqLayerConfig &config, const VptqTensorLookup &tensors);

/// Replaces, in a Hugging Face model's tensors, the parts of every VPTQ linear named in
/// config.json's quantization_config {quant_method "vptq", config_for_layers} by one
/// "<module>.weight": a VQ decoder view (vqFromVptq), or a dequantized fp32 view where the studio's
/// VQ tensor cannot hold the layer. Tensors of other configs pass unchanged. Errors: Malformed
/// naming the module.
Result<std::vector<ModelTensor>> resolveVptqLinears(const Json &config, std::vector<ModelTensor> tensors);

/// The tensors of `l` as views (suffix → view, owning copies), e.g. to dequantize what would be
/// written.
std::vector<std::pair<std::string, TensorView>> vptqTensorViews(const VptqLinear &l);

} // namespace lowbit
