// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/quantize_budget.h"

#include "app/cli/cli_util.h"

#include "core/alloc/budget_plan.h"
#include "core/eval/perplexity.h"
#include "core/infer/cpu_model.h"

#include <cmath>
#include <sstream>

namespace lowbit::cli {

namespace {

std::vector<std::string> splitComma(const std::string &s)
{
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');) {
        while (!item.empty() && item.front() == ' ')
            item.erase(item.begin());
        while (!item.empty() && item.back() == ' ')
            item.pop_back();
        if (!item.empty())
            out.push_back(item);
    }
    return out;
}

std::optional<Plan> fail(std::ostream &err, int &code, int value, const std::string &msg)
{
    err << "lowbit quantize: " << msg << "\n";
    code = value;
    return std::nullopt;
}

} // namespace

void addBudgetOptions(std::set<std::string> &flags, std::set<std::string> &valued)
{
    flags.insert("proxy");
    for (const char *v : {"plan", "budget", "menu", "groups", "rule", "loss", "cache", "eval-tokens", "save-plan"})
        valued.insert(v);
}

bool wantsPlan(const Args &a) { return a.value("plan") || a.value("budget"); }

std::optional<Plan> planForQuantize(const Args &a, const Model &model, const CalibrationStats *stats, const Tokenizer *tok,
                                    std::string_view calibText, QuantizeConfig &config, std::ostream &err, int &exitCode)
{
    if (a.value("plan") && a.value("budget"))
        return fail(err, exitCode, 2, "give either --plan FILE or --budget BPW, not both");
    Plan plan;
    if (const auto path = a.value("plan")) {
        auto p = loadPlan(*path);
        if (!p)
            return fail(err, exitCode, 1, p.error().message());
        plan = std::move(*p);
    } else {
        const auto budget = parseDouble(*a.value("budget"));
        if (!budget || !(*budget > 0) || !std::isfinite(*budget))
            return fail(err, exitCode, 2, "--budget needs a positive number of bits per weight");
        if (!a.value("menu"))
            return fail(err, exitCode, 2, "--budget needs --menu FORMATS (e.g. \"int3,int4,fp4-asym,bitmod-fp3,nf4-asym\")");
        if (!stats || !tok || calibText.empty())
            return fail(err, exitCode, 2, "--budget measures sensitivities on the calibration text: give --calib TEXT (not a saved statistics file)");
        std::vector<std::int64_t> groups;
        for (const std::string &g : splitComma(a.value("groups").value_or(a.value("group").value_or("32")))) {
            const auto n = parsePositiveInt(g);
            if (!n)
                return fail(err, exitCode, 2, "--groups takes positive group sizes, e.g. 32,64");
            groups.push_back(*n);
        }
        std::optional<ScaleStorage> storage = ScaleStorage::F16;
        if (const auto sc = a.value("scale")) {
            auto st = parseScaleStorage(*sc);
            if (!st)
                return fail(err, exitCode, 2, st.error().detail);
            storage = *st;
        }
        BudgetRequest req;
        req.budgetBpw = *budget;
        auto menu = buildMenu(*a.value("menu"), groups, storage, splitComma(config.method));
        if (!menu)
            return fail(err, exitCode, 2, menu.error().detail);
        req.menu = std::move(*menu);
        for (const std::string &r : a.values("rule")) {
            auto rule = parseBitRule(r);
            if (!rule)
                return fail(err, exitCode, 2, rule.error().detail);
            req.rules.push_back(std::move(*rule));
        }
        if (const auto l = a.value("loss")) {
            auto m = parseSensitivityMode(*l);
            if (!m)
                return fail(err, exitCode, 2, m.error().detail);
            req.sensitivity.mode = *m;
        }
        if (a.flag("proxy"))
            req.sensitivity.mode = SensitivityMode::Proxy;
        if (const auto t = a.value("eval-tokens")) {
            const auto n = parsePositiveInt(*t);
            if (!n)
                return fail(err, exitCode, 2, "--eval-tokens needs a positive integer");
            req.sensitivity.evalTokens = *n;
        }
        req.sensitivity.methodOptions = config.options;
        req.sensitivity.includeEmbedding = config.includeEmbedding;
        req.sensitivity.includeOutput = config.includeOutput;
        req.sensitivity.cachePath = a.value("cache").value_or("");
        req.sensitivity.threads = config.options.threads;
        auto p = planForBudget(model, *stats, *tok, calibText, req,
                               [&](std::int64_t d, std::int64_t t, const std::string &what) {
                                   if (d == t || d % 16 == 0)
                                       err << "sensitivities " << d << "/" << t << " " << what << "\n";
                               });
        if (!p)
            return fail(err, exitCode, p.error().code == ErrorCode::InvalidArgument ? 2 : 1, p.error().message());
        plan = std::move(*p);
        if (const auto save = a.value("save-plan")) {
            if (auto st = savePlan(plan, *save, a.flag("force")); !st)
                return fail(err, exitCode, 1, st.error().message());
        }
    }
    if (auto st = checkPlanAgainstModel(plan, model); !st)
        return fail(err, exitCode, 1, st.error().message());
    if (auto st = applyPlan(plan, config); !st)
        return fail(err, exitCode, 1, st.error().message());
    return plan;
}

Json measuredVsPredicted(const Plan &plan, const Model &original, const Model &quantized, const Tokenizer *tok, std::string_view calibText,
                         unsigned threads)
{
    Json j = Json::object();
    j["loss_mode"] = plan.lossMode;
    j["plan_bpw"] = plan.bpw();
    j["predicted_delta_loss"] = plan.predictedLoss();
    if (plan.lossMode != "nll" || !tok || calibText.empty() || plan.evalTokens == 0)
        return j;
    auto text = measurementText(*tok, calibText, static_cast<std::int64_t>(plan.evalTokens), original.config().maxPositions);
    if (!text)
        return j;
    EngineOptions eo;
    eo.threads = threads;
    auto a = CpuModel::load(original, eo);
    auto b = CpuModel::load(quantized, eo);
    if (!a || !b)
        return j;
    auto ra = evaluatePerplexity(**a, *tok, text->first);
    auto rb = evaluatePerplexity(**b, *tok, text->first);
    if (!ra || !rb)
        return j;
    j["measured_delta_loss"] = rb->meanNll - ra->meanNll;
    j["measured_tokens"] = static_cast<unsigned long long>(ra->tokens);
    return j;
}

} // namespace lowbit::cli
