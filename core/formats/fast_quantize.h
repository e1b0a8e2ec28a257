// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Fast whole-matrix quantize/dequantize: vectorized (AVX2 with run-time dispatch, or portable)
/// and multithreaded, bit-identical to quantizeRef/dequantizeRef (codes, scales, second
/// scales, selectors, tensor scale and dequantized floats).

#include "core/formats/reference.h"

namespace lowbit::formats {

enum class SimdPath : std::uint8_t { Auto, Portable };

struct FastOptions {
    unsigned threads = 0;           ///< 0 = hardware concurrency
    SimdPath simd = SimdPath::Auto; ///< Portable forces the C++ kernels (tests, comparisons)
};

/// "avx2" or "portable": what Auto picks on this machine.
const char *fastPathName();

/// As quantizeRef. Errors: InvalidArgument for a bad shape.
Result<QuantizedMatrix> quantizeFast(const FormatSpec &spec, const float *x, std::int64_t rows, std::int64_t cols,
                                     const float *importance = nullptr, FastOptions options = {});
/// As dequantizeRef into out[rows·cols].
void dequantizeFast(const QuantizedMatrix &q, float *out, FastOptions options = {});

} // namespace lowbit::formats
