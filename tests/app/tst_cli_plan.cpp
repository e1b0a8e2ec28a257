// SPDX-License-Identifier: GPL-3.0-or-later
// `lowbit plan` on stories260K: a plan within the budget written and shown back, the cache
// re-used by a second budget, JSON output, infeasible budgets naming the minimum bpw, rules,
// malformed plan files and usage errors.
#include "core/alloc/plan_file.h"
#include "core/util/json.h"

#include "cli_runner.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace lowbit;

namespace {
int run(std::vector<std::string> args, std::string &out, std::string &err) { return lowbit::test::runLowbit(std::move(args), out, err); }
} // namespace

class TestCliPlan : public QObject {
    Q_OBJECT
    std::string m_bin, m_text;
    QTemporaryDir m_dir;

    std::string path(const char *name) const { return m_dir.filePath(QString::fromUtf8(name)).toStdString(); }
    /// The fast (proxy) plan command with a small calibration; extra arguments appended.
    std::vector<std::string> planArgs(std::vector<std::string> extra) const
    {
        std::vector<std::string> a{"plan", m_bin, "--menu", "int2,int3,int4", "--groups", "32,64", "--method", "rtn", "--calib", m_text,
                                   "--calib-tokens", "600", "--proxy", "--cache", path("cache.json"), "--threads", "2"};
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    }

private slots:
    void initTestCase()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        m_bin = lowbit::test::sharedPath("models/stories260K/stories260K.bin");
        m_text = lowbit::test::sharedPath("data/tinystories_valid_first1000.txt");
        QVERIFY(m_dir.isValid());
    }
    void planWithinBudgetAndShowBack()
    {
        std::string out, err;
        QCOMPARE(run(planArgs({"--budget", "3.3", "--out", path("plan.json")}), out, err), 0);
        QVERIFY2(out.find("wrote") != std::string::npos, (out + err).c_str());
        QVERIFY(out.find("frontier") != std::string::npos);
        auto plan = loadPlan(path("plan.json"));
        QVERIFY2(plan, plan ? "" : plan.error().message().c_str());
        QCOMPARE(plan->tensors.size(), std::size_t(35));
        QVERIFY(plan->bpw() <= 3.3);
        QVERIFY(plan->bpw() > 3.0); // the budget is (nearly) used
        QCOMPARE(plan->lossMode, std::string("proxy"));
        QCOMPARE(plan->menu.size(), std::size_t(6));
        bool mixed = false;
        for (const PlanEntry &e : plan->tensors)
            mixed = mixed || e.spec.format.name != plan->tensors[0].spec.format.name || e.spec.groupSize != plan->tensors[0].spec.groupSize;
        QVERIFY(mixed);

        std::string shown, err2;
        QCOMPARE(run({"plan", "--show", path("plan.json")}, shown, err2), 0);
        QVERIFY(shown.find(plan->tensors[0].tensor) != std::string::npos);
        QVERIFY(shown.find("bpw (budget 3.3000)") != std::string::npos);
        std::string js;
        QCOMPARE(run({"plan", "--show", path("plan.json"), "--json"}, js, err2), 0);
        auto j = parseJson(js);
        QVERIFY(j);
        auto back = planFromJson(*j);
        QVERIFY(back);
        QCOMPARE(back->totalBits(), plan->totalBits());
    }
    void secondBudgetUsesTheCache()
    {
        std::string out, err;
        QCOMPARE(run(planArgs({"--budget", "3.3"}), out, err), 0); // fills the cache if the test above did not
        QCOMPARE(run(planArgs({"--budget", "4.0", "--json"}), out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j, out.c_str());
        QCOMPARE(*j->find("sensitivities")->find("measured")->asInt64(), std::int64_t(0));
        QCOMPARE(*j->find("sensitivities")->find("cached")->asInt64(), std::int64_t(35 * 6));
        QVERIFY(j->find("bpw")->asDouble() <= 4.0);
        QVERIFY(j->find("bpw")->asDouble() > 3.7);
    }
    void infeasibleBudgetNamesTheMinimum()
    {
        std::string out, err;
        QCOMPARE(run(planArgs({"--budget", "2.0"}), out, err), 1);
        QVERIFY2(err.find("minimum feasible") != std::string::npos, err.c_str());
        QVERIFY(err.find("2.2") != std::string::npos); // int2 g64 fp16: 2.25 bpw on 64 columns, a little more on 172
        // down>=4 raises the minimum
        QCOMPARE(run(planArgs({"--budget", "2.3", "--rule", "down>=4"}), out, err), 1);
        QVERIFY2(err.find("these rules") != std::string::npos, err.c_str());
    }
    void rulesAreObeyed()
    {
        std::string out, err;
        QCOMPARE(run(planArgs({"--budget", "3.0", "--rule", "down>=4", "--out", path("ruled.json"), "--force"}), out, err), 0);
        auto plan = loadPlan(path("ruled.json"));
        QVERIFY(plan);
        QCOMPARE(plan->rules, std::vector<std::string>{"down>=4"});
        for (const PlanEntry &e : plan->tensors)
            if (e.role == TensorRole::Down)
                QVERIFY2(e.spec.format.bits >= 4, e.tensor.c_str());
        QVERIFY(plan->bpw() <= 3.0);
    }
    void studyComparesAllocatedAndUniform()
    {
        // A tiny study: 35 tensors x 2 RTN options measured on ~1 story, then the allocated plan
        // and both uniform ones quantized and evaluated on 3 stories.
        std::string out, err;
        const int rc = run({"plan", m_bin, "--study", "3.9,1.0", "--menu", "int3,int4", "--groups", "32", "--method", "rtn", "--calib", m_text,
                            "--calib-tokens", "300", "--eval-tokens", "150", "--eval-text", m_text, "--eval-docs", "3", "--threads", "2",
                            "--out", path("study.md"), "--force"},
                           out, err);
        QVERIFY2(rc == 0, err.c_str());
        QFile f(QString::fromStdString(path("study.md")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const std::string md = f.readAll().toStdString();
        QVERIFY(md.find("## Budget 3.90 bpw") != std::string::npos);
        QVERIFY(md.find("| allocated @ 3.90 |") != std::string::npos);
        QVERIFY(md.find("| uniform int4 g32 fp16 rtn |") != std::string::npos);
        QVERIFY(md.find("## Additivity") != std::string::npos);
        // the infeasible budget is reported, not fatal
        QVERIFY(md.find("minimum feasible") != std::string::npos);
        QVERIFY(md.find("## Budget 1.00 bpw\n\nInfeasible") != std::string::npos);
    }
    void malformedPlanFile()
    {
        std::ofstream(path("bad.json")) << R"({"lowbit.plan": 1, "model": "x"})";
        std::string out, err;
        QCOMPARE(run({"plan", "--show", path("bad.json")}, out, err), 1);
        QVERIFY2(err.find("malformed") != std::string::npos, err.c_str());
    }
    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("nothing") << QStringList{QStringLiteral("plan")};
        QTest::newRow("no menu") << QStringList{QStringLiteral("plan"), QStringLiteral("m.bin"), QStringLiteral("--budget"), QStringLiteral("3"),
                                                QStringLiteral("--calib"), QStringLiteral("t.txt")};
        QTest::newRow("unknown option") << QStringList{QStringLiteral("plan"), QStringLiteral("--bogus"), QStringLiteral("1")};
        QTest::newRow("show with model") << QStringList{QStringLiteral("plan"), QStringLiteral("m.bin"), QStringLiteral("--show"), QStringLiteral("p.json")};
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        std::vector<std::string> a;
        for (const QString &s : args)
            a.push_back(s.toStdString());
        std::string out, err;
        QCOMPARE(run(a, out, err), 2);
        QVERIFY(err.find("usage") != std::string::npos);
    }
    void badValuesAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("budget") << QStringList{QStringLiteral("--budget"), QStringLiteral("-1")};
        QTest::newRow("rule") << QStringList{QStringLiteral("--budget"), QStringLiteral("3"), QStringLiteral("--rule"), QStringLiteral("down=4")};
        QTest::newRow("loss") << QStringList{QStringLiteral("--budget"), QStringLiteral("3"), QStringLiteral("--loss"), QStringLiteral("mse")};
        QTest::newRow("groups") << QStringList{QStringLiteral("--budget"), QStringLiteral("3"), QStringLiteral("--groups"), QStringLiteral("32,x")};
        QTest::newRow("vector method")
            << QStringList{QStringLiteral("--budget"), QStringLiteral("3"), QStringLiteral("--method"), QStringLiteral("vptq")};
    }
    void badValuesAreUsageErrors()
    {
        QFETCH(QStringList, extra);
        std::vector<std::string> e;
        for (const QString &s : extra)
            e.push_back(s.toStdString());
        std::string out, err;
        QCOMPARE(run(planArgs(e), out, err), 2);
        QVERIFY(!err.empty());
    }
};

QTEST_APPLESS_MAIN(TestCliPlan)
#include "tst_cli_plan.moc"
