// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A LLaMA-family model resident on a Vulkan device with a KV cache: prefill and decode give the
/// logits of every position. Studio-quantized tensors (a quantized model, mixed formats per
/// layer) stay packed on the device and run through the fused dequant kernels (dequant × vector
/// for one token, dequant × matrix for several); other tensors are fp32.

#include "core/infer/inference_model.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace lowbit::gpu {

class Context;
class Arena;
class Pipelines;
struct Buffer;

struct GpuWeight;
struct LinearInput;
enum class MatvecLayout : std::uint8_t;
enum class KvForm : std::uint8_t;
enum class AttentionKernel : std::uint8_t;

struct GpuModelOptions {
    std::int64_t maxContext = 0;     ///< KV-cache length; 0 = the model's context length
    std::uint64_t maxSliceBytes = 0; ///< split weights into buffers of at most this; 0 = the device's range
    /// the packed weights' GEMV layout (PackedUploadOptions::matvec); empty: by device and size
    std::optional<MatvecLayout> matvec;
    /// the shared-tree kernels' forms (PackedUploadOptions::treeLinear, treeLut, subgroupReduce,
    /// treeAhead): off only to measure what they gain
    bool treeLinear = true;
    bool treeLut = true;
    std::optional<bool> subgroupReduce;
    std::optional<bool> treeAhead;
    bool treeTiledGemm = true; ///< PackedUploadOptions::treeTiledGemm
    bool specializeKernels = true; ///< PackedUploadOptions::specialize: off only to measure what it gains
    /// F16: keys and values stored as fp16 (half the cache's bytes), through 16-bit storage where
    /// the device has it and use16BitStorage is set, else as halves packed in uints
    KvCacheType kvCache = KvCacheType::F32;
    bool use16BitStorage = true;
    /// the attention kernel (AttentionKernel in gpu/ops/layer_ops.h); empty: by device and shape
    std::optional<AttentionKernel> attention;
    /// quantize the activations to int8 for the linears with integer kernels — 2- to 4-bit INT /
    /// INT-asym codes in the rows layout (CPU devices; per 32 columns, llama.cpp's q8_1 rule), and
    /// on the shared tree those whose GEMV has the dot-product form (TreeForm::int8Dot: per
    /// piece of 8 columns, one token at a time; a prompt keeps fp32 x there); the others keep fp32
    /// x. Faster, and no longer the CPU engine's numbers (docs/gpu.md).
    bool int8Activations = false;
    /// PackedUploadOptions::treeInt8: the tree GEMV's integer form; empty: where the device
    /// accelerates the 4×8-bit dot product
    std::optional<bool> treeInt8;
    /// weights and KV cache in device memory the host never maps, uploaded through a staging
    /// buffer (MemoryUse::Staged); empty: where the device's host-visible device memory is a
    /// small window (bulkMemoryUse), as on a discrete GPU without resizable BAR
    std::optional<bool> stagedWeights;
    /// fewer dispatches a layer for the same arithmetic: each residual add recorded with the norm
    /// after it, queries' and keys' RoPE as one dispatch, an fp16 cache's key and value stores as
    /// one, and the gate and up projections as one linear where they decode by one rule (both
    /// fp32, or packed in the same format: uploadWeightRows); off only to measure what that saves
    bool fuseLayerOps = true;
    /// with fuseLayerOps, whether gate and up are merged (off: the other fusions alone, to measure)
    bool mergeGateUp = true;
    /// with fuseLayerOps, whether q, k and v are one linear where they decode by one rule, its
    /// output split by rope_qkv (off: three linears, to measure)
    bool mergeQkv = true;
};

/// Where one forward()'s time went.
struct ForwardTiming {
    double recordSeconds = 0; ///< the host's share before submitting: scratch buffers, descriptor sets, commands
    double gpuSeconds = 0;    ///< the GPU's, between timestamps around the recorded work (0 where the queue writes none)
    double totalSeconds = 0;  ///< the whole call, the logits' copy out included
    std::uint32_t dispatches = 0, barriers = 0; ///< recorded, and the barriers put between them
};

