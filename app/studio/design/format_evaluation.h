// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Measures one format on one tensor: relative MSE, SQNR and exact bits per weight, plus what
/// the distribution view draws (dequantized histogram, the grid levels at a typical group's
/// scale, a per-group error heat map). Big tensors are measured on evenly spaced sample rows
/// (groups lie within rows, so each sampled group is quantized exactly as in the whole tensor);
/// the result says so. A pure function any thread may run; never throws.

#include "core/quant/error_measures.h"
#include "core/quant/format.h"
#include "core/tensor/tensor_view.h"

#include <QString>

#include <cstdint>
#include <stop_token>
#include <vector>

namespace lowbit::studio {

struct EvaluationOptions {
    /// Measure at most this many elements (whole rows, evenly spaced); ≤ 0: the whole tensor.
    std::int64_t maxElements = std::int64_t{1} << 20;
    /// Histograms of the measured and of the dequantized weights in `bins` equal bins over the
    /// measured weights' range (0: none).
    int bins = 0;
    bool levels = false;        ///< compute the grid levels at the median group's scale
    int heatMapMaxSide = 0;     ///< > 0: a per-group error map of at most this many cells per side
    unsigned threads = 0;       ///< 0: all
};

struct FormatEvaluation {
    QString format;                       ///< describeSpec of the spec
    ErrorStats error;                     ///< over the measured rows
    BpwBreakdown bpw;                     ///< exact, for the whole tensor's shape
    std::int64_t rows = 0, cols = 0;      ///< the tensor as a matrix
    std::int64_t rowsMeasured = 0;        ///< < rows when sampled
    /// Counts of the measured weights and of their dequantized values over [histMin, histMax],
    /// scaled by rows / rowsMeasured so they estimate the whole tensor's counts.
    std::vector<double> weightHistogram;
    std::vector<double> histogram;
    double histMin = 0, histMax = 0;
    std::vector<double> levels;           ///< sorted distinct dequantized grid values
    double levelsScale = 0;               ///< the scale of the group they belong to
    /// Heat map: heatRows × heatCols cells (row-major), each Σ(w−ŵ)²/Σw² of the groups it covers
    /// (NaN where the signal is zero).
    std::int64_t heatRows = 0, heatCols = 0;
    std::vector<float> heat;
    double seconds = 0;
    QString failure;                      ///< empty on success (core message, untranslated)

    bool ok() const { return failure.isEmpty(); }
    bool sampled() const { return rowsMeasured < rows; }
    double relativeMse() const { return error.relativeMse; }
    double sqnrDb() const { return error.sqnrDb; }
};

/// Quantizes and dequantizes (fast path; the scalar reference for q4_0) the measured rows of
/// `tensor` with `spec`. Failures (unsupported dtype, a spec the format rejects, cancellation)
/// come back in `failure`.
FormatEvaluation evaluateFormat(const lowbit::TensorView &tensor, const lowbit::FormatSpec &spec,
                                const EvaluationOptions &options = {}, std::stop_token stop = {});

/// The rows evaluateFormat measures for a rows × cols tensor under `maxElements` (ascending).
std::vector<std::int64_t> sampleRows(std::int64_t rows, std::int64_t cols, std::int64_t maxElements);

} // namespace lowbit::studio
