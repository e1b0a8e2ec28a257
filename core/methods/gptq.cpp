// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/gptq.h"

#include "core/methods/element_coder.h"
#include "core/methods/gptq_hessian.h"
#include "core/methods/omp_team.h"

#include <Eigen/Core>
#include <oneapi/dnnl/dnnl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace lowbit {

namespace {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;
using ConstRowMap = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

/// What every member of the team reads (never writes).
struct Shared {
    const ElementCoder &coder;
    const GptqHessian &hess;
    GroupGeometry geo;
    std::int64_t cols = 0;
    std::int64_t block = 128;
    GroupParamsSource source = GroupParamsSource::BlockStart;
    std::vector<std::int64_t> pos;      ///< original column → processing position
    std::vector<std::int64_t> startsAt; ///< processing position → group (within a row) whose first column it is, else −1
    GroupParams tensorParams;           ///< per tensor: the one group's parameters
};

/// GPTQ on rows [r0, r1) of the working matrix (processing order). Writes the rows' codes and
/// group parameters into q. Returns false when cancelled.
class RowRange {
public:
    RowRange(const Shared &s, float *w, QuantizedMatrix &q, std::int64_t r0, std::int64_t r1)
        : m_s(s), m_w(w), m_q(q), m_r0(r0), m_r1(r1),
          m_params(s.geo.perTensor ? 0 : at((r1 - r0) * s.geo.perRow)), m_err(at((r1 - r0) * s.block)),
          m_group(at(s.geo.width))
    {
    }

    /// One block [b0, b1) of processing positions for all rows, then the trailing update.
    void runBlock(std::int64_t b0, std::int64_t b1)
    {
        for (std::int64_t r = m_r0; r < m_r1; ++r)
            quantizeRowBlock(r, b0, b1);
        const std::int64_t rest = m_s.cols - b1;
        if (rest <= 0 || m_r1 <= m_r0)
            return;
        // W[rows, b1:] −= E · U[b0:b1, b1:]: oneDNN's sgemm (JIT for the CPU at hand; single-threaded
        // inside the team), Eigen if it declines.
        float *c = m_w + m_r0 * m_s.cols + b1;
        const float *u = m_s.hess.hinv.data() + b0 * m_s.cols + b1;
        if (dnnl_sgemm('N', 'N', m_r1 - m_r0, rest, b1 - b0, -1.0f, m_err.data(), m_s.block, u, m_s.cols, 1.0f, c, m_s.cols) ==
            dnnl_success)
            return;
        RowMap trail(c, m_r1 - m_r0, rest, Eigen::OuterStride<>(m_s.cols));
        const ConstRowMap err(m_err.data(), m_r1 - m_r0, b1 - b0, Eigen::OuterStride<>(m_s.block));
        trail.noalias() -= err * ConstRowMap(u, b1 - b0, rest, Eigen::OuterStride<>(m_s.cols));
    }

private:
    GroupParams &params(std::int64_t r, std::int64_t g) { return m_params[at((r - m_r0) * m_s.geo.perRow + g)]; }

    /// Fixes group g of row r from the row's current weights (wr, processing order). Columns at
    /// or beyond `blockEnd` first get the pending updates of the block's positions [b0, upTo)
    /// (Updated mode; upTo = b0 gives the block-start weights).
    void fixGroup(std::int64_t r, std::int64_t g, const float *wr, std::int64_t b0, std::int64_t upTo, std::int64_t blockEnd)
    {
        const std::int64_t c0 = g * m_s.geo.width, len = std::min(m_s.geo.width, m_s.cols - c0);
        const float *err = m_err.data() + (r - m_r0) * m_s.block;
        const float *u = m_s.hess.hinv.data();
        for (std::int64_t k = 0; k < len; ++k) {
            const std::int64_t p = m_s.pos[at(c0 + k)];
            float v = wr[p];
            if (p >= blockEnd)
                for (std::int64_t j = b0; j < upTo; ++j)
                    v -= err[j - b0] * u[j * m_s.cols + p];
            m_group[at(k)] = v;
        }
        const GroupParams p = m_s.coder.choose(m_group.data(), len);
        params(r, g) = p;
        ElementCoder::store(m_q, m_s.geo.index(r, c0), p);
    }

    void quantizeRowBlock(std::int64_t r, std::int64_t b0, std::int64_t b1)
    {
        float *wr = m_w + r * m_s.cols;
        float *err = m_err.data() + (r - m_r0) * m_s.block;
        const float *u = m_s.hess.hinv.data();
        const bool updated = m_s.source == GroupParamsSource::Updated;
        if (!m_s.geo.perTensor && !updated)
            for (std::int64_t q = b0; q < b1; ++q)
                if (const std::int64_t g = m_s.startsAt[at(q)]; g >= 0)
                    fixGroup(r, g, wr, b0, b0, b1); // block-start weights: nothing pending yet
        std::uint8_t *codes = m_q.codes.data() + r * m_s.cols;
        for (std::int64_t q = b0; q < b1; ++q) {
            const std::int64_t c = m_s.hess.order[at(q)];
            if (updated && !m_s.geo.perTensor)
                if (const std::int64_t g = m_s.startsAt[at(q)]; g >= 0)
                    fixGroup(r, g, wr, b0, q, b1);
            const GroupParams &p = m_s.geo.perTensor ? m_s.tensorParams : params(r, m_s.geo.column(c));
            const float x = wr[q];
            const float xq = m_s.coder.quantizeOne(p, x, codes[c]);
            const float *uq = u + q * m_s.cols;
            const float e = (x - xq) / uq[q];
            err[q - b0] = e;
#pragma omp simd
            for (std::int64_t k = q + 1; k < b1; ++k)
                wr[k] -= e * uq[k];
        }
    }

