// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Clipping search (algorithms.md; BitDistiller's asymmetric clipping, AWQ-style): per group,
/// candidate ranges max' = max·(1 − i/n), min' = min·(1 − j/n) for shrink steps i, j with
/// i/n < maxShrink (n = ClipOptions::steps) — independent i and j (asymmetric, BitDistiller) or
/// one α for both (symmetric). A candidate clamps the group's weights to [min', max'] and then
/// runs the format's own RTN (chooseGroupParams + coding; formats stay plug-ins, so this works
/// for every scalar format: symmetric grids feel the range through the clamped absmax, INT-asym
/// and AFPQ through the clamped min and max). The candidate with the lowest objective wins; the
/// unclipped range (i = j = 0, plain RTN) is tried first and keeps ties, so the result never
/// scores worse than RTN on the objective.
///
/// Objectives, for the group's error e = w − Q(clamp(w)) (the original weights, not the clamped):
///  - WeightMse: ‖e‖²;
///  - OutputError: the group's share of ‖X·ΔWᵀ‖² computed from the Hessian restricted to the
///    group's columns, Σ_rows e·H_gg·eᵀ (H_gg = H[c0:c1, c0:c1]). This is exact for the group's
///    own contribution and ignores the cross terms 2·e·H_{g,g'}·e'ᵀ with the row's other groups
///    (which depend on their choices); per channel and per tensor it is exact. Cost per group:
///    candidates · rows_in_group · width² multiply-adds, as batched GEMMs. Without statistics the
///    search falls back to WeightMse.
/// NVFP4's tensor scale is taken from the original weights and kept for every candidate.

#include "core/methods/method.h"

namespace lowbit {

/// What the search chose, for reports and tests.
struct ClipSearchResult {
    QuantizedMatrix matrix;                ///< the quantized layer (unpacked)
    std::vector<std::uint8_t> maxStep;     ///< per group (QuantizedMatrix group order): i of max' = max·(1 − i/n)
    std::vector<std::uint8_t> minStep;     ///< per group: j of min' = min·(1 − j/n)
    ClipObjective objective = ClipObjective::WeightMse; ///< the objective actually used
    double objectiveValue = 0.0;           ///< Σ over groups of the winners' objective
    double rtnObjectiveValue = 0.0;        ///< Σ over groups of plain RTN's objective (i = j = 0)
    int candidates = 0;                    ///< candidates tried per group
};

/// The search itself. Errors: InvalidArgument for a bad layer input or options (steps outside
/// 1…255, maxShrink outside [0, 1)) or format; Cancelled when `stop` is requested (checked
/// between chunks of groups; progress, in groups done, is reported by the calling thread).
Result<ClipSearchResult> clipSearch(const LayerInput &in, const FormatSpec &spec, const ClipOptions &options, unsigned threads,
                                    const LayerProgressFn &progress, std::stop_token stop);

/// The "clip" method: clipSearch, packed, with the report (detail: grid, objective, candidates,
/// share of groups clipped, objective relative to RTN).
Result<QuantizedLayer> runClip(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                               const LayerProgressFn &progress, std::stop_token stop);

} // namespace lowbit
