// SPDX-License-Identifier: GPL-3.0-or-later
// Attention over a KV cache on a Vulkan device (gpu/ops/layer_ops.h, shaders/attention.comp): the
// time of one layer's attention for one decoded token at growing context lengths, and for a prefill
// of --prefill tokens, per cache form — the part of a decode step that grows with the context.
// usage: bench_gpu_attention [--heads 32] [--kv-heads 4] [--head-dim 64] [--ctx 256,1024,4096]
//                            [--prefill 64] [--reps 5] [--device N] [--kv-cache f32|f16|both]
//                            [--kernel auto|tree|rows] [--rows-heads 0|1|2|4|8 (query heads a subgroup, rows kernel; 0 = auto)]
// Prints per context: ms per decode step of one layer, keys read per second (heads × context / time),
// and the cache bytes that step reads (K and V of every kv head) per second.
#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/recorder.h"
#include "gpu/pipeline/pipelines.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {

std::vector<std::uint32_t> parseList(const std::string &s)
{
    std::vector<std::uint32_t> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (const long v = std::atol(item.c_str()); v > 0)
            out.push_back(static_cast<std::uint32_t>(v));
    return out;
}

/// Best wall time of `reps` submissions of one attention dispatch (after one warm-up).
Result<double> timeAttention(Context &ctx, Pipelines &pipes, const Buffer &q, const Buffer &k, const Buffer &v, const Buffer &o,
                             const AttentionPush &p, KvForm form, AttentionKernel kernel, std::uint32_t rowsHeads, int reps)
{
    double best = 1e300;
    for (int r = 0; r <= reps; ++r) {
        LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, 4));
        LOWBIT_CHECK(recordAttention(*rec, q, k, v, o, p, form, kernel, rowsHeads));
        const auto t0 = std::chrono::steady_clock::now();
        LOWBIT_CHECK(rec->submitAndWait());
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (r > 0) // the first run includes the pipeline's compile
            best = std::min(best, s);
    }
    return best;
}

} // namespace

