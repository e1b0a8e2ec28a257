// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Shared set-up of the GPU tests: a validated Vulkan context (skip without a device on a
/// developer machine, fail under CI=true where lavapipe is installed).

#include "core/quant/fast_format.h"
#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/recorder.h"
#include "gpu/pipeline/pipelines.h"

#include <memory>
#include <string>
#include <vector>

namespace lowbit::test {

struct GpuFixture {
    std::unique_ptr<gpu::Context> ctx;
    std::unique_ptr<gpu::Pipelines> pipelines;
    std::string skipReason; ///< set when no device is available
};

/// Creates the context with the validation layer requested.
GpuFixture makeGpuFixture();
std::vector<float> randomFloats(std::size_t n, unsigned seed, float scale = 1.0f);
/// Whether a GEMV output is within rel·Σ|w·x| (+ 1e-9) of the fp64 product of row w and x (n terms):
/// the bound of the packed kernels, whose fp32 sums differ from the CPU's in order only.
bool closeToProduct(float got, const float *w, const float *x, std::size_t n, double rel = 4e-6);

/// Random weights (normal, σ 0.05) packed in `spec`, and the CPU's dequantization of them.
struct RandomPacked {
    PackedTensor packed;
    std::vector<float> dequant; ///< rows·cols, row-major
};
Result<RandomPacked> randomPacked(const FormatSpec &spec, std::int64_t rows, std::int64_t cols, unsigned seed);

} // namespace lowbit::test

/// In initTestCase: sets `fx` up, or skips (developer machine) / fails (CI) without a device.
#define LOWBIT_GPU_INIT(fx)                                                                      \
    do {                                                                                          \
        fx = lowbit::test::makeGpuFixture();                                                      \
        if (!fx.ctx) {                                                                            \
            if (lowbit::test::runningInCi())                                                      \
                QFAIL(qPrintable(QStringLiteral("CI=true but no Vulkan device: ") + QString::fromStdString(fx.skipReason))); \
            QSKIP(qPrintable(QString::fromStdString(fx.skipReason)));                             \
        }                                                                                         \
    } while (0)
