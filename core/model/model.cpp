// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/model.h"

#include "core/io/studio_container.h"

#include "core/io/model_readers.h"

#include <filesystem>

namespace lowbit {

std::string_view modelSourceName(ModelSource s)
{
    switch (s) {
    case ModelSource::HfFolder: return "hf";
    case ModelSource::Safetensors: return "safetensors";
    case ModelSource::Gguf: return "gguf";
    case ModelSource::Llama2c: return "llama2c";
    case ModelSource::Studio: return "lowbit";
    }
    return "?";
}

Result<Model> Model::open(const std::string &path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st))
        return makeError(ErrorCode::NotFound, path + ": no such file or folder");
    if (fs::is_directory(st))
        return openHfModel(path);
    if (isStudioContainerPath(path))
        return openStudioContainer(path);
    const std::string ext = fs::path(path).extension().string();
    if (ext == ".gguf")
        return openGgufModel(path);
    if (ext == ".safetensors" || ext == ".json")
        return openHfModel(path);
    if (ext == ".bin")
        return openLlama2cModel(path);
    return makeError(ErrorCode::Unsupported,
                     path + ": unknown model file type (expected a folder, .safetensors, .gguf or a llama2.c .bin)");
}

Result<Model> Model::fromParts(ModelSource source, std::string path, ModelConfig config, std::vector<ModelTensor> tensors)
{
    if (auto st = config.validate(); !st)
        return st.error().withContext(path);
    LOWBIT_CHECK(checkModelShapes(config, tensors, path));
    Model m;
    m.m_source = source;
    m.m_path = std::move(path);
    m.m_config = std::move(config);
    m.m_tensors = std::move(tensors);
    return m;
}

const ModelTensor *Model::find(TensorRole role, int layer) const
{
    for (const auto &t : m_tensors)
        if (t.role == role && t.layer == layer)
            return &t;
    return nullptr;
}

const ModelTensor *Model::findByName(std::string_view name) const
{
    for (const auto &t : m_tensors)
        if (t.view.name == name)
            return &t;
    return nullptr;
}

std::uint64_t Model::totalParams() const
{
    std::uint64_t n = 0;
    for (const auto &t : m_tensors)
        if (t.role != TensorRole::RopeFreqs)
            n += t.view.numel();
    return n;
}

Status checkModelShapes(const ModelConfig &c, const std::vector<ModelTensor> &tensors, const std::string &path)
{
    auto findT = [&](TensorRole role, int layer) -> const ModelTensor * {
        for (const auto &t : tensors)
            if (t.role == role && t.layer == layer)
                return &t;
        return nullptr;
    };
    auto expect = [&](TensorRole role, int layer, std::vector<std::int64_t> shape, bool required) -> Status {
        const ModelTensor *t = findT(role, layer);
        const std::string what = std::string(tensorRoleName(role)) + (layer >= 0 ? " of layer " + std::to_string(layer) : "");
        if (!t) {
            if (!required)
                return {};
            return makeError(ErrorCode::Inconsistent, path + ": missing tensor: " + what);
        }
        if (t->view.shape != shape)
            return makeError(ErrorCode::Inconsistent, path + ": tensor '" + t->view.name + "' (" + what + ") has shape "
                                                          + shapeToString(t->view.shape) + " but the config implies "
                                                          + shapeToString(shape));
        return {};
    };
    const std::int64_t d = c.hiddenSize, qd = c.numHeads * c.headDim, kvd = c.kvDim(), h = c.intermediateSize;
    LOWBIT_CHECK(expect(TensorRole::Embedding, -1, {c.vocabSize, d}, true));
    LOWBIT_CHECK(expect(TensorRole::FinalNorm, -1, {d}, true));
    LOWBIT_CHECK(expect(TensorRole::Output, -1, {c.vocabSize, d}, !c.tieWordEmbeddings));
    for (int l = 0; l < c.numLayers; ++l) {
        LOWBIT_CHECK(expect(TensorRole::AttnNorm, l, {d}, true));
        LOWBIT_CHECK(expect(TensorRole::Q, l, {qd, d}, true));
        LOWBIT_CHECK(expect(TensorRole::K, l, {kvd, d}, true));
        LOWBIT_CHECK(expect(TensorRole::V, l, {kvd, d}, true));
        LOWBIT_CHECK(expect(TensorRole::O, l, {d, qd}, true));
        LOWBIT_CHECK(expect(TensorRole::FfnNorm, l, {d}, true));
        LOWBIT_CHECK(expect(TensorRole::Gate, l, {h, d}, true));
        LOWBIT_CHECK(expect(TensorRole::Up, l, {h, d}, true));
        LOWBIT_CHECK(expect(TensorRole::Down, l, {d, h}, true));
        LOWBIT_CHECK(expect(TensorRole::QBias, l, {qd}, false));
        LOWBIT_CHECK(expect(TensorRole::KBias, l, {kvd}, false));
        LOWBIT_CHECK(expect(TensorRole::VBias, l, {kvd}, false));
    }
    for (const auto &t : tensors)
        if (t.layer >= c.numLayers)
            return makeError(ErrorCode::Inconsistent, path + ": tensor '" + t.view.name + "' belongs to layer " + std::to_string(t.layer)
                                                          + " but the config has " + std::to_string(c.numLayers) + " layers");
    return {};
}

} // namespace lowbit
