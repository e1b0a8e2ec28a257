// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/proxy_error.h"

#include "core/util/parallel.h"

#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

namespace lowbit {

namespace {

/// Σ_r aᵣ H aᵣᵀ with aᵣ = (x − y)ᵣ (y may be null: aᵣ = xᵣ), rows in parallel, H symmetric:
/// each row costs cols² / 2 multiply-adds through the upper triangle.
double quadratic(const float *x, const float *y, std::int64_t rows, std::int64_t cols, const double *h)
{
    std::mutex mu;
    double total = 0;
    parallelFor(
        rows,
        [&](std::int64_t b, std::int64_t e) {
            std::vector<double> a(static_cast<std::size_t>(cols));
            double local = 0;
            for (std::int64_t r = b; r < e; ++r) {
                const float *xr = x + r * cols;
                const float *yr = y ? y + r * cols : nullptr;
                for (std::int64_t i = 0; i < cols; ++i)
                    a[static_cast<std::size_t>(i)] = yr ? static_cast<double>(xr[i]) - static_cast<double>(yr[i]) : xr[i];
                double s = 0;
                for (std::int64_t i = 0; i < cols; ++i) {
                    const double ai = a[static_cast<std::size_t>(i)];
                    if (ai == 0)
                        continue;
                    const double *hi = h + i * cols;
                    double acc = 0.5 * hi[i] * ai;
                    for (std::int64_t j = i + 1; j < cols; ++j)
                        acc += hi[j] * a[static_cast<std::size_t>(j)];
                    s += 2 * ai * acc;
                }
                local += s;
            }
            std::lock_guard lock(mu);
            total += local;
        },
        0, 8);
    return total;
}

} // namespace

double hessianQuadratic(const float *a, std::int64_t rows, std::int64_t cols, const double *h)
{
    return quadratic(a, nullptr, rows, cols, h);
}

double proxyError(const float *w, const float *wq, std::int64_t rows, std::int64_t cols, const double *h)
{
    const double den = quadratic(w, nullptr, rows, cols, h);
    if (!(den > 0))
        return std::numeric_limits<double>::quiet_NaN();
    return quadratic(w, wq, rows, cols, h) / den;
}

} // namespace lowbit
