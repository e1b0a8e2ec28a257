// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// GPTQ (algorithms.md): second-order, column-by-column quantization with error feedback through
/// the upper Cholesky factor U of the damped inverse Hessian, for every scalar format of the
/// registry (INT, INT-asym, FP, AFPQ -asym, NF, BitMoD and mix: mixtures, lut:, MX, NVFP4, q4_0)
/// and every group layout (group size, per channel, per tensor).
///
/// What it does, in order:
///  1. dead inputs (H_ii = 0): H_ii = 1 and W[:, i] = 0; damping H += λ·mean(diag H)·I
///     (GptqOptions::damp); optional act-order (columns by descending diag H) with static groups
///     (group boundaries stay in the original column order, so the packed format is unchanged);
///     U = upper Cholesky factor of H⁻¹ (gptq_hessian.h). Not positive definite → an error that
///     suggests a larger --damp.
///  2. Blocks of B = blockSize columns in processing order. Within a block, column q of every row
///     is coded with its group's parameters, err = (w_q − ŵ_q)/U_qq, and the rest of the block
///     gets w −= err·U[q, q+1:end] (lazy updates); after the block one GEMM applies
///     W[:, end:] −= E·U[block, end:]. Rows are independent given U, so the rows are split over
///     the OpenMP team and each member runs the whole loop on its rows (no synchronization).
///  3. A group's parameters (chooseGroupParams: scale(s); for mixtures the member/selector) are
///     fixed when the group's first column is reached, from
///       - GroupParamsSource::BlockStart (default, the reference GPTQ code): the group's weights as
///         of the start of the current block, i.e. without that block's lazy updates;
///       - GroupParamsSource::Updated: the fully updated weights at that moment (columns beyond
///         the block get the block's pending updates added for the purpose).
///     Per channel and per tensor the group starts at the first column, before any update, so
///     both modes agree. NVFP4's tensor scale is nvfp4TensorScale of the original weights.
///     With act-order the reference's static groups take parameters from the original weights;
///     here they follow the same rule as without act-order (the two modes above).
/// Progress is reported once per block; the stop token is checked per block (Cancelled).

#include "core/methods/method.h"

namespace lowbit {

/// GPTQ on one layer. Needs calibration statistics. Errors: InvalidArgument for a bad layer
/// input (checkLayerInput), NaN/Inf in H, a non-positive-definite H after damping, bad options
/// (damp < 0, blockSize < 1, act-order without static groups on grouped formats, whose
/// permuted groups the packed format cannot store); Cancelled.
Result<QuantizedLayer> runGptq(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                               const LayerProgressFn &progress, std::stop_token stop);

} // namespace lowbit
