// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What the Hugging Face-folder exporters (GPTQ, compressed-tensors, fake-quant) share: tensor
/// names and row order (q/k rows in Hugging Face's rotate_half order), decoded rows, the
/// tokenizer files, and writing the folder (config.json, model.safetensors, extra JSON files)
/// through a StagedDirectory.

#include "core/export/export_common.h"
#include "core/model/model.h"
#include "core/util/json.h"

#include <cstring>

#include <string>
#include <vector>

namespace lowbit {

/// Source row of Hugging Face row r for tensor `t` (identity unless q/k of an interleaved model).
std::int64_t hfSourceRow(const Model &model, const ModelTensor &t, std::int64_t r);

/// The tensor decoded to fp32 [rows, cols] in Hugging Face row order.
Result<std::vector<float>> decodedHfRows(const Model &model, const ModelTensor &t);

/// Hugging Face name of a tensor ("model.layers.3.self_attn.q_proj.weight"); errors for tensors
/// without one.
Result<std::string> hfNameOf(const ModelTensor &t);

/// A tensor produced from a ready buffer.
StreamTensor bufferTensor(std::string name, DType dtype, std::vector<std::int64_t> shape, std::vector<std::byte> bytes);
/// A float tensor converted from decoded fp32 values to F32, F16 or BF16.
StreamTensor floatTensor(std::string name, DType dtype, std::vector<std::int64_t> shape, const std::vector<float> &values);

template <class T>
std::vector<std::byte> toBytes(const std::vector<T> &v)
{
    std::vector<std::byte> b(v.size() * sizeof(T));
    if (!b.empty())
        std::memcpy(b.data(), v.data(), b.size());
    return b;
}

/// Writes `folder` (config.json = configJson, model.safetensors = tensors, each of `extraFiles`
/// as JSON, the tokenizer files of the model) atomically, checking free space first. Fills
/// report.bytes.
Status writeHfFolder(const Model &model, const std::string &folder, const Json &configJson, const std::vector<StreamTensor> &tensors,
                     const std::vector<std::pair<std::string, Json>> &extraFiles, const ExportOptions &options, ExportReport &report);

} // namespace lowbit
