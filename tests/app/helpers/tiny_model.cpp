// SPDX-License-Identifier: GPL-3.0-or-later
#include "tiny_model.h"

#include <QtGlobal>

#include <cmath>

namespace lowbit::test {

lowbit::ModelConfig tinyConfig()
{
    lowbit::ModelConfig c;
    c.modelType = "llama";
    c.hiddenSize = 8;
    c.intermediateSize = 16;
    c.numLayers = 2;
    c.numHeads = 2;
    c.numKvHeads = 1;
    c.headDim = 4;
    c.vocabSize = 10;
    c.maxPositions = 16;
    c.tieWordEmbeddings = false;
    return c;
}

std::shared_ptr<const lowbit::Model> makeTinyModel()
{
    using lowbit::TensorRole;
    const lowbit::ModelConfig c = tinyConfig();
    std::vector<lowbit::ModelTensor> tensors;
    auto add = [&](TensorRole role, int layer, std::vector<std::int64_t> shape) {
        const std::uint64_t n = lowbit::checkedNumel(shape).value_or(0);
        std::vector<float> values(n);
        const float scale = 0.01f * static_cast<float>(tensors.size() + 1);
        for (std::uint64_t i = 0; i < n; ++i)
            values[i] = scale * std::sin(static_cast<float>(i) * 0.7f + static_cast<float>(tensors.size()));
        tensors.push_back({lowbit::makeOwnedF32(lowbit::hfTensorName(role, layer), std::move(shape), std::move(values)),
                           role, layer});
    };
    const std::int64_t d = c.hiddenSize, h = c.intermediateSize, kv = c.kvDim();
    add(TensorRole::Embedding, -1, {c.vocabSize, d});
    for (int l = 0; l < c.numLayers; ++l) {
        add(TensorRole::AttnNorm, l, {d});
        add(TensorRole::Q, l, {d, d});
        add(TensorRole::K, l, {kv, d});
        add(TensorRole::V, l, {kv, d});
        add(TensorRole::O, l, {d, d});
        add(TensorRole::FfnNorm, l, {d});
        add(TensorRole::Gate, l, {h, d});
        add(TensorRole::Up, l, {h, d});
        add(TensorRole::Down, l, {d, h});
    }
    add(TensorRole::FinalNorm, -1, {d});
    add(TensorRole::Output, -1, {c.vocabSize, d});
    auto model = lowbit::Model::fromParts(lowbit::ModelSource::HfFolder, "tiny", c, std::move(tensors));
    if (!model) {
        qWarning("makeTinyModel: %s", model.error().message().c_str());
        return nullptr;
    }
    return std::make_shared<const lowbit::Model>(std::move(model).value());
}

} // namespace lowbit::test
