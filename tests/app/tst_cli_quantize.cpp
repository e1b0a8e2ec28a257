// SPDX-License-Identifier: GPL-3.0-or-later
// `lowbit quantize` on stories260K: RTN and GPTQ into the studio container, re-opened by eval
// and inspect; the JSON report; calibration from a text and from saved statistics; usage errors
// and refusing to overwrite.
#include "core/util/json.h"

#include "cli_runner.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <filesystem>
#include <set>

using namespace lowbit;

namespace {
int run(std::vector<std::string> args, std::string &out, std::string &err) { return lowbit::test::runLowbit(std::move(args), out, err); }

double evalPpl(const std::string &model, const std::string &text)
{
    std::string out, err;
    if (run({"eval", model, "--text", text, "--max-docs", "30", "--json"}, out, err) != 0)
        return -1;
    auto j = parseJson(out);
    return j ? j->find("perplexity")->asDouble() : -1;
}
} // namespace

class TestCliQuantize : public QObject {
    Q_OBJECT
    std::string m_bin, m_text;
    QTemporaryDir m_dir;

    std::string path(const char *name) const { return (m_dir.path() + QLatin1Char('/') + QLatin1String(name)).toStdString(); }

private slots:
    void initTestCase()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        m_bin = lowbit::test::sharedPath("models/stories260K/stories260K.bin");
        m_text = lowbit::test::sharedPath("data/tinystories_valid_first1000.txt");
    }

    void rtnReportAndReopen()
    {
        std::string out, err;
        const std::string q = path("rtn.lowbit.safetensors");
        QCOMPARE(run({"quantize", m_bin, "--method", "rtn", "--format", "int4", "--group", "32", "--out", q, "--json"}, out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), (out + err).c_str());
        const auto &layers = j->find("layers")->asArray();
        QCOMPARE(layers.size(), std::size_t(35)); // 5 blocks × 7 matrices; the tied embedding stays fp32
        for (const Json &l : layers) {
            QCOMPARE(l.find("format")->asString(), std::string("int4 g32 fp16"));
            QVERIFY(l.find("weight_rel_mse")->asDouble() > 0 && l.find("weight_rel_mse")->asDouble() < 0.05);
        }
        QVERIFY(std::fabs(j->find("average_bpw")->asDouble() - 4.5) < 0.02); // 4 + 16/32, plus the down rows' short groups
        const double fp = evalPpl(m_bin, m_text), q4 = evalPpl(q, m_text);
        QVERIFY2(q4 > fp && q4 < fp * 1.2, qPrintable(QString::number(q4) + QLatin1String(" vs ") + QString::number(fp)));

        QCOMPARE(run({"inspect", q, "--json"}, out, err), 0);
        QVERIFY2(out.find("int4 g32 fp16") != std::string::npos, out.c_str());
        // refuses to overwrite, then overwrites with --force
        QCOMPARE(run({"quantize", m_bin, "--format", "int4", "--out", q}, out, err), 1);
        QVERIFY(err.find("--force") != std::string::npos);
        QCOMPARE(run({"quantize", m_bin, "--format", "int8", "--out", q, "--force"}, out, err), 0);
    }

    void gptqWithTextAndSavedCalibration()
    {
        std::string out, err;
        const std::string stats = path("calib.safetensors");
        QCOMPARE(run({"calibrate", m_bin, "--text", m_text, "--tokens", "8000", "--out", stats}, out, err), 0);
        const std::string a = path("g1.lowbit.safetensors"), b = path("g2.lowbit.safetensors");
        QCOMPARE(run({"quantize", m_bin, "--method", "gptq", "--format", "int3", "--calib", stats, "--out", a, "--json"}, out, err), 0);
        auto ja = parseJson(out);
        QVERIFY(ja.ok());
        for (const Json &l : ja->find("layers")->asArray())
            QVERIFY(l.find("proxy_error") && l.find("proxy_error")->asDouble() > 0);
        QCOMPARE(run({"quantize", m_bin, "--method", "gptq", "--format", "int3", "--calib", m_text, "--calib-tokens", "8000", "--out", b,
                      "--json"},
                     out, err),
                 0);
        auto jb = parseJson(out);
        QVERIFY(jb.ok());
        // same statistics either way → the same proxy errors
        const auto &la = ja->find("layers")->asArray(), &lb = jb->find("layers")->asArray();
        for (std::size_t i = 0; i < la.size(); ++i)
            QCOMPARE(la[i].find("proxy_error")->asDouble(), lb[i].find("proxy_error")->asDouble());
        // and GPTQ beats RTN at 3 bits on perplexity
        const std::string r = path("r3.lowbit.safetensors");
        QCOMPARE(run({"quantize", m_bin, "--method", "rtn", "--format", "int3", "--out", r}, out, err), 0);
        QVERIFY(evalPpl(a, m_text) < evalPpl(r, m_text));
    }

    void budgetAndSavedPlan()
    {
        std::string out, err;
        const std::string q = path("b.lowbit.safetensors"), planFile = path("plan.json");
        QCOMPARE(run({"quantize", m_bin, "--method", "rtn", "--budget", "5.5", "--menu", "int4,int8", "--calib", m_text, "--calib-tokens", "2000",
                      "--eval-tokens", "400", "--save-plan", planFile, "--out", q, "--json"},
                     out, err),
                 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), (out + err).c_str());
        const Json *plan = j->find("plan");
        QVERIFY(plan);
        QVERIFY(plan->find("plan_bpw")->asDouble() <= 5.5);
        QVERIFY(j->find("average_bpw")->asDouble() <= 5.5 + 1e-9);       // the budget is never exceeded
        QVERIFY(j->find("average_bpw")->asDouble() > 4.5 + 0.1);         // and it is used: some tensors got int8
        QVERIFY(plan->find("measured_delta_loss"));                     // predicted vs measured, same documents
        QVERIFY(plan->find("predicted_delta_loss")->asDouble() >= 0);
        std::set<std::string> formats;
        for (const Json &l : j->find("layers")->asArray()) {
            formats.insert(l.find("format")->asString());
            QVERIFY(l.find("predicted_delta_loss"));
        }
        QCOMPARE(formats, (std::set<std::string>{"int4 g32 fp16", "int8 g32 fp16"}));

        // the saved plan reproduces the same model without re-measuring
        const std::string q2 = path("b2.lowbit.safetensors");
        QCOMPARE(run({"quantize", m_bin, "--method", "rtn", "--plan", planFile, "--out", q2, "--json"}, out, err), 0);
        auto j2 = parseJson(out);
        QVERIFY(j2.ok());
        QCOMPARE(j2->find("average_bpw")->asDouble(), j->find("average_bpw")->asDouble());

        // an impossible budget names the minimum
        QCOMPARE(run({"quantize", m_bin, "--method", "rtn", "--budget", "2", "--menu", "int4,int8", "--calib", m_text, "--calib-tokens", "2000",
                      "--eval-tokens", "400", "--out", path("x.lowbit.safetensors")},
                     out, err),
                 2);
        QVERIFY2(err.find("4.5") != std::string::npos, err.c_str());
        QVERIFY(!std::filesystem::exists(path("x.lowbit.safetensors")));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("no out") << QStringList{QStringLiteral("--format"), QStringLiteral("int4")} << 2 << QStringLiteral("--out");
        QTest::newRow("bad suffix") << QStringList{QStringLiteral("--format"), QStringLiteral("int4"), QStringLiteral("--out"), QStringLiteral("x.safetensors")}
                                    << 2 << QStringLiteral(".lowbit.safetensors");
        QTest::newRow("no format") << QStringList{QStringLiteral("--out"), QStringLiteral("x.lowbit.safetensors")} << 2 << QStringLiteral("--format");
        QTest::newRow("bad method") << QStringList{QStringLiteral("--method"), QStringLiteral("magic"), QStringLiteral("--format"), QStringLiteral("int4"),
                                                   QStringLiteral("--out"), QStringLiteral("x.lowbit.safetensors")}
                                    << 2 << QStringLiteral("gptq");
        QTest::newRow("bad vq") << QStringList{QStringLiteral("--method"), QStringLiteral("vptq"), QStringLiteral("--vq"), QStringLiteral("v=8,zz=1"),
                                               QStringLiteral("--out"), QStringLiteral("x.lowbit.safetensors")}
                                << 2 << QStringLiteral("zz");
        QTest::newRow("bad regex") << QStringList{QStringLiteral("--format"), QStringLiteral("int4"), QStringLiteral("--skip"), QStringLiteral("(["),
                                                  QStringLiteral("--out"), QStringLiteral("x.lowbit.safetensors")}
                                   << 1 << QStringLiteral("regular expression");
        QTest::newRow("gptq without calibration") << QStringList{QStringLiteral("--method"), QStringLiteral("gptq"), QStringLiteral("--format"),
                                                                 QStringLiteral("int4"), QStringLiteral("--out"), QStringLiteral("x.lowbit.safetensors")}
                                                  << 1 << QStringLiteral("--calib");
        QTest::newRow("bad layer format") << QStringList{QStringLiteral("--format"), QStringLiteral("int4"), QStringLiteral("--layer-format"),
                                                         QStringLiteral("down=int77"), QStringLiteral("--out"), QStringLiteral("x.lowbit.safetensors")}
                                          << 2 << QStringLiteral("int77");
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        std::vector<std::string> argv{"quantize", m_bin};
        for (const QString &s : args)
            argv.push_back(s == QLatin1String("x.lowbit.safetensors") || s == QLatin1String("x.safetensors") ? path(s.toUtf8().constData())
                                                                                                               : s.toStdString());
        std::string out, err;
        QCOMPARE(run(argv, out, err), code);
        QVERIFY2(err.find(message.toStdString()) != std::string::npos, err.c_str());
        QVERIFY(!std::filesystem::exists(path("x.lowbit.safetensors")));
    }
};

QTEST_GUILESS_MAIN(TestCliQuantize)
#include "tst_cli_quantize.moc"
