// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/tensor_role.h"

#include <array>
#include <charconv>

namespace lowbit {

namespace {

struct RoleNames {
    TensorRole role;
    std::string_view name;
    std::string_view hf;   ///< suffix after "model.layers.N." (per layer) or full name (global)
    std::string_view gguf; ///< suffix after "blk.N." (per layer) or full name (global)
    bool perLayer;
    bool linear;
};

constexpr std::array<RoleNames, kTensorRoleCount> kRoles = {{
    {TensorRole::Embedding, "embedding", "model.embed_tokens.weight", "token_embd.weight", false, true},
    {TensorRole::AttnNorm, "attn_norm", "input_layernorm.weight", "attn_norm.weight", true, false},
    {TensorRole::Q, "q", "self_attn.q_proj.weight", "attn_q.weight", true, true},
    {TensorRole::K, "k", "self_attn.k_proj.weight", "attn_k.weight", true, true},
    {TensorRole::V, "v", "self_attn.v_proj.weight", "attn_v.weight", true, true},
    {TensorRole::O, "o", "self_attn.o_proj.weight", "attn_output.weight", true, true},
    {TensorRole::FfnNorm, "ffn_norm", "post_attention_layernorm.weight", "ffn_norm.weight", true, false},
    {TensorRole::Gate, "gate", "mlp.gate_proj.weight", "ffn_gate.weight", true, true},
    {TensorRole::Up, "up", "mlp.up_proj.weight", "ffn_up.weight", true, true},
    {TensorRole::Down, "down", "mlp.down_proj.weight", "ffn_down.weight", true, true},
    {TensorRole::FinalNorm, "final_norm", "model.norm.weight", "output_norm.weight", false, false},
    {TensorRole::Output, "output", "lm_head.weight", "output.weight", false, true},
    {TensorRole::QBias, "q_bias", "self_attn.q_proj.bias", "attn_q.bias", true, false},
    {TensorRole::KBias, "k_bias", "self_attn.k_proj.bias", "attn_k.bias", true, false},
    {TensorRole::VBias, "v_bias", "self_attn.v_proj.bias", "attn_v.bias", true, false},
    {TensorRole::RopeFreqs, "rope_freqs", "", "rope_freqs.weight", false, false},
    {TensorRole::Other, "other", "", "", false, false},
}};

const RoleNames &entry(TensorRole r) { return kRoles[static_cast<std::size_t>(r)]; }

RoleAndLayer roleFromName(std::string_view name, std::string_view layerPrefix, bool hf)
{
    for (const auto &r : kRoles) {
        const std::string_view n = hf ? r.hf : r.gguf;
        if (!r.perLayer && !n.empty() && name == n)
            return {r.role, -1};
    }
    if (name.substr(0, layerPrefix.size()) != layerPrefix)
        return {};
    name.remove_prefix(layerPrefix.size());
    int layer = -1;
    const auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), layer);
    if (ec != std::errc() || layer < 0 || ptr == name.data() + name.size() || *ptr != '.')
        return {};
    name.remove_prefix(static_cast<std::size_t>(ptr - name.data()) + 1);
    for (const auto &r : kRoles) {
        const std::string_view n = hf ? r.hf : r.gguf;
        if (r.perLayer && name == n)
            return {r.role, layer};
    }
    return {TensorRole::Other, layer};
}

std::string nameFor(TensorRole role, int layer, bool hf)
{
    const auto &r = entry(role);
    const std::string_view n = hf ? r.hf : r.gguf;
    if (n.empty())
        return {};
    if (!r.perLayer)
        return std::string(n);
    return std::string(hf ? "model.layers." : "blk.") + std::to_string(layer) + "." + std::string(n);
}

} // namespace

std::string_view tensorRoleName(TensorRole role) { return entry(role).name; }
bool isLinearRole(TensorRole role) { return entry(role).linear; }
RoleAndLayer roleFromHfName(std::string_view name) { return roleFromName(name, "model.layers.", true); }
RoleAndLayer roleFromGgufName(std::string_view name) { return roleFromName(name, "blk.", false); }
std::string hfTensorName(TensorRole role, int layer) { return nameFor(role, layer, true); }
std::string ggufTensorName(TensorRole role, int layer) { return nameFor(role, layer, false); }

} // namespace lowbit
