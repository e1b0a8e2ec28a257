// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The LLaMA-family forward pass on the CPU in fp32: token embedding, RMSNorm, RoPE (the config's
/// theta, scaling and pairing layout), grouped-query attention over a KV cache, SwiGLU MLP, tied
/// or separate classifier. Linear layers through cached oneDNN matmul primitives; attention as
/// blocked small GEMMs (attention.h); both, and the elementwise loops, on OpenMP threads. Linear weights come from a WeightProvider: converted to fp32 once at load (default)
/// or dequantized layer by layer as the forward pass reaches them (EngineOptions::weights).

#include "core/infer/inference_model.h"
#include "core/infer/matmul.h"
#include "core/infer/weight_provider.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace lowbit {

/// Which linear layers an activation feeds (q/k/v share one input, gate/up share one).
enum class LinearInput : std::uint8_t { AttnIn, AttnOut, MlpIn, MlpOut };
inline constexpr int kLinearInputCount = 4;
const char *linearInputName(LinearInput which); ///< "attn_in", "attn_out", "mlp_in", "mlp_out"

struct EngineOptions {
    /// 0 = all cores. Applied with omp_set_num_threads on the calling thread at each forward
    /// (oneDNN's OpenMP runtime and the engine's loops follow it).
    unsigned threads = 0;
    std::int64_t maxContext = 0; ///< KV-cache length; 0 = the model's context length
    /// Resident: linears converted to fp32 at load. OnTheFly: converted per layer during each
    /// forward (the engine then shares ownership of the model's mapped bytes).
    WeightMode weights = WeightMode::Resident;
    /// F16: keys and values rounded to fp16 as they are stored (KvCacheType).
    KvCacheType kvCache = KvCacheType::F32;
};

class CpuModel final : public InferenceModel {
public:
    /// Errors: whatever converting a weight to fp32 reports; Inconsistent tensor shapes;
    /// Unsupported rope scaling.
    static Result<std::unique_ptr<CpuModel>> load(const Model &model, const EngineOptions &options = {});
    ~CpuModel() override;

    /// Runs tokens at positions position() .. position()+n−1 and appends their keys/values to
    /// the cache. Returns logits [n, vocab] (or only the last row when allLogits is false).
    /// Errors: InvalidArgument for token ids outside the vocabulary or a full cache (nothing is
    /// changed then); in OnTheFly mode, a weight that fails to convert (position unchanged).
    Result<std::vector<float>> forward(std::span<const std::int32_t> tokens, bool allLogits = true) override;
    void reset() override { m_position = 0; }
    std::int64_t position() const override { return m_position; }
    std::int64_t maxContext() const override { return m_maxContext; }
    const ModelConfig &config() const override { return m_config; }

    /// Called during forward with each linear layer's input [rows, cols] (calibration).
    using ActivationHook = std::function<void(int layer, LinearInput which, const float *x, std::int64_t rows, std::int64_t cols)>;
    void setActivationHook(ActivationHook hook) { m_hook = std::move(hook); }

    /// A second engine over the same resident weights (shared, not copied) with its own empty
    /// KV cache, running single-threaded: evaluation runs one document per fork on each thread.
    /// nullptr in OnTheFly mode (its conversion buffers are per engine).
    std::unique_ptr<InferenceModel> fork() const override;
    /// The engine's thread count when the model is small enough that one sequence per thread
    /// beats threading inside each matmul (hidden size ≤ 1024), else 1.
    unsigned concurrentSequences() const override;

private:
    struct Layer {
        std::vector<float> attnNorm, ffnNorm, qBias, kBias, vBias;
    };
    /// Everything read-only after load, shared between forks.
    struct Shared {
        std::vector<float> embedding, finalNorm; ///< the embedding doubles as the tied classifier
        std::optional<TensorView> embeddingRows; ///< instead of `embedding`: OnTheFly with a separate classifier
        std::vector<Layer> layers;
        std::vector<float> invFreq;
        std::unique_ptr<WeightProvider> weights;
        bool tied = true;
    };
    struct KvCache {
        std::vector<float> k, v; ///< [maxContext, kvDim] each
    };
    CpuModel() = default;
    /// y[rows, out] = x[rows, in] · W(role, layer)ᵀ
    Status linear(TensorRole role, int layer, const float *x, std::int64_t rows, float *y);
    void allocateCache();

    ModelConfig m_config;
    EngineOptions m_options;
    std::shared_ptr<Shared> m_shared;
    std::vector<KvCache> m_cache; ///< per layer
    std::int64_t m_maxContext = 0;
    std::int64_t m_position = 0;
    Matmul m_matmul;
    ActivationHook m_hook;
};

} // namespace lowbit
