// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Output (proxy) error of a quantized layer (algorithms.md): tr(ΔW H ΔWᵀ) / tr(W H Wᵀ) with
/// ΔW = W − Ŵ and H the input Hessian (cols × cols, fp64). Equals ‖WX − ŴX‖² / ‖WX‖² for
/// H = X Xᵀ. Computed in double, multithreaded over rows; layers with ≥ 1024 inputs form the
/// products in fp32 (oneDNN sgemm) and sum them in double (relative error ~1e-5).

#include <cstdint>

namespace lowbit {

/// w, wq: rows × cols row-major; h: cols × cols row-major (symmetric). Returns NaN when the
/// denominator is zero.
double proxyError(const float *w, const float *wq, std::int64_t rows, std::int64_t cols, const double *h);

/// tr(A H Aᵀ) for one matrix (A rows × cols).
double hessianQuadratic(const float *a, std::int64_t rows, std::int64_t cols, const double *h);

} // namespace lowbit
