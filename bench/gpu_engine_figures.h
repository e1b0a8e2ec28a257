// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// bench_gpu's engine figures: tokens/s of the GPU engine (prefill and greedy decode, with where
/// a forward's time goes), what a submission and a dispatch cost, and what int8 activations
/// cost in quality.

#include "core/infer/inference_model.h"
#include "core/model/model.h"
#include "core/quant/format.h"
#include "core/util/result.h"
#include "gpu/ops/packed_ops.h"

#include <optional>
#include <string>

namespace lowbit::gpu {
class Context;
class Pipelines;
enum class AttentionKernel : std::uint8_t;
}

namespace lowbit::bench {

/// How the engine runs: --tokens, --kv-cache, --matvec, --attention, --prompt.
struct EngineRun {
    int tokens = 128;
    KvCacheType kv = KvCacheType::F32;
    std::optional<gpu::MatvecLayout> layout;
    std::optional<gpu::AttentionKernel> attention;
    /// --prompt N: a prefill of N tokens and the decode after it (positions N … N + tokens − 1);
    /// empty: a 64-token prefill, and the decode after a 1-token prompt
    std::optional<int> prompt;
    bool int8Activations = false; ///< --activations int8 (GpuModelOptions::int8Activations)
    bool treeLinear = true;       ///< --tree-table clears it
    bool treeLut = true;          ///< --tree-table clears it
    std::optional<bool> subgroupReduce; ///< --tree-barriers: false
    std::optional<bool> treeAhead;      ///< --tree-one-piece: false, --tree-ahead: true
    bool treeTiledGemm = true;          ///< --tree-slot-gemm clears it
    std::optional<bool> treeInt8;       ///< --tree-int8: true (GpuModelOptions::treeInt8)
    bool specializeKernels = true;      ///< --unspecialized clears it (GpuModelOptions::specializeKernels)
    std::optional<bool> stagedWeights;  ///< --staged / --mapped
    bool fuseLayerOps = true;           ///< --unfused clears it (GpuModelOptions::fuseLayerOps)
    bool mergeGateUp = true;            ///< --apart-gate-up clears it (GpuModelOptions::mergeGateUp)
    bool mergeQkv = true;               ///< --apart-qkv clears it (GpuModelOptions::mergeQkv)
};

/// Greedy decode tokens/s and prefill tokens/s of the GPU engine on `model`, printed under `label`.
Status engineTokensPerSecond(gpu::Context &ctx, const Model &model, const char *label, const EngineRun &run);

/// What int8 activations cost in quality: `model` on the rows layout (forced, so that every 4-bit
/// INT linear takes the integer kernels) with fp32 and with int8 x, compared over `text`.
Status compareInt8(gpu::Context &ctx, const Model &model, const std::string &tokenizerPath, const std::string &textPath, int docs);

/// What a submission and a dispatch cost on this device: the host's time from Recorder::begin to
/// the fence for an empty submission, and per dispatch (a 1024-element add and its barrier) the
/// host's recording, with fresh and with cached descriptor sets, and the GPU's time. Printed.
Status dispatchOverhead(gpu::Context &ctx, gpu::Pipelines &pipes);

/// `model` with its linears quantized to `spec` (packed, as the studio stores them).
Result<Model> quantizeLinears(const Model &model, const FormatSpec &spec);

} // namespace lowbit::bench
