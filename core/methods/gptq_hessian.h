// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The Hessian side of GPTQ (algorithms.md, steps 1–3): dead inputs, damping, the optional
/// act-order permutation and the upper Cholesky factor of the inverse Hessian, which is all the
/// column loop needs.
///
/// The factor is computed without forming H⁻¹: with J the reversal permutation, the lower
/// Cholesky factor L of J·H·J gives H = R·Rᵀ for the upper triangular R = J·L·J, so
/// H⁻¹ = R⁻ᵀ·R⁻¹ and U = R⁻¹ is the upper factor of H⁻¹ (unique with a positive diagonal).
/// One Cholesky and one triangular inverse instead of the reference's Cholesky, inverse and
/// second Cholesky; the same U up to rounding.

#include "core/util/result.h"

#include <cstdint>
#include <stop_token>
#include <string>
#include <vector>

namespace lowbit {

struct GptqHessian {
    std::int64_t n = 0;
    /// Processing position → original column (descending diag(H) with act-order, else identity).
    std::vector<std::int64_t> order;
    /// n × n row-major, in processing order: U with H⁻¹ = Uᵀ·U (upper triangular, positive
    /// diagonal), fp32 for the column updates.
    std::vector<float> hinv;
    /// Original columns whose input never fired (H_ii = 0): their weights are zeroed.
    std::vector<std::int64_t> deadColumns;
    double dampAdded = 0.0; ///< λ·mean(diag H) added to the diagonal
};

/// Prepares H (n × n, row-major, symmetric) for GPTQ: H_ii = 0 → H_ii = 1 (column reported
/// dead), H += damp·mean(diag H)·I, optional act-order, U = upper Cholesky factor of H⁻¹.
/// threads: OpenMP threads for the factorizations (0: all). Errors: InvalidArgument for a
/// negative or non-finite damp, NaN/Inf or a negative diagonal in H, and for an H that is not
/// positive definite even after damping (the message suggests a larger --damp); Cancelled when
/// `stop` is requested between the steps.
Result<GptqHessian> prepareGptqHessian(const double *h, std::int64_t n, double damp, bool actOrder, const std::string &name,
                                       unsigned threads = 0, std::stop_token stop = {});

} // namespace lowbit
