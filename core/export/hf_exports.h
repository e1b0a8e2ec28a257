// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Hugging Face-folder exports of a studio-quantized model (docs/export.md has every layout):
///  - GPTQ v1 (int_layouts.h): every quantized linear an INT2/3/4/8 studio tensor (symmetric or
///    asymmetric) of one common bit width and group size; config.json quantization_config and
///    quantize_config.json {quant_method "gptq", bits, group_size, desc_act false, sym, …};
///    g_idx = column / group (the studio keeps groups in column order).
///  - compressed-tensors: "pack-quantized" for INT2/4/8 (symmetric or asymmetric, group, channel
///    or tensor strategy), "nvfp4-pack-quantized" for NVFP4; quantization_config with one
///    config group targeting Linear, ignore ["lm_head"], quantization_status "compressed".
///  - fake-quant: every tensor dequantized to fp16, bf16 or fp32 with the original config.
///  - VPTQ (vptq_layout.h): every studio VQ linear as a VQuantLinear (centroids, packed indices,
///    residual and outlier codebooks, perm, weight_scale/weight_bias) with its entry in
///    quantization_config.config_for_layers {quant_method "vptq"} (q/k rows of an interleaved
///    source re-expressed exactly with half-length vectors when v divides head_dim); a block
///    linear the layout cannot hold (another format, such q/k otherwise) is written dequantized
///    as fp16 and listed in modules_to_not_convert (refused with options.strict).
/// Tensors the format cannot hold as codes (embedding, output, unquantized linears) are written
/// dequantized (fp16 for GPTQ, the scale dtype for compressed-tensors) and reported. Each linear's
/// relative error against the studio decoding is reported (0: bit-exact); with options.strict a
/// linear that is not bit-exact is refused. Tokenizer files are copied.

#include "core/export/export_common.h"
#include "core/model/model.h"

namespace lowbit {

Result<ExportReport> exportGptq(const Model &model, const std::string &folder, const ExportOptions &options = {});
Result<ExportReport> exportCompressedTensors(const Model &model, const std::string &folder, const ExportOptions &options = {});
/// Errors: InvalidArgument when no block linear is a VQ tensor; Unsupported (strict) as above.
Result<ExportReport> exportVptq(const Model &model, const std::string &folder, const ExportOptions &options = {});
Result<ExportReport> exportFakeQuant(const Model &model, const std::string &folder, const ExportOptions &options = {});

} // namespace lowbit