    const Shared &m_s;
    float *m_w;
    QuantizedMatrix &m_q;
    std::int64_t m_r0, m_r1;
    std::vector<GroupParams> m_params; ///< (row − r0) × groups per row
    std::vector<float> m_err;          ///< (row − r0) × block: the block's scaled errors
    std::vector<float> m_group;        ///< gathered weights of one group
};

} // namespace

Result<QuantizedLayer> runGptq(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt, const LayerProgressFn &progress,
                               std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(checkLayerInput(in, true));
    const GptqOptions &o = opt.gptq;
    if (o.blockSize < 1)
        return makeError(ErrorCode::InvalidArgument, in.name + ": GPTQ block size must be ≥ 1");
    const std::int64_t rows = in.rows, cols = in.cols, n = rows * cols;
    LOWBIT_TRY(const ElementCoder coder, ElementCoder::make(spec, nvfp4TensorScale(in.weight, n)));
    const GroupGeometry geo = GroupGeometry::of(coder.spec(), rows, cols);
    if (o.actOrder && !o.staticGroups && coder.spec().groupSize > 0 && geo.perRow > 1)
        return makeError(ErrorCode::InvalidArgument,
                         in.name + ": act-order without static groups needs a per-column group index, which the packed "
                                   "format does not store; use static groups");
    if (progress)
        progress(0.0);
    LOWBIT_TRY(const GptqHessian hess, prepareGptqHessian(in.stats->hessian.data(), cols, o.damp, o.actOrder, in.name, opt.threads, stop));
    const auto tHessian = std::chrono::steady_clock::now();

    Shared s{coder, hess, geo, cols, std::min(o.blockSize, cols), o.paramsFrom, {}, {}, {}};
    s.pos.resize(at(cols));
    for (std::int64_t q = 0; q < cols; ++q)
        s.pos[at(hess.order[at(q)])] = q;
    s.startsAt.assign(at(cols), -1);
    for (std::int64_t g = geo.perRow - 1; g >= 0 && !geo.perTensor; --g) {
        std::int64_t first = cols;
        for (std::int64_t c = g * geo.width; c < std::min(cols, (g + 1) * geo.width); ++c)
            first = std::min(first, s.pos[at(c)]);
        s.startsAt[at(first)] = g;
    }

    // The working matrix in processing order, dead inputs zeroed.
    std::vector<float> original(in.weight, in.weight + n);
    for (const std::int64_t c : hess.deadColumns)
        for (std::int64_t r = 0; r < rows; ++r)
            original[at(r * cols + c)] = 0.0f;
    LOWBIT_TRY(QuantizedMatrix q, coder.rtn(in.weight, rows, cols, opt.threads)); // arrays of the right size
    if (geo.perTensor) {
        s.tensorParams = coder.choose(original.data(), n); // the first column comes before any update
        ElementCoder::store(q, 0, s.tensorParams);
    }
    std::vector<float> work(at(n));
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t p = 0; p < cols; ++p)
            work[at(r * cols + p)] = original[at(r * cols + hess.order[at(p)])];
    original = {};
    if (progress)
        progress(0.1);

    std::atomic<bool> cancelled{false};
    runOmpTeam(opt.threads, [&](int member, int members) {
        std::int64_t r0 = 0, r1 = 0;
        teamShare(rows, member, members, r0, r1);
        RowRange range(s, work.data(), q, r0, r1);
        for (std::int64_t b0 = 0; b0 < cols; b0 += s.block) {
            if (cancelled.load(std::memory_order_relaxed))
                return;
            if (stop.stop_requested()) {
                cancelled = true;
                return;
            }
            const std::int64_t b1 = std::min(cols, b0 + s.block);
            range.runBlock(b0, b1);
            if (member == 0 && progress)
                progress(0.1 + 0.85 * static_cast<double>(b1) / static_cast<double>(cols));
        }
    });
    if (cancelled)
        return makeError(ErrorCode::Cancelled, in.name + ": cancelled");

    const auto tColumns = std::chrono::steady_clock::now();
    LOWBIT_TRY(QuantizedTensorPtr tensor, packMatrix(q));
    QuantizedLayer out;
    out.tensor = std::move(tensor);
    out.report.method = "gptq";
    finishReport(in, *out.tensor, out.report);
    const auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    char times[160];
    std::snprintf(times, sizeof times, "; %.2f s Hessian, %.2f s columns, %.2f s report", seconds(t0, tHessian), seconds(tHessian, tColumns),
                  seconds(tColumns, std::chrono::steady_clock::now()));
    out.report.detail = "damp " + std::to_string(o.damp) + ", block " + std::to_string(s.block) + ", " +
                        std::to_string(hess.deadColumns.size()) + " dead inputs" + (o.actOrder ? ", act-order" : "") +
                        ", group parameters from " +
                        (o.paramsFrom == GroupParamsSource::BlockStart ? "block-start" : "updated") + " weights" + times;
    out.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (progress)
        progress(1.0);
    return out;
}

} // namespace lowbit
