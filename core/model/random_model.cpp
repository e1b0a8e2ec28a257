// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/random_model.h"

#include "core/model/tensor_role.h"
#include "core/tensor/tensor_view.h"

#include <cmath>
#include <random>
#include <vector>

namespace lowbit {

Result<Model> makeRandomModel(const RandomModelShape &s)
{
    if (s.dim <= 0 || s.ffn <= 0 || s.layers < 0 || s.heads <= 0 || s.kvHeads <= 0 || s.vocab <= 0 || s.dim % s.heads != 0
        || s.heads % s.kvHeads != 0)
        return makeError(ErrorCode::InvalidArgument, "random model: inconsistent shape");
    ModelConfig c;
    c.modelType = "llama";
    c.hiddenSize = s.dim;
    c.intermediateSize = s.ffn;
    c.numLayers = s.layers;
    c.numHeads = s.heads;
    c.numKvHeads = s.kvHeads;
    c.headDim = s.dim / s.heads;
    c.vocabSize = s.vocab;
    c.maxPositions = s.maxPositions;
    c.ropeLayout = s.rope;
    c.tieWordEmbeddings = s.tiedEmbeddings;
    c.attentionBias = s.attentionBias;
    if (s.attentionBias)
        c.modelType = "qwen2";
    std::mt19937 rng(s.seed);
    std::normal_distribution<float> dist(0.0f, 1.0f);
    std::vector<ModelTensor> ts;
    auto add = [&](TensorRole r, int l, std::vector<std::int64_t> shape) {
        const bool norm = shape.size() == 1;
        std::vector<float> v(static_cast<std::size_t>(shape[0] * (norm ? 1 : shape[1])));
        const float scale = norm ? 0.1f : 1.0f / std::sqrt(static_cast<float>(shape.back()));
        for (auto &x : v)
            x = (norm ? 1.0f : 0.0f) + scale * dist(rng);
        ts.push_back({makeOwnedF32(hfTensorName(r, l), shape, std::move(v)), r, l});
    };
    const std::int64_t q = s.heads * c.headDim, kv = s.kvHeads * c.headDim;
    add(TensorRole::Embedding, -1, {s.vocab, s.dim});
    for (int l = 0; l < static_cast<int>(s.layers); ++l) {
        add(TensorRole::AttnNorm, l, {s.dim});
        add(TensorRole::Q, l, {q, s.dim});
        add(TensorRole::K, l, {kv, s.dim});
        add(TensorRole::V, l, {kv, s.dim});
        if (s.attentionBias)
            for (const auto &[role, width] : {std::pair{TensorRole::QBias, q}, std::pair{TensorRole::KBias, kv}, std::pair{TensorRole::VBias, kv}}) {
                std::vector<float> b(static_cast<std::size_t>(width));
                for (auto &x : b)
                    x = 0.5f * dist(rng);
                ts.push_back({makeOwnedF32(hfTensorName(role, l), {width}, std::move(b)), role, l});
            }
        add(TensorRole::O, l, {s.dim, q});
        add(TensorRole::FfnNorm, l, {s.dim});
        add(TensorRole::Gate, l, {s.ffn, s.dim});
        add(TensorRole::Up, l, {s.ffn, s.dim});
        add(TensorRole::Down, l, {s.dim, s.ffn});
    }
    add(TensorRole::FinalNorm, -1, {s.dim});
    if (!s.tiedEmbeddings)
        add(TensorRole::Output, -1, {s.vocab, s.dim});
    return Model::fromParts(ModelSource::HfFolder, "random", c, std::move(ts));
}

} // namespace lowbit
