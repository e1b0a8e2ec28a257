// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/error_measures.h"

#include <cmath>
#include <limits>

namespace lowbit::formats {

ErrorStats measureError(const float *x, const float *xh, std::int64_t n, const float *w)
{
    double se = 0.0, sx = 0.0, sxh = 0.0, dot = 0.0, wsum = 0.0, maxAbs = 0.0;
    std::int64_t count = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(xh[i]))
            continue;
        const double a = x[i], b = xh[i], ww = w ? static_cast<double>(w[i]) : 1.0;
        const double d = a - b;
        se += ww * d * d;
        sx += ww * a * a;
        sxh += ww * b * b;
        dot += ww * a * b;
        wsum += ww;
        maxAbs = std::fmax(maxAbs, std::fabs(d));
        ++count;
    }
    ErrorStats s;
    s.count = count;
    s.maxAbs = maxAbs;
    s.mse = wsum > 0.0 ? se / wsum : 0.0;
    s.relMse = sx > 0.0 ? se / sx : (se > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
    s.sqnrDb = se > 0.0 ? 10.0 * std::log10(sx / se) : std::numeric_limits<double>::infinity();
    s.cosine = (sx > 0.0 && sxh > 0.0) ? dot / std::sqrt(sx * sxh) : (sx == sxh ? 1.0 : 0.0);
    return s;
}

std::vector<std::uint64_t> codeHistogram(const QuantizedMatrix &q)
{
    std::vector<std::uint64_t> h(std::size_t{1} << q.spec.format.codeBits, 0);
    for (const std::uint8_t c : q.codes)
        if (c < h.size())
            ++h[c];
    return h;
}

} // namespace lowbit::formats
