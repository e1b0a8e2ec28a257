// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// GGUF v3 export of a (quantized) model for llama.cpp: llama-architecture metadata, the
/// tokenizer (gguf_tokenizer.h), tensors under llama.cpp's names with q/k rows permuted from Hugging
/// Face's rotate_half order back to the interleaved RoPE order, written as one staged file.
///
/// The type of each tensor (docs/export.md has the table):
///  - with options.ggufType (--type T): every weight matrix (embedding, q/k/v/o, gate/up/down,
///    output) becomes T (ggufTypeForRow's substitute when a row is not whole blocks of T); norms and
///    biases stay F32. A studio tensor whose codes T carries exactly is carried bit-exactly; the rest
///    is re-quantized from the decoded weights with ggml's reference quantizers.
///  - without: a studio-quantized tensor is carried bit-exactly when a GGUF type can hold it
///    (gguf_mapping.h), else re-quantized to closestGgufType (or refused with options.strict);
///    unquantized tensors keep their dtype when GGUF has it (F32, F16, BF16, ggml blocks), else F32.
/// Every re-quantized tensor's relative error against the decoded source weights is reported.

#include "core/export/export_common.h"
#include "core/io/gguf_types.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <optional>
#include <string>

namespace lowbit {

/// How one tensor goes into the GGUF.
struct GgufTensorChoice {
    std::string ggufName;
    DType type = DType::F32;
    ExportAction action = ExportAction::Copied;
    bool permuteRows = false;   ///< q/k rows from rotate_half to interleaved order
};

/// The choice for one tensor of `model` (see the header comment). Errors: Unsupported with
/// options.strict for a studio tensor GGUF cannot carry (the message names the closest type).
Result<GgufTensorChoice> chooseGgufTensor(const Model &model, const ModelTensor &t, const ExportOptions &options);

/// llama.* hyper-parameter metadata (and general.*) for the model's config.
GgufKvs ggufModelMetadata(const Model &model);

/// Exports `model` to the GGUF file `path`. Errors: InvalidArgument (target exists without
/// overwrite), Unsupported (strict, or a tensor without a GGUF name in a LLaMA model), Io (disk
/// full — checked before writing — or a write failure), Cancelled; on any error nothing new is
/// left behind and an existing target is untouched.
Result<ExportReport> exportGguf(const Model &model, const std::string &path, const ExportOptions &options = {});

} // namespace lowbit
