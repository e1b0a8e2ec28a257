// SPDX-License-Identifier: GPL-3.0-or-later
#include "quantized_model.h"

#include "core/quant/fast_format.h"
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

} // namespace lowbit::test
