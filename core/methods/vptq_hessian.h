// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The second-order factor VPTQ's error feedback needs (algorithms.md, GPTQ steps 1 and 3): the
/// upper Cholesky factor U of (H_p + λ·mean(diag H_p)·I)⁻¹, where H_p is H with rows and columns
/// in processing order and dead inputs (H_ii = 0) get H_ii = 1.

#include "core/util/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit {

/// h: cols × cols row-major (symmetric, finite); order[p] = original column processed at position p.
/// Returns U (cols × cols, row-major, fp32, zero below the diagonal) with (H_p + damping)⁻¹ = UᵀU.
/// Computed as U = J·L⁻¹·J from the Cholesky factor L of J·H_p·J (J reverses the order), which
/// needs one factorization and one triangular inverse instead of GPTQ's three steps.
/// Errors: InvalidArgument when H_p + damping is not positive definite (a singular Hessian with
/// damping 0, or one that is not a Gram matrix), naming `name`.
Result<std::vector<float>> inverseCholeskyUpper(const double *h, std::int64_t cols, const std::vector<std::int64_t> &order, double damp,
                                                const std::string &name);

} // namespace lowbit
