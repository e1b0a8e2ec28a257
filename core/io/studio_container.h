// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The studio container (docs/container.md): one safetensors file "*.lowbit.safetensors" holding
///  - every quantized tensor NAME as arrays "NAME.<suffix>" (QuantizedTensor::arrays()),
///  - every other tensor under its own name in its original dtype,
///  - "__metadata__": "lowbit.container" = version, "lowbit.config" = the HF config.json text,
///    "lowbit.tensors" = JSON {NAME: QuantizedTensor::metadata()}, "lowbit.report" = the
///    quantization report (JSON), "lowbit.tokenizer.kind" + a U8 tensor "lowbit.tokenizer" with
///    the tokenizer file's bytes (tokenizer.bin or tokenizer.json), or for a GGUF source a
///    tensor-less GGUF image of its tokenizer.* metadata (kind "gguf"), when one was found.
/// Model::open recognises the suffix and returns decoder views for the quantized tensors.

#include "core/model/model.h"
#include "core/util/json.h"
#include "core/util/result.h"

#include <string>

namespace lowbit {

inline constexpr int kStudioContainerVersion = 1;
inline constexpr std::string_view kStudioContainerSuffix = ".lowbit.safetensors";

bool isStudioContainerPath(std::string_view path);

struct ContainerWriteOptions {
    bool overwrite = false;
    Json report;                  ///< stored as "lowbit.report" (null: none)
    std::string tokenizerPath;    ///< embed this tokenizer file; empty: look next to the source model
};

/// Writes `model` (quantized tensors = decoder views over QuantizedTensor) atomically.
/// Errors: InvalidArgument when `path` exists and overwrite is false, or it lacks the suffix;
/// Unsupported for a decoder view that is not a QuantizedTensor.
Status writeStudioContainer(const Model &model, const std::string &path, const ContainerWriteOptions &options = {});

/// Opens a container (also reached through Model::open).
Result<Model> openStudioContainer(const std::string &path);

/// The stored report (null when none) and the embedded tokenizer (empty when none).
Result<Json> readContainerReport(const std::string &path);
struct EmbeddedTokenizer { std::string kind; std::string bytes; };
Result<EmbeddedTokenizer> readContainerTokenizer(const std::string &path);

} // namespace lowbit
