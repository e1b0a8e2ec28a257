// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// In-memory fixture models for the studio tests (fp32, owned data, Hugging Face names).

#include "core/model/model.h"

#include <memory>

namespace lowbit::test {

/// Config of the tiny model: 2 layers, dim 8, 2 heads (1 kv head, head dim 4), ffn 16, vocab 10,
/// untied output.
lowbit::ModelConfig tinyConfig();

/// A model of tinyConfig() whose weight i of tensor t is a deterministic function of (t, i),
/// with a distinct value range per tensor. Fails the calling test (returns nullptr) on error.
std::shared_ptr<const lowbit::Model> makeTinyModel();

} // namespace lowbit::test
