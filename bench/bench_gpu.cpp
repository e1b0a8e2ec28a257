// SPDX-License-Identifier: GPL-3.0-or-later
// Vulkan fused dequant-GEMV per format on 4096 × 4096 and 11008 × 4096 weights, as GB/s of packed
// weight read (PackedTensor::byteSize() per product / seconds, best of the repetitions) and as a
// ratio to a plain read-and-reduce shader over the same number of bytes on the same device, with
// the fastest of its access patterns, storage-buffer and texel reads (the achievable-bandwidth
// roofline). "vptq-vV-kK" rows: a VPTQ
// tensor with V-long vectors and a K-entry fp16 codebook (GB/s of its stored bytes); "-pn" after
// it adds a column permutation and normalization, as VPTQ's checkpoints have them. "FORMAT+x8"
// rows: x quantized to int8 and the integer kernels of 2- to 4-bit linear codes (CPU devices; the
// quantization of x counted in every product). Targets: ratio ≥ 0.7 for 4-bit
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
//             [--tree-table / --tree-barriers / --tree-one-piece: the tree kernels without their linear INT decode /
//              subgroup-shuffle sums / the GEMV's loads of four pieces ahead (GPUs); --tree-ahead: those loads on CPU devices too]
//             [--tree-slot-gemm: prompts of ≥ 16 tokens on the tree take the slots' GEMM instead of the tiled one]
//             [--kv-cache f32|f16: the engine's KV cache]
//             [--attention tree|rows: the engine's attention kernel (default: by device)]
//             [--prompt N: the synthetic model's prefill of N tokens, then its decode after them — attention at long contexts]
//             [--activations int8: the engine with int8 activations for its 4-bit INT linears (CPU devices)]
//             [--unfused: the engine with a dispatch for each residual add, norm, RoPE, KV store and gate/up linear]
//             [--apart-gate-up: the other fusions, gate and up as two linears]
//             [--apart-qkv: the other fusions, q, k and v as three linears]
//             [--compare-int8 TEXT [--compare-docs 50]: what int8 activations cost stories260K int4 g32 (rows
//              layout forced): perplexity with fp32 and int8 x, KL and top-1 agreement over TEXT's documents]
#include "core/infer/inference_model.h"
#include "core/methods/vq_tensor.h"
#include "core/model/model.h"
#include "core/model/random_model.h"
#include "core/quant/fast_format.h"
#include "core/quant/quantized_tensor.h"
#include "gpu/device/context.h"
#include "gpu/engine/gpu_model.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/recorder.h"
#include "gpu/ops/roofline_ops.h"
#include "gpu/ops/vq_ops.h"
#include "gpu/pipeline/pipelines.h"

#include "gpu_engine_figures.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lowbit;
using namespace lowbit::gpu;
using namespace lowbit::bench;

namespace {

/// --wall-clock: time submissions by the wall clock even where the queue has timestamps
bool g_wallClock = false;
/// --staged: the weights (and the roofline's buffers) in memory the host never maps
MemoryUse g_weightMemory = MemoryUse::Device;

/// Records a submission with `record`, runs it and returns its time: the GPU's time between
/// timestamps taken before and after the recorded work where the queue writes them (the CPU's
/// recording and the submission left out: on a discrete GPU they cost more than a 4096² GEMV),
/// else (or with --wall-clock) the wall time from the start of recording to the fence.
Result<double> timeSubmission(Context &ctx, Pipelines &pipes, std::uint32_t maxDispatches, const std::function<Status(Recorder &)> &record)
{
    const auto t0 = std::chrono::steady_clock::now();
    const bool gpuTime = !g_wallClock && ctx.info().timestampPeriodNs > 0;
    LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, maxDispatches));
    if (gpuTime)
        LOWBIT_CHECK(rec->markTime());
    LOWBIT_CHECK(record(*rec));
    if (gpuTime)
        LOWBIT_CHECK(rec->markTime());
    LOWBIT_CHECK(rec->submitAndWait());
    if (!gpuTime)
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    LOWBIT_TRY(const std::vector<double> t, rec->markIntervals());
    return t.at(0);
}

