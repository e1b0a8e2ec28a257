// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu_gemv_figures.h"

#include "core/methods/vq_tensor.h"
#include "gpu/device/context.h"
#include "gpu/ops/packed_rows.h"
#include "gpu/ops/recorder.h"
#include "gpu/ops/roofline_ops.h"
#include "gpu/ops/vq_ops.h"
#include "gpu/pipeline/pipelines.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace lowbit::bench {

using namespace lowbit::gpu;

namespace {

/// Records a submission with `record`, runs it and returns its time: the GPU's time between
/// timestamps taken before and after the recorded work where the queue writes them (the CPU's
/// recording and the submission left out: on a discrete GPU they cost more than a 4096² GEMV),
/// else (or with --wall-clock) the wall time from the start of recording to the fence.
Result<double> timeSubmission(const BenchTiming &timing, Context &ctx, Pipelines &pipes, std::uint32_t maxDispatches, const std::function<Status(Recorder &)> &record)
{
    const auto t0 = std::chrono::steady_clock::now();
    const bool gpuTime = !timing.wallClock && ctx.info().timestampPeriodNs > 0;
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


/// The roofline: the fastest of the plain read-and-reduce shader's access patterns (1, 8 or 64
/// invocations per row, `chunkWords` consecutive words each; one invocation per row with uvec4
/// loads from a storage buffer, a uniform texel buffer or a storage texel buffer) over the same bytes (rows rounded up to whole uvec4s), so the ratio is
/// against the best read this device achieves, whichever layout the fused kernel uses.
double bestRoof(const BenchTiming &timing, Context &ctx, Pipelines &pipes, const std::vector<Buffer *> &srcs, const Buffer &dst, std::uint32_t rows, std::uint32_t rowWords,
                std::uint32_t chunkWords, int reps, int products, bool &ok)
{
    double best = 1e300;
    // `products` reads of one pattern in one submission, best of the repetitions
    const auto time = [&](const char *label, const std::function<Status(Recorder &, const Buffer &)> &record) {
        const double t = seconds(
            [&] {
                return timeSubmission(timing, ctx, pipes, static_cast<std::uint32_t>(products + 1), [&](Recorder &rec) -> Status {
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

} // namespace

/// `products` fused GEMVs in one submission, and the same number of roofline reads.
Result<GemvFigures> measureGemv(const BenchTiming &timing, Context &ctx, Pipelines &pipes, const PackedTensor &p, int reps, int products, int copies, std::uint32_t tpr,
                                std::optional<MatvecLayout> layout, std::uint32_t gemmTokens, const PackedUploadOptions &base, bool int8X)
{
    Arena arena(ctx, VkDeviceSize(64) << 20, timing.weightMemory);
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
    // and on the tree (GPUs), x quantized per piece and the dot-product GEMV; its prompts keep the
    // fp32 GEMM, as the engine's do
    const bool treeX8 = int8X && treeInt8Runs(w);
    if (int8X && !rowsInt8Runs(w) && !treeX8)
        return makeError(ErrorCode::Unsupported, "no int8-x kernel for this format and layout (2- to 4-bit linear codes in the rows layout; "
                                                 "on the tree where the device has the integer dot product)");
    const auto cols = static_cast<std::uint32_t>(p.cols);
    LOWBIT_TRY(Buffer * bq, io.allocate(std::max(quantizedXBytes(cols, std::max(gemmTokens, 1u)), quantizedPiecesBytes(cols, 1))));
    const auto product = [&](Recorder &rec, std::uint32_t tokens, int i) -> Status {
        const GpuPackedTensor &wi = ws[static_cast<std::size_t>(i % copies)];
        if (treeX8 && tokens == 1) {
            LOWBIT_CHECK(recordQuantizeX8Pieces(rec, *bx, 0, cols, 1, *bq));
            return recordMatvecPackedInt8(rec, wi, *bq, *by);
        }
        if (int8X && !treeX8) {
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
            return timeSubmission(timing, ctx, pipes, dispatches, [&](Recorder &rec) -> Status {
                for (int i = 0; i < products; ++i)
                    LOWBIT_CHECK(product(rec, tokens, i));
                return {};
            });
        };
    };
    const double fused = seconds(batch(1), reps, ok);
    const double gemm = gemmTokens == 0 ? 0.0 : seconds(batch(gemmTokens), reps, ok);
    const double roof = bestRoof(timing, ctx, pipes, srcs, *dst, static_cast<std::uint32_t>(p.rows), rowWords, chunkWords, reps, products, ok);
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
Result<GemvFigures> measureVq(const BenchTiming &timing, Context &ctx, Pipelines &pipes, const PackedUploadOptions &upload, std::int64_t rows, std::int64_t cols, int v, int k, bool permNorm, int reps,
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
    Arena arena(ctx, VkDeviceSize(64) << 20, timing.weightMemory);
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
            return timeSubmission(timing, ctx, pipes, static_cast<std::uint32_t>(products) * kVqMatvecDispatches * tokens + 1, [&](Recorder &rec) -> Status {
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
    const double roof = bestRoof(timing, ctx, pipes, srcs, *dst, roofRows, rowWords, 1, reps, products, ok);
    if (!ok)
        return makeError(ErrorCode::Internal, "a measurement failed");
    GemvFigures f;
    f.fusedGBs = static_cast<double>(bytes) * products / fused * 1e-9;
    f.gemmGBs = gemm > 0 ? static_cast<double>(bytes) * products / gemm * 1e-9 : 0.0;
    f.rooflineGBs = static_cast<double>(rowWords) * 4.0 * roofRows * products / roof * 1e-9;
    return f;
}

} // namespace lowbit::bench
