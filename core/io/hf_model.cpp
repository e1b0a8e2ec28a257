// SPDX-License-Identifier: GPL-3.0-or-later
// Hugging Face folders: config.json + model.safetensors, or model.safetensors.index.json + shards;
// also a single .safetensors file or the index .json, with config.json beside it. Tensors stay
// zero-copy views into the mapped files, in file order (shards in weight-map order). A VPTQ
// checkpoint's linears (quantization_config.quant_method "vptq") become VQ tensors.
#include "core/export/vptq_layout.h"
#include "core/io/model_readers.h"
#include "core/io/safetensors_reader.h"
#include "core/util/json.h"

#include <filesystem>

namespace lowbit {

Result<Model> openHfModel(const std::string &path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir, weights;
    bool sharded = false;
    if (fs::is_directory(path, ec)) {
        dir = path;
        if (fs::exists(dir / "model.safetensors.index.json", ec)) {
            weights = dir / "model.safetensors.index.json";
            sharded = true;
        } else if (fs::exists(dir / "model.safetensors", ec)) {
            weights = dir / "model.safetensors";
        } else {
            return makeError(ErrorCode::NotFound, path + ": no model.safetensors or model.safetensors.index.json in the folder");
        }
    } else if (fs::is_regular_file(path, ec)) {
        weights = path;
        dir = weights.parent_path();
        if (dir.empty())
            dir = ".";
        sharded = weights.extension() == ".json";
    } else {
        return makeError(ErrorCode::NotFound, path + ": no such file or folder");
    }
    const fs::path configPath = dir / "config.json";
    auto configText = readTextFile(configPath.string(), 16u << 20);
    if (!configText) {
        if (configText.error().code == ErrorCode::NotFound)
            return makeError(ErrorCode::NotFound, configPath.string() + ": missing (a Hugging Face model needs its config.json beside the weights)");
        return configText.error();
    }
    LOWBIT_TRY(ModelConfig config, parseHfConfig(*configText, configPath.string()));

    std::vector<SafetensorsFile> files;
    if (sharded) {
        LOWBIT_TRY(files, readShardedSafetensors(weights.string()));
    } else {
        LOWBIT_TRY(SafetensorsFile f, readSafetensors(weights.string()));
        files.push_back(std::move(f));
    }
    std::vector<ModelTensor> tensors;
    for (auto &f : files)
        for (auto &v : f.tensors) {
            const RoleAndLayer rl = roleFromHfName(v.name);
            tensors.push_back({std::move(v), rl.role, rl.layer});
        }
    LOWBIT_TRY(const Json configJson, parseJson(*configText));
    LOWBIT_TRY(tensors, resolveVptqLinears(configJson, std::move(tensors)));
    const bool folder = fs::is_directory(path, ec);
    return Model::fromParts(folder ? ModelSource::HfFolder : ModelSource::Safetensors, path, std::move(config),
                            std::move(tensors));
}

} // namespace lowbit