/// --copies 0 (the default): one copy on a CPU device; elsewhere enough that the copies hold
/// 256 MiB (at most 32), more than a GPU's last-level cache.
int copiesFor(const Context &ctx, int requested, std::uint64_t bytes)
{
    if (requested > 0)
        return requested;
    if (ctx.info().type == "cpu")
        return 1;
    return static_cast<int>(std::clamp<std::uint64_t>(((std::uint64_t(256) << 20) + bytes - 1) / std::max<std::uint64_t>(bytes, 1), 1, 32));
}

/// The best of `reps` runs of f.
double seconds(const std::function<Result<double>()> &f, int reps, bool &ok)
{
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t = f();
        if (!t) {
            std::fprintf(stderr, "error: %s\n", t.error().message().c_str());
            ok = false;
            return 0;
        }
        best = std::min(best, *t);
        if (std::getenv("BENCH_GPU_VERBOSE"))
            std::fprintf(stderr, "  rep %d: %.6f s\n", r, *t);
    }
    return best;
}

std::vector<std::string> split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, sep);)
        if (!item.empty())
            out.push_back(item);
    return out;
}

struct GemvFigures {
    double fusedGBs = 0, rooflineGBs = 0;
    double gemmGBs = 0; ///< the fused GEMM (prefill) of --gemm tokens, weight bytes per second
};

/// The roofline: the fastest of the plain read-and-reduce shader's access patterns (1, 8 or 64
/// invocations per row, `chunkWords` consecutive words each; one invocation per row with uvec4
/// loads from a storage buffer, a uniform texel buffer or a storage texel buffer) over the same bytes (rows rounded up to whole uvec4s), so the ratio is
/// against the best read this device achieves, whichever layout the fused kernel uses.
double bestRoof(Context &ctx, Pipelines &pipes, const std::vector<Buffer *> &srcs, const Buffer &dst, std::uint32_t rows, std::uint32_t rowWords,
                std::uint32_t chunkWords, int reps, int products, bool &ok)
{
    double best = 1e300;
    // `products` reads of one pattern in one submission, best of the repetitions
    const auto time = [&](const char *label, const std::function<Status(Recorder &, const Buffer &)> &record) {
        const double t = seconds(
            [&] {
                return timeSubmission(ctx, pipes, static_cast<std::uint32_t>(products + 1), [&](Recorder &rec) -> Status {
                    for (int i = 0; i < products; ++i)
                        LOWBIT_CHECK(record(rec, *srcs[static_cast<std::size_t>(i) % srcs.size()]));
                    return {};
                });
            },
            reps, ok);
        if (std::getenv("BENCH_GPU_VERBOSE"))
            std::fprintf(stderr, "  roof %s: %.4f s\n", label, t);
        best = std::min(best, t);
    };
    for (std::uint32_t tpr : {1u, 8u, 64u}) {
        const RooflinePush rp{rows, rowWords, chunkWords, tpr};
        const std::string label = "tpr " + std::to_string(tpr);
        time(label.c_str(), [&](Recorder &rec, const Buffer &src) { return recordBandwidthReduce(rec, src, dst, rp); });
    }
    if (rowWords % 4 == 0) { // a row per invocation, uvec4 loads from a storage buffer or as texels
        time("rows uvec4", [&](Recorder &rec, const Buffer &src) { return recordBandwidthReduceRows(rec, src, dst, rows, rowWords); });
        if (srcs.front()->texelCount >= std::uint64_t(rows) * rowWords / 4) {
            time("rows texels", [&](Recorder &rec, const Buffer &src) { return recordBandwidthReduceRows(rec, src, dst, rows, rowWords, RowsRead::Texels); });
            time("rows image", [&](Recorder &rec, const Buffer &src) { return recordBandwidthReduceRows(rec, src, dst, rows, rowWords, RowsRead::Image); });
        }
    }
    return best;
}

