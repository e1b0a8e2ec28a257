// SPDX-License-Identifier: GPL-3.0-or-later
// llama2.c checkpoints as a Model: zero-copy per-layer views with Hugging Face names, q/k rows
// kept in llama2.c's interleaved RoPE order (config.ropeLayout = Interleaved).
#include "core/io/llama2c_reader.h"
#include "core/io/model_readers.h"
#include "core/util/mapped_file.h"

namespace lowbit {

Result<Model> openLlama2cModel(const std::string &path)
{
    LOWBIT_TRY(std::shared_ptr<const MappedFile> mf, MappedFile::open(path));
    LOWBIT_TRY(Llama2cHeader h, parseLlama2cHeader(mf->bytes(), path));
    const Llama2cLayout lay = llama2cLayout(h);
    const ModelConfig config = llama2cConfig(h);
    std::vector<ModelTensor> tensors;
    auto view = [&](TensorRole role, int layer, std::uint64_t offset, std::vector<std::int64_t> shape) {
        TensorView v;
        v.name = hfTensorName(role, layer);
        v.dtype = DType::F32;
        v.shape = std::move(shape);
        v.nbytes = v.numel() * 4;
        v.data = mf->data() + offset;
        v.owner = mf;
        tensors.push_back({std::move(v), role, layer});
    };
    const std::int64_t d = h.dim, hd = h.hiddenDim, kv = h.kvDim();
    const auto f = [](std::int64_t n) { return static_cast<std::uint64_t>(n) * 4; };
    view(TensorRole::Embedding, -1, lay.embedding, {h.vocab(), d});
    for (int l = 0; l < h.nLayers; ++l) {
        view(TensorRole::AttnNorm, l, lay.rmsAtt + f(l * d), {d});
        view(TensorRole::Q, l, lay.wq + f(l * d * d), {d, d});
        view(TensorRole::K, l, lay.wk + f(l * kv * d), {kv, d});
        view(TensorRole::V, l, lay.wv + f(l * kv * d), {kv, d});
        view(TensorRole::O, l, lay.wo + f(l * d * d), {d, d});
        view(TensorRole::FfnNorm, l, lay.rmsFfn + f(l * d), {d});
        view(TensorRole::Gate, l, lay.w1 + f(l * hd * d), {hd, d});
        view(TensorRole::Up, l, lay.w3 + f(l * hd * d), {hd, d});
        view(TensorRole::Down, l, lay.w2 + f(l * d * hd), {d, hd});
    }
    view(TensorRole::FinalNorm, -1, lay.rmsFinal, {d});
    if (!h.sharedClassifier)
        view(TensorRole::Output, -1, lay.wcls, {h.vocab(), d});
    return Model::fromParts(ModelSource::Llama2c, path, config, std::move(tensors));
}

} // namespace lowbit
