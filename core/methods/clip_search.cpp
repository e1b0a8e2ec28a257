// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/clip_search.h"

#include "core/methods/element_coder.h"
#include "core/methods/omp_team.h"

#include <Eigen/Core>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace lowbit {

namespace {

using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMapD = Eigen::Map<const RowMatrixD, 0, Eigen::OuterStride<>>;

std::size_t at(std::int64_t i) { return static_cast<std::size_t>(i); }

/// Elements of candidate error vectors evaluated in one batched product.
constexpr std::int64_t kBatchElements = std::int64_t{1} << 20;

struct Candidate {
    int maxStep = 0, minStep = 0;
};

/// One group: a contiguous span of the row-major matrix covering `groupRows` rows of `width`
/// columns starting at column c0 (several rows only per tensor).
struct GroupSpan {
    std::int64_t offset = 0, width = 0, groupRows = 1, c0 = 0, index = 0;
    std::int64_t size() const { return width * groupRows; }
};

/// Everything the team reads.
struct Search {
    const float *w = nullptr;
    std::int64_t cols = 0;
    const double *h = nullptr; ///< null: weight MSE
    const ElementCoder &coder;
    std::vector<Candidate> candidates;
    int steps = 20;
};

/// Per-thread scratch and the evaluation of one group.
class GroupSearcher {
public:
    explicit GroupSearcher(const Search &s) : m_s(s) {}

    /// Picks the best candidate of group g and writes its codes and parameters into q.
    /// Returns (winner index, winner objective, RTN objective).
    struct Outcome {
        std::size_t winner = 0;
        double best = 0.0, rtn = 0.0;
    };

    Outcome run(const GroupSpan &g, QuantizedMatrix &q)
    {
        const float *x = m_s.w + g.offset;
        const std::int64_t len = g.size();
        float mn = std::numeric_limits<float>::infinity(), mx = -mn;
        for (std::int64_t t = 0; t < len; ++t) {
            mn = std::min(mn, x[t]);
            mx = std::max(mx, x[t]);
        }
        const std::int64_t batch = std::clamp<std::int64_t>(kBatchElements / std::max<std::int64_t>(1, len), 1,
                                                            static_cast<std::int64_t>(m_s.candidates.size()));
        m_clamped.resize(at(len));
        m_codes.resize(at(len));
        m_deq.resize(at(len));
        m_err.resize(at(batch * len));
        Outcome out;
        out.best = std::numeric_limits<double>::infinity();
        const auto count = static_cast<std::int64_t>(m_s.candidates.size());
        for (std::int64_t k0 = 0; k0 < count; k0 += batch) {
            const std::int64_t k1 = std::min(count, k0 + batch);
            std::vector<double> objective(at(k1 - k0), std::numeric_limits<double>::infinity());
            std::vector<bool> valid(at(k1 - k0), false);
            for (std::int64_t k = k0; k < k1; ++k) {
                float lo = 0.0f, hi = 0.0f;
                if (!range(m_s.candidates[at(k)], mn, mx, lo, hi))
                    continue;
                quantizeClamped(x, len, lo, hi);
                double *e = m_err.data() + (k - k0) * len;
                double sq = 0.0;
                for (std::int64_t t = 0; t < len; ++t) {
                    e[t] = static_cast<double>(x[t]) - static_cast<double>(m_deq[at(t)]);
                    sq += e[t] * e[t];
                }
                valid[at(k - k0)] = true;
                objective[at(k - k0)] = sq;
            }
            if (m_s.h)
                outputErrors(g, k1 - k0, valid, objective);
            for (std::int64_t k = k0; k < k1; ++k) {
                const double v = objective[at(k - k0)];
                if (k == 0)
                    out.rtn = v;
                if (valid[at(k - k0)] && v < out.best) { // strict: ties keep the smaller shrink
                    out.best = v;
                    out.winner = at(k);
                }
            }
        }
        // Recode the winner into the result.
        float lo = 0.0f, hi = 0.0f;
        range(m_s.candidates[out.winner], mn, mx, lo, hi);
        for (std::int64_t t = 0; t < len; ++t)
            m_clamped[at(t)] = std::min(std::max(x[t], lo), hi);
        const GroupParams p = m_s.coder.choose(m_clamped.data(), len);
        m_s.coder.encode(p, m_clamped.data(), len, q.codes.data() + g.offset);
        ElementCoder::store(q, g.index, p);
        return out;
    }

private:
    /// The candidate's range; false when it is empty (min' > max', only for one-signed groups).
    bool range(const Candidate &c, float mn, float mx, float &lo, float &hi) const
    {
        const auto factor = [&](int step) { return static_cast<float>(1.0 - static_cast<double>(step) / m_s.steps); };
        hi = mx * factor(c.maxStep);
        lo = mn * factor(c.minStep);
        return lo <= hi;
    }

