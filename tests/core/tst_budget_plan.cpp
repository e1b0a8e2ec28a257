// SPDX-License-Identifier: GPL-3.0-or-later
// From sensitivities to a plan: the chosen plan is the brute-force optimum under the budget and
// the rules, never exceeds the budget, infeasible budgets name the minimum feasible bpw, rules
// parse and filter, the frontier is monotone, and uniform plans cost what their option costs.
#include "core/alloc/budget_plan.h"

#include <QTest>

#include <climits>
#include <cmath>
#include <cstdio>
#include <random>

using namespace lowbit;

namespace {

std::vector<MenuOption> realMenu()
{
    const std::vector<std::int64_t> groups{32, 64};
    const std::vector<std::string> methods{"rtn"};
    auto m = buildMenu("int2,int3,int4,int8", groups, ScaleStorage::F16, methods);
    return m ? *m : std::vector<MenuOption>{};
}

/// A synthetic table over real menu options and real exact bits: loss falls with code bits,
/// with a random per-layer sensitivity and noise.
SensitivityTable randomTable(std::mt19937 &rng, int layers)
{
    SensitivityTable t;
    t.menu = realMenu();
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const TensorRole roles[] = {TensorRole::Q, TensorRole::K, TensorRole::Down, TensorRole::Gate};
    const std::int64_t shapes[][2] = {{64, 64}, {32, 64}, {64, 172}, {172, 64}};
    for (int l = 0; l < layers; ++l) {
        LayerSensitivity ls;
        const int kind = l % 4;
        ls.tensor = "layers." + std::to_string(l / 4) + "." + std::string(tensorRoleName(roles[kind])) + ".weight";
        ls.role = roles[kind];
        ls.layer = l / 4;
        ls.rows = shapes[kind][0];
        ls.cols = shapes[kind][1];
        const double sens = std::exp(3 * u(rng));
        for (const MenuOption &o : t.menu) {
            OptionSensitivity os;
            os.bits = exactBits(o.spec, ls.rows, ls.cols);
            os.deltaLoss = sens * std::pow(2.0, -2.0 * bitsPerWeight(o.spec, ls.rows, ls.cols).total()) * (0.7 + 0.6 * u(rng));
            os.method = "rtn";
            ls.options.push_back(os);
        }
        t.layers.push_back(std::move(ls));
    }
    return t;
}

double codeBitsOf(const SensitivityTable &t, std::size_t l, std::size_t k)
{
    return bitsPerWeight(t.menu[k].spec, t.layers[l].rows, t.layers[l].cols).codes;
}

/// Exhaustive optimum under the budget and the rules (inf when infeasible).
double bruteForce(const SensitivityTable &t, const std::vector<BitRule> &rules, std::int64_t budget)
{
    double best = INFINITY;
    const std::size_t L = t.layers.size(), K = t.menu.size();
    std::vector<std::size_t> idx(L, 0);
    while (true) {
        std::int64_t bits = 0;
        double loss = 0;
        bool ok = true;
        for (std::size_t l = 0; l < L && ok; ++l) {
            for (const BitRule &r : rules)
                if (r.matches(t.layers[l].tensor, t.layers[l].role))
                    ok = ok && codeBitsOf(t, l, idx[l]) >= r.minBits && codeBitsOf(t, l, idx[l]) <= r.maxBits;
            bits += t.layers[l].options[idx[l]].bits;
            loss += t.layers[l].options[idx[l]].deltaLoss;
        }
        if (ok && bits <= budget)
            best = std::min(best, loss);
        std::size_t l = 0;
        while (l < L && ++idx[l] == K)
            idx[l++] = 0;
        if (l == L)
            return best;
    }
}

} // namespace

