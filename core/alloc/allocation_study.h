// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The allocation study (docs/allocation.md): for each budget, the allocated plan against every
/// uniform menu configuration — quantized for real with quantizeModel, then measured: ΔNLL on
/// the calibration measurement documents (predicted Σ ΔL vs measured: the additivity check) and
/// perplexity on a held-out evaluation text.

#include "core/alloc/budget_plan.h"
#include "core/eval/perplexity.h"

#include <functional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

struct StudyRow {
    std::string name;                ///< "allocated @ 3.50" or the uniform option's label
    double budgetBpw = 0;            ///< allocated rows: the budget; uniform rows: 0
    double bpw = 0;                  ///< achieved bits per weight over the plan's tensors
    double predictedDelta = 0;       ///< Σ ΔL of the plan's choices
    double measuredDelta = 0;        ///< NLL of the quantized model on the measurement documents − base
    double evalPerplexity = 0;       ///< on the evaluation text
    Plan plan;
};

struct StudyResult {
    SensitivityTable table;
    double baseCalibNll = 0, baseEvalPerplexity = 0;
    std::uint64_t calibTokens = 0, evalTokens = 0;
    std::vector<StudyRow> rows;      ///< allocated rows first (budget order), then uniform ones (menu order)
};

struct StudyRequest {
    BudgetRequest base;              ///< menu, rules, sensitivity options (mode must be nll for the additivity check)
    std::vector<double> budgets;     ///< e.g. {3.5, 3.0}
    EvalOptions evalOptions;         ///< on the evaluation text
};

/// (stage, done, total): "sensitivities", "quantize+eval".
using StudyProgressFn = std::function<void(const std::string &, std::int64_t, std::int64_t)>;

/// Errors: those of measureSensitivities, quantizeModel and evaluatePerplexity; an infeasible
/// budget is not an error: its row is skipped and named in `skipped`.
Result<StudyResult> runAllocationStudy(const Model &model, const CalibrationStats &stats, const Tokenizer &tok, std::string_view calibText,
                                       std::string_view evalText, const StudyRequest &request, std::vector<std::string> &skipped,
                                       const StudyProgressFn &progress = {}, std::stop_token stop = {});

/// The study as Markdown tables (+ the per-layer choices of each allocated plan).
std::string studyMarkdown(const StudyResult &study, const std::vector<double> &budgets);

} // namespace lowbit