int main(int argc, char **argv)
{
    std::uint32_t heads = 32, kvHeads = 4, headDim = 64, prefill = 64, rowsHeads = 0;
    std::vector<std::uint32_t> contexts{256, 1024, 4096};
    int reps = 5, device = -1;
    std::string kv = "both", kernelName = "auto";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--heads" && hasValue)
            heads = static_cast<std::uint32_t>(std::atoi(argv[++i]));
        else if (a == "--kv-heads" && hasValue)
            kvHeads = static_cast<std::uint32_t>(std::atoi(argv[++i]));
        else if (a == "--head-dim" && hasValue)
            headDim = static_cast<std::uint32_t>(std::atoi(argv[++i]));
        else if (a == "--ctx" && hasValue)
            contexts = parseList(argv[++i]);
        else if (a == "--prefill" && hasValue)
            prefill = static_cast<std::uint32_t>(std::max(0, std::atoi(argv[++i])));
        else if (a == "--reps" && hasValue)
            reps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--device" && hasValue)
            device = std::atoi(argv[++i]);
        else if (a == "--kv-cache" && hasValue)
            kv = argv[++i];
        else if (a == "--kernel" && hasValue)
            kernelName = argv[++i];
        else if (a == "--rows-heads" && hasValue)
            rowsHeads = static_cast<std::uint32_t>(std::max(0, std::atoi(argv[++i])));
        else {
            std::fprintf(stderr, "usage: bench_gpu_attention [--heads H] [--kv-heads K] [--head-dim D] [--ctx N,N,...] [--prefill T] "
                                 "[--reps R] [--device N] [--kv-cache f32|f16|both] [--kernel auto|tree|rows] [--rows-heads N]\n");
            return 2;
        }
    }
    if (heads == 0 || kvHeads == 0 || heads % kvHeads != 0 || headDim == 0 || headDim % 2 != 0 || contexts.empty()
        || (kv != "f32" && kv != "f16" && kv != "both") || (kernelName != "auto" && kernelName != "tree" && kernelName != "rows")) {
        std::fprintf(stderr, "bench_gpu_attention: heads a multiple of kv heads, an even head dim, one or more contexts\n");
        return 2;
    }
    DeviceSelection sel;
    sel.index = device;
    auto ctx = Context::create(sel);
    if (!ctx) {
        std::fprintf(stderr, "bench_gpu_attention: %s\n", ctx.error().message().c_str());
        return 1;
    }
    const DeviceInfo &info = (*ctx)->info();
    std::printf("device: %s (%s, subgroup %u)\n", info.name.c_str(), info.type.c_str(), info.subgroupSize);
    const AttentionKernel kernel = kernelName == "tree" ? AttentionKernel::Tree : kernelName == "rows" ? AttentionKernel::Rows : AttentionKernel::Auto;
    std::printf("shape: %u heads, %u kv heads, head dim %u (one layer); kernel %s, rows heads %u (0: auto)\n", heads, kvHeads, headDim,
                kernelName.c_str(), rowsHeads);
    Pipelines pipes(**ctx);

    std::vector<KvForm> forms;
    if (kv != "f16")
        forms.push_back(KvForm::F32);
    if (kv != "f32")
        forms.push_back(info.storage16Bit ? KvForm::F16Storage : KvForm::F16Packed);
    const std::uint32_t maxCtx = *std::max_element(contexts.begin(), contexts.end());
    const std::uint32_t kvStride = kvHeads * headDim, qWidth = heads * headDim;
    const std::uint32_t tokensMax = std::max(prefill, 1u);
    std::mt19937 rng(7);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    Arena arena(**ctx, VkDeviceSize(64) << 20);
    std::vector<float> qv(std::size_t(tokensMax) * qWidth);
    for (float &x : qv)
        x = nd(rng);
    // random fp32 values; the fp16 forms take finite halves made from their bits (below)
    std::vector<float> cache(std::size_t(maxCtx + tokensMax) * kvStride);
    for (float &x : cache)
        x = nd(rng);
    auto bq = arena.upload(std::span<const float>(qv));
    auto bk = arena.upload(std::span<const float>(cache));
    auto bv = arena.upload(std::span<const float>(cache));
    auto bo = arena.allocate(qv.size() * 4);
    if (!bq || !bk || !bv || !bo) {
        std::fprintf(stderr, "bench_gpu_attention: out of device memory\n");
        return 1;
    }
    const float scale = 1.0f / std::sqrt(static_cast<float>(headDim));
    std::printf("%-6s %8s %12s %14s %12s\n", "cache", "context", "ms/step", "Mkeys·heads/s", "cache GB/s");
    for (KvForm form : forms) {
        const char *name = form == KvForm::F32 ? "f32" : "f16";
        // refill the cache for this form: fp32 values, or fp16 halves in (−2, 2)
        auto *kw = (*bk)->as<std::uint32_t>().data(), *vw = (*bv)->as<std::uint32_t>().data();
        for (std::size_t i = 0; i < cache.size(); ++i) {
            std::uint32_t bits = std::bit_cast<std::uint32_t>(cache[i]);
            if (form != KvForm::F32) {
                const std::uint32_t h0 = 0x3800u | (bits & 0x83FFu), h1 = 0x3400u | (bits >> 16 & 0x83FFu); // ±[0.5, 1) and ±[0.25, 0.5)
                bits = h0 | h1 << 16;
            }
            kw[i] = bits;
            vw[i] = bits;
        }
        for (std::uint32_t c : contexts) {
            const AttentionPush p{1, heads, kvHeads, headDim, c - 1, kvStride, scale};
            auto t = timeAttention(**ctx, pipes, **bq, **bk, **bv, **bo, p, form, kernel, rowsHeads, reps);
            if (!t) {
                std::fprintf(stderr, "bench_gpu_attention: %s\n", t.error().message().c_str());
                return 1;
            }
            const double bytes = 2.0 * c * kvStride * kvFormBytes(form);
            std::printf("%-6s %8u %12.3f %14.1f %12.2f\n", name, c, *t * 1e3, heads * double(c) / *t * 1e-6, bytes / *t * 1e-9);
        }
        if (prefill > 0) {
            const AttentionPush p{prefill, heads, kvHeads, headDim, 0, kvStride, scale};
            auto t = timeAttention(**ctx, pipes, **bq, **bk, **bv, **bo, p, form, kernel, rowsHeads, reps);
            if (!t) {
                std::fprintf(stderr, "bench_gpu_attention: %s\n", t.error().message().c_str());
                return 1;
            }
            std::printf("%-6s prefill of %u tokens: %.3f ms (%.3f ms/token)\n", name, prefill, *t * 1e3, *t * 1e3 / prefill);
        }
    }
    return 0;
}
