// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Test helper for the exporters: a model whose weight matrices are studio-quantized tensors
/// (RTN with the scalar reference, packed), as the studio container would hold them.

#include "core/io/safetensors_reader.h"
#include "core/model/model.h"
#include "core/quant/format.h"
#include "core/util/json.h"

#include <string>

namespace lowbit::test {

/// makeFormatSpec(parseFormat(name), group, storage); aborts the test binary on a bad name.
FormatSpec exportSpec(const std::string &name, std::int64_t group, const std::string &storage);

/// `model` with every linear matrix (q/k/v/o, gate/up/down, the output, and the embedding when
/// `embedding`) replaced by a packed studio tensor quantized with `spec`; same source and path.
/// With `wholeGroupsOnly`, matrices whose rows are not whole groups stay unquantized; with
/// `attentionOnly`, only q/k/v/o are quantized (layouts that pack along both dimensions).
Result<Model> quantizeForExport(const Model &model, const FormatSpec &spec, bool embedding = true, bool wholeGroupsOnly = false,
                                bool attentionOnly = false);

/// The tensor of that name in a safetensors file, or nullptr.
const TensorView *findView(const SafetensorsFile &f, const std::string &name);

/// A JSON file (config.json, quantize_config.json) parsed; aborts the test binary when unreadable.
Json readJson(const std::string &path);

} // namespace lowbit::test
