// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/stats/tensor_stats.h"

#include "core/util/mapped_file.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

namespace lowbit {

namespace {

/// Central moments of a set, mergeable (Pébay 2008), so chunks and threads combine exactly.
struct Moments {
    double n = 0, mean = 0, m2 = 0, m3 = 0, m4 = 0;

    void merge(const Moments &b)
    {
        if (b.n == 0)
            return;
        if (n == 0) {
            *this = b;
            return;
        }
        const double na = n, nb = b.n, nn = na + nb;
        const double d = b.mean - mean, d2 = d * d, d3 = d2 * d, d4 = d2 * d2;
        const double newMean = mean + d * nb / nn;
        const double newM2 = m2 + b.m2 + d2 * na * nb / nn;
        const double newM3 = m3 + b.m3 + d3 * na * nb * (na - nb) / (nn * nn) + 3.0 * d * (na * b.m2 - nb * m2) / nn;
        const double newM4 = m4 + b.m4 + d4 * na * nb * (na * na - na * nb + nb * nb) / (nn * nn * nn)
            + 6.0 * d2 * (na * na * b.m2 + nb * nb * m2) / (nn * nn) + 4.0 * d * (na * b.m3 - nb * m3) / nn;
        n = nn;
        mean = newMean;
        m2 = newM2;
        m3 = newM3;
        m4 = newM4;
    }
};

struct Partial {
    Moments moments;
    std::uint64_t nan = 0, inf = 0, zero = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();
};

/// Two-pass moments of one converted chunk (exact enough in double), plus counts.
void accumulateChunk(const float *x, std::size_t n, Partial &p)
{
    double sum = 0;
    std::size_t finite = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const float v = x[i];
        if (std::isnan(v)) {
            ++p.nan;
        } else if (std::isinf(v)) {
            ++p.inf;
        } else {
            sum += v;
            ++finite;
            p.min = std::min(p.min, static_cast<double>(v));
            p.max = std::max(p.max, static_cast<double>(v));
            if (v == 0.0f)
                ++p.zero;
        }
    }
    if (finite == 0)
        return;
    Moments c;
    c.n = static_cast<double>(finite);
    c.mean = sum / c.n;
    for (std::size_t i = 0; i < n; ++i) {
        const float v = x[i];
        if (!std::isfinite(v))
            continue;
        const double d = v - c.mean, d2 = d * d;
        c.m2 += d2;
        c.m3 += d2 * d;
        c.m4 += d2 * d2;
    }
    p.moments.merge(c);
}

} // namespace

