// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/gptq_hessian.h"

#include "core/methods/omp_team.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lowbit {

namespace {

using MatrixXd = Eigen::MatrixXd;

constexpr Eigen::Index kStrip = 128;

/// In-place lower Cholesky factor of the symmetric a (only its lower triangle is read or
/// meaningful afterwards), blocked right-looking: per panel of kStrip columns the diagonal block
/// by Eigen's LLT and the panel below by a triangular solve; the trailing update
/// A22 −= A21·A21ᵀ (nearly all the work) as GEMMs on column strips of the lower triangle, dealt
/// round-robin to the OpenMP team. Returns false when a pivot is not positive.
bool choleskyLower(Eigen::Ref<MatrixXd> a, unsigned threads)
{
    const Eigen::Index n = a.rows();
    for (Eigen::Index k = 0; k < n; k += kStrip) {
        const Eigen::Index kb = std::min(kStrip, n - k), m = n - k - kb;
        Eigen::Ref<MatrixXd> a11 = a.block(k, k, kb, kb);
        const Eigen::LLT<Eigen::Ref<MatrixXd>, Eigen::Lower> diag(a11);
        if (diag.info() != Eigen::Success)
            return false;
        if (m == 0)
            break;
        auto a21 = a.block(k + kb, k, m, kb);
        a11.adjoint().triangularView<Eigen::Upper>().solveInPlace<Eigen::OnTheRight>(a21); // A21·L11⁻ᵀ
        const Eigen::Index strips = (m + kStrip - 1) / kStrip;
        runOmpTeam(threads, [&](int member, int members) {
            for (Eigen::Index s = member; s < strips; s += members) {
                const Eigen::Index j = s * kStrip, w = std::min(kStrip, m - j);
                a.block(k + kb + j, k + kb + j, m - j, w).noalias() -= a21.bottomRows(m - j) * a21.middleRows(j, w).transpose();
            }
        });
    }
    return true;
}

/// X = L⁻¹ for a lower triangular L (only its lower triangle is read): recursive halves whose
/// off-diagonal block X21 = −X22·(L21·X11) is two products that skip the triangles' zeros
/// (≈ n³/3 multiply-adds in all), in strips dealt round-robin to the OpenMP team.
void invertLower(const Eigen::Ref<const MatrixXd> &l, Eigen::Ref<MatrixXd> x, unsigned threads)
{
    const Eigen::Index n = l.rows();
    if (n <= 192) {
        x.setIdentity();
        l.triangularView<Eigen::Lower>().solveInPlace(x);
        return;
    }
    const Eigen::Index h = (n / 2 + 63) / 64 * 64; // block boundaries on 64 columns
    invertLower(l.topLeftCorner(h, h), x.topLeftCorner(h, h), threads);
    invertLower(l.bottomRightCorner(n - h, n - h), x.bottomRightCorner(n - h, n - h), threads);
    const auto l21 = l.bottomLeftCorner(n - h, h);
    const auto x11 = x.topLeftCorner(h, h);
    const auto x22 = x.bottomRightCorner(n - h, n - h);
    MatrixXd t(n - h, h);
    const Eigen::Index tStrips = (h + kStrip - 1) / kStrip, xStrips = (n - h + kStrip - 1) / kStrip;
    runOmpTeam(threads, [&](int member, int members) { // t = L21·X11 by column strips (X11 is zero above its diagonal)
        for (Eigen::Index s = member; s < tStrips; s += members) {
            const Eigen::Index c = s * kStrip, w = std::min(kStrip, h - c);
            t.middleCols(c, w).noalias() = l21.rightCols(h - c) * x11.block(c, c, h - c, w);
        }
    });
    auto x21 = x.bottomLeftCorner(n - h, h);
    runOmpTeam(threads, [&](int member, int members) { // X21 = −X22·t by row strips (X22 is zero right of its diagonal)
        for (Eigen::Index s = member; s < xStrips; s += members) {
            const Eigen::Index r = s * kStrip, w = std::min(kStrip, n - h - r);
            x21.middleRows(r, w).noalias() = -(x22.block(r, 0, w, r + w) * t.topRows(r + w));
        }
    });
    x.topRightCorner(h, n - h).setZero();
}

/// Sets the calling thread's OpenMP team size (Eigen's products follow it) for a scope.
class ScopedOmpThreads {
public:
    explicit ScopedOmpThreads(unsigned threads) : m_saved(omp_get_max_threads())
    {
        if (threads > 0)
            omp_set_num_threads(static_cast<int>(threads));
    }
    ~ScopedOmpThreads() { omp_set_num_threads(m_saved); }
    ScopedOmpThreads(const ScopedOmpThreads &) = delete;
    ScopedOmpThreads &operator=(const ScopedOmpThreads &) = delete;

private:
    int m_saved;
};

} // namespace

