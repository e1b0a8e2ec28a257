// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/jobs/run_record.h"

#include <algorithm>
#include <numeric>

namespace lowbit::studio {

void summarizeRun(RunRecord &r)
{
    double mse = 0, proxy = 0, bits = 0, weights = 0, proxyWeights = 0;
    for (const LayerOutcome &l : r.outcome.layers) {
        if (l.skipped)
            continue;
        const double n = static_cast<double>(l.rows) * static_cast<double>(l.cols);
        mse += l.report.weightRelMse * n;
        bits += l.report.bitsPerWeight * n;
        weights += n;
        if (std::isfinite(l.report.proxyError)) {
            proxy += l.report.proxyError * n;
            proxyWeights += n;
        }
    }
    r.relativeMse = weights > 0 ? mse / weights : 0.0;
    r.averageBpw = r.outcome.averageBpw > 0 ? r.outcome.averageBpw : (weights > 0 ? bits / weights : 0.0);
    r.proxyError = proxyWeights > 0 ? proxy / proxyWeights : std::numeric_limits<double>::quiet_NaN();
}

std::map<int, double> perLayerError(const RunRecord &r, bool proxy)
{
    std::map<int, std::pair<double, double>> sums;
    for (const LayerOutcome &l : r.outcome.layers) {
        const double v = proxy ? l.report.proxyError : l.report.weightRelMse;
        if (l.skipped || !std::isfinite(v))
            continue;
        const double n = static_cast<double>(l.rows) * static_cast<double>(l.cols);
        auto &[sum, weight] = sums[l.layer < 0 ? -1 : l.layer];
        sum += v * n;
        weight += n;
    }
    std::map<int, double> out;
    for (const auto &[layer, s] : sums)
        out[layer] = s.second > 0 ? s.first / s.second : 0.0;
    return out;
}

std::vector<int> paretoFront(const std::vector<std::pair<double, double>> &points)
{
    std::vector<int> order(points.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const auto &pa = points[static_cast<std::size_t>(a)], &pb = points[static_cast<std::size_t>(b)];
        return pa.first != pb.first ? pa.first < pb.first : pa.second < pb.second;
    });
    std::vector<int> front;
    double best = std::numeric_limits<double>::infinity();
    for (const int i : order) {
        const auto &[bpw, err] = points[static_cast<std::size_t>(i)];
        if (!std::isfinite(bpw) || !std::isfinite(err))
            continue;
        if (err < best) { // strictly better error than every cheaper-or-equal point
            front.push_back(i);
            best = err;
        }
    }
    return front;
}

} // namespace lowbit::studio
