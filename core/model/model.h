// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// One model, whatever it was loaded from: a Hugging Face folder (safetensors, single or
/// sharded), a single .safetensors file with a config.json beside it, a GGUF file, a
/// llama2.c .bin checkpoint or a studio container (*.lowbit.safetensors, quantized tensors as
/// decoder views). Tensors are zero-copy views into memory-mapped files.

#include "core/model/model_config.h"
#include "core/model/tensor_role.h"
#include "core/tensor/tensor_view.h"
#include "core/util/result.h"

#include <string>
#include <vector>

namespace lowbit {

enum class ModelSource : std::uint8_t { HfFolder, Safetensors, Gguf, Llama2c, Studio };
std::string_view modelSourceName(ModelSource s); ///< "hf", "safetensors", "gguf", "llama2c", "lowbit"

struct ModelTensor {
    TensorView view;
    TensorRole role = TensorRole::Other;
    int layer = -1;
};

class Model {
public:
    /// Opens a model, detecting the kind from the path (folder, .safetensors, .gguf, .bin).
    /// Errors name the file and the problem; a config contradicting tensor shapes is
    /// ErrorCode::Inconsistent.
    static Result<Model> open(const std::string &path);

    /// Assembles a model from parts (used by the readers and by tests) and checks that the
    /// tensors match the config.
    static Result<Model> fromParts(ModelSource source, std::string path, ModelConfig config,
                                   std::vector<ModelTensor> tensors);

    ModelSource source() const { return m_source; }
    const std::string &path() const { return m_path; }
    const ModelConfig &config() const { return m_config; }
    const std::vector<ModelTensor> &tensors() const { return m_tensors; }

    /// nullptr when absent (e.g. Output with tied embeddings).
    const ModelTensor *find(TensorRole role, int layer = -1) const;
    const ModelTensor *findByName(std::string_view name) const;
    std::uint64_t totalParams() const;

private:
    ModelSource m_source = ModelSource::HfFolder;
    std::string m_path;
    ModelConfig m_config;
    std::vector<ModelTensor> m_tensors;
};

/// Checks every required tensor exists with the shape the config implies.
Status checkModelShapes(const ModelConfig &config, const std::vector<ModelTensor> &tensors, const std::string &path);

} // namespace lowbit
