// SPDX-License-Identifier: GPL-3.0-or-later
#include "quantized_model.h"

#include "core/methods/vq_tensor.h"
#include "core/quant/fast_format.h"

#include <algorithm>
#include <numeric>
#include <random>
#include "core/quant/quantized_tensor.h"

namespace lowbit::test {

Result<Model> quantizeTensors(const Model &model, const FormatChooser &choose)
{
    std::vector<ModelTensor> tensors;
    for (const ModelTensor &t : model.tensors()) {
        const auto f = choose(t);
        if (!f || t.view.shape.size() != 2) {
            tensors.push_back(t);
            continue;
        }
        LOWBIT_TRY(const Format format, parseFormat(f->format));
        std::optional<ScaleStorage> storage;
        if (!f->storage.empty()) {
            LOWBIT_TRY(storage, parseScaleStorage(f->storage));
        }
        LOWBIT_TRY(const FormatSpec spec, makeFormatSpec(format, f->group, storage));
        LOWBIT_TRY(const std::vector<float> w, t.view.toFloatVector());
        LOWBIT_TRY(PackedTensor packed, quantizePackedFast(w.data(), t.view.shape[0], t.view.shape[1], spec));
        ModelTensor q = t;
        q.view = makeDecodedView(t.view.name, std::make_shared<PackedQuantizedTensor>(std::move(packed)));
        tensors.push_back(std::move(q));
    }
    return Model::fromParts(model.source(), model.path(), model.config(), std::move(tensors));
}

Result<TensorView> randomVqView(const std::string &name, std::int64_t rows, std::int64_t cols, int v, int k, bool extras, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> value(0.0f, 0.08f);
    auto book = [&](int entries) {
        VqCodebook cb;
        cb.entries = entries;
        cb.values.resize(static_cast<std::size_t>(entries) * static_cast<std::size_t>(v));
        for (auto &x : cb.values)
            x = vqRoundToStorage(value(rng), VqCodebookType::F16);
        return cb;
    };
    auto codes = [&](std::size_t n, int entries) {
        std::uniform_int_distribution<int> d(0, entries - 1);
        std::vector<std::uint16_t> out(n);
        for (auto &i : out)
            i = static_cast<std::uint16_t>(d(rng));
        return out;
    };
    VqContent c;
    c.rows = rows;
    c.cols = cols;
    c.vectorLength = v;
    c.codebookType = VqCodebookType::F16;
    const auto perCol = static_cast<std::size_t>(c.vectorsPerColumn());
    c.outlierColumns = extras ? 3 : 0;
    c.main = book(k);
    c.mainIndices = codes(static_cast<std::size_t>(cols - c.outlierColumns) * perCol, k);
    if (extras) {
        c.residual = book(16);
        c.residualIndices = codes(c.mainIndices.size(), 16);
        c.outlier = book(8);
        c.outlierIndices = codes(static_cast<std::size_t>(c.outlierColumns) * perCol, 8);
        c.perm.resize(static_cast<std::size_t>(cols));
        std::iota(c.perm.begin(), c.perm.end(), 0);
        std::shuffle(c.perm.begin(), c.perm.end(), rng);
        std::normal_distribution<float> around1(1.0f, 0.1f);
        for (std::int64_t i = 0; i < cols; ++i) {
            c.scale.push_back(vqRoundToStorage(around1(rng), VqCodebookType::F16));
            c.bias.push_back(vqRoundToStorage(value(rng) * 0.1f, VqCodebookType::F16));
        }
    }
    LOWBIT_TRY(auto t, VqQuantizedTensor::create(std::move(c)));
    return makeDecodedView(name, std::move(t));
}

} // namespace lowbit::test
