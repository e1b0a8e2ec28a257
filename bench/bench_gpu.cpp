// SPDX-License-Identifier: GPL-3.0-or-later
// Vulkan fused dequant-GEMV per format on 4096 × 4096 and 11008 × 4096 weights, as GB/s of packed
// weight read (PackedTensor::byteSize() per product / seconds, best of the repetitions) and as a
// ratio to a plain read-and-reduce shader over the same number of bytes on the same device, with
// the fastest of its access patterns, storage-buffer and texel reads (the achievable-bandwidth
// roofline). "vptq-vV-kK" rows: a VPTQ
// tensor with V-long vectors and a K-entry fp16 codebook (GB/s of its stored bytes). "FORMAT+x8"
// rows: x quantized to int8 and the integer kernels of 2- to 4-bit linear codes (CPU devices; the
// quantization of x counted in every product). Targets: ratio ≥ 0.7 for 4-bit
// scalar formats, ≥ 0.5 for VPTQ. Then tokens/s of the GPU engine on stories260K (fp32 and int4
// g32 linears): greedy decode of --tokens tokens after a 1-token prompt, and a 64-token prefill,
// each after a warm-up run that compiles the pipelines;
// and on a synthetic model of TinyLlama's widths (2048 / 5632, 2 layers, 4096-token vocabulary,
// random weights; int4 and nf4 g128; decode of at most 32 tokens).
//   bench_gpu [--formats int4,nf4,...] [--group 128] [--reps 5] [--products 8] [--shapes 4096x4096,11008x4096]
//             [--tpr T (invocations per row; 0 = auto)] [--matvec rows|tree (default: rows on CPU devices)] [--device N] [--model PATH] [--tokens 128] [--no-model]
//             [--gemm T: also the fused GEMM (prefill) of T tokens, GB/s of packed weight read per product]
//             [--row-major: the rows layout's code words untiled, to measure what the tiling gains]
//             [--tree-table / --tree-barriers: the tree kernels without their linear INT decode / subgroup-shuffle sums]
//             [--kv-cache f32|f16: the engine's KV cache]
//             [--attention tree|rows: the engine's attention kernel (default: by device)]
//             [--prompt N: the synthetic model's prefill of N tokens, then its decode after them — attention at long contexts]
//             [--activations int8: the engine with int8 activations for its 4-bit INT linears (CPU devices)]
//             [--compare-int8 TEXT [--compare-docs 50]: what int8 activations cost stories260K int4 g32 (rows
//              layout forced): perplexity with fp32 and int8 x, KL and top-1 agreement over TEXT's documents]
#include "core/eval/perplexity.h"
#include "core/infer/inference_model.h"
#include "core/infer/tokenizer.h"
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

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {

double seconds(const std::function<Status()> &f, int reps, bool &ok)
{
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        const Status st = f();
        if (!st) {
            std::fprintf(stderr, "error: %s\n", st.error().message().c_str());
            ok = false;
            return 0;
        }
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (std::getenv("BENCH_GPU_VERBOSE"))
            std::fprintf(stderr, "  rep %d: %.4f s\n", r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
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
double bestRoof(Context &ctx, Pipelines &pipes, const Buffer &src, const Buffer &dst, std::uint32_t rows, std::uint32_t rowWords,
                std::uint32_t chunkWords, int reps, int products, bool &ok)
{
    double best = 1e300;
    // `products` reads of one pattern in one submission, best of the repetitions
    const auto time = [&](const char *label, const std::function<Status(Recorder &)> &record) {
        const double t = seconds(
            [&]() -> Status {
                LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, static_cast<std::uint32_t>(products + 1)));
                for (int i = 0; i < products; ++i)
                    LOWBIT_CHECK(record(*rec));
                return rec->submitAndWait();
            },
            reps, ok);
        if (std::getenv("BENCH_GPU_VERBOSE"))
            std::fprintf(stderr, "  roof %s: %.4f s\n", label, t);
        best = std::min(best, t);
    };
    for (std::uint32_t tpr : {1u, 8u, 64u}) {
        const RooflinePush rp{rows, rowWords, chunkWords, tpr};
        const std::string label = "tpr " + std::to_string(tpr);
        time(label.c_str(), [&](Recorder &rec) { return recordBandwidthReduce(rec, src, dst, rp); });
    }
    if (rowWords % 4 == 0) { // a row per invocation, uvec4 loads from a storage buffer or as texels
        time("rows uvec4", [&](Recorder &rec) { return recordBandwidthReduceRows(rec, src, dst, rows, rowWords); });
        if (src.texelCount >= std::uint64_t(rows) * rowWords / 4) {
            time("rows texels", [&](Recorder &rec) { return recordBandwidthReduceRows(rec, src, dst, rows, rowWords, RowsRead::Texels); });
            time("rows image", [&](Recorder &rec) { return recordBandwidthReduceRows(rec, src, dst, rows, rowWords, RowsRead::Image); });
        }
    }
    return best;
}

/// `products` fused GEMVs in one submission, and the same number of roofline reads.
Result<GemvFigures> measureGemv(Context &ctx, Pipelines &pipes, const PackedTensor &p, int reps, int products, std::uint32_t tpr,
                                std::optional<MatvecLayout> layout, std::uint32_t gemmTokens, const PackedUploadOptions &base, bool int8X)
{
    Arena arena(ctx, VkDeviceSize(64) << 20);
    PackedUploadOptions opt = base;
    opt.threadsPerRow = tpr;
    opt.matvec = layout;
    LOWBIT_TRY(GpuPackedTensor w, uploadPacked(arena, p, opt));
    std::vector<float> x(static_cast<std::size_t>(p.cols) * std::max(gemmTokens, 1u), 0.5f);
    LOWBIT_TRY(Buffer * bx, arena.upload(std::span<const float>(x)));
    LOWBIT_TRY(Buffer * by, arena.allocate(static_cast<VkDeviceSize>(p.rows) * std::max(gemmTokens, 1u) * 4));
    // the roofline reads the same number of bytes laid out as the same rows
    const auto bytes = static_cast<std::uint64_t>(p.byteSize());
    const auto rowWords = static_cast<std::uint32_t>((bytes / 4 + static_cast<std::uint64_t>(p.rows) - 1) / static_cast<std::uint64_t>(p.rows) + 3) / 4 * 4;
    LOWBIT_TRY(Buffer * src, arena.allocate(static_cast<VkDeviceSize>(rowWords) * static_cast<VkDeviceSize>(p.rows) * 4));
    std::fill(src->as<std::uint32_t>().begin(), src->as<std::uint32_t>().end(), 1u);
    LOWBIT_TRY(Buffer * dst, arena.allocate(static_cast<VkDeviceSize>(p.rows) * 4));
    const std::uint32_t chunkWords = p.layout == CodeLayout::Fp6Planes ? 6u : p.codeBits;
    // "+x8": x quantized to int8 (each product quantizes its own x, where the engine quantizes
    // once for the linears sharing an x) and the integer GEMV / GEMM
    if (int8X && !rowsInt8Runs(w))
        return makeError(ErrorCode::Unsupported, "no int8-x kernel for this format and layout (2- to 4-bit linear codes, rows layout)");
    const auto cols = static_cast<std::uint32_t>(p.cols);
    LOWBIT_TRY(Buffer * bq, arena.allocate(quantizedXBytes(cols, std::max(gemmTokens, 1u))));
    const auto product = [&](Recorder &rec, std::uint32_t tokens) -> Status {
        if (int8X) {
            LOWBIT_CHECK(recordQuantizeX8(rec, *bx, 0, cols, tokens, *bq));
            return recordRowsMatmulInt8(rec, w, *bq, *by, tokens, 0, static_cast<std::uint32_t>(p.rows));
        }
        return tokens == 1 ? recordMatvecPacked(rec, w, *bx, *by) : recordMatmulPacked(rec, w, *bx, *by, tokens, 0, static_cast<std::uint32_t>(p.rows));
    };

    bool ok = true;
    const double fused = seconds(
        [&]() -> Status {
            LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, static_cast<std::uint32_t>(products * (w.slices.size() + 1) + 1)));
            for (int i = 0; i < products; ++i)
                LOWBIT_CHECK(product(*rec, 1));
            return rec->submitAndWait();
        },
        reps, ok);
    const double gemm = gemmTokens == 0 ? 0.0
                                        : seconds(
                                              [&]() -> Status {
                                                  // (room for the rows layout's worst case: a GEMV per token and slice)
                                                  LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, static_cast<std::uint32_t>(products * (w.slices.size() * gemmTokens + 1) + 1)));
                                                  for (int i = 0; i < products; ++i)
                                                      LOWBIT_CHECK(product(*rec, gemmTokens));
                                                  return rec->submitAndWait();
                                              },
                                              reps, ok);
    const double roof = bestRoof(ctx, pipes, *src, *dst, static_cast<std::uint32_t>(p.rows), rowWords, chunkWords, reps, products, ok);
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
Result<GemvFigures> measureVq(Context &ctx, Pipelines &pipes, const PackedUploadOptions &upload, std::int64_t rows, std::int64_t cols, int v, int k, int reps, int products,
                              std::uint32_t gemmTokens, double &bpw)
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
    LOWBIT_TRY(auto t, VqQuantizedTensor::create(std::move(c)));
    bpw = t->bitsPerWeight();
    Arena arena(ctx, VkDeviceSize(64) << 20);
    LOWBIT_TRY(GpuVqTensor w, uploadVq(arena, *t, upload.matvec, upload.subgroupReduce));
    std::vector<float> x(static_cast<std::size_t>(cols) * std::max(gemmTokens, 1u), 0.5f);
    LOWBIT_TRY(Buffer * bx, arena.upload(std::span<const float>(x)));
    LOWBIT_TRY(Buffer * by, arena.allocate(static_cast<VkDeviceSize>(rows) * std::max(gemmTokens, 1u) * 4));
    const std::uint64_t bytes = t->storedBytes();
    const std::uint32_t roofRows = w.push.R;
    const auto rowWords = static_cast<std::uint32_t>((bytes / 4 + roofRows - 1) / roofRows + 3) / 4 * 4;
    LOWBIT_TRY(Buffer * src, arena.allocate(static_cast<VkDeviceSize>(rowWords) * roofRows * 4));
    LOWBIT_TRY(Buffer * dst, arena.allocate(static_cast<VkDeviceSize>(roofRows) * 4));
    bool ok = true;
    const double fused = seconds(
        [&]() -> Status {
            LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, static_cast<std::uint32_t>(products) * kVqMatvecDispatches + 1));
            for (int i = 0; i < products; ++i)
                LOWBIT_CHECK(recordMatvecVq(*rec, w, *bx, *by));
            return rec->submitAndWait();
        },
        reps, ok);
    const double gemm = gemmTokens == 0 ? 0.0
                                        : seconds(
                                              [&]() -> Status {
                                                  LOWBIT_TRY(auto rec, Recorder::begin(ctx, pipes, static_cast<std::uint32_t>(products) * kVqMatvecDispatches * gemmTokens + 1));
                                                  for (int i = 0; i < products; ++i)
                                                      LOWBIT_CHECK(recordMatmulVq(*rec, w, *bx, *by, gemmTokens, 0, static_cast<std::uint32_t>(rows)));
                                                  return rec->submitAndWait();
                                              },
                                              reps, ok);
    const double roof = bestRoof(ctx, pipes, *src, *dst, roofRows, rowWords, 1, reps, products, ok);
    if (!ok)
        return makeError(ErrorCode::Internal, "a measurement failed");
    GemvFigures f;
    f.fusedGBs = static_cast<double>(bytes) * products / fused * 1e-9;
    f.gemmGBs = gemm > 0 ? static_cast<double>(bytes) * products / gemm * 1e-9 : 0.0;
    f.rooflineGBs = static_cast<double>(rowWords) * 4.0 * roofRows * products / roof * 1e-9;
    return f;
}