Result<TensorStats> computeTensorStats(const TensorView &t, const StatsOptions &opt, std::stop_token stop)
{
    const auto &tr = dtypeTraits(t.dtype);
    if (!tr.toFloat && !t.decoder)
        return makeError(ErrorCode::Unsupported, t.name + ": statistics need an fp32 conversion for dtype " + std::string(tr.name));
    TensorStats s;
    s.count = t.numel();
    const std::int64_t rows = t.shape.empty() ? 1 : t.rows();
    const std::int64_t cols = t.cols();
    if (s.count == 0)
        return s;
    if (cols % tr.blockSize != 0)
        return makeError(ErrorCode::Unsupported, t.name + ": rows of " + std::to_string(cols) + " elements split " + std::string(tr.name) + " blocks");

    std::vector<float> rowAbsmax(static_cast<std::size_t>(rows), 0.0f);
    Partial total;
    std::mutex mergeMutex;
    std::atomic<bool> failed{false};
    // Rows per chunk: about 1 Mi elements, at least one row.
    const std::int64_t chunkRows = std::max<std::int64_t>(1, (std::int64_t(1) << 20) / std::max<std::int64_t>(cols, 1));
    const std::int64_t nChunks = (rows + chunkRows - 1) / chunkRows;
    const std::uint64_t rowBytes = static_cast<std::uint64_t>(cols) / tr.blockSize * tr.blockBytes;

    parallelFor(nChunks, [&](std::int64_t c0, std::int64_t c1) {
        Partial local;
        std::vector<float> buf;
        for (std::int64_t c = c0; c < c1 && !failed.load(std::memory_order_relaxed); ++c) {
            if (stop.stop_requested()) {
                failed = true;
                break;
            }
            const std::int64_t r0 = c * chunkRows, r1 = std::min(rows, r0 + chunkRows);
            buf.resize(static_cast<std::size_t>((r1 - r0) * cols));
            if (!t.rowsToFloat(buf.data(), r0, r1 - r0)) {
                failed = true;
                break;
            }
            for (std::int64_t r = r0; r < r1; ++r) {
                const float *row = buf.data() + (r - r0) * cols;
                float am = 0.0f;
                for (std::int64_t i = 0; i < cols; ++i)
                    if (std::isfinite(row[i]))
                        am = std::max(am, std::fabs(row[i]));
                rowAbsmax[static_cast<std::size_t>(r)] = am;
            }
            accumulateChunk(buf.data(), buf.size(), local);
            if (opt.reclaimPages && t.data)
                adviseReclaimRange(t.data + static_cast<std::uint64_t>(r0) * rowBytes, static_cast<std::size_t>(static_cast<std::uint64_t>(r1 - r0) * rowBytes));
        }
        std::lock_guard lock(mergeMutex);
        total.moments.merge(local.moments);
        total.nan += local.nan;
        total.inf += local.inf;
        total.zero += local.zero;
        total.min = std::min(total.min, local.min);
        total.max = std::max(total.max, local.max);
    }, opt.threads);

    if (stop.stop_requested())
        return makeError(ErrorCode::Cancelled, t.name + ": statistics cancelled");
    if (failed)
        return makeError(ErrorCode::Internal, t.name + ": could not convert the tensor's rows");

    s.nanCount = total.nan;
    s.infCount = total.inf;
    s.zeroCount = total.zero;
    s.finiteCount = static_cast<std::uint64_t>(total.moments.n);
    s.zeroFraction = static_cast<double>(s.zeroCount) / static_cast<double>(s.count);
    if (s.finiteCount > 0) {
        const Moments &m = total.moments;
        s.min = total.min;
        s.max = total.max;
        s.mean = m.mean;
        const double var = m.m2 / m.n;
        s.std = std::sqrt(var);
        s.absmax = std::max(std::fabs(s.min), std::fabs(s.max));
        if (var > 0) {
            s.excessKurtosis = (m.m4 / m.n) / (var * var) - 3.0;
            s.absmaxOverStd = s.absmax / s.std;
        }
    }
    // Outlier channels: largest row absmax over the median row absmax.
    const auto best = std::max_element(rowAbsmax.begin(), rowAbsmax.end());
    s.maxChannel = best - rowAbsmax.begin();
    std::vector<float> sorted = rowAbsmax;
    const auto mid = sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2);
    std::nth_element(sorted.begin(), mid, sorted.end());
    const double median = *mid;
    s.maxChannelRatio = median > 0 ? static_cast<double>(*best) / median : 0.0;
    if (opt.keepChannelAbsmax)
        s.channelAbsmax = std::move(rowAbsmax);
    return s;
}

Json tensorStatsJson(const TensorStats &s)
{
    Json j = Json::object();
    j["min"] = Json(s.min);
    j["max"] = Json(s.max);
    j["mean"] = Json(s.mean);
    j["std"] = Json(s.std);
    j["excess_kurtosis"] = Json(s.excessKurtosis);
    j["absmax_over_std"] = Json(s.absmaxOverStd);
    j["zero_fraction"] = Json(s.zeroFraction);
    j["max_channel_absmax_ratio"] = Json(s.maxChannelRatio);
    j["max_channel"] = Json(static_cast<long long>(s.maxChannel));
    j["nan_count"] = Json(static_cast<unsigned long long>(s.nanCount));
    j["inf_count"] = Json(static_cast<unsigned long long>(s.infCount));
    return j;
}

} // namespace lowbit