/// `products` fused GEMVs in one submission, and the same number of roofline reads.
Result<GemvFigures> measureGemv(Context &ctx, Pipelines &pipes, const PackedTensor &p, int reps, int products, int copies, std::uint32_t tpr,
                                std::optional<MatvecLayout> layout, std::uint32_t gemmTokens, const PackedUploadOptions &base, bool int8X)
{
    Arena arena(ctx, VkDeviceSize(64) << 20, g_weightMemory);
    Arena io(ctx, VkDeviceSize(64) << 20); // x and y
    PackedUploadOptions opt = base;
    opt.threadsPerRow = tpr;
    opt.matvec = layout;
    // `copies` uploads of the weight, product i reading copy i mod copies: enough of them and the
    // products stream from memory rather than from a cache that holds one copy
    copies = copiesFor(ctx, copies, static_cast<std::uint64_t>(p.byteSize()));
    std::vector<GpuPackedTensor> ws;
    for (int c = 0; c < copies; ++c) {
        LOWBIT_TRY(GpuPackedTensor wc, uploadPacked(arena, p, opt));
        ws.push_back(std::move(wc));
    }
    const GpuPackedTensor &w = ws.front();
    std::vector<float> x(static_cast<std::size_t>(p.cols) * std::max(gemmTokens, 1u), 0.5f);
    LOWBIT_TRY(Buffer * bx, io.upload(std::span<const float>(x)));
    LOWBIT_TRY(Buffer * by, io.allocate(static_cast<VkDeviceSize>(p.rows) * std::max(gemmTokens, 1u) * 4));
    // the roofline reads the same number of bytes laid out as the same rows
    const auto bytes = static_cast<std::uint64_t>(p.byteSize());
    const auto rowWords = static_cast<std::uint32_t>((bytes / 4 + static_cast<std::uint64_t>(p.rows) - 1) / static_cast<std::uint64_t>(p.rows) + 3) / 4 * 4;
    std::vector<Buffer *> srcs;
    for (int c = 0; c < copies; ++c) {
        LOWBIT_TRY(Buffer * src, arena.upload(std::span<const std::uint32_t>(std::vector<std::uint32_t>(std::size_t(rowWords) * std::size_t(p.rows), 1u))));
        srcs.push_back(src);
    }
    LOWBIT_TRY(Buffer * dst, io.allocate(static_cast<VkDeviceSize>(p.rows) * 4));
    const std::uint32_t chunkWords = p.layout == CodeLayout::Fp6Planes ? 6u : p.codeBits;
    // "+x8": x quantized to int8 (each product quantizes its own x, where the engine quantizes
    // once for the linears sharing an x) and the integer GEMV / GEMM
    if (int8X && !rowsInt8Runs(w))
        return makeError(ErrorCode::Unsupported, "no int8-x kernel for this format and layout (2- to 4-bit linear codes, rows layout)");
    const auto cols = static_cast<std::uint32_t>(p.cols);
    LOWBIT_TRY(Buffer * bq, io.allocate(quantizedXBytes(cols, std::max(gemmTokens, 1u))));
    const auto product = [&](Recorder &rec, std::uint32_t tokens, int i) -> Status {
        const GpuPackedTensor &wi = ws[static_cast<std::size_t>(i % copies)];
        if (int8X) {
            LOWBIT_CHECK(recordQuantizeX8(rec, *bx, 0, cols, tokens, *bq));
            return recordRowsMatmulInt8(rec, wi, *bq, *by, tokens, 0, static_cast<std::uint32_t>(p.rows));
        }
        return tokens == 1 ? recordMatvecPacked(rec, wi, *bx, *by) : recordMatmulPacked(rec, wi, *bx, *by, tokens, 0, static_cast<std::uint32_t>(p.rows));
    };

    bool ok = true;
    // `products` GEMVs (or GEMMs of `tokens`) in one submission
    const auto batch = [&](std::uint32_t tokens) {
        return [&, tokens] {
            // (room for the rows layout's worst case: a GEMV per token and slice)
            const auto dispatches = static_cast<std::uint32_t>(products * (w.slices.size() * tokens + 1) + 1);
            return timeSubmission(ctx, pipes, dispatches, [&](Recorder &rec) -> Status {
                for (int i = 0; i < products; ++i)
                    LOWBIT_CHECK(product(rec, tokens, i));
                return {};
            });
        };
    };
    const double fused = seconds(batch(1), reps, ok);
    const double gemm = gemmTokens == 0 ? 0.0 : seconds(batch(gemmTokens), reps, ok);
    const double roof = bestRoof(ctx, pipes, srcs, *dst, static_cast<std::uint32_t>(p.rows), rowWords, chunkWords, reps, products, ok);
    if (!ok)
        return makeError(ErrorCode::Internal, "a measurement failed");
    GemvFigures f;
    f.fusedGBs = static_cast<double>(bytes) * products / fused * 1e-9;
    f.gemmGBs = gemm > 0 ? static_cast<double>(bytes) * products / gemm * 1e-9 : 0.0;
    f.rooflineGBs = static_cast<double>(rowWords) * 4.0 * static_cast<double>(p.rows) * products / roof * 1e-9;
    return f;
}

