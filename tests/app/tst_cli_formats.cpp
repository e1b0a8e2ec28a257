// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit formats / lowbit error from the command line.
#include "app/cli/commands.h"

#include "core/util/json.h"

#include "cli_runner.h"
#include "test_support.h"

#include <QTest>

#include <sstream>

using namespace lowbit;

namespace {
int run(std::vector<std::string> args, std::string &out, std::string &err) { return lowbit::test::runLowbit(std::move(args), out, err); }
} // namespace

class TestCliFormats : public QObject {
    Q_OBJECT
private slots:
    void formatsJson()
    {
        std::string out, err;
        QCOMPARE(run({"formats", "--json", "--group", "128", "--scale", "fp16"}, out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), out.c_str());
        bool sawInt4 = false, sawMx = false;
        for (const Json &f : j->asArray()) {
            if (f.find("name")->asString() == "int4") {
                sawInt4 = true;
                QCOMPARE(f.find("bpw")->asDouble(), 4.125);
            }
            if (f.find("name")->asString() == "mxfp4") {
                sawMx = true;
                QCOMPARE(f.find("bpw")->asDouble(), 4.25); // group 32 + E8M0 regardless of --group
            }
        }
        QVERIFY(sawInt4 && sawMx);
        QCOMPARE(run({"formats", "--format", "lut:1,2,3"}, out, err), 0);
        QVERIFY(out.find("lut:1,2,3") != std::string::npos);
        QCOMPARE(run({"formats", "--format", "nope"}, out, err), 1);
        QCOMPARE(run({"formats", "--scale", "fp7"}, out, err), 2);
    }
    void errorOnStories()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        std::string out, err;
        QCOMPARE(run({"error", lowbit::test::sharedPath("models/stories260K/hf"), "--format", "int8", "--json"}, out, err), 0);
        auto j = parseJson(out);
        QVERIFY2(j.ok(), err.c_str());
        QCOMPARE(j->find("tensors")->size(), std::size_t(36)); // 35 per-layer linears + the (tied) embedding
        QVERIFY(j->find("weighted_relative_mse")->asDouble() < 1e-4);
        QCOMPARE(run({"error", lowbit::test::sharedPath("models/stories260K/hf"), "--format", "mxfp4", "--group", "64"}, out, err), 2);
        QVERIFY(err.find("fixed groups of 32") != std::string::npos);
        QCOMPARE(run({"error", lowbit::test::sharedPath("models/stories260K/hf")}, out, err), 2);
    }
};

QTEST_MAIN(TestCliFormats)
#include "tst_cli_formats.moc"
