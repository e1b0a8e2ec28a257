// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/hf_folder.h"

#include "core/dtypes/ggml_quants.h"
#include "core/io/studio_container.h"

#include <cstring>
#include <filesystem>

namespace lowbit {

namespace fs = std::filesystem;

std::int64_t hfSourceRow(const Model &model, const ModelTensor &t, std::int64_t r)
{
    const ModelConfig &c = model.config();
    if (c.ropeLayout != RopeLayout::Interleaved || c.architecture == "qwen2" || (t.role != TensorRole::Q && t.role != TensorRole::K))
        return r;
    const std::int64_t hd = c.headDim, half = hd / 2, h = r / hd, i = r % hd;
    return h * hd + 2 * (i % half) + i / half; // HF (h, j·half + p) ← interleaved (h, 2p + j)
}

Result<std::vector<float>> decodedHfRows(const Model &model, const ModelTensor &t)
{
    LOWBIT_TRY(std::vector<float> v, t.view.toFloatVector());
    if (hfSourceRow(model, t, 1) == 1 && hfSourceRow(model, t, 2) == 2)
        return v;
    const std::int64_t rows = t.view.rows(), cols = t.view.cols();
    std::vector<float> out(v.size());
    for (std::int64_t r = 0; r < rows; ++r)
        std::memcpy(out.data() + r * cols, v.data() + hfSourceRow(model, t, r) * cols, static_cast<std::size_t>(cols) * sizeof(float));
    return out;
}

Result<std::string> hfNameOf(const ModelTensor &t)
{
    const std::string n = hfTensorName(t.role, t.layer);
    if (n.empty())
        return makeError(ErrorCode::Unsupported, t.view.name + ": no Hugging Face name for role " + std::string(tensorRoleName(t.role)));
    return n;
}

StreamTensor bufferTensor(std::string name, DType dtype, std::vector<std::int64_t> shape, std::vector<std::byte> bytes)
{
    StreamTensor t;
    t.name = std::move(name);
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.nbytes = bytes.size();
    auto data = std::make_shared<std::vector<std::byte>>(std::move(bytes));
    t.produce = [data](const ByteSink &emit) { return emit(*data); };
    return t;
}

StreamTensor floatTensor(std::string name, DType dtype, std::vector<std::int64_t> shape, const std::vector<float> &values)
{
    std::vector<std::byte> bytes(values.size() * (dtype == DType::F32 ? 4 : 2));
    if (dtype == DType::F32)
        quantizeF32Ref(values.data(), bytes.data(), values.size());
    else if (dtype == DType::BF16)
        quantizeBF16Ref(values.data(), bytes.data(), values.size());
    else
        quantizeF16Ref(values.data(), bytes.data(), values.size());
    return bufferTensor(std::move(name), dtype, std::move(shape), std::move(bytes));
}

namespace {

/// Copies the model's tokenizer files into the folder: a container's embedded tokenizer, else
/// tokenizer.json (+ tokenizer_config.json, special_tokens_map.json, tokenizer.model) or a
/// llama2.c tokenizer.bin / tok<vocab>.bin from the model's folder or its parent.
Status copyTokenizer(const Model &model, StagedDirectory &dir, std::vector<std::string> &warnings)
{
    const std::string &path = model.path();
    std::error_code ec;
    if (isStudioContainerPath(path) && fs::is_regular_file(path, ec)) {
        LOWBIT_TRY(EmbeddedTokenizer emb, readContainerTokenizer(path));
        if (!emb.kind.empty())
            return dir.writeFile(emb.kind, emb.bytes);
    }
    fs::path d = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
    if (d.empty())
        d = ".";
    fs::path absDir = fs::absolute(d, ec).lexically_normal();
    if (!absDir.has_filename())
        absDir = absDir.parent_path();
    for (const fs::path &folder : {absDir, absDir.parent_path()}) {
        if (folder.empty())
            continue;
        if (fs::is_regular_file(folder / "tokenizer.json", ec)) {
            for (const char *f : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.model"})
                if (fs::is_regular_file(folder / f, ec))
                    LOWBIT_CHECK(dir.copyFile((folder / f).string(), f));
            return {};
        }
        for (const std::string &f : {std::string("tokenizer.bin"), "tok" + std::to_string(model.config().vocabSize) + ".bin"})
            if (fs::is_regular_file(folder / f, ec))
                return dir.copyFile((folder / f).string(), f);
    }
    warnings.push_back("no tokenizer found next to " + path + ": the export has none");
    return {};
}

} // namespace

Status writeHfFolder(const Model &model, const std::string &folder, const Json &configJson, const std::vector<StreamTensor> &tensors,
                     const std::vector<std::pair<std::string, Json>> &extraFiles, const ExportOptions &options, ExportReport &report)
{
    const std::vector<std::pair<std::string, std::string>> meta = {{"format", "pt"}};
    LOWBIT_TRY(const std::uint64_t size, streamedSafetensorsSize(tensors, meta));
    LOWBIT_CHECK(checkExportTarget(folder, options.overwrite));
    LOWBIT_CHECK(checkFreeSpace(folder, size));
    LOWBIT_TRY(StagedDirectory dir, StagedDirectory::create(folder, options.overwrite));
    LOWBIT_CHECK(dir.writeFile("config.json", configJson.dump(2) + "\n"));
    for (const auto &[name, json] : extraFiles)
        LOWBIT_CHECK(dir.writeFile(name, json.dump(2) + "\n"));
    LOWBIT_CHECK(copyTokenizer(model, dir, report.warnings));
    ExportOptions fileOptions = options;
    fileOptions.overwrite = true; // inside the fresh temporary folder
    {
        LOWBIT_TRY(StagedFile file, StagedFile::create(dir.path("model.safetensors"), fileOptions, size));
        LOWBIT_CHECK(writeStreamedSafetensors(file, tensors, meta));
        LOWBIT_CHECK(file.commit());
    }
    LOWBIT_CHECK(dir.commit());
    report.bytes = size;
    return {};
}

} // namespace lowbit
