// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Test helper: writes a Model as a llama GGUF the way llama.cpp's converter does (GGUF tensor
/// names, q/k rows in the interleaved RoPE order, llama.* metadata), with 2-D weights in a
/// chosen type (F32, F16, Q8_0, Q4_0; norms stay F32).

#include "core/io/gguf_writer.h"
#include "core/model/model.h"

#include <string>

namespace lowbit::test {

Status writeModelAsGguf(const Model &model, const std::string &path, DType matrixType = DType::F32);

} // namespace lowbit::test
