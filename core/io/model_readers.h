// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Entry points of the model readers; Model::open dispatches to them by path.

#include "core/model/model.h"

#include <string>

namespace lowbit {

/// A Hugging Face folder (config.json + model.safetensors or model.safetensors.index.json with
/// shards) or a single .safetensors file with a config.json beside it. Tensors keep their HF
/// names; ropeLayout = HalfSplit.
Result<Model> openHfModel(const std::string &path);

/// A GGUF v3 file with llama-family metadata. Tensors keep their GGUF names; shapes are given
/// outermost first (GGUF's ne[] reversed); ropeLayout = Interleaved (llama.cpp's convention).
Result<Model> openGgufModel(const std::string &path);

/// A llama2.c v0 checkpoint (.bin). Tensors get Hugging Face names but keep llama2.c's
/// interleaved q/k row order (ropeLayout = Interleaved); zero-copy views into the file.
Result<Model> openLlama2cModel(const std::string &path);

} // namespace lowbit
