// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/design/format_evaluation.h"

#include "core/quant/fast_format.h"
#include "core/quant/quantize_ref.h"
#include "core/quant/quantized_tensor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace lowbit::studio {
namespace {

using Clock = std::chrono::steady_clock;

/// Quantize + dequantize rows × cols floats; the fast path where the format has one.
Status roundTrip(const std::vector<float> &w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                 unsigned threads, std::vector<float> &out)
{
    out.assign(w.size(), 0.0f);
    auto plan = fastPlanFor(spec);
    if (plan) {
        auto q = quantizeWithPlan(w.data(), rows, cols, *plan, nullptr, threads);
        if (!q)
            return q.error();
        return dequantizeWithPlan(*q, *plan, out.data(), threads);
    }
    if (plan.error().code != ErrorCode::Unsupported)
        return plan.error();
    auto q = quantizeRef(w.data(), rows, cols, spec); // q4_0: ggml's rule has no fast path
    if (!q)
        return q.error();
    dequantizeRef(*q, out.data());
    return {};
}

std::int64_t groupLength(const FormatSpec &spec, std::int64_t cols)
{
    return spec.groupSize > 0 ? std::min(spec.groupSize, cols) : cols; // per-tensor shown per row
}

void fillHistograms(const std::vector<float> &w, const std::vector<float> &deq, int bins, double weight, FormatEvaluation &out)
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const std::vector<float> *values : {&w, &deq})
        for (const float v : *values)
            if (std::isfinite(v)) {
                lo = std::min(lo, static_cast<double>(v));
                hi = std::max(hi, static_cast<double>(v));
            }
    if (!(hi >= lo)) // nothing finite
        lo = hi = 0;
    if (!(hi > lo)) { // constant: one visible bar around the value
        lo -= 0.5;
        hi += 0.5;
    }
    out.histMin = lo;
    out.histMax = hi;
    const double scale = bins / (hi - lo);
    auto fill = [&](const std::vector<float> &values, std::vector<double> &counts) {
        counts.assign(static_cast<std::size_t>(bins), 0.0);
        for (const float v : values) {
            if (!std::isfinite(v))
                continue;
            const double pos = (static_cast<double>(v) - lo) * scale;
            const auto bin = std::clamp<std::int64_t>(static_cast<std::int64_t>(pos), 0, bins - 1);
            counts[static_cast<std::size_t>(bin)] += weight;
        }
    };
    fill(w, out.weightHistogram);
    fill(deq, out.histogram);
}

/// Σ error² and Σ signal² per group, then pooled into at most maxSide × maxSide cells.
void fillHeatMap(const std::vector<float> &w, const std::vector<float> &deq, std::int64_t rows, std::int64_t cols,
                 std::int64_t g, int maxSide, FormatEvaluation &out)
{
    const std::int64_t groupsPerRow = (cols + g - 1) / g;
    const std::int64_t side = std::max(1, maxSide);
    const std::int64_t rowPool = (rows + side - 1) / side, colPool = (groupsPerRow + side - 1) / side;
    out.heatRows = (rows + rowPool - 1) / rowPool;
    out.heatCols = (groupsPerRow + colPool - 1) / colPool;
    std::vector<double> err(static_cast<std::size_t>(out.heatRows * out.heatCols), 0.0), sig(err.size(), 0.0);
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t hr = r / rowPool;
        for (std::int64_t c = 0; c < cols; ++c) {
            const auto i = static_cast<std::size_t>(r * cols + c);
            if (!std::isfinite(w[i]))
                continue;
            const double d = static_cast<double>(w[i]) - static_cast<double>(deq[i]);
            const auto cell = static_cast<std::size_t>(hr * out.heatCols + (c / g) / colPool);
            err[cell] += d * d;
            sig[cell] += static_cast<double>(w[i]) * static_cast<double>(w[i]);
        }
    }
    out.heat.resize(err.size());
    for (std::size_t i = 0; i < err.size(); ++i)
        out.heat[i] = sig[i] > 0 ? static_cast<float>(err[i] / sig[i]) : std::numeric_limits<float>::quiet_NaN();
}

