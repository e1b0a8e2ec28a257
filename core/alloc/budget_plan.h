// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// "The best model that fits in N bits per weight": sensitivities (sensitivity.h) → an exact
/// multiple-choice knapsack (bit_allocation.h) under the budget and the user's rules → a Plan
/// (plan_file.h) with the predicted loss and the Pareto frontier. The budget is over the plan's
/// tensors: Σ exact bits ≤ budgetBpw × Σ rows·cols, overheads (scales, selectors) included.

#include "core/alloc/bit_allocation.h"
#include "core/alloc/plan_file.h"
#include "core/alloc/sensitivity.h"

#include <limits>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// A constraint on the options a tensor may use, compared with the option's code bits per
/// weight (bitsPerWeight(spec).codes: 4 for int4 whatever the group; scales and selectors not
/// counted). Syntax "SUBJECT>=BITS" or "SUBJECT<=BITS": SUBJECT is a role name (q, k, v, o,
/// gate, up, down, embedding, output) or else an ECMAScript regex searched in the tensor name
/// ("layers\.0\.", "mlp"). Examples: "down>=4", "embedding>=6", "layers\.(0|1)\.>=4".
struct BitRule {
    std::string text;                 ///< as typed
    std::optional<TensorRole> role;   ///< set when SUBJECT is a role name
    std::string pattern;              ///< otherwise, the regex
    double minBits = 0;
    double maxBits = std::numeric_limits<double>::infinity();

    bool matches(std::string_view tensor, TensorRole tensorRole) const;
};

/// Errors: InvalidArgument saying what the syntax is (bad operator, number, or regex).
Result<BitRule> parseBitRule(std::string_view text);

struct BudgetRequest {
    double budgetBpw = 0;
    std::vector<MenuOption> menu;
    std::vector<BitRule> rules;
    SensitivityOptions sensitivity;   ///< loss mode, token budget, method options, cache, threads
    int frontierPoints = 12;          ///< points on the predicted-loss frontier (0: none)
};

/// The knapsack of a sensitivity table under rules: problem.layers[l] holds the allowed options
/// of table.layers[l]; optionIndex[l][k] is the menu index of problem option k.
struct AllocationInput {
    AllocProblem problem;
    std::vector<std::vector<int>> optionIndex;
    std::int64_t totalWeights = 0;
};

/// Errors: InvalidArgument for a non-positive/non-finite budget, a tensor no option of which
/// passes the rules (named), and a budget below the cheapest allowed choice — the message names
/// the minimum feasible bpw.
Result<AllocationInput> buildAllocation(const SensitivityTable &table, std::span<const BitRule> rules, double budgetBpw);

/// Solves the allocation exactly and returns the plan (with the frontier). `model` is only
/// used for the plan's model path. Errors: buildAllocation's, Cancelled.
Result<Plan> planFromSensitivities(const SensitivityTable &table, const BudgetRequest &request, const std::string &modelPath,
                                   std::stop_token stop = {});

/// measureSensitivities (cached when request.sensitivity.cachePath is set) + planFromSensitivities:
/// the one call `lowbit plan`, `lowbit quantize --budget` and the GUI make.
Result<Plan> planForBudget(const Model &model, const CalibrationStats &stats, const Tokenizer &tok, std::string_view calibText,
                           const BudgetRequest &request, const SensitivityProgressFn &progress = {}, std::stop_token stop = {});

/// Every tensor of the table at menu option `option` (a uniform baseline; predicted loss = Σ ΔL).
Plan uniformPlan(const SensitivityTable &table, std::size_t option, const std::string &modelPath);

} // namespace lowbit
