// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/convert_llama2c.h"

#include "core/io/model_readers.h"
#include "core/io/safetensors_writer.h"
#include "core/util/atomic_file.h"
#include "core/util/json.h"

#include <algorithm>
#include <filesystem>

namespace lowbit {

Result<ConvertReport> convertLlama2cToHf(const std::string &binPath, const std::string &outDir, bool overwrite)
{
    namespace fs = std::filesystem;
    LOWBIT_TRY(Model model, openLlama2cModel(binPath));
    const ModelConfig &c = model.config();
    std::error_code ec;
    fs::create_directories(outDir, ec);
    if (ec)
        return makeError(ErrorCode::Io, outDir + ": cannot create the folder: " + ec.message());
    const std::string configPath = (fs::path(outDir) / "config.json").string();
    const std::string weightsPath = (fs::path(outDir) / "model.safetensors").string();
    for (const auto &p : {configPath, weightsPath})
        if (!overwrite && fs::exists(p, ec))
            return makeError(ErrorCode::InvalidArgument, p + ": already exists (use --force to overwrite)");

    // HF order: embedding, then per layer input_layernorm, q, k, v, o, post_attention_layernorm,
    // gate, up, down; then the final norm (and lm_head when the classifier is separate).
    static constexpr TensorRole kLayerOrder[] = {TensorRole::AttnNorm, TensorRole::Q,       TensorRole::K,
                                                 TensorRole::V,        TensorRole::O,       TensorRole::FfnNorm,
                                                 TensorRole::Gate,     TensorRole::Up,      TensorRole::Down};
    std::vector<const ModelTensor *> order{model.find(TensorRole::Embedding)};
    for (int l = 0; l < c.numLayers; ++l)
        for (TensorRole r : kLayerOrder)
            order.push_back(model.find(r, l));
    order.push_back(model.find(TensorRole::FinalNorm));
    if (const ModelTensor *out = model.find(TensorRole::Output))
        order.push_back(out);

    std::vector<std::vector<float>> buffers; // permuted copies must outlive the entries
    buffers.reserve(order.size());
    std::vector<SafetensorsEntry> entries;
    ConvertReport report;
    for (const ModelTensor *t : order) {
        if (!t)
            return makeError(ErrorCode::Internal, binPath + ": a tensor the converter needs is missing");
        std::span<const std::byte> bytes = t->view.bytes();
        if (t->role == TensorRole::Q || t->role == TensorRole::K) {
            LOWBIT_TRY(std::vector<float> w, t->view.toFloatVector());
            const std::int64_t heads = t->role == TensorRole::Q ? c.numHeads : c.numKvHeads;
            buffers.push_back(permuteInterleavedToHalfSplit(w, heads, c.headDim, c.hiddenSize));
            bytes = std::as_bytes(std::span<const float>(buffers.back()));
        }
        entries.push_back({t->view.name, DType::F32, t->view.shape, bytes});
        ++report.tensors;
        report.params += t->view.numel();
    }
    ModelConfig hf = c;
    hf.ropeLayout = RopeLayout::HalfSplit;
    const std::string configText = hfConfigJson(hf).dump(2) + "\n";
    // Weights first (the large file); the config only once they are in place, so a failure
    // never leaves a config pointing at missing weights.
    LOWBIT_CHECK(writeSafetensors(weightsPath, entries, {{"format", "pt"}}, overwrite));
    auto cw = AtomicFileWriter::create(configPath, overwrite);
    if (!cw) {
        fs::remove(weightsPath, ec);
        return cw.error();
    }
    if (auto st = cw->write(configText.data(), configText.size()); !st) {
        fs::remove(weightsPath, ec);
        return st.error();
    }
    if (auto st = cw->commit(); !st) {
        fs::remove(weightsPath, ec);
        return st.error();
    }
    report.written = {weightsPath, configPath};
    return report;
}

} // namespace lowbit