/// The dequantized grid of the group with the median absmax (a typical group).
void fillLevels(const std::vector<float> &w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec, FormatEvaluation &out)
{
    const std::int64_t g = groupLength(spec, cols);
    struct G { float absmax; std::int64_t offset, n; };
    std::vector<G> groups;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c0 = 0; c0 < cols; c0 += g) {
            const std::int64_t n = std::min(g, cols - c0);
            float a = 0;
            for (std::int64_t i = 0; i < n; ++i) {
                const float v = w[static_cast<std::size_t>(r * cols + c0 + i)];
                if (std::isfinite(v))
                    a = std::max(a, std::fabs(v));
            }
            groups.push_back({a, r * cols + c0, n});
        }
    if (groups.empty())
        return;
    const auto mid = groups.begin() + static_cast<std::ptrdiff_t>(groups.size() / 2);
    std::nth_element(groups.begin(), mid, groups.end(), [](const G &a, const G &b) { return a.absmax < b.absmax; });
    const float *x = w.data() + mid->offset;
    const float tensorScale = spec.format.family == FormatFamily::Nvfp4
        ? nvfp4TensorScale(w.data(), static_cast<std::int64_t>(w.size())) : 1.0f;
    const GroupParams p = chooseGroupParams(spec, x, mid->n, nullptr, tensorScale);
    const Format &member = spec.format.members.empty() ? spec.format
                                                       : spec.format.members[std::min<std::size_t>(p.member, spec.format.members.size() - 1)];
    const unsigned bits = std::min(8u, member.codeBits());
    std::vector<std::uint8_t> codes(std::size_t{1} << bits);
    for (std::size_t i = 0; i < codes.size(); ++i)
        codes[i] = static_cast<std::uint8_t>(i);
    std::vector<float> values(codes.size());
    dequantizeGroupWithParams(spec, p, codes.data(), static_cast<std::int64_t>(codes.size()), values.data(), tensorScale);
    for (const float v : values)
        if (std::isfinite(v))
            out.levels.push_back(v);
    std::sort(out.levels.begin(), out.levels.end());
    out.levels.erase(std::unique(out.levels.begin(), out.levels.end()), out.levels.end());
    out.levelsScale = p.scale;
}

} // namespace

std::vector<std::int64_t> sampleRows(std::int64_t rows, std::int64_t cols, std::int64_t maxElements)
{
    std::vector<std::int64_t> out;
    if (rows <= 0 || cols <= 0)
        return out;
    const std::int64_t wanted = maxElements <= 0 ? rows : std::clamp<std::int64_t>(maxElements / cols, 1, rows);
    out.reserve(static_cast<std::size_t>(wanted));
    for (std::int64_t i = 0; i < wanted; ++i)
        out.push_back(wanted == rows ? i : (i * rows) / wanted + (rows / wanted) / 2);
    return out;
}

FormatEvaluation evaluateFormat(const TensorView &tensor, const FormatSpec &spec, const EvaluationOptions &o, std::stop_token stop)
{
    const auto start = Clock::now();
    FormatEvaluation out;
    out.format = QString::fromStdString(describeSpec(spec));
    out.rows = tensor.rows();
    out.cols = tensor.cols();
    if (out.rows <= 0 || out.cols <= 0) {
        out.failure = QStringLiteral("invalid argument: empty tensor");
        return out;
    }
    out.bpw = bitsPerWeight(spec, out.rows, out.cols);
    const std::vector<std::int64_t> rowsToRead = sampleRows(out.rows, out.cols, o.maxElements);
    const auto n = static_cast<std::int64_t>(rowsToRead.size());
    std::vector<float> w(static_cast<std::size_t>(n * out.cols));
    // Consecutive sampled rows are read in one call (the whole tensor when not sampling).
    for (std::int64_t i = 0; i < n;) {
        if (stop.stop_requested()) {
            out.failure = QStringLiteral("cancelled");
            return out;
        }
        std::int64_t j = i + 1;
        while (j < n && rowsToRead[static_cast<std::size_t>(j)] == rowsToRead[static_cast<std::size_t>(j - 1)] + 1 && j - i < 4096)
            ++j;
        if (auto st = tensor.rowsToFloat(w.data() + i * out.cols, rowsToRead[static_cast<std::size_t>(i)], j - i); !st) {
            out.failure = QString::fromStdString(st.error().message());
            return out;
        }
        i = j;
    }
    out.rowsMeasured = n;
    if (stop.stop_requested()) {
        out.failure = QStringLiteral("cancelled");
        return out;
    }
    std::vector<float> deq;
    if (auto st = roundTrip(w, n, out.cols, spec, o.threads, deq); !st) {
        out.failure = QString::fromStdString(st.error().message());
        return out;
    }
    out.error = measureError(w.data(), deq.data(), static_cast<std::int64_t>(w.size()));
    if (o.bins > 0)
        fillHistograms(w, deq, o.bins, static_cast<double>(out.rows) / static_cast<double>(n), out);
    if (o.levels)
        fillLevels(w, n, out.cols, spec, out);
    if (o.heatMapMaxSide > 0)
        fillHeatMap(w, deq, n, out.cols, groupLength(spec, out.cols), o.heatMapMaxSide, out);
    out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return out;
}

} // namespace lowbit::studio
