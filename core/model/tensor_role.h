// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What a tensor does in a LLaMA-family model, independent of the file's naming scheme.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lowbit {

enum class TensorRole : std::uint8_t {
    Embedding, AttnNorm, Q, K, V, O, FfnNorm, Gate, Up, Down, FinalNorm, Output,
    QBias, KBias, VBias, RopeFreqs, Other,
};
inline constexpr std::size_t kTensorRoleCount = 17;

std::string_view tensorRoleName(TensorRole role); ///< "embedding", "q", "gate", ...
/// True for the matrices a quantizer works on (q/k/v/o, gate/up/down; embedding and output too).
bool isLinearRole(TensorRole role);

struct RoleAndLayer {
    TensorRole role = TensorRole::Other;
    int layer = -1; ///< -1 for tensors outside the blocks
};

/// Recognises Hugging Face names ("model.layers.3.self_attn.q_proj.weight") and GGUF names
/// ("blk.3.attn_q.weight"); anything else is Other.
RoleAndLayer roleFromHfName(std::string_view name);
RoleAndLayer roleFromGgufName(std::string_view name);

/// Canonical names for a role/layer in each scheme ("" when the scheme has no such tensor).
std::string hfTensorName(TensorRole role, int layer);
std::string ggufTensorName(TensorRole role, int layer);

} // namespace lowbit
