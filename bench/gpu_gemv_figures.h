// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// bench_gpu's GEMV figures: a format's fused dequant-GEMV (and GEMM) GB/s of packed weight read
/// against the roofline, the fastest plain read of the same bytes on the same device.

#include "core/quant/packed_tensor.h"
#include "core/util/result.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/packed_ops.h"

#include <cstdint>
#include <optional>

namespace lowbit::gpu {
class Context;
class Pipelines;
}

namespace lowbit::bench {

/// How submissions are timed and where weights live: --wall-clock (the wall time from recording to
/// fence even where the queue writes timestamps), --staged (memory the host never maps).
struct BenchTiming {
    bool wallClock = false;
    gpu::MemoryUse weightMemory = gpu::MemoryUse::Device;
};

/// GB/s of weight bytes read.
struct GemvFigures {
    double fusedGBs = 0, rooflineGBs = 0;
    double gemmGBs = 0; ///< the fused GEMM (prefill) of --gemm tokens, weight bytes per second
};

/// `products` fused GEMVs of `p` in one submission (and GEMMs of gemmTokens tokens where
/// nonzero), best of `reps`, and the same number of roofline reads; `copies` uploads read in turn
/// (0: copiesFor's default); int8X: x quantized to int8 and the integer kernels.
Result<GemvFigures> measureGemv(const BenchTiming &timing, gpu::Context &ctx, gpu::Pipelines &pipes, const PackedTensor &p, int reps, int products,
                                int copies, std::uint32_t tpr, std::optional<gpu::MatvecLayout> layout, std::uint32_t gemmTokens,
                                const gpu::PackedUploadOptions &base, bool int8X);

/// A VPTQ tensor of v-long vectors and a k-entry fp16 codebook (permNorm: with a column
/// permutation and normalization), measured as measureGemv; bpw: its stored bits per weight.
Result<GemvFigures> measureVq(const BenchTiming &timing, gpu::Context &ctx, gpu::Pipelines &pipes, const gpu::PackedUploadOptions &upload,
                              std::int64_t rows, std::int64_t cols, int v, int k, bool permNorm, int reps, int products, int copies,
                              std::uint32_t gemmTokens, double &bpw);

} // namespace lowbit::bench
