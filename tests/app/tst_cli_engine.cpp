// SPDX-License-Identifier: GPL-3.0-or-later
// `lowbit eval / generate / calibrate` on stories260K: the reference figures through the CLI,
// JSON output, a self-comparison, a calibration file that loads back, and usage errors.
#include "core/calib/calibration.h"
#include "core/util/json.h"

#include "cli_runner.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>

using namespace lowbit;

namespace {
int run(std::vector<std::string> args, std::string &out, std::string &err) { return lowbit::test::runLowbit(std::move(args), out, err); }
} // namespace

class TestCliEngine : public QObject {
    Q_OBJECT
    std::string m_bin, m_hf, m_text;

private slots:
    void initTestCase()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        m_bin = lowbit::test::sharedPath("models/stories260K/stories260K.bin");
        m_hf = lowbit::test::sharedPath("models/stories260K/hf");
        m_text = lowbit::test::sharedPath("data/tinystories_valid_first1000.txt");
    }
    void evalFirst100StoriesAsJson()
    {
        std::string out, err;
        QCOMPARE(run({"eval", m_bin, "--text", m_text, "--max-docs", "100", "--threads", "2", "--json"}, out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), (out + err).c_str());
        QCOMPARE(*j->find("tokens")->asUInt64(), std::uint64_t(32997));
        QCOMPARE(*j->find("sequences")->asInt64(), std::int64_t(100));
        QVERIFY(std::fabs(j->find("perplexity")->asDouble() - 3.579) < 0.001);
        QVERIFY(std::fabs(std::exp(j->find("mean_nll")->asDouble()) - j->find("perplexity")->asDouble()) < 1e-9);
        QVERIFY(j->find("tokens_per_second")->asDouble() > 0);
    }
    void evalAgainstTheHfConversion()
    {
        std::string out, err;
        QCOMPARE(run({"eval", m_bin, "--text", m_text, "--max-docs", "20", "--reference", m_hf, "--json"}, out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), (out + err).c_str());
        QVERIFY(j->find("kl_divergence")->asDouble() < 1e-9); // bit-identical logits
        QCOMPARE(j->find("top1_agreement")->asDouble(), 1.0);
        QCOMPARE(j->find("delta_nll")->asDouble(), 0.0);
    }
    void onTheFlyWeightsGiveTheSameNumbers()
    {
        std::string a, b, err;
        QCOMPARE(run({"eval", m_bin, "--text", m_text, "--max-docs", "10", "--threads", "1", "--json"}, a, err), 0);
        QCOMPARE(run({"eval", m_bin, "--text", m_text, "--max-docs", "10", "--threads", "1", "--weights", "on-the-fly", "--json"}, b, err), 0);
        auto ja = parseJson(a), jb = parseJson(b);
        QVERIFY2(ja.ok() && jb.ok(), (a + b + err).c_str());
        QCOMPARE(ja->find("mean_nll")->asDouble(), jb->find("mean_nll")->asDouble());
        QCOMPARE(*jb->find("tokens")->asUInt64(), *ja->find("tokens")->asUInt64());
    }
    void fp16KvCacheAgainstTheFp32Reference()
    {
        // --kv-cache applies to MODEL; the reference keeps fp32, so the difference is the cache's
        std::string out, err;
        QCOMPARE(run({"eval", m_bin, "--text", m_text, "--max-docs", "10", "--kv-cache", "f16", "--reference", m_bin, "--json"}, out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), (out + err).c_str());
        QCOMPARE(j->find("kv_cache")->asString(), std::string("f16"));
        const double kl = j->find("kl_divergence")->asDouble();
        qInfo("fp16 KV cache against fp32: KL %.3g, top-1 %.4f, delta NLL %.3g", kl, j->find("top1_agreement")->asDouble(),
              j->find("delta_nll")->asDouble());
        QVERIFY(kl > 0 && kl < 1e-4);
        QVERIFY(j->find("top1_agreement")->asDouble() > 0.99);
        QVERIFY(std::fabs(j->find("delta_nll")->asDouble()) < 1e-3);
    }
    void generateGreedy()
    {
        std::string out, err;
        QCOMPARE(run({"generate", m_bin, "--n", "30", "--json"}, out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), (out + err).c_str());
        const std::string text = j->find("text")->asString();
        QVERIFY2(text.rfind("Once upon a time, there was a little girl named Lily.", 0) == 0, text.c_str());
        QCOMPARE(*j->find("generated_tokens")->asInt64(), std::int64_t(30));
        // the prefill apart from the decode: the empty prompt is BOS alone
        QCOMPARE(*j->find("prompt_tokens")->asInt64(), std::int64_t(1));
        QVERIFY(j->find("prompt_seconds")->asDouble() > 0);
        QVERIFY(j->find("prompt_tokens_per_second")->asDouble() > 0);
        QCOMPARE(j->find("device")->asString(), std::string("CPU"));
        QCOMPARE(run({"generate", m_bin, "--n", "4", "--prompt", "Once upon a time", "--json"}, out, err), 0);
        auto p = parseJson(out);
        QVERIFY2(p.ok(), (out + err).c_str());
        QVERIFY(*p->find("prompt_tokens")->asInt64() > 4); // BOS and the prompt's pieces
        // --ctx bounds the KV cache: generation stops when it is full, with the same first tokens
        QCOMPARE(run({"generate", m_bin, "--n", "30", "--ctx", "12", "--json"}, out, err), 0);
        auto k = parseJson(out);
        QVERIFY2(k.ok(), (out + err).c_str());
        const auto generated = *k->find("generated_tokens")->asInt64();
        QVERIFY2(generated > 0 && generated < 12, qPrintable(QString::number(generated)));
        QVERIFY(text.rfind(k->find("text")->asString(), 0) == 0);
    }
    void calibrateWritesALoadableFile()
    {
        QTemporaryDir dir;
        const std::string textPath = dir.path().toStdString() + "/calib.txt", outPath = dir.path().toStdString() + "/calib.safetensors";
        std::ofstream(textPath) << "Once upon a time there was a cat.<|endoftext|>The dog ran to the park and played all day long.";
        std::string out, err;
        QCOMPARE(run({"calibrate", m_bin, "--text", textPath, "--tokens", "20", "--out", outPath}, out, err), 0);
        auto stats = loadCalibration(outPath);
        QVERIFY2(stats.ok(), stats.ok() ? "" : stats.error().message().c_str());
        QCOMPARE(stats->tokens, std::uint64_t(20));
        QCOMPARE(stats->inputs.size(), std::size_t(5 * 4));
        QCOMPARE(stats->find(4, LinearInput::MlpOut)->dim, std::int64_t(172));
    }
    void vulkanFailuresOfferTheCpu_data()
    {
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("no such device") << QStringList{QStringLiteral("--device"), QStringLiteral("vulkan:99")};
        // a KV cache of 2^40 tokens: larger than any device (or refused before it, without Vulkan)
        QTest::newRow("larger than the device") << QStringList{QStringLiteral("--device"), QStringLiteral("vulkan"), QStringLiteral("--ctx"),
                                                                QStringLiteral("1099511627776")};
    }
    void vulkanFailuresOfferTheCpu()
    {
        // The error, then the CPU engine offered once (the gpu library's messages carry no hint)
        QFETCH(QStringList, extra);
        std::vector<std::string> argv = {"generate", m_bin, "-n", "4"};
        for (const QString &a : extra)
            argv.push_back(a.toStdString());
        std::string out, err;
        QCOMPARE(run(argv, out, err), 1);
        const std::string hint = "--device cpu";
        const std::size_t at = err.find(hint);
        QVERIFY2(at != std::string::npos, err.c_str());
        QVERIFY2(err.find(hint, at + 1) == std::string::npos, err.c_str());
        QVERIFY2(err.rfind("lowbit generate: ", 0) == 0, err.c_str());
    }
    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::newRow("eval without --text") << QStringList{QStringLiteral("eval"), QStringLiteral("MODEL")} << 2;
        QTest::newRow("eval --ctx 0") << QStringList{QStringLiteral("eval"), QStringLiteral("MODEL"), QStringLiteral("--text"), QStringLiteral("T"),
                                                     QStringLiteral("--ctx"), QStringLiteral("0")}
                                      << 2;
        QTest::newRow("generate without model") << QStringList{QStringLiteral("generate")} << 2;
        QTest::newRow("bad --weights") << QStringList{QStringLiteral("generate"), QStringLiteral("MODEL"), QStringLiteral("--weights"), QStringLiteral("lazy")}
                                       << 2;
        QTest::newRow("bad --kv-cache") << QStringList{QStringLiteral("generate"), QStringLiteral("MODEL"), QStringLiteral("--kv-cache"), QStringLiteral("q8")}
                                        << 2;
        QTest::newRow("bad --activations") << QStringList{QStringLiteral("generate"), QStringLiteral("MODEL"), QStringLiteral("--activations"),
                                                          QStringLiteral("int4")}
                                           << 2;
        // int8 activations are the Vulkan engine's integer kernels: refused on the CPU engine
        QTest::newRow("--activations int8 on the cpu") << QStringList{QStringLiteral("eval"), QStringLiteral("SHARED_MODEL"), QStringLiteral("--text"),
                                                                      QStringLiteral("SHARED_TEXT"), QStringLiteral("--activations"), QStringLiteral("int8")}
                                                       << 1;
        QTest::newRow("calibrate without --out") << QStringList{QStringLiteral("calibrate"), QStringLiteral("MODEL"), QStringLiteral("--text"),
                                                                QStringLiteral("T")}
                                                 << 2;
        QTest::newRow("eval of a missing model") << QStringList{QStringLiteral("eval"), QStringLiteral("/nonexistent/model.bin"),
                                                                QStringLiteral("--text"), QStringLiteral("SHARED_TEXT")}
                                                 << 1;
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        std::vector<std::string> argv;
        for (const QString &a : args)
            argv.push_back(a == QStringLiteral("SHARED_TEXT") ? m_text : a == QStringLiteral("SHARED_MODEL") ? m_bin : a.toStdString());
        std::string out, err;
        QCOMPARE(run(argv, out, err), code);
        QVERIFY(!err.empty());
    }
};

QTEST_APPLESS_MAIN(TestCliEngine)
#include "tst_cli_engine.moc"