/// VPTQ "vptq-vV-kK": random indices and codebook (speed does not depend on the values); the
/// roofline reads the index bytes as rows of the same count.
Result<GemvFigures> measureVq(Context &ctx, Pipelines &pipes, const PackedUploadOptions &upload, std::int64_t rows, std::int64_t cols, int v, int k, bool permNorm, int reps,
                              int products, int copies, std::uint32_t gemmTokens, double &bpw)
{
    std::mt19937 rng(7);
    VqContent c;
    c.rows = rows;
    c.cols = cols;
    c.vectorLength = v;
    c.codebookType = VqCodebookType::F16;
    c.main.entries = k;
    c.main.values.resize(static_cast<std::size_t>(k) * static_cast<std::size_t>(v));
    std::normal_distribution<float> d(0.0f, 0.02f);
    for (auto &x : c.main.values)
        x = vqRoundToStorage(d(rng), VqCodebookType::F16);
    std::uniform_int_distribution<int> pick(0, k - 1);
    c.mainIndices.resize(static_cast<std::size_t>(cols * c.vectorsPerColumn()));
    for (auto &i : c.mainIndices)
        i = static_cast<std::uint16_t>(pick(rng));
    if (permNorm) {
        c.perm.resize(static_cast<std::size_t>(cols));
        std::iota(c.perm.begin(), c.perm.end(), 0);
        std::shuffle(c.perm.begin(), c.perm.end(), rng);
        c.scale.assign(static_cast<std::size_t>(cols), vqRoundToStorage(1.5f, VqCodebookType::F16));
        c.bias.assign(static_cast<std::size_t>(cols), vqRoundToStorage(-0.25f, VqCodebookType::F16));
    }
    LOWBIT_TRY(auto t, VqQuantizedTensor::create(std::move(c)));
    bpw = t->bitsPerWeight();
    Arena arena(ctx, VkDeviceSize(64) << 20, g_weightMemory);
    Arena io(ctx, VkDeviceSize(64) << 20); // x and y
    copies = copiesFor(ctx, copies, t->storedBytes());
    std::vector<GpuVqTensor> ws;
    for (int copy = 0; copy < copies; ++copy) {
        LOWBIT_TRY(GpuVqTensor wc, uploadVq(arena, *t, upload.matvec, upload.subgroupReduce));
        ws.push_back(std::move(wc));
    }
    const GpuVqTensor &w = ws.front();
    std::vector<float> x(static_cast<std::size_t>(cols) * std::max(gemmTokens, 1u), 0.5f);
    LOWBIT_TRY(Buffer * bx, io.upload(std::span<const float>(x)));
    LOWBIT_TRY(Buffer * by, io.allocate(static_cast<VkDeviceSize>(rows) * std::max(gemmTokens, 1u) * 4));
    // the tree GEMM's x pass for all the tokens at once, as the engine's scratch gives it
    Buffer *xp = nullptr;
    if (treeXpFloatsPerToken(w) > 0 && gemmTokens > 1) {
        LOWBIT_TRY(xp, io.allocate(VkDeviceSize(treeXpFloatsPerToken(w)) * gemmTokens * 4));
    }
    const std::uint64_t bytes = t->storedBytes();
    const std::uint32_t roofRows = w.push.R;
    const auto rowWords = static_cast<std::uint32_t>((bytes / 4 + roofRows - 1) / roofRows + 3) / 4 * 4;
    std::vector<Buffer *> srcs;
    for (int copy = 0; copy < copies; ++copy) {
        LOWBIT_TRY(Buffer * src, arena.allocate(static_cast<VkDeviceSize>(rowWords) * roofRows * 4));
        srcs.push_back(src);
    }
    LOWBIT_TRY(Buffer * dst, io.allocate(static_cast<VkDeviceSize>(roofRows) * 4));
    bool ok = true;
    const auto batch = [&](std::uint32_t tokens) {
        return [&, tokens] {
            return timeSubmission(ctx, pipes, static_cast<std::uint32_t>(products) * kVqMatvecDispatches * tokens + 1, [&](Recorder &rec) -> Status {
                for (int i = 0; i < products; ++i) {
                    const GpuVqTensor &wi = ws[static_cast<std::size_t>(i % copies)];
                    LOWBIT_CHECK(tokens == 1 ? recordMatvecVq(rec, wi, *bx, *by) : recordMatmulVq(rec, wi, *bx, *by, tokens, 0, static_cast<std::uint32_t>(rows), xp));
                }
                return {};
            });
        };
    };
    const double fused = seconds(batch(1), reps, ok);
    const double gemm = gemmTokens == 0 ? 0.0 : seconds(batch(gemmTokens), reps, ok);
    const double roof = bestRoof(ctx, pipes, srcs, *dst, roofRows, rowWords, 1, reps, products, ok);
    if (!ok)
        return makeError(ErrorCode::Internal, "a measurement failed");
    GemvFigures f;
    f.fusedGBs = static_cast<double>(bytes) * products / fused * 1e-9;
    f.gemmGBs = gemm > 0 ? static_cast<double>(bytes) * products / gemm * 1e-9 : 0.0;
    f.rooflineGBs = static_cast<double>(rowWords) * 4.0 * roofRows * products / roof * 1e-9;
    return f;
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
            g_wallClock = true;
        else if (a == "--staged") {
            g_weightMemory = MemoryUse::Staged;
            engine.stagedWeights = true;
        } else if (a == "--mapped")
            engine.stagedWeights = false;
        else if (a == "--no-model")
            runModel = false;
        else if (a == "--row-major")
            upload.tileRows = false;
        else if (a == "--unfused")
            engine.fuseLayerOps = false;
        else if (a == "--apart-gate-up")
            engine.mergeGateUp = false;
        else if (a == "--apart-qkv")
            engine.mergeQkv = false;
        else if (a == "--tree-table")
            engine.treeLinear = upload.treeLinear = false;
        else if (a == "--tree-one-piece" || a == "--tree-ahead")
            engine.treeAhead = upload.treeAhead = a == "--tree-ahead";
        else if (a == "--tree-slot-gemm")
            engine.treeTiledGemm = upload.treeTiledGemm = false;
        else if (a == "--tree-barriers") {
            upload.subgroupReduce = false;
            engine.subgroupReduce = false;
        }
        else {
            std::fprintf(stderr, "usage: bench_gpu [--formats a,b] [--group G] [--reps R] [--products P] [--copies C] [--wall-clock] [--staged|--mapped] [--shapes RxC,...] [--device N] "
                                 "[--tpr T] [--matvec rows|tree] [--gemm TOKENS] [--row-major] [--tree-table] [--tree-barriers] [--tree-one-piece|--tree-ahead] [--tree-slot-gemm] [--apart-gate-up] [--apart-qkv] [--kv-cache f32|f16] [--model PATH] [--tokens N] "
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
    if (!g_wallClock && info.timestampPeriodNs > 0)
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
                auto fig = measureVq(**ctx, pipes, vqUpload, rows, cols, v, k, permNorm, reps, products, copies, static_cast<std::uint32_t>(gemmTokens), bpw);
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
            auto fig = measureGemv(**ctx, pipes, *packed, reps, products, copies, static_cast<std::uint32_t>(tpr), layout,
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
