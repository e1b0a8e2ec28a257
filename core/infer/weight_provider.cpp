// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/weight_provider.h"

#include "core/model/rope.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace lowbit {

namespace {

constexpr std::array<TensorRole, 7> kBlockLinears = {TensorRole::Q,    TensorRole::K,  TensorRole::V,   TensorRole::O,
                                                     TensorRole::Gate, TensorRole::Up, TensorRole::Down};

std::string where(const Model &m, TensorRole role, int layer)
{
    return m.path() + ": " + std::string(tensorRoleName(role)) + (layer >= 0 ? " of layer " + std::to_string(layer) : std::string());
}

bool needsPermutation(const ModelConfig &c, TensorRole role)
{
    return c.ropeLayout == RopeLayout::Interleaved && (role == TensorRole::Q || role == TensorRole::K);
}

/// Converts one [rows, cols] tensor to fp32 into `out` and applies the RoPE row permutation to
/// q/k. Row chunks run on the OpenMP threads (dequantizing a real-size layer is memory-bound).
Status convert(const ModelConfig &c, const ModelTensor &t, std::vector<float> &out)
{
    const std::int64_t rows = t.view.rows(), cols = t.view.cols();
    out.resize(static_cast<std::size_t>(t.view.numel()));
    const std::int64_t chunk = std::max<std::int64_t>(1, (std::int64_t{1} << 16) / std::max<std::int64_t>(cols, 1));
    const std::int64_t chunks = (rows + chunk - 1) / chunk;
    std::vector<Status> status(static_cast<std::size_t>(chunks));
#pragma omp parallel for schedule(static) if (chunks > 1)
    for (std::int64_t i = 0; i < chunks; ++i) {
        const std::int64_t r0 = i * chunk, nr = std::min(chunk, rows - r0);
        status[static_cast<std::size_t>(i)] = t.view.rowsToFloat(out.data() + r0 * cols, r0, nr);
    }
    for (const Status &st : status)
        if (!st)
            return st.error().withContext(t.view.name);
    if (needsPermutation(c, t.role)) {
        // One canonical pairing: a llama2.c/GGUF model and its HF conversion then run the very
        // same arithmetic and give bit-identical logits.
        const std::int64_t heads = t.role == TensorRole::Q ? c.numHeads : c.numKvHeads;
        out = permuteInterleavedToHalfSplit(out, heads, c.headDim, c.hiddenSize);
    }
    return {};
}

class ResidentWeights final : public WeightProvider {
public:
    std::map<std::pair<TensorRole, int>, std::vector<float>> m_weights;

    Result<std::span<const float>> fetch(TensorRole role, int layer) override
    {
        const auto it = m_weights.find({role, layer});
        if (it == m_weights.end())
            return makeError(ErrorCode::InvalidArgument, "no " + std::string(tensorRoleName(role)) + " weights for layer " + std::to_string(layer));
        return std::span<const float>(it->second);
    }
    std::uint64_t residentBytes() const override
    {
        std::uint64_t b = 0;
        for (const auto &[key, w] : m_weights)
            b += w.size() * sizeof(float);
        return b;
    }
};

class OnTheFlyWeights final : public WeightProvider {
public:
    /// Keeps copies of the views (their `owner` keeps the bytes alive), not the Model.
    OnTheFlyWeights(const Model &m, const std::vector<std::pair<TensorRole, int>> &wanted) : m_config(m.config())
    {
        for (const auto &key : wanted)
            m_tensors.emplace(key, *m.find(key.first, key.second));
    }

    Result<std::span<const float>> fetch(TensorRole role, int layer) override
    {
        const auto it = m_tensors.find({role, layer});
        if (it == m_tensors.end())
            return makeError(ErrorCode::InvalidArgument, "no " + std::string(tensorRoleName(role)) + " weights for layer " + std::to_string(layer));
        const TensorView &v = it->second.view;
        if (v.dtype == DType::F32 && !needsPermutation(m_config, role) && v.nbytes / sizeof(float) >= v.numel()
            && reinterpret_cast<std::uintptr_t>(v.data) % alignof(float) == 0)
            return std::span<const float>(reinterpret_cast<const float *>(v.data), static_cast<std::size_t>(v.numel())); // zero-copy
        std::vector<float> &buf = m_scratch[static_cast<std::size_t>(role)];
        LOWBIT_CHECK(convert(m_config, it->second, buf));
        return std::span<const float>(buf);
    }
    std::uint64_t residentBytes() const override
    {
        std::uint64_t b = 0;
        for (const auto &w : m_scratch)
            b += w.capacity() * sizeof(float);
        return b;
    }

private:
    ModelConfig m_config;
    std::map<std::pair<TensorRole, int>, ModelTensor> m_tensors;
    std::array<std::vector<float>, kTensorRoleCount> m_scratch;
};

} // namespace

std::pair<std::int64_t, std::int64_t> linearShape(const ModelConfig &c, TensorRole role)
{
    const std::int64_t d = c.hiddenSize, qd = c.numHeads * c.headDim, kvd = c.numKvHeads * c.headDim, ff = c.intermediateSize;
    switch (role) {
    case TensorRole::Q:
        return {qd, d};
    case TensorRole::K:
    case TensorRole::V:
        return {kvd, d};
    case TensorRole::O:
        return {d, qd};
    case TensorRole::Gate:
    case TensorRole::Up:
        return {ff, d};
    case TensorRole::Down:
        return {d, ff};
    case TensorRole::Output:
        return {c.vocabSize, d};
    default:
        return {0, 0};
    }
}

Result<std::unique_ptr<WeightProvider>> makeWeightProvider(const Model &model, WeightMode mode)
{
    const ModelConfig &c = model.config();
    std::vector<std::pair<TensorRole, int>> wanted;
    for (int l = 0; l < c.numLayers; ++l)
        for (TensorRole r : kBlockLinears)
            wanted.emplace_back(r, l);
    if (model.find(TensorRole::Output, -1) || !c.tieWordEmbeddings)
        wanted.emplace_back(TensorRole::Output, -1);
    for (const auto &[role, layer] : wanted) {
        const ModelTensor *t = model.find(role, layer);
        if (!t)
            return makeError(ErrorCode::Inconsistent, where(model, role, layer) + " is missing");
        const auto [out, in] = linearShape(c, role);
        if (t->view.shape.size() != 2 || t->view.shape[0] != out || t->view.shape[1] != in)
            return makeError(ErrorCode::Inconsistent, where(model, role, layer) + " has shape " + shapeToString(t->view.shape) + ", expected ["
                                                          + std::to_string(out) + ", " + std::to_string(in) + "]");
    }
    if (mode == WeightMode::OnTheFly)
        return std::unique_ptr<WeightProvider>(std::make_unique<OnTheFlyWeights>(model, wanted));
    auto r = std::make_unique<ResidentWeights>();
    for (const auto &[role, layer] : wanted) {
        std::vector<float> w;
        LOWBIT_CHECK(convert(c, *model.find(role, layer), w));
        r->m_weights.emplace(std::make_pair(role, layer), std::move(w));
    }
    return std::unique_ptr<WeightProvider>(std::move(r));
}

} // namespace lowbit
