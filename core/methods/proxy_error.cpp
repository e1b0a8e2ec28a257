// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/proxy_error.h"

#include "core/methods/omp_team.h"

#include <Eigen/Core>

#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

namespace lowbit {

namespace {

/// Σ_r aᵣ H aᵣᵀ with aᵣ = (x − y)ᵣ (y may be null: aᵣ = xᵣ), H symmetric, in double: panels of
/// rows against the upper block triangle of H as Eigen products,
/// a H aᵀ = Σ_J a_J·(H_JJ a_Jᵀ + 2·H_{<J,J}ᵀ a_{<J}ᵀ) — cols²/2 multiply-adds per row like the
/// plain loop, but vectorized and cache-blocked. Panels go to an OpenMP team (Eigen runs
/// single-threaded inside it); the panels' sums are added in panel order, so the result does
/// not depend on the thread count.
double quadratic(const float *x, const float *y, std::int64_t rows, std::int64_t cols, const double *h)
{
    using RowMatrixD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    constexpr std::int64_t kPanel = 64, kBlock = 256;
    const std::int64_t panels = (rows + kPanel - 1) / kPanel;
    const Eigen::Map<const RowMatrixD> hm(h, cols, cols);
    std::vector<double> sums(static_cast<std::size_t>(panels), 0.0);
    std::atomic<std::int64_t> next{0};
    runOmpTeam(static_cast<unsigned>(std::min<std::int64_t>(defaultThreadCount(), panels)), [&](int, int) {
        RowMatrixD a, p;
        for (std::int64_t panel = next++; panel < panels; panel = next++) {
            const std::int64_t r0 = panel * kPanel, n = std::min(kPanel, rows - r0);
            a.resize(n, cols);
            for (std::int64_t r = 0; r < n; ++r)
                for (std::int64_t c = 0; c < cols; ++c) {
                    const std::int64_t i = (r0 + r) * cols + c;
                    a(r, c) = y ? static_cast<double>(x[i]) - static_cast<double>(y[i]) : static_cast<double>(x[i]);
                }
            double s = 0;
            for (std::int64_t j0 = 0; j0 < cols; j0 += kBlock) {
                const std::int64_t bj = std::min(kBlock, cols - j0);
                p.noalias() = a.middleCols(j0, bj) * hm.block(j0, j0, bj, bj);
                if (j0 > 0)
                    p.noalias() += 2.0 * (a.leftCols(j0) * hm.block(0, j0, j0, bj));
                s += (p.array() * a.middleCols(j0, bj).array()).sum();
            }
            sums[static_cast<std::size_t>(panel)] = s;
        }
    });
    double total = 0;
    for (const double s : sums)
        total += s;
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
