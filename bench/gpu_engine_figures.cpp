// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu_engine_figures.h"

#include "core/eval/perplexity.h"
#include "core/infer/tokenizer.h"
#include "core/quant/fast_format.h"
#include "core/quant/quantized_tensor.h"
#include "gpu/device/context.h"
#include "gpu/engine/gpu_model.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/descriptor_cache.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/recorder.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <vector>

namespace lowbit::bench {

using namespace lowbit::gpu;

/// Greedy decode tokens/s and prefill tokens/s of the GPU engine on `model`.
Status engineTokensPerSecond(Context &ctx, const Model &model, const char *label, const EngineRun &run)
{
    const int tokens = run.tokens;
    const KvCacheType kv = run.kv;
    GpuModelOptions opt;
    opt.matvec = run.layout; // (--matvec: the packed linears' layout, as for the GEMV figures)
    opt.kvCache = kv;
    opt.attention = run.attention;
    opt.int8Activations = run.int8Activations;
    opt.treeLinear = run.treeLinear;
    opt.treeLut = run.treeLut;
    opt.treeInt8 = run.treeInt8;
    opt.subgroupReduce = run.subgroupReduce;
    opt.treeAhead = run.treeAhead;
    opt.treeTiledGemm = run.treeTiledGemm;
    opt.specializeKernels = run.specializeKernels;
    opt.stagedWeights = run.stagedWeights;
    opt.fuseLayerOps = run.fuseLayerOps;
    opt.mergeGateUp = run.mergeGateUp;
    opt.mergeQkv = run.mergeQkv;
    LOWBIT_TRY(auto gm, GpuModel::load(ctx, model, opt));
    std::vector<std::int32_t> prompt(static_cast<std::size_t>(std::max(1, run.prompt.value_or(64))));
    for (std::size_t i = 0; i < prompt.size(); ++i)
        prompt[i] = static_cast<std::int32_t>((i * 37 + 1) % static_cast<std::size_t>(model.config().vocabSize));
    // warm-up, not timed: the first use of a pipeline compiles it (llvmpipe JITs a rows kernel in
    // up to a second), so one prefill and one decode step run first
    {
        LOWBIT_TRY(auto warm, gm->forward(prompt, false));
        gm->reset();
        std::int32_t first = 1;
        LOWBIT_TRY(auto step, gm->forward(std::span(&first, 1), false));
        gm->reset();
    }
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_TRY(auto pre, gm->forward(prompt, false));
    const double prefill = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::int32_t next = 1;
    if (run.prompt)
        next = static_cast<std::int32_t>(std::max_element(pre.begin(), pre.end()) - pre.begin());
    else
        gm->reset();
    const ForwardTiming prefillTiming = gm->lastTiming();
    ForwardTiming step; // decode, summed over the tokens
    const auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < tokens; ++i) {
        LOWBIT_TRY(auto logits, gm->forward(std::span(&next, 1), false));
        next = static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
        step.recordSeconds += gm->lastTiming().recordSeconds;
        step.gpuSeconds += gm->lastTiming().gpuSeconds;
        step.totalSeconds += gm->lastTiming().totalSeconds;
    }
    const double decode = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    if (gm->int8Tensors() > 0)
        std::printf("       (int8 activations: %d of the %d packed tensors)\n", gm->int8Tensors(), gm->packedTensors());
    std::printf("engine %-22s weights %8.1f KiB (%d packed tensors)  %s KV cache %7.1f KiB  prefill %8.1f tok/s  decode %8.1f tok/s\n",
                label, static_cast<double>(gm->weightBytes()) / 1024.0, gm->packedTensors(), kvCacheTypeName(kv),
                static_cast<double>(gm->kvCacheBytes()) / 1024.0, static_cast<double>(prompt.size()) / prefill, tokens / decode);
    // where a forward's time goes: the host recording it, the GPU running it, the rest (submission,
    // fence wait latency, the logits' copy)
    std::printf("       prefill %.3f ms: record %.3f, GPU %.3f | decode %.3f ms/token: record %.3f, GPU %.3f | %u dispatches, %u barriers a step\n",
                prefillTiming.totalSeconds * 1e3, prefillTiming.recordSeconds * 1e3, prefillTiming.gpuSeconds * 1e3, step.totalSeconds * 1e3 / tokens,
                step.recordSeconds * 1e3 / tokens, step.gpuSeconds * 1e3 / tokens, gm->lastTiming().dispatches, gm->lastTiming().barriers);
    if (run.prompt)
        std::printf("       (prefill of %d tokens; decode at positions %d-%d)\n", *run.prompt, *run.prompt, *run.prompt + tokens - 1);
    return {};
}

