// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The fast paths at the level of a FormatSpec (format.h): resolve the plan once, quantize a
/// whole matrix (AVX2 or portable, multithreaded), straight into a PackedTensor if wanted.

#include "core/quant/fast_quantize.h"
#include "core/quant/format.h"
#include "core/quant/packed_tensor.h"
#include "core/quant/quantize_ref.h"
#include "core/util/result.h"

#include <cstdint>

namespace lowbit {

/// planForSpec plus the packing hints: FP6 grids (E3M2, E2M3, alone or as MX elements) are
/// marked for the 4+2 bit-plane layout. Errors: those of planForSpec.
Result<FastPlan> fastPlanFor(const FormatSpec &spec);

/// Quantizes w (rows × cols fp32, row-major). importance: optional per-element weights of the
/// squared error that picks mixture members. threads = 0: all hardware threads.
Result<FastQuantized> quantizeFast(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                                   const float *importance = nullptr, unsigned threads = 0);

/// quantizeFast then pack.
Result<PackedTensor> quantizePackedFast(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                                        const float *importance = nullptr, unsigned threads = 0);

/// Dequantizes a whole packed tensor (rows·cols floats into out), rows in parallel.
Status dequantizeFast(const PackedTensor &p, float *out, unsigned threads = 0);

/// The fast result as the reference's QuantizedMatrix (same fields, spec attached).
QuantizedMatrix toQuantizedMatrix(const FastQuantized &q, const FormatSpec &spec);
/// quantizeFast returning the reference's type; bit-identical to quantizeRef.
Result<QuantizedMatrix> quantizeFastMatrix(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                                           const float *importance = nullptr, unsigned threads = 0);
/// Packs a QuantizedMatrix (from quantizeRef or the fast path). Errors: those of pack().
Result<PackedTensor> pack(const QuantizedMatrix &q);
/// Unpacks into the reference's type (spec = p.spec). Errors: those of unpack().
Result<QuantizedMatrix> unpackMatrix(const PackedTensor &p);

} // namespace lowbit
