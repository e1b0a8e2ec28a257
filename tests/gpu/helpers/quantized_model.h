// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Builds a studio-quantized model in memory for the GPU engine tests: chosen tensors quantized
/// with quantizePackedFast and wrapped as decoder views (what quantizeModel and the studio
/// container produce), the rest shared with the source model.

#include "core/model/model.h"
#include "core/util/result.h"

#include <functional>
#include <optional>
#include <string>

namespace lowbit::test {

/// The format of a tensor ("int4 g32 fp16" style: name, group, storage), or nullopt to keep it.
struct TensorFormat {
    std::string format;
    std::optional<std::int64_t> group;
    std::string storage; ///< empty: the format's default
};
using FormatChooser = std::function<std::optional<TensorFormat>(const ModelTensor &)>;

/// The model with every tensor `choose` names quantized.
Result<Model> quantizeTensors(const Model &model, const FormatChooser &choose);

} // namespace lowbit::test