    /// m_deq = Q(clamp(x, lo, hi)) with the format's RTN on the clamped weights.
    void quantizeClamped(const float *x, std::int64_t len, float lo, float hi)
    {
        for (std::int64_t t = 0; t < len; ++t)
            m_clamped[at(t)] = std::min(std::max(x[t], lo), hi);
        const GroupParams p = m_s.coder.choose(m_clamped.data(), len);
        m_s.coder.encode(p, m_clamped.data(), len, m_codes.data());
        m_s.coder.decode(p, m_codes.data(), len, m_deq.data());
    }

    /// objective[k] = Σ_rows e_k·H_gg·e_kᵀ for the batch's valid candidates, as one GEMM.
    void outputErrors(const GroupSpan &g, std::int64_t count, const std::vector<bool> &valid, std::vector<double> &objective)
    {
        const ConstRowMapD e(m_err.data(), count * g.groupRows, g.width, Eigen::OuterStride<>(g.width));
        const ConstRowMapD hgg(m_s.h + g.c0 * m_s.cols + g.c0, g.width, g.width, Eigen::OuterStride<>(m_s.cols));
        m_product.noalias() = e * hgg;
        for (std::int64_t k = 0; k < count; ++k) {
            if (!valid[at(k)])
                continue;
            const auto rows = static_cast<Eigen::Index>(g.groupRows);
            const auto r0 = static_cast<Eigen::Index>(k * g.groupRows);
            objective[at(k)] = (m_product.middleRows(r0, rows).array() * e.middleRows(r0, rows).array()).sum();
        }
    }

    const Search &m_s;
    std::vector<float> m_clamped, m_deq;
    std::vector<std::uint8_t> m_codes;
    std::vector<double> m_err;
    RowMatrixD m_product;
};

std::vector<GroupSpan> groupSpans(const GroupGeometry &geo)
{
    std::vector<GroupSpan> spans;
    if (geo.perTensor) {
        spans.push_back({0, geo.cols, geo.rows, 0, 0});
        return spans;
    }
    spans.reserve(at(geo.count()));
    for (std::int64_t r = 0; r < geo.rows; ++r)
        for (std::int64_t j = 0; j < geo.perRow; ++j) {
            const std::int64_t c0 = j * geo.width;
            spans.push_back({r * geo.cols + c0, std::min(geo.width, geo.cols - c0), 1, c0, geo.index(r, c0)});
        }
    return spans;
}

} // namespace

