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

/// A random VPTQ tensor view (fp16 codebooks; with `extras`: residual and outlier codebooks,
/// a permutation and per-column normalization) — not an approximation of anything, for
/// comparing two engines on the same weights.
Result<TensorView> randomVqView(const std::string &name, std::int64_t rows, std::int64_t cols, int v, int k, bool extras, unsigned seed);

} // namespace lowbit::test
