// SPDX-License-Identifier: GPL-3.0-or-later
// Vulkan fused dequant-GEMV per format on 4096 × 4096 and 11008 × 4096 weights, as GB/s of packed
// weight read (PackedTensor::byteSize() per product / seconds, best of the repetitions) and as a
// ratio to a plain read-and-reduce shader over the same number of bytes on the same device, with
// the fastest of its access patterns, storage-buffer and texel reads (the achievable-bandwidth
// roofline). "vptq-vV-kK" rows: a VPTQ
// tensor with V-long vectors and a K-entry fp16 codebook (GB/s of its stored bytes); "-pn" after
// it adds a column permutation and normalization, as VPTQ's checkpoints have them. "FORMAT+x8"
// rows: x quantized to int8 and the integer kernels of 2- to 4-bit linear codes (the rows layout's,
// and on the tree the dot-product GEMV where the device has it; the quantization of x counted in
// every product). Targets: ratio ≥ 0.7 for 4-bit
// scalar formats, ≥ 0.5 for VPTQ. Then tokens/s of the GPU engine on stories260K (fp32 and int4
// g32 linears): greedy decode of --tokens tokens after a 1-token prompt, and a 64-token prefill,
// each after a warm-up run that compiles the pipelines;
// and on a synthetic model of TinyLlama's widths (2048 / 5632, 2 layers, 4096-token vocabulary,
// random weights; int4 and nf4 g128; decode of at most 32 tokens).
//   bench_gpu [--formats int4,nf4,...] [--group 128] [--reps 5] [--products 8 (60 on GPUs)] [--shapes 4096x4096,11008x4096]
//             [--tpr T (invocations per row; 0 = auto)] [--matvec rows|tree (default: rows on CPU devices)] [--device N] [--model PATH] [--tokens 128] [--no-model]
//             [--gemm T: also the fused GEMM (prefill) of T tokens, GB/s of packed weight read per product]
//             [--wall-clock: time each submission from its recording to its fence; by default the GPU's
//              timestamps time the recorded work alone, where the compute queue writes them]
//             [--staged / --mapped: the weights (and KV cache) in device memory the host never maps,
//              uploaded through staging copies / in host-visible memory; default: the engine's choice
//              (bulkMemoryUse), host-visible for the GEMV figures]
//             [--copies C: C uploads of each weight and roofline buffer, product i reading copy i mod C, so
//              that a GPU's last-level cache (50–60 MB on big ones) cannot hold what the products read;
//              default: 1 on CPU devices, else enough for 256 MiB (at most 32)]
//             [--row-major: the rows layout's code words untiled, to measure what the tiling gains]
//             [--unspecialized: the packed kernels read the scale kind, zero-point and selector widths (and the tree the group size) from
//              push constants instead of taking them as specialization constants, to measure what that gains]
//             [--tree-table / --tree-barriers / --tree-one-piece: the tree kernels without their linear INT and one-table decodes /
//              subgroup-shuffle sums / the GEMV's loads of four pieces ahead (GPUs); --tree-ahead: those loads on CPU devices too]
//             [--tree-slot-gemm: prompts of ≥ 16 tokens on the tree take the slots' GEMM instead of the tiled one]
//             [--tree-int8: "+x8" rows and --activations int8 take the tree GEMV's integer dot-product form where the device has
//              the dot product but does not accelerate it (lavapipe; by default only where it is accelerated)]
//             [--kv-cache f32|f16: the engine's KV cache]
//             [--attention tree|rows: the engine's attention kernel (default: by device)]
//             [--prompt N: the synthetic model's prefill of N tokens, then its decode after them — attention at long contexts]
//             [--activations int8: the engine with int8 activations for its 2- to 4-bit INT linears (CPU devices; on GPUs with
//              the integer dot product too)]
//             [--unfused: the engine with a dispatch for each residual add, norm, RoPE, KV store and gate/up linear]
//             [--apart-gate-up: the other fusions, gate and up as two linears]
//             [--apart-qkv: the other fusions, q, k and v as three linears]
//             [--compare-int8 TEXT [--compare-docs 50]: what int8 activations cost stories260K int4 g32 (rows
//              layout forced): perplexity with fp32 and int8 x, KL and top-1 agreement over TEXT's documents]
#include "core/infer/inference_model.h"
#include "core/model/model.h"
#include "core/model/random_model.h"
#include "core/quant/fast_format.h"
#include "core/quant/quantized_tensor.h"
#include "gpu/device/context.h"
#include "gpu/engine/gpu_model.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/pipeline/pipelines.h"