Status dispatchOverhead(Context &ctx, Pipelines &pipes)
{
    Arena arena(ctx, VkDeviceSize(1) << 20);
    const std::vector<float> ones(1024, 1.0f);
    LOWBIT_TRY(Buffer * a, arena.upload(std::span<const float>(ones)));
    LOWBIT_TRY(Buffer * b, arena.upload(std::span<const float>(ones)));
    DescriptorCache cache(ctx);
    const bool gpuTime = ctx.info().timestampPeriodNs > 0;
    constexpr int kDispatches = 64, kReps = 7;
    // best of kReps: [0] host recording, [1] begin → fence, [2] GPU between the marks
    RecorderResources kept(ctx);
    const auto measure = [&](int dispatches, DescriptorCache *c, RecorderResources *res) -> Result<std::array<double, 3>> {
        std::array<double, 3> best{1e300, 1e300, 1e300};
        for (int r = 0; r < kReps; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, static_cast<std::uint32_t>(dispatches + 1), c, res));
            if (gpuTime)
                LOWBIT_CHECK(rec->markTime());
            for (int i = 0; i < dispatches; ++i)
                LOWBIT_CHECK(recordAdd(*rec, *a, *b, 1024));
            if (gpuTime)
                LOWBIT_CHECK(rec->markTime());
            const auto t1 = std::chrono::steady_clock::now();
            LOWBIT_CHECK(rec->submitAndWait());
            const auto t2 = std::chrono::steady_clock::now();
            best[0] = std::min(best[0], std::chrono::duration<double>(t1 - t0).count());
            best[1] = std::min(best[1], std::chrono::duration<double>(t2 - t0).count());
            if (gpuTime) {
                LOWBIT_TRY(const std::vector<double> t, rec->markIntervals());
                best[2] = std::min(best[2], t.at(0));
            }
        }
        return best;
    };
    LOWBIT_TRY(const auto empty, measure(0, nullptr, nullptr));
    LOWBIT_TRY(const auto emptyKept, measure(0, nullptr, &kept));
    LOWBIT_TRY(const auto fresh, measure(kDispatches, nullptr, nullptr));
    LOWBIT_TRY(const auto filling, measure(kDispatches, &cache, &kept)); // (fills the cache)
    (void)filling;
    LOWBIT_TRY(const auto cached, measure(kDispatches, &cache, &kept));
    std::printf("overhead: an empty submission %.1f us begin to fence, %.1f us recording (%.1f and %.1f with kept command buffer, "
                "fence and queries); a dispatch: recording %.2f us (%.2f with cached sets), GPU %.2f us (a 1024-float add and its barrier)\n",
                empty[1] * 1e6, empty[0] * 1e6, emptyKept[1] * 1e6, emptyKept[0] * 1e6, (fresh[0] - empty[0]) * 1e6 / kDispatches,
                (cached[0] - emptyKept[0]) * 1e6 / kDispatches, gpuTime ? fresh[2] * 1e6 / kDispatches : 0.0);
    return {};
}

/// What int8 activations cost in quality: `model` on the rows layout (forced, so that every 4-bit
/// INT linear takes the integer kernels) with fp32 and with int8 x, compared over `text`.
Status compareInt8(Context &ctx, const Model &model, const std::string &tokenizerPath, const std::string &textPath, int docs)
{
    LOWBIT_TRY(auto tok, loadTokenizer(tokenizerPath, model.config().vocabSize));
    std::ifstream in(textPath, std::ios::binary);
    if (!in)
        return makeError(ErrorCode::Io, "cannot read " + textPath);
    std::stringstream text;
    text << in.rdbuf();
    GpuModelOptions f32, int8;
    f32.matvec = int8.matvec = MatvecLayout::Rows;
    int8.int8Activations = true;
    LOWBIT_TRY(auto a, GpuModel::load(ctx, model, f32));
    LOWBIT_TRY(auto b, GpuModel::load(ctx, model, int8));
    EvalOptions eo;
    eo.maxDocuments = docs;
    LOWBIT_TRY(CompareResult r, compareModels(*a, *b, *tok, text.str(), eo));
    std::printf("int8 activations (%d of %d linears), %d documents, %llu tokens: perplexity %.4f -> %.4f, KL %.6f nats, top-1 agreement %.4f\n",
                b->int8Tensors(), b->packedTensors(), docs, static_cast<unsigned long long>(r.tokens), std::exp(r.referenceNll),
                std::exp(r.candidateNll), r.klDivergence, r.top1Agreement);
    return {};
}

Result<Model> quantizeLinears(const Model &model, const FormatSpec &spec)
{
    std::vector<ModelTensor> tensors;
    for (const ModelTensor &t : model.tensors()) {
        if (!isLinearRole(t.role) || t.view.shape.size() != 2) {
            tensors.push_back(t);
            continue;
        }
        LOWBIT_TRY(const std::vector<float> w, t.view.toFloatVector());
        LOWBIT_TRY(PackedTensor packed, quantizePackedFast(w.data(), t.view.shape[0], t.view.shape[1], spec));
        ModelTensor q = t;
        q.view = makeDecodedView(t.view.name, std::make_shared<PackedQuantizedTensor>(std::move(packed)));
        tensors.push_back(std::move(q));
    }
    return Model::fromParts(model.source(), model.path(), model.config(), std::move(tensors));
}

} // namespace lowbit::bench
