// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The LLaMA-family forward pass on the CPU in fp32: token embedding, RMSNorm, RoPE (the config's
/// theta, scaling and pairing layout), grouped-query attention over a KV cache, SwiGLU MLP, tied
/// or separate classifier. Matmuls through oneDNN; attention and elementwise loops through
/// OpenMP. Weights are converted to fp32 once at load (from any dtype the model holds).

#include "core/infer/inference_model.h"
#include "core/infer/matmul.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace lowbit {

/// Which linear layers an activation feeds (q/k/v share one input, gate/up share one).
enum class LinearInput : std::uint8_t { AttnIn, AttnOut, MlpIn, MlpOut };
inline constexpr int kLinearInputCount = 4;
const char *linearInputName(LinearInput which); ///< "attn_in", "attn_out", "mlp_in", "mlp_out"

struct EngineOptions {
    unsigned threads = 0;        ///< 0 = all cores
    std::int64_t maxContext = 0; ///< KV-cache length; 0 = the model's context length
};

class CpuModel final : public InferenceModel {
public:
    /// Errors: whatever converting a weight to fp32 reports; Unsupported rope scaling.
    static Result<std::unique_ptr<CpuModel>> load(const Model &model, const EngineOptions &options = {});
    ~CpuModel() override;

    /// Runs tokens at positions position() .. position()+n−1 and appends their keys/values to
    /// the cache. Returns logits [n, vocab] (or only the last row when allLogits is false).
    /// Errors: InvalidArgument for token ids outside the vocabulary or a full cache (nothing is
    /// changed then).
    Result<std::vector<float>> forward(std::span<const std::int32_t> tokens, bool allLogits = true) override;
    void reset() override { m_position = 0; }
    std::int64_t position() const override { return m_position; }
    std::int64_t maxContext() const override { return m_maxContext; }
    const ModelConfig &config() const override { return m_config; }

    /// Called during forward with each linear layer's input [rows, cols] (calibration).
    using ActivationHook = std::function<void(int layer, LinearInput which, const float *x, std::int64_t rows, std::int64_t cols)>;
    void setActivationHook(ActivationHook hook) { m_hook = std::move(hook); }

private:
    struct Layer {
        std::vector<float> attnNorm, q, k, v, o, ffnNorm, gate, up, down, qBias, kBias, vBias;
        std::vector<float> kCache, vCache;
    };
    CpuModel() = default;
    void linear(const std::vector<float> &w, const float *x, std::int64_t rows, std::int64_t in, std::int64_t out, float *y);

    ModelConfig m_config;
    EngineOptions m_options;
    std::vector<float> m_embedding, m_finalNorm, m_output; ///< m_output empty when tied
    std::vector<Layer> m_layers;
    std::vector<float> m_invFreq;
    std::int64_t m_maxContext = 0;
    std::int64_t m_position = 0;
    Matmul m_matmul;
    ActivationHook m_hook;
};

} // namespace lowbit
