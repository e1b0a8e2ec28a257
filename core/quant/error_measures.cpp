// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/error_measures.h"

#include <cmath>
#include <limits>

namespace lowbit {

ErrorStats measureError(const float *w, const float *q, std::int64_t n, const float *importance)
{
    ErrorStats e;
    double dot = 0, qq = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(w[i]) || !std::isfinite(q[i])) {
            ++e.skipped;
            continue;
        }
        const double a = w[i], b = q[i], d = a - b, imp = importance ? importance[i] : 1.0;
        e.sumSquaredError += imp * d * d;
        e.sumSquaredSignal += imp * a * a;
        e.maxAbsError = std::max(e.maxAbsError, std::fabs(d));
        dot += a * b;
        qq += b * b;
        ++e.count;
    }
    if (e.count == 0)
        return e;
    e.mse = e.sumSquaredError / static_cast<double>(e.count);
    e.relativeMse = e.sumSquaredSignal > 0 ? e.sumSquaredError / e.sumSquaredSignal : 0.0;
    e.sqnrDb = e.sumSquaredError > 0 ? 10.0 * std::log10(e.sumSquaredSignal / e.sumSquaredError) : std::numeric_limits<double>::infinity();
    const double ww = importance ? 0.0 : e.sumSquaredSignal;
    double wNorm = ww;
    if (importance) { // cosine is unweighted
        for (std::int64_t i = 0; i < n; ++i)
            if (std::isfinite(w[i]) && std::isfinite(q[i]))
                wNorm += static_cast<double>(w[i]) * w[i];
    }
    e.cosine = (wNorm > 0 && qq > 0) ? dot / std::sqrt(wNorm * qq) : (wNorm == qq ? 1.0 : 0.0);
    return e;
}

std::vector<std::uint64_t> codeHistogram(const std::vector<std::uint8_t> &codes, unsigned bits)
{
    std::vector<std::uint64_t> h(std::size_t(1) << std::min(bits, 8u), 0);
    for (const auto c : codes)
        if (c < h.size())
            ++h[c];
    return h;
}

} // namespace lowbit