#include "gpu_engine_figures.h"
#include "gpu_gemv_figures.h"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lowbit;
using namespace lowbit::gpu;
using namespace lowbit::bench;

namespace {

std::vector<std::string> split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, sep);)
        if (!item.empty())
            out.push_back(item);
    return out;
}

} // namespace

int main(int argc, char **argv)
{
    std::string formats = "int4,int4+x8,int4-asym+x8,nf4,fp4,iq4nl,int4-asym,fp4-asym,bitmod-fp4,mix:int4|nf4|fp4,mxfp4,nvfp4,int2,int2+x8,int3,"
                          "int3+x8,fp6-e3m2,int8,"
                          "vptq-v8-k256,vptq-v8-k256-pn,vptq-v4-k4096";
    std::string shapes = "4096x4096,11008x4096";
    std::int64_t group = 128;
    int reps = 5, products = 0, copies = 0, tokens = 128, device = -1, tpr = 0, gemmTokens = 0;
    EngineRun engine;
    BenchTiming timing; // --wall-clock, --staged
    std::optional<MatvecLayout> layout;
    bool runModel = true;
    PackedUploadOptions upload; // --row-major, --tree-table, --tree-barriers, --tree-one-piece
    KvCacheType kv = KvCacheType::F32;
    std::string compareText;
    int compareDocs = 50;
    std::string modelPath = std::string(LOWBIT_SHARED_DIR_DEFAULT) + "/models/stories260K/stories260K.bin";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--formats" && hasValue)
            formats = argv[++i];
        else if (a == "--group" && hasValue)
            group = std::atoi(argv[++i]);
        else if (a == "--reps" && hasValue)
            reps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--products" && hasValue)
            products = std::max(1, std::atoi(argv[++i]));
        else if (a == "--copies" && hasValue)
            copies = std::clamp(std::atoi(argv[++i]), 0, 256);
        else if (a == "--shapes" && hasValue)
            shapes = argv[++i];
        else if (a == "--device" && hasValue)
            device = std::atoi(argv[++i]);
        else if (a == "--model" && hasValue)
            modelPath = argv[++i];
        else if (a == "--tokens" && hasValue)
            tokens = std::max(1, std::atoi(argv[++i]));
        else if (a == "--tpr" && hasValue)
            tpr = std::max(0, std::atoi(argv[++i]));
        else if (a == "--gemm" && hasValue)
            gemmTokens = std::clamp(std::atoi(argv[++i]), 0, 256);
        else if (a == "--matvec" && hasValue) {
            const std::string m = argv[++i];
            if (m == "rows")
                layout = MatvecLayout::Rows;
            else if (m == "tree")
                layout = MatvecLayout::SharedTree;
        } else if (a == "--attention" && hasValue) {
            const std::string m = argv[++i];
            if (m == "rows")
                engine.attention = AttentionKernel::Rows;
            else if (m == "tree")
                engine.attention = AttentionKernel::Tree;
        } else if (a == "--compare-int8" && hasValue)
            compareText = argv[++i];
        else if (a == "--compare-docs" && hasValue)
            compareDocs = std::max(1, std::atoi(argv[++i]));
        else if (a == "--activations" && hasValue)
            engine.int8Activations = std::string(argv[++i]) == "int8";
        else if (a == "--prompt" && hasValue)
            engine.prompt = std::clamp(std::atoi(argv[++i]), 1, 32768);
        else if (a == "--kv-cache" && hasValue && parseKvCacheType(argv[i + 1]))
            kv = *parseKvCacheType(argv[++i]);
        else if (a == "--wall-clock")
            timing.wallClock = true;
        else if (a == "--staged") {
            timing.weightMemory = MemoryUse::Staged;
            engine.stagedWeights = true;
        } else if (a == "--mapped")
            engine.stagedWeights = false;
        else if (a == "--no-model")
            runModel = false;
        else if (a == "--row-major")
            upload.tileRows = false;
        else if (a == "--unspecialized")
            engine.specializeKernels = upload.specialize = false;
        else if (a == "--unfused")
            engine.fuseLayerOps = false;
        else if (a == "--apart-gate-up")
            engine.mergeGateUp = false;
        else if (a == "--apart-qkv")
            engine.mergeQkv = false;
        else if (a == "--tree-table")
            engine.treeLinear = upload.treeLinear = engine.treeLut = upload.treeLut = false;
        else if (a == "--tree-one-piece" || a == "--tree-ahead")
            engine.treeAhead = upload.treeAhead = a == "--tree-ahead";
        else if (a == "--tree-slot-gemm")
            engine.treeTiledGemm = upload.treeTiledGemm = false;
        else if (a == "--tree-int8")
            engine.treeInt8 = upload.treeInt8 = true;
        else if (a == "--tree-barriers") {
            upload.subgroupReduce = false;
            engine.subgroupReduce = false;
        }
        else {
            std::fprintf(stderr, "usage: bench_gpu [--formats a,b] [--group G] [--reps R] [--products P] [--copies C] [--wall-clock] [--staged|--mapped] [--shapes RxC,...] [--device N] "
                                 "[--tpr T] [--matvec rows|tree] [--gemm TOKENS] [--row-major] [--unspecialized] [--tree-table] [--tree-barriers] [--tree-one-piece|--tree-ahead] [--tree-slot-gemm] [--tree-int8] [--apart-gate-up] [--apart-qkv] [--kv-cache f32|f16] [--model PATH] [--tokens N] "
                                 "[--no-model] [--attention tree|rows] [--prompt N] [--activations f32|int8] [--unfused] [--compare-int8 TEXT [--compare-docs N]]\n");
            return 2;
        }
    }
    DeviceSelection sel;
    sel.index = device;
    auto ctx = Context::create(sel);
    if (!ctx) {
        std::fprintf(stderr, "bench_gpu: %s\n", ctx.error().message().c_str());
        return 1;
    }
    const DeviceInfo &info = (*ctx)->info();
    if (products == 0) // GPU-timed on a GPU, where a 4096² GEMV takes microseconds: more of them
        products = info.type == "cpu" ? 8 : 60;
    std::printf("device: %s (%s, subgroup %u, storage range %llu MiB)\n", info.name.c_str(), info.type.c_str(), info.subgroupSize,
                static_cast<unsigned long long>(info.maxStorageBufferRange >> 20));
    // the memory the arena's buffers live in (a discrete GPU's host-visible device-local memory
    // may be a small BAR window)
    const VkPhysicalDeviceMemoryProperties &mp = (*ctx)->memoryProperties();
    for (std::uint32_t h = 0; h < mp.memoryHeapCount; ++h) {
        std::printf("heap %u: %llu MiB%s, types", h, static_cast<unsigned long long>(mp.memoryHeaps[h].size >> 20),
                    (mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) ? " device-local" : "");
        for (std::uint32_t t = 0; t < mp.memoryTypeCount; ++t)
            if (mp.memoryTypes[t].heapIndex == h)
                std::printf(" %u:%#x", t, mp.memoryTypes[t].propertyFlags);
        std::printf("\n");
    }
    if (!timing.wallClock && info.timestampPeriodNs > 0)
        std::printf("timing: GPU timestamps around each submission's work (%.3g ns a tick)\n", info.timestampPeriodNs);
    else
        std::printf("timing: wall clock from recording to fence\n");
    Pipelines pipes(**ctx);
    if (const Status st = dispatchOverhead(**ctx, pipes); !st)
        std::fprintf(stderr, "overhead: %s\n", st.error().message().c_str());

    std::printf("%-20s %-12s %6s %10s %10s %7s%s\n", "format", "shape", "bpw", "fused GB/s", "roof GB/s", "ratio",
                gemmTokens ? "  GEMM GB/s" : "");
    // every row also against the run's median roofline (one slow roofline sample on a busy
    // machine moves a single row's ratio; the median does not)
    struct Row {
        std::string name, shape;
        double fused;
    };
    std::vector<Row> done;
    std::vector<double> roofs;
    auto report = [&](const std::string &name, const std::string &shape, double bpw, const GemvFigures &fig) {
        std::printf("%-20s %-12s %6.3f %10.4f %10.4f %7.2f", name.c_str(), shape.c_str(), bpw, fig.fusedGBs, fig.rooflineGBs,
                    fig.fusedGBs / fig.rooflineGBs);
        if (gemmTokens && fig.gemmGBs > 0)
            std::printf("  %10.4f", fig.gemmGBs);
        else if (gemmTokens)
            std::printf("  %10s", "-");
        std::printf("\n");
        std::fflush(stdout);
        done.push_back({name, shape, fig.fusedGBs});
        roofs.push_back(fig.rooflineGBs);
    };
    std::mt19937 rng(1);
    std::normal_distribution<float> dist(0.0f, 0.02f);
    for (const std::string &shape : split(shapes, ',')) {
        const auto dims = split(shape, 'x');
        if (dims.size() != 2) {
            std::fprintf(stderr, "bad shape %s\n", shape.c_str());
            return 2;
        }
        const std::int64_t rows = std::atoll(dims[0].c_str()), cols = std::atoll(dims[1].c_str());
        std::vector<float> w(static_cast<std::size_t>(rows * cols));
        for (auto &v : w)
            v = dist(rng);
        for (const std::string &name : split(formats, ',')) {
            if (name.rfind("vptq-v", 0) == 0) { // vptq-v8-k256, vptq-v8-k256-pn
                const bool permNorm = name.ends_with("-pn");
                const auto parts = split(name.substr(5, name.size() - 5 - (permNorm ? 3 : 0)), '-');
                const int v = parts.size() == 2 ? std::atoi(parts[0].c_str() + 1) : 0, k = parts.size() == 2 ? std::atoi(parts[1].c_str() + 1) : 0;
                double bpw = 0;
                PackedUploadOptions vqUpload = upload; // --matvec and --tree-barriers apply to VQ too
                vqUpload.matvec = layout;
                auto fig = measureVq(timing, **ctx, pipes, vqUpload, rows, cols, v, k, permNorm, reps, products, copies, static_cast<std::uint32_t>(gemmTokens), bpw);
                if (!fig) {
                    std::fprintf(stderr, "%s: %s\n", name.c_str(), fig.error().message().c_str());
                    continue;
                }
                report(name, shape, bpw, *fig);
                continue;
            }
            // "int4+x8": the same format with x quantized to int8 (the integer kernels)
            const bool int8X = name.size() > 3 && name.ends_with("+x8");
            auto f = parseFormat(int8X ? name.substr(0, name.size() - 3) : name);
            if (!f) {
                std::fprintf(stderr, "%s\n", f.error().message().c_str());
                return 2;
            }
            const bool fixed = familyTraits(f->family).fixedGroup > 0;
            auto spec = makeFormatSpec(*f, fixed ? std::nullopt : std::optional<std::int64_t>(group),
                                       fixed ? std::nullopt : std::optional<ScaleStorage>(ScaleStorage::F16));
            if (!spec) {
                std::fprintf(stderr, "%s: %s\n", name.c_str(), spec.error().message().c_str());
                continue;
            }
            auto packed = quantizePackedFast(w.data(), rows, cols, *spec);
            if (!packed) {
                std::fprintf(stderr, "%s: %s\n", name.c_str(), packed.error().message().c_str());
                continue;
            }
            auto fig = measureGemv(timing, **ctx, pipes, *packed, reps, products, copies, static_cast<std::uint32_t>(tpr), layout,
                                   static_cast<std::uint32_t>(gemmTokens), upload, int8X);
            if (!fig) {
                std::fprintf(stderr, "%s: %s\n", name.c_str(), fig.error().message().c_str());
                continue;
            }
            const double bpw = static_cast<double>(packed->payloadBits()) / static_cast<double>(rows * cols);
            report(name, shape, bpw, *fig);
        }
    }
    if (roofs.size() > 1) {
        std::vector<double> sorted = roofs;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        std::printf("\nagainst the median roofline of this run, %.4f GB/s:\n", median);
        for (const Row &r : done)
            std::printf("%-20s %-12s %7.2f\n", r.name.c_str(), r.shape.c_str(), r.fused / median);
    }

    if (runModel) {
        // stories260K (512 positions) keeps the 64-token prefill; --prompt goes to the larger model
        engine.tokens = tokens;
        engine.kv = kv;
        engine.layout = layout;
        EngineRun storiesRun = engine;
        storiesRun.prompt.reset();
        EngineRun bigRun = engine;
        bigRun.tokens = std::min(tokens, 32);
        auto model = Model::open(modelPath);
        if (!model) {
            std::fprintf(stderr, "bench_gpu: %s (skipping the engine figures)\n", model.error().message().c_str());
            return 0;
        }
        if (const Status st = engineTokensPerSecond(**ctx, *model, "stories260K fp32", storiesRun); !st)
            std::fprintf(stderr, "engine: %s\n", st.error().message().c_str());
        auto spec = makeFormatSpec(*parseFormat("int4"), 32, ScaleStorage::F16);
        auto q = quantizeLinears(*model, *spec);
        if (!q) {
            std::fprintf(stderr, "quantize: %s\n", q.error().message().c_str());
            return 1;
        }
        if (const Status st = engineTokensPerSecond(**ctx, *q, "stories260K int4 g32", storiesRun); !st)
            std::fprintf(stderr, "engine: %s\n", st.error().message().c_str());
        if (!compareText.empty())
            if (const Status st = compareInt8(**ctx, *q, modelPath, compareText, compareDocs); !st)
                std::fprintf(stderr, "int8 activations: %s\n", st.error().message().c_str());
        // TinyLlama's widths (2 of its 22 layers, a 4096-token vocabulary, GQA with 4 KV heads: 256-row K and V)
        RandomModelShape shape; // (random weights: normal, 1/√cols)
        shape.dim = 2048;
        shape.ffn = 5632;
        shape.layers = 2;
        shape.heads = 32;
        shape.kvHeads = 4;
        shape.vocab = 4096;
        shape.maxPositions = std::max(512, engine.prompt.value_or(0) + 33);
        shape.seed = 11;
        auto big = makeRandomModel(shape);
        for (const char *fmt : {"int4", "nf4"}) {
            auto bigSpec = big ? makeFormatSpec(*parseFormat(fmt), 128, ScaleStorage::F16) : Result<FormatSpec>(big.error());
            auto bq = bigSpec ? quantizeLinears(*big, *bigSpec) : Result<Model>(bigSpec.error());
            const std::string label = std::string("2048x5632x2 ") + fmt + " g128";
            const Status st = bq ? engineTokensPerSecond(**ctx, *bq, label.c_str(), bigRun) : Status(bq.error());
            if (!st)
                std::fprintf(stderr, "engine: %s\n", st.error().message().c_str());
        }
    }
    return 0;
}
