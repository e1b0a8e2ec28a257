// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Shared set-up of the GPU tests: a validated Vulkan context (skip without a device on a
/// developer machine, fail under CI=true where lavapipe is installed).

#include "core/quant/fast_format.h"
#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/recorder.h"
#include "gpu/pipeline/pipelines.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
/// The largest |a[i] − b[i]| (infinity where the sizes differ): how far two engines' logits are.
double maxAbsDiff(const std::vector<float> &a, const std::vector<float> &b);

/// The spec of `format` (a name `parseFormat` takes) at `group` (−2: the format's own) and scale
/// `storage` (empty: the format's own); nullopt where the family does not take them.
std::optional<FormatSpec> specOf(std::string_view format, int group = -2, std::string_view storage = {});

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

/// In cleanupTestCase: releases the pipelines and the context, and fails on any message the
/// validation layer reported meanwhile (each printed).
#define LOWBIT_GPU_CLEANUP(fx)                                                                   \
    do {                                                                                          \
        if (!fx.ctx)                                                                              \
            break;                                                                                \
        fx.pipelines.reset();                                                                     \
        const auto messages = fx.ctx->validationMessages();                                       \
        fx.ctx.reset();                                                                           \
        for (const auto &msg : messages)                                                          \
            qWarning("validation: %s", msg.c_str());                                              \
        QVERIFY(messages.empty());                                                                \
    } while (0)

/// In a test of the rows layout: skips on a device that does not run the row kernels (a GPU),
/// fails under CI=true (lavapipe runs them).
#define LOWBIT_REQUIRE_ROW_KERNELS(fx)                                                           \
    do {                                                                                          \
        if (!lowbit::gpu::rowKernelsRun(fx.ctx->info())) {                                       \
            if (lowbit::test::runningInCi())                                                      \
                QFAIL("CI=true but the device does not run the row kernels");                     \
            QSKIP("this device does not run the row kernels");                                    \
        }                                                                                         \
    } while (0)
