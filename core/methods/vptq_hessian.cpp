// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/vptq_hessian.h"

#include <Eigen/Cholesky>
#include <Eigen/Dense>

#include <cmath>

namespace lowbit {

Result<std::vector<float>> inverseCholeskyUpper(const double *h, std::int64_t n, const std::vector<std::int64_t> &order, double damp,
                                                const std::string &name)
{
    const auto col = [&](std::int64_t p) { return static_cast<std::size_t>(order[static_cast<std::size_t>(p)]); };
    const auto un = static_cast<std::size_t>(n);
    // R = J·H_p·J: R(i, j) = H_p(n−1−i, n−1−j).
    Eigen::MatrixXd r(n, n);
    for (std::int64_t j = 0; j < n; ++j)
        for (std::int64_t i = 0; i < n; ++i)
            r(i, j) = h[col(n - 1 - i) * un + col(n - 1 - j)];
    double mean = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        if (r(i, i) == 0)
            r(i, i) = 1; // dead input: its weights do not affect the output
        mean += r(i, i);
    }
    mean /= static_cast<double>(n);
    double maxDiag = 0;
    for (std::int64_t i = 0; i < n; ++i) {
        r(i, i) += damp * mean;
        maxDiag = std::max(maxDiag, r(i, i));
    }
    const std::string advice = " (damping " + std::to_string(damp) + "; raise it, or calibrate on more tokens)";
    Eigen::LLT<Eigen::Ref<Eigen::MatrixXd>> llt(r); // in place: r's lower triangle becomes L
    if (llt.info() != Eigen::Success)
        return makeError(ErrorCode::InvalidArgument, name + ": calibration Hessian is singular or not positive definite" + advice);
    for (std::int64_t i = 0; i < n; ++i) {
        const double p = r(i, i);
        if (!(p * p > 1e-12 * maxDiag))
            return makeError(ErrorCode::InvalidArgument, name + ": calibration Hessian is singular" + advice);
    }
    Eigen::MatrixXd inv = Eigen::MatrixXd::Identity(n, n);
    r.triangularView<Eigen::Lower>().solveInPlace(inv); // L⁻¹ (lower)
    std::vector<float> u(un * un, 0.0f);
    for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t j = i; j < n; ++j) {
            const double v = inv(n - 1 - i, n - 1 - j); // U = J·L⁻¹·J is upper
            if (!std::isfinite(v))
                return makeError(ErrorCode::InvalidArgument, name + ": calibration Hessian is numerically singular" + advice);
            u[static_cast<std::size_t>(i) * un + static_cast<std::size_t>(j)] = static_cast<float>(v);
        }
    return u;
}

} // namespace lowbit
