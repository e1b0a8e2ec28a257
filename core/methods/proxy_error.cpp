// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/proxy_error.h"

#include "core/methods/omp_team.h"

#include <Eigen/Core>
#include <oneapi/dnnl/dnnl.h>

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

/// The same sum for wide layers (≥ kWideCols inputs): the products run in fp32 through oneDNN's
/// sgemm (JIT for the CPU at hand, multithreaded), the final dot products in double. A 4096-input
/// layer costs rows·cols² fp32 multiply-adds (about 1 s per 4096×4096 quadratic on two cores,
/// against ~6 s in fp64); the relative error of the result stays ~1e-5 — ample for a report.
/// Returns NaN when oneDNN refuses (the caller then uses the fp64 path).
double quadraticWide(const float *x, const float *y, std::int64_t rows, std::int64_t cols, const double *h)
{
    constexpr std::int64_t kPanel = 256;
    std::vector<float> hf(static_cast<std::size_t>(cols * cols));
    for (std::size_t i = 0; i < hf.size(); ++i)
        hf[i] = static_cast<float>(h[i]);
    std::vector<float> a, p;
    double total = 0;
    for (std::int64_t r0 = 0; r0 < rows; r0 += kPanel) {
        const std::int64_t n = std::min(kPanel, rows - r0);
        a.resize(static_cast<std::size_t>(n * cols));
        p.resize(a.size());
        for (std::int64_t i = 0; i < n * cols; ++i) {
            const std::int64_t k = r0 * cols + i;
            a[static_cast<std::size_t>(i)] = y ? x[k] - y[k] : x[k];
        }
        if (dnnl_sgemm('N', 'N', n, cols, cols, 1.0f, a.data(), cols, hf.data(), cols, 0.0f, p.data(), cols) != dnnl_success)
            return std::numeric_limits<double>::quiet_NaN();
        double s = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            s += static_cast<double>(a[i]) * static_cast<double>(p[i]);
        total += s;
    }
    return total;
}

constexpr std::int64_t kWideCols = 1024;

double quadraticAuto(const float *x, const float *y, std::int64_t rows, std::int64_t cols, const double *h)
{
    if (cols >= kWideCols) {
        const double v = quadraticWide(x, y, rows, cols, h);
        if (!std::isnan(v))
            return v;
    }
    return quadratic(x, y, rows, cols, h);
}

} // namespace

double hessianQuadratic(const float *a, std::int64_t rows, std::int64_t cols, const double *h)
{
    return quadraticAuto(a, nullptr, rows, cols, h);
}

double proxyError(const float *w, const float *wq, std::int64_t rows, std::int64_t cols, const double *h)
{
    const double den = quadraticAuto(w, nullptr, rows, cols, h);
    if (!(den > 0))
        return std::numeric_limits<double>::quiet_NaN();
    return quadraticAuto(w, wq, rows, cols, h) / den;
}

} // namespace lowbit