/// How the engine runs: --tokens, --kv-cache, --matvec, --attention, --prompt.
struct EngineRun {
    int tokens = 128;
    KvCacheType kv = KvCacheType::F32;
    std::optional<MatvecLayout> layout;
    std::optional<AttentionKernel> attention;
    /// --prompt N: a prefill of N tokens and the decode after it (positions N … N + tokens − 1);
    /// empty: a 64-token prefill, and the decode after a 1-token prompt
    std::optional<int> prompt;
    bool int8Activations = false; ///< --activations int8 (GpuModelOptions::int8Activations)
    bool treeLinear = true;       ///< --tree-table clears it
    std::optional<bool> subgroupReduce; ///< --tree-barriers: false
};

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
    opt.subgroupReduce = run.subgroupReduce;
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
    const auto t1 = std::chrono::steady_clock::now();
    for (int i = 0; i < tokens; ++i) {
        LOWBIT_TRY(auto logits, gm->forward(std::span(&next, 1), false));
        next = static_cast<std::int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
    }
    const double decode = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    if (gm->int8Tensors() > 0)
        std::printf("       (int8 activations: %d of the %d packed tensors)\n", gm->int8Tensors(), gm->packedTensors());
    std::printf("engine %-22s weights %8.1f KiB (%d packed tensors)  %s KV cache %7.1f KiB  prefill %8.1f tok/s  decode %8.1f tok/s\n",
                label, static_cast<double>(gm->weightBytes()) / 1024.0, gm->packedTensors(), kvCacheTypeName(kv),
                static_cast<double>(gm->kvCacheBytes()) / 1024.0, static_cast<double>(prompt.size()) / prefill, tokens / decode);
    if (run.prompt)
        std::printf("       (prefill of %d tokens; decode at positions %d-%d)\n", *run.prompt, *run.prompt, *run.prompt + tokens - 1);
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

} // namespace