class GpuModel final : public InferenceModel {
public:
    /// Uploads the model's weights (packed tensors as they are, the rest as fp32) and allocates
    /// the KV cache. Errors: Unsupported (rope scaling types not handled, an fp16 cache with an odd
    /// head dim), Inconsistent (missing tensors, incomplete q/k/v biases),
    /// Io (the device was lost; the model does not fit the device's memory, or an allocation
    /// failed: the message names what it needs and what the device has), InvalidArgument (a
    /// single row larger than a storage buffer).
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
    /// Runs a prompt of min(kTiledGemmMinTokens, maxContext − 1) tokens and one decode step, then
    /// resets: the pipelines a prompt and the decode take are created here (a driver compiles
    /// each shader on first use; llvmpipe takes tens of ms a kernel), so that the first prompt's
    /// and step's times are the engine's own. Errors: those of forward().
    Status warmUp();
    std::int64_t position() const override { return m_position; }
    std::int64_t maxContext() const override { return m_maxContext; }
    const ModelConfig &config() const override { return m_config; }
    /// Device bytes of the weights (packed tensors count their packed arrays).
    std::uint64_t weightBytes() const { return m_weightBytes; }
    /// Linear tensors that stay packed on the device.
    int packedTensors() const { return m_packedTensors; }
    /// Device bytes of the KV cache (keys and values, every layer).
    std::uint64_t kvCacheBytes() const { return m_kvCacheBytes; }
    /// How the cache holds its elements (KvForm in gpu/ops/layer_ops.h).
    KvForm kvForm() const { return m_kvForm; }
    /// Linear tensors that run with int8 activations (GpuModelOptions::int8Activations).
    int int8Tensors() const { return m_int8Tensors; }
    /// Layers whose gate and up projections run as one linear (GpuModelOptions::fuseLayerOps).
    int mergedGateUp() const { return m_mergedGateUp; }
    /// Layers whose q, k and v run as one linear.
    int mergedQkv() const { return m_mergedQkv; }
    /// The last forward()'s timing.
    const ForwardTiming &lastTiming() const { return m_lastTiming; }
    /// Descriptor sets cached for the dispatches of the last token count's forwards.
    std::size_t cachedDescriptorSets() const;

private:
    struct Layer {
        Buffer *attnNorm = nullptr, *ffnNorm = nullptr;
        const GpuWeight *q = nullptr, *k = nullptr, *v = nullptr, *o = nullptr;
        const GpuWeight *gate = nullptr, *up = nullptr, *down = nullptr;
        const GpuWeight *gateUp = nullptr; ///< gate rows then up rows as one linear, or null (gate and up apart)
        const GpuWeight *qkv = nullptr;    ///< q, k then v rows as one linear, or null (apart)
        Buffer *qkvBias = nullptr;         ///< with qkv: the three biases one after the other, or none
        Buffer *kCache = nullptr, *vCache = nullptr;
        Buffer *qBias = nullptr, *kBias = nullptr, *vBias = nullptr; ///< qwen2's, or none
    };
    GpuModel(Context &ctx);
    Status recordForward(class Recorder &rec, std::uint32_t n, struct Scratch &s);
    /// A layer's q, k and v projections, biases, RoPE and (fp16 cache) key and value stores.
    Status recordAttentionInputs(class Recorder &rec, const Layer &L, std::uint32_t n, struct Scratch &s, LinearInput &xn);
    /// Scratch buffers for n tokens (the arenas' earlier ones released).
    Result<std::unique_ptr<struct Scratch>> allocateScratch(std::uint32_t n);
    Result<const GpuWeight *> addWeight(const ModelTensor *t, const char *what, const GpuModelOptions &options);
    /// The rows of the parts in turn as one weight (uploadWeightRows), or null where they cannot
    /// share one or a part is missing.
    Result<const GpuWeight *> addWeightRows(std::initializer_list<const ModelTensor *> parts, const GpuModelOptions &options);

    Context &m_ctx;
    std::unique_ptr<Pipelines> m_pipelines;
    std::unique_ptr<Arena> m_weights;
    std::unique_ptr<Arena> m_scratch;
    std::unique_ptr<Arena> m_readback; ///< the logits
    std::unique_ptr<struct Scratch> m_scratchBuffers; ///< the last forward's, for m_scratchTokens tokens
    std::uint32_t m_scratchTokens = 0;
    std::unique_ptr<class DescriptorCache> m_descriptors; ///< the sets of the dispatches on those and the weights
    std::unique_ptr<class RecorderResources> m_submission; ///< every forward's command buffer, fence and timestamps
    ModelConfig m_config;
    ForwardTiming m_lastTiming;
    std::vector<Layer> m_layers;
    std::vector<std::unique_ptr<GpuWeight>> m_matrices;
    const GpuWeight *m_embedding = nullptr, *m_output = nullptr;
    Buffer *m_finalNorm = nullptr, *m_invFreq = nullptr;
    std::uint64_t m_weightBytes = 0;
    std::uint64_t m_kvCacheBytes = 0;
    KvForm m_kvForm{};
    std::optional<AttentionKernel> m_attention;
    bool m_fuse = true;
    int m_packedTensors = 0;
    int m_int8Tensors = 0;
    int m_mergedGateUp = 0;
    int m_mergedQkv = 0;
    std::int64_t m_maxContext = 0;
    std::int64_t m_position = 0;
};

} // namespace lowbit::gpu
