// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Weight-error measures of docs/algorithms.md (double accumulation, element order) and the
/// code-usage histogram of a quantized matrix.

#include "core/formats/reference.h"

#include <cstdint>
#include <vector>

namespace lowbit::formats {

struct ErrorStats {
    double mse = 0.0;     ///< mean (x − x̂)²
    double relMse = 0.0;  ///< ‖x − x̂‖² / ‖x‖² (0 when ‖x‖ = 0 and x̂ = x)
    double sqnrDb = 0.0;  ///< 10·log10(‖x‖² / ‖x − x̂‖²); +Inf when exact
    double maxAbs = 0.0;  ///< max |x − x̂|
    double cosine = 0.0;  ///< x·x̂ / (‖x‖‖x̂‖) (1 when both are 0)
    std::int64_t count = 0; ///< elements measured (pairs with a non-finite value are skipped)
};

/// Compares x[0..n) with its approximation xh. w: optional per-element importance weights
/// (nullptr = 1), applied to every sum. Pairs where x or x̂ is not finite are skipped.
ErrorStats measureError(const float *x, const float *xh, std::int64_t n, const float *w = nullptr);

/// How often each code value occurs (size 2^codeBits).
std::vector<std::uint64_t> codeHistogram(const QuantizedMatrix &q);

} // namespace lowbit::formats
