// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Quantization error measures (algorithms.md): MSE, relative MSE ‖W−Ŵ‖²/‖W‖², SQNR in dB,
/// max |error| and cosine similarity, accumulated in double; optional per-element importance
/// weights (Hessian diagonal, activation magnitudes) weight the squared errors. Non-finite
/// originals are skipped and counted.

#include <cstdint>
#include <vector>

namespace lowbit {

struct ErrorStats {
    double mse = 0, relativeMse = 0, sqnrDb = 0, maxAbsError = 0, cosine = 0;
    std::uint64_t count = 0, skipped = 0;
    double sumSquaredError = 0, sumSquaredSignal = 0; ///< for combining tensors
};

ErrorStats measureError(const float *original, const float *quantized, std::int64_t n, const float *importance = nullptr);

/// How often each code is used (size 2^bits).
std::vector<std::uint64_t> codeHistogram(const std::vector<std::uint8_t> &codes, unsigned bits);

} // namespace lowbit
