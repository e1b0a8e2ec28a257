// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// `lowbit quantize --plan FILE` and `--budget BPW --menu FORMATS …`: the per-tensor formats and
/// methods come from a plan (a saved one, or one solved now from measured sensitivities), and the
/// report compares the plan's predicted loss with the measured one.

#include "app/cli/args.h"

#include "core/alloc/plan_file.h"
#include "core/calib/calibration.h"
#include "core/infer/tokenizer.h"
#include "core/methods/quantize_model.h"
#include "core/util/json.h"

#include <optional>
#include <ostream>
#include <string_view>

namespace lowbit::cli {

/// Options this part adds to quantize.
void addBudgetOptions(std::set<std::string> &flags, std::set<std::string> &valued);

/// True when the command asks for a plan (--plan or --budget).
bool wantsPlan(const Args &a);

/// Loads or solves the plan and applies it to `config`. `calibText` is empty when the statistics
/// came from a saved file (then --budget is refused: sensitivities need the text). Returns the
/// plan, or nullopt after printing the error (exitCode set to 2 for usage, 1 otherwise).
std::optional<Plan> planForQuantize(const Args &a, const Model &model, const CalibrationStats *stats, const Tokenizer *tok,
                                    std::string_view calibText, QuantizeConfig &config, std::ostream &err, int &exitCode);

/// Measured loss of the quantized model in the plan's own terms (nll: calibration NLL increase over
/// the same documents the sensitivities used), next to the predicted Σ ΔL. Null when the plan's
/// loss mode cannot be measured (proxy) or the text is missing.
Json measuredVsPredicted(const Plan &plan, const Model &original, const Model &quantized, const Tokenizer *tok,
                         std::string_view calibText, unsigned threads);

} // namespace lowbit::cli
