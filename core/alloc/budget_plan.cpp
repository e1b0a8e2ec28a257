// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alloc/budget_plan.h"

#include <cmath>
#include <cstdio>
#include <regex>

namespace lowbit {

namespace {

std::string bpwText(double bpw, bool roundUp)
{
    // Four decimals, rounded in the direction that keeps the statement true.
    const double r = roundUp ? std::ceil(bpw * 1e4 - 1e-6) / 1e4 : std::floor(bpw * 1e4 + 1e-6) / 1e4;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", r);
    return buf;
}

/// Code bits per weight of an option on a tensor (what rules compare).
double codeBits(const MenuOption &o, std::int64_t rows, std::int64_t cols) { return bitsPerWeight(o.spec, rows, cols).codes; }

} // namespace

bool BitRule::matches(std::string_view tensor, TensorRole tensorRole) const
{
    if (role)
        return *role == tensorRole;
    // The pattern was compiled once in parseBitRule; std::regex is not cheap but rules are few.
    return std::regex_search(std::string(tensor), std::regex(pattern, std::regex::ECMAScript));
}

Result<BitRule> parseBitRule(std::string_view text)
{
    const auto syntax = [&](const std::string &why) {
        return makeError(ErrorCode::InvalidArgument, "rule '" + std::string(text) + "': " + why +
                                                         " (syntax: SUBJECT>=BITS or SUBJECT<=BITS, SUBJECT a role such as down or "
                                                         "embedding, or a regex on the tensor name; e.g. \"down>=4\")");
    };
    const auto ge = text.rfind(">="), le = text.rfind("<=");
    const bool isMin = ge != std::string_view::npos && (le == std::string_view::npos || ge > le);
    const auto op = isMin ? ge : le;
    if (op == std::string_view::npos)
        return syntax("no >= or <=");
    const std::string subject(text.substr(0, op)), number(text.substr(op + 2));
    if (subject.empty())
        return syntax("no subject");
    char *end = nullptr;
    const double bits = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(bits) || bits < 0 || bits > 64)
        return syntax("BITS must be a number in [0, 64]");
    BitRule r;
    r.text = std::string(text);
    (isMin ? r.minBits : r.maxBits) = bits;
    for (std::size_t i = 0; i < kTensorRoleCount; ++i) {
        const auto role = static_cast<TensorRole>(i);
        if (isLinearRole(role) && tensorRoleName(role) == subject)
            r.role = role;
    }
    if (!r.role) {
        try {
            std::regex check(subject, std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
            return syntax(std::string("bad regex: ") + e.what());
        }
        r.pattern = subject;
    }
    return r;
}

Result<AllocationInput> buildAllocation(const SensitivityTable &table, std::span<const BitRule> rules, double budgetBpw)
{
    if (!std::isfinite(budgetBpw) || budgetBpw <= 0)
        return makeError(ErrorCode::InvalidArgument, "the budget must be a positive number of bits per weight");
    AllocationInput in;
    std::vector<const BitRule *> applicable;
    for (const LayerSensitivity &l : table.layers) {
        if (l.options.size() != table.menu.size())
            return makeError(ErrorCode::Internal, l.tensor + ": sensitivity row does not match the menu");
        applicable.clear();
        for (const BitRule &r : rules)
            if (r.matches(l.tensor, l.role))
                applicable.push_back(&r);
        std::vector<AllocOption> opts;
        std::vector<int> idx;
        for (std::size_t k = 0; k < table.menu.size(); ++k) {
            const double cb = codeBits(table.menu[k], l.rows, l.cols);
            bool ok = true;
            for (const BitRule *r : applicable)
                ok = ok && cb >= r->minBits - 1e-9 && cb <= r->maxBits + 1e-9;
            if (!ok)
                continue;
            opts.push_back({l.options[k].bits, l.options[k].deltaLoss});
            idx.push_back(static_cast<int>(k));
        }
        if (opts.empty()) {
            std::string names;
            for (const BitRule *r : applicable)
                names += (names.empty() ? "" : ", ") + r->text;
            return makeError(ErrorCode::InvalidArgument, l.tensor + ": no menu option satisfies the rules (" + names + ")");
        }
        in.problem.layers.push_back(std::move(opts));
        in.optionIndex.push_back(std::move(idx));
        in.totalWeights += l.rows * l.cols;
    }
    if (in.totalWeights <= 0)
        return makeError(ErrorCode::InvalidArgument, "no tensors to allocate");
    const double exact = budgetBpw * static_cast<double>(in.totalWeights);
    const double nearest = std::round(exact);
    in.problem.budgetBits = static_cast<std::int64_t>(std::abs(exact - nearest) < 1e-6 * std::max(1.0, exact) ? nearest : std::floor(exact));
    const std::int64_t minBits = minimumBits(in.problem);
    if (in.problem.budgetBits < minBits)
        return makeError(ErrorCode::InvalidArgument,
                         "budget " + bpwText(budgetBpw, false) + " bpw is infeasible: the minimum feasible budget for this menu" +
                             (rules.empty() ? std::string() : " and these rules") + " is " +
                             bpwText(static_cast<double>(minBits) / static_cast<double>(in.totalWeights), true) +
                             " bpw (every tensor at its cheapest allowed option)");
    return in;
}

Result<Plan> planFromSensitivities(const SensitivityTable &table, const BudgetRequest &request, const std::string &modelPath,
                                   std::stop_token stop)
{
    LOWBIT_TRY(AllocationInput in, buildAllocation(table, request.rules, request.budgetBpw));
    LOWBIT_TRY(AllocSolution sol, solveAllocation(in.problem, {}, stop));
    if (!sol.optimal)
        return makeError(ErrorCode::Internal, "the allocation search hit its node limit before proving the optimum");
    Plan p = uniformPlan(table, 0, modelPath);
    p.budgetBpw = request.budgetBpw;
    for (const BitRule &r : request.rules)
        p.rules.push_back(r.text);
    for (std::size_t l = 0; l < p.tensors.size(); ++l) {
        const auto k = static_cast<std::size_t>(in.optionIndex[l][static_cast<std::size_t>(sol.choice[l])]);
        const OptionSensitivity &o = table.layers[l].options[k];
        PlanEntry &e = p.tensors[l];
        e.spec = table.menu[k].spec;
        e.method = o.method;
        e.bits = o.bits;
        e.predictedDeltaLoss = o.deltaLoss;
    }
    if (request.frontierPoints > 0) {
        LOWBIT_TRY(auto frontier, allocationFrontier(in.problem, request.frontierPoints, {}, stop));
        std::int64_t lastBits = -1;
        for (const FrontierPoint &f : frontier) {
            if (f.solution.bits == lastBits)
                continue; // budgets past the largest useful one repeat the same optimum
            lastBits = f.solution.bits;
            p.frontier.push_back({static_cast<double>(f.solution.bits) / static_cast<double>(in.totalWeights), f.solution.loss});
        }
    }
    return p;
}

Result<Plan> planForBudget(const Model &model, const CalibrationStats &stats, const Tokenizer &tok, std::string_view calibText,
                           const BudgetRequest &request, const SensitivityProgressFn &progress, std::stop_token stop)
{
    if (!std::isfinite(request.budgetBpw) || request.budgetBpw <= 0)
        return makeError(ErrorCode::InvalidArgument, "the budget must be a positive number of bits per weight");
    LOWBIT_TRY(SensitivityTable table, measureSensitivities(model, stats, tok, calibText, request.menu, request.sensitivity, progress, stop));
    return planFromSensitivities(table, request, model.path(), stop);
}

Plan uniformPlan(const SensitivityTable &table, std::size_t option, const std::string &modelPath)
{
    Plan p;
    p.model = modelPath;
    p.modelHash = table.modelHash;
    p.lossMode = std::string(sensitivityModeName(table.mode));
    p.baseLoss = table.baseLoss;
    p.evalTokens = table.evalTokens;
    for (const MenuOption &m : table.menu)
        p.menu.push_back(m.label());
    for (const LayerSensitivity &l : table.layers) {
        const OptionSensitivity &o = l.options[option];
        p.tensors.push_back(PlanEntry{l.tensor, l.role, l.layer, l.rows, l.cols, table.menu[option].spec, o.method, o.bits, o.deltaLoss});
    }
    p.budgetBpw = p.bpw();
    return p;
}

} // namespace lowbit
