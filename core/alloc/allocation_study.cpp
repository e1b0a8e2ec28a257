// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alloc/allocation_study.h"

#include "core/infer/cpu_model.h"
#include "core/methods/quantize_model.h"
#include "core/quant/quantized_tensor.h"

#include <algorithm>
#include <cstdio>

namespace lowbit {

namespace {

std::string num(const char *fmt, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

struct Evaluator {
    const Tokenizer &tok;
    const std::string &calibDocs;
    std::string_view evalText;
    const StudyRequest &req;

    struct Measured {
        double calibNll, evalPerplexity;
        std::uint64_t evalTokens;
    };
    Result<Measured> run(const Model &m, std::stop_token stop) const
    {
        EngineOptions eo;
        eo.threads = req.base.sensitivity.threads;
        LOWBIT_TRY(auto engine, CpuModel::load(m, eo));
        EvalOptions co;
        co.contextLength = req.base.sensitivity.contextLength;
        LOWBIT_TRY(EvalResult c, evaluatePerplexity(*engine, tok, calibDocs, co, {}, stop));
        LOWBIT_TRY(EvalResult e, evaluatePerplexity(*engine, tok, evalText, req.evalOptions, {}, stop));
        return Measured{c.meanNll, e.perplexity, e.tokens};
    }
};

} // namespace

Result<StudyResult> runAllocationStudy(const Model &model, const CalibrationStats &stats, const Tokenizer &tok, std::string_view calibText,
                                       std::string_view evalText, const StudyRequest &request, std::vector<std::string> &skipped,
                                       const StudyProgressFn &progress, std::stop_token stop)
{
    const SensitivityOptions &so = request.base.sensitivity;
    if (so.mode != SensitivityMode::Nll)
        return makeError(ErrorCode::InvalidArgument, "the allocation study compares predicted and measured NLL: use the nll loss");
    StudyResult study;
    LOWBIT_TRY(study.table, measureSensitivities(model, stats, tok, calibText, request.base.menu, so,
                                                 [&](std::int64_t d, std::int64_t t, const std::string &) {
                                                     if (progress)
                                                         progress("sensitivities", d, t);
                                                 },
                                                 stop));
    const std::int64_t ctx = so.contextLength > 0 ? so.contextLength : model.config().maxPositions;
    LOWBIT_TRY(auto docs, measurementText(tok, calibText, so.evalTokens, ctx));
    study.calibTokens = docs.second;
    const Evaluator ev{tok, docs.first, evalText, request};
    LOWBIT_TRY(auto base, ev.run(model, stop));
    study.baseCalibNll = base.calibNll;
    study.baseEvalPerplexity = base.evalPerplexity;
    study.evalTokens = base.evalTokens;

    std::vector<StudyRow> rows;
    for (const double b : request.budgets) {
        BudgetRequest br = request.base;
        br.budgetBpw = b;
        auto plan = planFromSensitivities(study.table, br, model.path(), stop);
        if (!plan) {
            if (plan.error().code == ErrorCode::Cancelled)
                return plan.error();
            skipped.push_back(plan.error().detail);
            continue;
        }
        rows.push_back(StudyRow{"allocated @ " + num("%.2f", b), b, 0, 0, 0, 0, std::move(*plan)});
    }
    for (std::size_t k = 0; k < study.table.menu.size(); ++k)
        rows.push_back(StudyRow{"uniform " + study.table.menu[k].label(), 0, 0, 0, 0, 0, uniformPlan(study.table, k, model.path())});

    const auto total = static_cast<std::int64_t>(rows.size());
    for (std::int64_t i = 0; i < total; ++i) {
        StudyRow &r = rows[static_cast<std::size_t>(i)];
        if (progress)
            progress("quantize+eval", i, total);
        QuantizeConfig cfg;
        cfg.method = r.plan.tensors.front().method;
        cfg.defaultSpec = r.plan.tensors.front().spec;
        cfg.options = so.methodOptions;
        cfg.options.threads = so.threads;
        LOWBIT_CHECK(applyPlan(r.plan, cfg));
        LOWBIT_TRY(auto q, quantizeModel(model, &stats, cfg, {}, stop));
        LOWBIT_TRY(auto measured, ev.run(q.first, stop));
        r.bpw = r.plan.bpw();
        r.predictedDelta = r.plan.predictedLoss();
        r.measuredDelta = measured.calibNll - study.baseCalibNll;
        r.evalPerplexity = measured.evalPerplexity;
    }
    if (progress)
        progress("quantize+eval", total, total);
    study.rows = std::move(rows);
    return study;
}

std::string studyMarkdown(const StudyResult &s, const std::vector<double> &budgets)
{
    std::string md;
    md += "Unquantized: calibration NLL " + num("%.4f", s.baseCalibNll) + " nats/token over " + std::to_string(s.calibTokens) +
          " tokens; evaluation perplexity " + num("%.4f", s.baseEvalPerplexity) + " over " + std::to_string(s.evalTokens) +
          " tokens. Sensitivities: " + std::to_string(s.table.layers.size()) + " tensors × " + std::to_string(s.table.menu.size()) +
          " options (" + std::to_string(s.table.measured) + " measured, " + std::to_string(s.table.cached) + " from the cache, " +
          num("%.1f", s.table.seconds) + " s).\n\n";
    const auto rowLine = [](const StudyRow &r) {
        return "| " + r.name + " | " + num("%.4f", r.bpw) + " | " + num("%.4f", r.predictedDelta) + " | " + num("%.4f", r.measuredDelta) + " | " +
               num("%.4f", r.evalPerplexity) + " |\n";
    };
    const std::string header = "| configuration | bpw | predicted ΔNLL (Σ ΔL) | measured ΔNLL (calibration) | evaluation perplexity |\n"
                               "|---|---:|---:|---:|---:|\n";
    for (const double b : budgets) {
        const auto it = std::find_if(s.rows.begin(), s.rows.end(), [&](const StudyRow &r) { return r.budgetBpw == b; });
        md += "## Budget " + num("%.2f", b) + " bpw\n\n";
        if (it == s.rows.end()) {
            md += "Infeasible with this menu (see the note above).\n\n";
            continue;
        }
        std::vector<const StudyRow *> rivals;
        for (const StudyRow &r : s.rows)
            if (r.budgetBpw == 0 && r.bpw >= b - 1e-9)
                rivals.push_back(&r);
        std::sort(rivals.begin(), rivals.end(), [](const StudyRow *a, const StudyRow *c) { return a->bpw < c->bpw; });
        md += header + rowLine(*it);
        int beaten = 0;
        std::string losers;
        for (const StudyRow *r : rivals) {
            md += rowLine(*r);
            if (it->evalPerplexity < r->evalPerplexity)
                ++beaten;
            else
                losers += (losers.empty() ? "" : ", ") + r->name;
        }
        md += "\nThe allocated model (" + num("%.4f", it->bpw) + " bpw) has lower evaluation perplexity than " + std::to_string(beaten) +
              " of the " + std::to_string(rivals.size()) + " uniform configurations at ≥ " + num("%.2f", b) + " bpw" +
              (losers.empty() ? "." : "; not lower than: " + losers + ".") + "\n\n";
    }
    md += "## Every uniform configuration\n\n" + header;
    for (const StudyRow &r : s.rows)
        if (r.budgetBpw == 0)
            md += rowLine(r);
    md += "\n## Additivity: predicted vs measured ΔNLL\n\n"
          "Σ of single-layer ΔL against the ΔNLL of the model with every layer quantized (calibration documents).\n\n"
          "| configuration | predicted | measured | measured / predicted |\n|---|---:|---:|---:|\n";
    for (const StudyRow &r : s.rows)
        md += "| " + r.name + " | " + num("%.4f", r.predictedDelta) + " | " + num("%.4f", r.measuredDelta) + " | " +
              (r.predictedDelta != 0 ? num("%.2f", r.measuredDelta / r.predictedDelta) : std::string("–")) + " |\n";
    std::vector<const StudyRow *> allocated;
    for (const StudyRow &r : s.rows)
        if (r.budgetBpw > 0)
            allocated.push_back(&r);
    if (!allocated.empty()) {
        md += "\n## Per-tensor choices\n\n| tensor |";
        std::string rule = "|---|";
        for (const StudyRow *r : allocated) {
            md += " " + num("%.2f", r->budgetBpw) + " bpw |";
            rule += "---|";
        }
        md += "\n" + rule + "\n";
        for (std::size_t t = 0; t < allocated.front()->plan.tensors.size(); ++t) {
            md += "| " + allocated.front()->plan.tensors[t].tensor + " |";
            for (const StudyRow *r : allocated)
                md += " " + describeSpec(r->plan.tensors[t].spec) + " |";
            md += "\n";
        }
        md += "\n## Predicted frontier\n\n| bpw | predicted ΔNLL |\n|---:|---:|\n";
        for (const PlanFrontierPoint &p : allocated.front()->plan.frontier)
            md += "| " + num("%.4f", p.bpw) + " | " + num("%.4f", p.predictedLoss) + " |\n";
    }
    return md;
}

} // namespace lowbit