class TestBudgetPlan : public QObject {
    Q_OBJECT
private slots:
    void rulesParse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<double>("minBits");
        QTest::addColumn<double>("maxBits");
        QTest::addColumn<QString>("matchName");
        QTest::addColumn<int>("matchRole");
        QTest::addColumn<bool>("matches");
        const int down = int(TensorRole::Down), q = int(TensorRole::Q);
        QTest::newRow("role min") << "down>=4" << true << 4.0 << double(INFINITY) << "blk.0.ffn_down.weight" << down << true;
        QTest::newRow("role other") << "down>=4" << true << 4.0 << double(INFINITY) << "x.q" << q << false;
        QTest::newRow("role max") << "q<=3" << true << 0.0 << 3.0 << "anything" << q << true;
        QTest::newRow("embedding") << "embedding>=6" << true << 6.0 << double(INFINITY) << "tok_embeddings" << int(TensorRole::Embedding) << true;
        QTest::newRow("regex") << R"(layers\.(0|1)\.>=4.5)" << true << 4.5 << double(INFINITY) << "model.layers.1.mlp.up_proj.weight" << q << true;
        QTest::newRow("regex miss") << R"(layers\.(0|1)\.>=4)" << true << 4.0 << double(INFINITY) << "model.layers.11.mlp" << q << false;
        QTest::newRow("no operator") << "down=4" << false << 0.0 << 0.0 << "" << 0 << false;
        QTest::newRow("no subject") << ">=4" << false << 0.0 << 0.0 << "" << 0 << false;
        QTest::newRow("bad number") << "down>=four" << false << 0.0 << 0.0 << "" << 0 << false;
        QTest::newRow("huge number") << "down>=100" << false << 0.0 << 0.0 << "" << 0 << false;
        QTest::newRow("bad regex") << "layers(>=4" << false << 0.0 << 0.0 << "" << 0 << false;
    }
    void rulesParse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        auto r = parseBitRule(text.toStdString());
        QCOMPARE(bool(r), valid);
        if (!valid) {
            QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
            QVERIFY(r.error().detail.find("syntax") != std::string::npos);
            return;
        }
        QFETCH(double, minBits);
        QFETCH(double, maxBits);
        QFETCH(QString, matchName);
        QFETCH(int, matchRole);
        QFETCH(bool, matches);
        QCOMPARE(r->minBits, minBits);
        QCOMPARE(r->maxBits, maxBits);
        QCOMPARE(r->matches(matchName.toStdString(), TensorRole(matchRole)), matches);
    }
    void planIsTheBruteForceOptimum_data()
    {
        QTest::addColumn<bool>("withRules");
        QTest::newRow("no rules") << false;
        QTest::newRow("down>=4, layers.0 <= 4") << true;
    }
    void planIsTheBruteForceOptimum()
    {
        QFETCH(bool, withRules);
        std::vector<BitRule> rules;
        if (withRules) {
            rules.push_back(*parseBitRule("down>=4"));
            rules.push_back(*parseBitRule(R"(^layers\.0\.<=4)"));
        }
        std::mt19937 rng(withRules ? 5 : 6);
        std::uniform_real_distribution<double> u(0.0, 1.0);
        int feasible = 0;
        for (int trial = 0; trial < 40; ++trial) {
            const SensitivityTable t = randomTable(rng, 2 + trial % 4); // 8 options: ≤ 8^5 combinations
            BudgetRequest req;
            req.budgetBpw = 2.3 + 3.0 * u(rng);
            req.rules = rules;
            req.frontierPoints = 5;
            auto in = buildAllocation(t, rules, req.budgetBpw);
            auto plan = planFromSensitivities(t, req, "m");
            if (!in) {
                QVERIFY(!plan);
                QVERIFY(plan.error().detail.find("minimum feasible") != std::string::npos);
                continue;
            }
            ++feasible;
            QVERIFY2(plan, plan ? "" : plan.error().message().c_str());
            const double expected = bruteForce(t, rules, in->problem.budgetBits);
            QVERIFY(std::isfinite(expected));
            QVERIFY(std::fabs(plan->predictedLoss() - expected) <= 1e-12 * std::max(1.0, expected));
            QVERIFY(plan->totalBits() <= in->problem.budgetBits);
            QVERIFY(plan->bpw() <= req.budgetBpw + 1e-12);
            QCOMPARE(plan->tensors.size(), t.layers.size());
            // the plan's entries are the table's options
            for (std::size_t l = 0; l < t.layers.size(); ++l)
                QCOMPARE(plan->tensors[l].bits, exactBits(plan->tensors[l].spec, t.layers[l].rows, t.layers[l].cols));
            // frontier: bpw rises, predicted loss falls
            QVERIFY(!plan->frontier.empty());
            for (std::size_t i = 1; i < plan->frontier.size(); ++i) {
                QVERIFY(plan->frontier[i].bpw >= plan->frontier[i - 1].bpw);
                QVERIFY(plan->frontier[i].predictedLoss <= plan->frontier[i - 1].predictedLoss + 1e-12);
            }
        }
        QVERIFY(feasible > 20);
    }
    void infeasibleBudgetNamesTheMinimum()
    {
        std::mt19937 rng(9);
        const SensitivityTable t = randomTable(rng, 8);
        auto minimumText = [&](const std::vector<BitRule> &rules, double &bpw) {
            std::int64_t minBits = 0, weights = 0;
            for (std::size_t l = 0; l < t.layers.size(); ++l) {
                std::int64_t m = INT64_MAX;
                for (std::size_t k = 0; k < t.menu.size(); ++k) {
                    bool ok = true;
                    for (const BitRule &r : rules)
                        if (r.matches(t.layers[l].tensor, t.layers[l].role))
                            ok = ok && codeBitsOf(t, l, k) >= r.minBits;
                    if (ok)
                        m = std::min(m, t.layers[l].options[k].bits);
                }
                minBits += m;
                weights += t.layers[l].rows * t.layers[l].cols;
            }
            bpw = std::ceil(double(minBits) / double(weights) * 1e4) / 1e4;
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.4f bpw", bpw);
            return std::string(buf);
        };
        double minBpw = 0;
        const std::string plain = minimumText({}, minBpw);
        QVERIFY(minBpw > 2.25 && minBpw < 2.3); // int2 g64 fp16: 2.25 on 64 columns, more on 172
        auto in = buildAllocation(t, {}, minBpw - 0.01);
        QVERIFY(!in);
        QCOMPARE(in.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(in.error().detail.find(plain) != std::string::npos, in.error().detail.c_str());
        QVERIFY(buildAllocation(t, {}, minBpw)); // the named minimum is feasible
        // with "down>=4" the down tensors cost at least int4
        const std::vector<BitRule> rules{*parseBitRule("down>=4")};
        double ruledBpw = 0;
        const std::string ruled = minimumText(rules, ruledBpw);
        QVERIFY(ruledBpw > minBpw);
        auto r = buildAllocation(t, rules, minBpw);
        QVERIFY(!r);
        QVERIFY2(r.error().detail.find(ruled) != std::string::npos, r.error().detail.c_str());
        QVERIFY(buildAllocation(t, rules, ruledBpw));
        QVERIFY(r.error().detail.find("rules") != std::string::npos);
        QVERIFY(!buildAllocation(t, {}, 0));
        QVERIFY(!buildAllocation(t, {}, NAN));
    }
    void ruleExcludingEverythingIsNamed()
    {
        std::mt19937 rng(3);
        const SensitivityTable t = randomTable(rng, 4);
        const std::vector<BitRule> rules{*parseBitRule("gate>=9")};
        auto in = buildAllocation(t, rules, 8);
        QVERIFY(!in);
        QVERIFY(in.error().detail.find("gate>=9") != std::string::npos);
        QVERIFY(in.error().detail.find("layers.0.gate") != std::string::npos);
    }
    void uniformPlanCostsItsOption()
    {
        std::mt19937 rng(4);
        const SensitivityTable t = randomTable(rng, 6);
        for (std::size_t k = 0; k < t.menu.size(); ++k) {
            const Plan p = uniformPlan(t, k, "m");
            std::int64_t bits = 0;
            double loss = 0;
            for (const LayerSensitivity &l : t.layers) {
                bits += l.options[k].bits;
                loss += l.options[k].deltaLoss;
            }
            QCOMPARE(p.totalBits(), bits);
            QCOMPARE(p.predictedLoss(), loss);
            // the optimum at the uniform plan's bpw is never worse than the uniform plan
            BudgetRequest req;
            req.budgetBpw = p.bpw();
            req.frontierPoints = 0;
            auto best = planFromSensitivities(t, req, "m");
            QVERIFY(best);
            QVERIFY(best->predictedLoss() <= loss + 1e-12);
            QVERIFY(best->totalBits() <= bits);
        }
    }
};

QTEST_APPLESS_MAIN(TestBudgetPlan)
#include "tst_budget_plan.moc"