Result<GptqHessian> prepareGptqHessian(const double *h, std::int64_t n, double damp, bool actOrder, const std::string &name,
                                       unsigned threads, std::stop_token stop)
{
    if (!h || n <= 0)
        return makeError(ErrorCode::InvalidArgument, name + ": empty Hessian");
    if (!std::isfinite(damp) || damp < 0)
        return makeError(ErrorCode::InvalidArgument, name + ": GPTQ damping must be a finite number ≥ 0 (got " +
                                                         std::to_string(damp) + ")");
    const auto un = static_cast<std::size_t>(n);
    for (std::size_t i = 0; i < un * un; ++i)
        if (!std::isfinite(h[i]))
            return makeError(ErrorCode::InvalidArgument, name + ": calibration Hessian contains NaN or Inf");

    GptqHessian out;
    out.n = n;
    std::vector<double> diag(un);
    for (std::size_t i = 0; i < un; ++i) {
        diag[i] = h[i * un + i];
        if (diag[i] < 0)
            return makeError(ErrorCode::InvalidArgument, name + ": calibration Hessian has a negative diagonal entry at " +
                                                             std::to_string(i));
        if (diag[i] == 0) {
            diag[i] = 1.0; // dead input: its weights are zeroed, the column is quantized to 0
            out.deadColumns.push_back(static_cast<std::int64_t>(i));
        }
    }
    out.order.resize(un);
    std::iota(out.order.begin(), out.order.end(), std::int64_t{0});
    if (actOrder)
        std::stable_sort(out.order.begin(), out.order.end(),
                         [&](std::int64_t a, std::int64_t b) { return diag[static_cast<std::size_t>(a)] > diag[static_cast<std::size_t>(b)]; });
    out.dampAdded = damp * std::accumulate(diag.begin(), diag.end(), 0.0) / static_cast<double>(n);

    // B = J·P·H·Pᵀ·J (reversed processing order), dead diagonals and damping applied. Only the
    // lower triangle is read by the factorization.
    const Eigen::Index en = static_cast<Eigen::Index>(n);
    MatrixXd b(en, en);
    for (Eigen::Index j = 0; j < en; ++j) {
        const auto cj = static_cast<std::size_t>(out.order[un - 1 - static_cast<std::size_t>(j)]);
        for (Eigen::Index i = j; i < en; ++i) {
            const auto ci = static_cast<std::size_t>(out.order[un - 1 - static_cast<std::size_t>(i)]);
            b(i, j) = i == j ? diag[ci] + out.dampAdded : h[cj * un + ci]; // symmetric: read along a row
        }
    }
    if (stop.stop_requested())
        return makeError(ErrorCode::Cancelled, name + ": cancelled");

    const ScopedOmpThreads team(threads);
    const bool factored = choleskyLower(b, threads); // in place: b's lower triangle becomes L
    const auto notPd = [&] {
        return makeError(ErrorCode::InvalidArgument,
                         name + ": the Hessian is not positive definite even after damping " + std::to_string(damp) +
                             " (rank-deficient calibration data: too few or repeated tokens); retry with a larger --damp, e.g. " +
                             std::to_string(std::max(0.01, damp * 10)));
    };
    if (!factored)
        return notPd();
    // Numerically singular counts as not positive definite: a pivot (a Schur complement's
    // diagonal) at rounding level relative to the largest diagonal would blow U up.
    double maxDiag = 0.0;
    for (const double d : diag)
        maxDiag = std::max(maxDiag, d + out.dampAdded);
    const double tolerance = maxDiag * static_cast<double>(n) * 16.0 * std::numeric_limits<double>::epsilon();
    for (Eigen::Index i = 0; i < en; ++i)
        if (!std::isfinite(b(i, i)) || !(b(i, i) * b(i, i) > tolerance))
            return notPd();
    if (stop.stop_requested())
        return makeError(ErrorCode::Cancelled, name + ": cancelled");

    MatrixXd linv(en, en);
    invertLower(b, linv, threads);
    // U = R⁻¹ = J·L⁻¹·J, written row-major in fp32.
    out.hinv.assign(un * un, 0.0f);
    for (std::size_t i = 0; i < un; ++i)
        for (std::size_t j = i; j < un; ++j) {
            const double v = linv(static_cast<Eigen::Index>(un - 1 - i), static_cast<Eigen::Index>(un - 1 - j));
            if (!std::isfinite(v))
                return notPd();
            out.hinv[i * un + j] = static_cast<float>(v);
        }
    for (std::size_t i = 0; i < un; ++i)
        if (!(out.hinv[i * un + i] > 0.0f))
            return notPd();
    return out;
}

} // namespace lowbit