Result<ClipSearchResult> clipSearch(const LayerInput &in, const FormatSpec &spec, const ClipOptions &options, unsigned threads,
                                    const LayerProgressFn &progress, std::stop_token stop)
{
    LOWBIT_CHECK(checkLayerInput(in, false));
    if (options.steps < 1 || options.steps > 255)
        return makeError(ErrorCode::InvalidArgument, in.name + ": clipping steps must be in 1…255");
    if (!(options.maxShrink >= 0.0 && options.maxShrink < 1.0))
        return makeError(ErrorCode::InvalidArgument, in.name + ": clipping max shrink must be in [0, 1)");
    const std::int64_t rows = in.rows, cols = in.cols, n = rows * cols;
    LOWBIT_TRY(const ElementCoder coder, ElementCoder::make(spec, nvfp4TensorScale(in.weight, n)));

    ClipSearchResult res;
    res.objective = options.objective == ClipObjective::OutputError && in.stats ? ClipObjective::OutputError : ClipObjective::WeightMse;
    Search s{in.weight, cols, res.objective == ClipObjective::OutputError ? in.stats->hessian.data() : nullptr, coder, {}, options.steps};
    int shrinks = 0; // i = 0, 1, … while i/n < maxShrink (always at least i = 0)
    while (shrinks < options.steps && static_cast<double>(shrinks) < options.steps * options.maxShrink)
        ++shrinks;
    shrinks = std::max(shrinks, 1);
    for (int i = 0; i < shrinks; ++i)
        for (int j = 0; j < shrinks; ++j)
            if (options.asymmetric || i == j)
                s.candidates.push_back({i, j});
    res.candidates = static_cast<int>(s.candidates.size());

    LOWBIT_TRY(res.matrix, coder.rtn(in.weight, rows, cols, threads)); // arrays of the right size
    const GroupGeometry geo = GroupGeometry::of(coder.spec(), rows, cols);
    const std::vector<GroupSpan> spans = groupSpans(geo);
    const auto groups = static_cast<std::int64_t>(spans.size());
    std::vector<double> best(at(groups)), rtn(at(groups));
    res.maxStep.assign(at(groups), 0);
    res.minStep.assign(at(groups), 0);

    // One team for the whole search (OpenMP threads spin between teams): members take chunks of
    // groups from a shared counter; each group's result does not depend on who computes it.
    const std::int64_t chunk = std::max<std::int64_t>(1, groups / 256);
    std::atomic<std::int64_t> next{0}, done{0};
    std::atomic<bool> cancelled{false};
    runOmpTeam(threads, [&](int member, int) {
        GroupSearcher searcher(s);
        for (;;) {
            if (cancelled.load(std::memory_order_relaxed))
                return;
            if (stop.stop_requested()) {
                cancelled = true;
                return;
            }
            const std::int64_t g0 = next.fetch_add(chunk);
            if (g0 >= groups)
                return;
            const std::int64_t g1 = std::min(groups, g0 + chunk);
            for (std::int64_t g = g0; g < g1; ++g) {
                const GroupSearcher::Outcome o = searcher.run(spans[at(g)], res.matrix);
                best[at(g)] = o.best;
                rtn[at(g)] = o.rtn;
                res.maxStep[at(g)] = static_cast<std::uint8_t>(s.candidates[o.winner].maxStep);
                res.minStep[at(g)] = static_cast<std::uint8_t>(s.candidates[o.winner].minStep);
            }
            const std::int64_t finished = done.fetch_add(g1 - g0) + (g1 - g0);
            if (member == 0 && progress)
                progress(static_cast<double>(finished) / static_cast<double>(groups));
        }
    });
    if (cancelled)
        return makeError(ErrorCode::Cancelled, in.name + ": cancelled");
    for (std::int64_t g = 0; g < groups; ++g) {
        res.objectiveValue += best[at(g)];
        res.rtnObjectiveValue += rtn[at(g)];
    }
    return res;
}

Result<QuantizedLayer> runClip(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt, const LayerProgressFn &progress,
                               std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_TRY(const ClipSearchResult r, clipSearch(in, spec, opt.clip, opt.threads, progress, stop));
    LOWBIT_TRY(QuantizedTensorPtr tensor, packMatrix(r.matrix));
    QuantizedLayer out;
    out.tensor = std::move(tensor);
    out.report.method = "clip";
    finishReport(in, *out.tensor, out.report);
    std::size_t clipped = 0;
    for (std::size_t g = 0; g < r.maxStep.size(); ++g)
        clipped += r.maxStep[g] != 0 || r.minStep[g] != 0;
    const double share = r.maxStep.empty() ? 0.0 : 100.0 * static_cast<double>(clipped) / static_cast<double>(r.maxStep.size());
    const double gain = r.rtnObjectiveValue > 0 ? 100.0 * (1.0 - r.objectiveValue / r.rtnObjectiveValue) : 0.0;
    char detail[200];
    std::snprintf(detail, sizeof detail, "%s grid, %d candidates, objective %s, %.1f%% of groups clipped, objective %.2f%% below RTN",
                  opt.clip.asymmetric ? "asymmetric" : "symmetric", r.candidates,
                  r.objective == ClipObjective::OutputError ? "output error (H per group)" : "weight MSE", share, gain);
    out.report.detail = detail;
    out.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

} // namespace lowbit
