// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/basic_ops.h"

#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/recorder.h"
#include "gpu/pipeline/spirv_shared.h"

namespace lowbit::gpu {

namespace {
Status checkSize(const Buffer &b, std::uint64_t floats, const char *what)
{
    if (b.size < floats * sizeof(float))
        return makeError(ErrorCode::Internal, std::string(what) + " buffer is smaller than the op needs");
    return {};
}
} // namespace

Status recordMatvecF32(Recorder &rec, const Buffer &w, const Buffer &x, const Buffer &y, std::uint32_t rows, std::uint32_t cols)
{
    LOWBIT_CHECK(checkSize(w, std::uint64_t(rows) * cols, "matvec W"));
    LOWBIT_CHECK(checkSize(x, cols, "matvec x"));
    LOWBIT_CHECK(checkSize(y, rows, "matvec y"));
    return rec.dispatch(ShaderId::matvec_f32_f32, {&w, &x, &y}, MatvecPush{rows, cols}, gridFor(rows));
}

bool matmulF32RowsRuns(const Recorder &rec, std::uint32_t cols)
{
    return rowLayoutDevice(rec.context().info()) && cols % 4 == 0;
}

Status recordMatmulF32(Recorder &rec, const Buffer &w, const Buffer &x, const Buffer &y, const MatmulPush &p, MatmulF32Kernel kernel)
{
    if (p.yStride < p.rows)
        return makeError(ErrorCode::Internal, "matmul: output stride smaller than the row count");
    LOWBIT_CHECK(checkSize(w, std::uint64_t(p.rows) * p.cols, "matmul W"));
    LOWBIT_CHECK(checkSize(x, std::uint64_t(p.tokens) * p.cols, "matmul X"));
    if (p.tokens == 0)
        return {};
    LOWBIT_CHECK(checkSize(y, p.yOffset + std::uint64_t(p.tokens - 1) * p.yStride + p.rows, "matmul Y"));
    const bool rows = matmulF32RowsRuns(rec, p.cols);
    if (kernel == MatmulF32Kernel::Rows && !rows)
        return makeError(ErrorCode::InvalidArgument, "matmul: the rows kernel does not run this shape on this device");
    if (rows && (kernel == MatmulF32Kernel::Rows || kernel == MatmulF32Kernel::Auto)) {
        const std::uint64_t invocations = std::uint64_t(p.rows) * ((p.tokens + 3) / 4);
        return rec.dispatch(ShaderId::matmul_f32_f32_rows, {&w, &x, &y}, p, gridFor((invocations + 63) / 64));
    }
    if (kernel == MatmulF32Kernel::Subgroup || (kernel == MatmulF32Kernel::Auto && p.tokens == 1))
        return rec.dispatch(ShaderId::matmul_f32_f32_sg, {&w, &x, &y}, p, gridFor((std::uint64_t(p.rows) + 3) / 4));
    const bool tiledFits = sharedMemoryFits(ShaderId::matmul_f32_f32_tiled, rec.context().info());
    if (kernel == MatmulF32Kernel::Tiled || (kernel == MatmulF32Kernel::Auto && p.tokens >= kTiledGemmMinTokens && tiledFits)) {
        const std::uint64_t groups = std::uint64_t((p.rows + kTiledRows - 1) / kTiledRows) * ((p.tokens + kTiledTokens - 1) / kTiledTokens);
        return rec.dispatch(ShaderId::matmul_f32_f32_tiled, {&w, &x, &y}, p, gridFor(groups));
    }
    const std::uint64_t tiles = (p.tokens + 7) / 8;
    return rec.dispatch(ShaderId::matmul_f32_f32, {&w, &x, &y}, p, gridFor(std::uint64_t(p.rows) * tiles));
}

namespace {
Status rmsnormChecks(const Buffer &x, const Buffer &g, const Buffer &y, std::uint32_t rows, std::uint32_t cols)
{
    LOWBIT_CHECK(checkSize(x, std::uint64_t(rows) * cols, "rmsnorm x"));
    LOWBIT_CHECK(checkSize(g, cols, "rmsnorm weight"));
    LOWBIT_CHECK(checkSize(y, std::uint64_t(rows) * cols, "rmsnorm y"));
    if (rows > 65535)
        return makeError(ErrorCode::InvalidArgument, "rmsnorm: more than 65535 rows in one dispatch");
    return {};
}
} // namespace

Status recordRmsnormF32(Recorder &rec, const Buffer &x, const Buffer &g, const Buffer &y, std::uint32_t rows, std::uint32_t cols, float eps)
{
    LOWBIT_CHECK(rmsnormChecks(x, g, y, rows, cols));
    return rec.dispatch(ShaderId::rmsnorm_f32, {&x, &g, &y}, RmsnormPush{cols, eps}, {rows, 1, 1});
}

Status recordAddRmsnormF32(Recorder &rec, const Buffer &x, const Buffer &res, const Buffer &g, const Buffer &y, std::uint32_t rows,
                           std::uint32_t cols, float eps)
{
    LOWBIT_CHECK(rmsnormChecks(x, g, y, rows, cols));
    LOWBIT_CHECK(checkSize(res, std::uint64_t(rows) * cols, "rmsnorm residual"));
    if (x.handle == y.handle || res.handle == y.handle)
        return makeError(ErrorCode::InvalidArgument, "add+rmsnorm: y must be a buffer of its own");
    return rec.dispatch(ShaderId::add_rmsnorm_f32, {&x, &g, &y, &res}, RmsnormPush{cols, eps}, {rows, 1, 1});
}

} // namespace lowbit::gpu
