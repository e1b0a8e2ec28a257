// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Row concatenation of packed tensors: [a; b] as one PackedTensor, for engines that run two
/// linears of the same input as one (a model's gate and up projections: one GEMV instead of two).

#include "core/quant/packed_tensor.h"
#include "core/util/result.h"

namespace lowbit {

/// Whether a and b decode by the same rule, so that their rows can share one tensor: the same
/// columns, code layout, value tables, group size (not per-tensor, whose one scale each has its
/// own), scale storage, zero-point and selector widths, and tensor scale.
bool rowsConcatenable(const PackedTensor &a, const PackedTensor &b);

/// The rows of a, then those of b: codes, scales, second scales, zero points and selectors in
/// their storage layouts, so that row r of the result decodes exactly as row r of a (r < a.rows)
/// or row r − a.rows of b. Errors: InvalidArgument when !rowsConcatenable(a, b) or an array does
/// not match its tensor's shape.
Result<PackedTensor> concatRows(const PackedTensor &a, const PackedTensor &b);

} // namespace lowbit