int main(int argc, char **argv)
{
    std::string formats = "int4,int4+x8,int4-asym+x8,nf4,fp4,iq4nl,int4-asym,fp4-asym,bitmod-fp4,mix:int4|nf4|fp4,mxfp4,nvfp4,int2,int2+x8,int3,"
                          "int3+x8,fp6-e3m2,int8,"
                          "vptq-v8-k256,vptq-v4-k4096";
    std::string shapes = "4096x4096,11008x4096";
    std::int64_t group = 128;
    int reps = 5, products = 8, tokens = 128, device = -1, tpr = 0, gemmTokens = 0;
    EngineRun engine;
    std::optional<MatvecLayout> layout;
    bool runModel = true;
    PackedUploadOptions upload; // --row-major, --tree-table, --tree-barriers
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
        else if (a == "--no-model")
            runModel = false;
        else if (a == "--row-major")
            upload.tileRows = false;
        else if (a == "--tree-table")
            engine.treeLinear = upload.treeLinear = false;
        else if (a == "--tree-barriers") {
            upload.subgroupReduce = false;
            engine.subgroupReduce = false;
        }
        else {
            std::fprintf(stderr, "usage: bench_gpu [--formats a,b] [--group G] [--reps R] [--products P] [--shapes RxC,...] [--device N] "
                                 "[--tpr T] [--matvec rows|tree] [--gemm TOKENS] [--row-major] [--tree-table] [--tree-barriers] [--kv-cache f32|f16] [--model PATH] [--tokens N] "
                                 "[--no-model] [--attention tree|rows] [--prompt N] [--activations f32|int8] [--compare-int8 TEXT [--compare-docs N]]\n");
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
    std::printf("device: %s (%s, subgroup %u, storage range %llu MiB)\n", info.name.c_str(), info.type.c_str(), info.subgroupSize,
                static_cast<unsigned long long>(info.maxStorageBufferRange >> 20));
    Pipelines pipes(**ctx);

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
            if (name.rfind("vptq-v", 0) == 0) { // vptq-v8-k256
                const auto parts = split(name.substr(5), '-');
                const int v = parts.size() == 2 ? std::atoi(parts[0].c_str() + 1) : 0, k = parts.size() == 2 ? std::atoi(parts[1].c_str() + 1) : 0;
                double bpw = 0;
                PackedUploadOptions vqUpload = upload; // --matvec and --tree-barriers apply to VQ too
                vqUpload.matvec = layout;
                auto fig = measureVq(**ctx, pipes, vqUpload, rows, cols, v, k, reps, products, static_cast<std::uint32_t>(gemmTokens), bpw);
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
            auto fig = measureGemv(**ctx, pipes, *packed, reps, products, static_cast<std::uint32_t>(tpr), layout,
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
