// SPDX-License-Identifier: GPL-3.0-or-later
#include "export_fixture.h"

#include "core/quant/fast_format.h"
#include "core/quant/quantize_ref.h"
#include "core/quant/quantized_tensor.h"
#include "core/util/mapped_file.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace lowbit::test {

FormatSpec exportSpec(const std::string &name, std::int64_t group, const std::string &storage)
{
    auto f = parseFormat(name);
    auto s = parseScaleStorage(storage);
    if (!f || !s) {
        std::fprintf(stderr, "bad test format %s / %s\n", name.c_str(), storage.c_str());
        std::abort();
    }
    auto spec = makeFormatSpec(*f, group, *s);
    if (!spec) {
        std::fprintf(stderr, "%s\n", spec.error().message().c_str());
        std::abort();
    }
    return *spec;
}

Result<Model> quantizeForExport(const Model &model, const FormatSpec &spec, bool embedding, bool wholeGroupsOnly, bool attentionOnly)
{
    std::vector<ModelTensor> tensors;
    for (const ModelTensor &t : model.tensors()) {
        const bool partial = spec.groupSize > 0 && t.view.cols() % spec.groupSize != 0;
        const bool quantize = t.view.shape.size() == 2 && isLinearRole(t.role) && (embedding || t.role != TensorRole::Embedding)
            && !(wholeGroupsOnly && partial)
            && !(attentionOnly && t.role != TensorRole::Q && t.role != TensorRole::K && t.role != TensorRole::V && t.role != TensorRole::O);
        if (!quantize) {
            tensors.push_back(t);
            continue;
        }
        LOWBIT_TRY(std::vector<float> w, t.view.toFloatVector());
        LOWBIT_TRY(QuantizedMatrix q, quantizeRef(w.data(), t.view.rows(), t.view.cols(), spec));
        LOWBIT_TRY(PackedTensor p, pack(q));
        ModelTensor qt = t;
        qt.view = makeDecodedView(t.view.name, std::make_shared<PackedQuantizedTensor>(std::move(p)));
        tensors.push_back(std::move(qt));
    }
    return Model::fromParts(model.source(), model.path(), model.config(), std::move(tensors));
}

const TensorView *findView(const SafetensorsFile &f, const std::string &name)
{
    for (const TensorView &v : f.tensors)
        if (v.name == name)
            return &v;
    return nullptr;
}

Json readJson(const std::string &path)
{
    auto text = readTextFile(path);
    auto j = text ? parseJson(*text) : Result<Json>(text.error());
    if (!j) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), j.error().message().c_str());
        std::abort();
    }
    return *j;
}

} // namespace lowbit::test
