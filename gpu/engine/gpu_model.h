// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A LLaMA-family model resident on a Vulkan device (fp32 weights for now; the packed low-bit
/// formats come with the fused dequant kernels) with a KV cache: prefill and decode give the
/// logits of every position.

#include "core/infer/inference_model.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace lowbit::gpu {

class Context;
class Arena;
class Pipelines;
struct Buffer;

struct GpuModelOptions {
    std::int64_t maxContext = 0; ///< KV-cache length; 0 = the model's context length
};

class GpuModel final : public InferenceModel {
public:
    /// Uploads the model's weights (converted to fp32) and allocates the KV cache.
    /// Errors: Unsupported (attention biases, rope scaling types not handled yet), InvalidArgument
    /// (a tensor larger than the device's storage-buffer range), Io (out of device memory).
    static Result<std::unique_ptr<GpuModel>> load(Context &ctx, const Model &model, const GpuModelOptions &options = {});
    ~GpuModel() override;
    GpuModel(const GpuModel &) = delete;
    GpuModel &operator=(const GpuModel &) = delete;

    /// Runs `tokens` at positions position() .. position()+n−1, appending their keys and values
    /// to the cache, and returns the logits [n, vocab] (row-major). Errors: InvalidArgument when
    /// the cache would overflow or a token id is outside the vocabulary.
    Result<std::vector<float>> forward(std::span<const std::int32_t> tokens, bool allLogits = true) override;
    /// Empties the KV cache.
    void reset() override { m_position = 0; }
    std::int64_t position() const override { return m_position; }
    std::int64_t maxContext() const override { return m_maxContext; }
    const ModelConfig &config() const override { return m_config; }

private:
    struct Layer {
        Buffer *attnNorm = nullptr, *q = nullptr, *k = nullptr, *v = nullptr, *o = nullptr;
        Buffer *ffnNorm = nullptr, *gate = nullptr, *up = nullptr, *down = nullptr;
        Buffer *kCache = nullptr, *vCache = nullptr;
    };
    GpuModel(Context &ctx);
    Status recordForward(class Recorder &rec, std::uint32_t n, struct Scratch &s);

    Context &m_ctx;
    std::unique_ptr<Pipelines> m_pipelines;
    std::unique_ptr<Arena> m_weights;
    std::unique_ptr<Arena> m_scratch;
    ModelConfig m_config;
    std::vector<Layer> m_layers;
    Buffer *m_embedding = nullptr, *m_finalNorm = nullptr, *m_output = nullptr, *m_invFreq = nullptr;
    std::int64_t m_maxContext = 0;
    std::int64_t m_position = 0;
};

} // namespace lowbit::gpu
