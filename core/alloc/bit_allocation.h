// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Mixed-precision bit allocation: choose one configuration per layer minimising the summed
/// measured loss increase subject to a total bit budget (a multiple-choice knapsack), solved
/// exactly by branch and bound with the LP-relaxation bound (convex hulls of each layer's
/// options, greedy on incremental efficiency, as in Sinha & Zoltners).

#include "core/util/result.h"

#include <cstdint>
#include <stop_token>
#include <vector>

namespace lowbit {

struct AllocOption {
    std::int64_t bits = 0; ///< storage of the layer under this option, overhead included
    double loss = 0.0;     ///< measured (or proxy) loss increase ΔL when only this layer uses it
};

struct AllocProblem {
    std::vector<std::vector<AllocOption>> layers; ///< per layer, its candidate options (≥ 1 each)
    std::int64_t budgetBits = 0;
};

struct AllocSolution {
    std::vector<int> choice;     ///< option index per layer
    std::int64_t bits = 0;       ///< total bits of the choice (≤ budget)
    double loss = 0.0;           ///< Σ loss of the choice
    double lowerBound = 0.0;     ///< proven lower bound on the optimum (== loss when optimal)
    bool optimal = false;        ///< false only when the node limit stopped the search
    std::uint64_t nodes = 0;     ///< branch-and-bound nodes explored
};

struct AllocOptions {
    std::uint64_t maxNodes = 50'000'000; ///< safety net; the result says whether it was reached
};

/// Minimum total bits of any choice (each layer at its cheapest option).
std::int64_t minimumBits(const AllocProblem &problem);

/// Solves the problem. Errors: InvalidArgument for an empty layer, negative bits or non-finite
/// loss; InvalidArgument when the budget is below minimumBits (the message names the minimum);
/// Cancelled when stop is requested.
Result<AllocSolution> solveAllocation(const AllocProblem &problem, const AllocOptions &options = {}, std::stop_token stop = {});

struct FrontierPoint {
    std::int64_t budgetBits = 0;
    AllocSolution solution;
};

/// The predicted-loss vs bits trade-off: exact solutions at `points` budgets evenly spaced from
/// the minimum to the maximum useful total bits.
Result<std::vector<FrontierPoint>> allocationFrontier(const AllocProblem &problem, int points, const AllocOptions &options = {},
                                                      std::stop_token stop = {});

} // namespace lowbit
