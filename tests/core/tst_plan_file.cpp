// SPDX-License-Identifier: GPL-3.0-or-later
// The plan file: JSON round trip (memory and disk), rejection of malformed files with the field
// named, checks against a model, and applyPlan filling the quantize config.
#include "core/alloc/plan_file.h"

#include "core/alloc/sensitivity.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace lowbit;

namespace {

FormatSpec spec(const char *format, std::int64_t group, ScaleStorage storage, float clip = 1.0f)
{
    auto f = parseFormat(format);
    auto s = makeFormatSpec(*f, group, storage, clip);
    return *s;
}

PlanEntry entry(std::string name, TensorRole role, int layer, std::int64_t rows, std::int64_t cols, FormatSpec s, double loss)
{
    PlanEntry e{std::move(name), role, layer, rows, cols, std::move(s), "rtn", 0, loss};
    e.bits = exactBits(e.spec, rows, cols);
    return e;
}

Plan samplePlan()
{
    Plan p;
    p.model = "/models/x";
    p.modelHash = "0123456789abcdef";
    p.budgetBpw = 3.75;
    p.lossMode = "kl";
    p.baseLoss = 0;
    p.evalTokens = 4096;
    p.menu = {"int3 g32 fp16 rtn", "nf4-asym g64 bf16 rtn", "mxfp4 g32 e8m0 rtn"};
    p.rules = {"down>=4"};
    p.tensors.push_back(entry("model.layers.0.self_attn.q_proj.weight", TensorRole::Q, 0, 64, 64, spec("int3", 32, ScaleStorage::F16), 0.125));
    p.tensors.push_back(entry("model.layers.0.mlp.down_proj.weight", TensorRole::Down, 0, 64, 172, spec("nf4-asym", 64, ScaleStorage::BF16, 0.9f), 1e-7));
    p.tensors.push_back(entry("model.embed_tokens.weight", TensorRole::Embedding, -1, 512, 64, spec("mxfp4", 32, ScaleStorage::E8M0), 0.5));
    p.frontier = {{3.1, 0.9}, {4.2, 0.1}};
    return p;
}

void comparePlans(const Plan &a, const Plan &b)
{
    QCOMPARE(a.model, b.model);
    QCOMPARE(a.modelHash, b.modelHash);
    QCOMPARE(a.budgetBpw, b.budgetBpw);
    QCOMPARE(a.lossMode, b.lossMode);
    QCOMPARE(a.evalTokens, b.evalTokens);
    QCOMPARE(a.menu, b.menu);
    QCOMPARE(a.rules, b.rules);
    QCOMPARE(a.tensors.size(), b.tensors.size());
    for (std::size_t i = 0; i < a.tensors.size(); ++i) {
        const PlanEntry &x = a.tensors[i], &y = b.tensors[i];
        QCOMPARE(x.tensor, y.tensor);
        QCOMPARE(x.role, y.role);
        QCOMPARE(x.layer, y.layer);
        QCOMPARE(x.rows, y.rows);
        QCOMPARE(x.cols, y.cols);
        QCOMPARE(x.spec.format.name, y.spec.format.name);
        QCOMPARE(x.spec.groupSize, y.spec.groupSize);
        QCOMPARE(x.spec.scaleStorage, y.spec.scaleStorage);
        QCOMPARE(x.spec.clip, y.spec.clip);
        QCOMPARE(x.method, y.method);
        QCOMPARE(x.bits, y.bits);
        QCOMPARE(x.predictedDeltaLoss, y.predictedDeltaLoss);
    }
    QCOMPARE(a.frontier.size(), b.frontier.size());
    for (std::size_t i = 0; i < a.frontier.size(); ++i) {
        QCOMPARE(a.frontier[i].bpw, b.frontier[i].bpw);
        QCOMPARE(a.frontier[i].predictedLoss, b.frontier[i].predictedLoss);
    }
}

Json *tensorField(Json &doc, std::size_t i) { return &doc["tensors"].asArray()[i]; }

} // namespace

using Mutation = std::function<void(Json &)>;
Q_DECLARE_METATYPE(Mutation)

class TestPlanFile : public QObject {
    Q_OBJECT
private slots:
    void roundTripInMemory()
    {
        const Plan p = samplePlan();
        const std::string text = planToJson(p).dump(2);
        auto json = parseJson(text);
        QVERIFY(json);
        auto back = planFromJson(*json);
        QVERIFY2(back, back ? "" : back.error().message().c_str());
        comparePlans(p, *back);
        QCOMPARE(back->totalBits(), p.tensors[0].bits + p.tensors[1].bits + p.tensors[2].bits);
        QCOMPARE(back->totalWeights(), std::int64_t(64 * 64 + 64 * 172 + 512 * 64));
        QCOMPARE(back->predictedLoss(), 0.125 + 1e-7 + 0.5);
        QCOMPARE(planToJson(*back).dump(2), text); // stable
    }
    void roundTripOnDisk()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("plan.json")).toStdString();
        const Plan p = samplePlan();
        QVERIFY(savePlan(p, path));
        const Status again = savePlan(p, path, false);
        QVERIFY(!again);
        QCOMPARE(again.error().code, ErrorCode::InvalidArgument);
        auto back = loadPlan(path);
        QVERIFY2(back, back ? "" : back.error().message().c_str());
        comparePlans(p, *back);
        auto missing = loadPlan(path + ".nope");
        QVERIFY(!missing);
    }
    void malformedIsRejected_data()
    {
        QTest::addColumn<Mutation>("mutate");
        QTest::addColumn<QString>("needle");
        QTest::addColumn<int>("code");
        const int M = int(ErrorCode::Malformed);
        QTest::newRow("not an object") << Mutation([](Json &d) { d = Json::array(); }) << "object" << M;
        QTest::newRow("no version") << Mutation([](Json &d) { d.asObject().erase(d.asObject().begin()); }) << "lowbit.plan" << M;
        QTest::newRow("newer version") << Mutation([](Json &d) { d["lowbit.plan"] = Json(99); }) << "newer" << int(ErrorCode::Unsupported);
        QTest::newRow("budget string") << Mutation([](Json &d) { d["budget_bpw"] = Json("3"); }) << "budget_bpw" << M;
        QTest::newRow("budget negative") << Mutation([](Json &d) { d["budget_bpw"] = Json(-1.0); }) << "budget_bpw" << M;
        QTest::newRow("bad loss") << Mutation([](Json &d) { d["loss"] = Json("mse"); }) << "mse" << M;
        QTest::newRow("menu not strings") << Mutation([](Json &d) { d["menu"].push(Json(3)); }) << "menu" << M;
        QTest::newRow("no tensors") << Mutation([](Json &d) { d["tensors"] = Json::array(); }) << "tensors" << M;
        QTest::newRow("tensor not object") << Mutation([](Json &d) { d["tensors"].asArray()[1] = Json(5); }) << "tensors[1]" << M;
        QTest::newRow("unknown format") << Mutation([](Json &d) { (*tensorField(d, 0))["format"] = Json("int77"); }) << "int77" << M;
        QTest::newRow("unknown method") << Mutation([](Json &d) { (*tensorField(d, 0))["method"] = Json("magic"); }) << "magic" << M;
        QTest::newRow("unknown role") << Mutation([](Json &d) { (*tensorField(d, 0))["role"] = Json("wq"); }) << "role" << M;
        QTest::newRow("norm role") << Mutation([](Json &d) { (*tensorField(d, 0))["role"] = Json("attn_norm"); }) << "linear" << M;
        QTest::newRow("zero rows") << Mutation([](Json &d) { (*tensorField(d, 1))["rows"] = Json(0); }) << "rows" << M;
        QTest::newRow("fractional cols") << Mutation([](Json &d) { (*tensorField(d, 1))["cols"] = Json(2.5); }) << "cols" << M;
        QTest::newRow("bad group") << Mutation([](Json &d) { (*tensorField(d, 0))["group"] = Json(-7); }) << "group" << M;
        QTest::newRow("mx group forced") << Mutation([](Json &d) { (*tensorField(d, 2))["group"] = Json(64); }) << "tensors[2]" << M;
        QTest::newRow("bad scale") << Mutation([](Json &d) { (*tensorField(d, 0))["scale"] = Json("fp12"); }) << "fp12" << M;
        QTest::newRow("bad clip") << Mutation([](Json &d) { (*tensorField(d, 0))["clip"] = Json(1.5); }) << "tensors[0]" << M;
        QTest::newRow("bits disagree") << Mutation([](Json &d) { (*tensorField(d, 0))["bits"] = Json(12345); }) << "bits" << M;
        QTest::newRow("loss missing") << Mutation([](Json &d) {
            auto &o = tensorField(d, 0)->asObject();
            std::erase_if(o, [](const auto &kv) { return kv.first == "predicted_delta_loss"; });
        }) << "predicted_delta_loss" << M;
        QTest::newRow("duplicate tensor") << Mutation([](Json &d) { (*tensorField(d, 1))["tensor"] = (*tensorField(d, 0))["tensor"]; })
                                          << "twice" << M;
        QTest::newRow("total bits edited") << Mutation([](Json &d) { d["total_bits"] = Json(1); }) << "total_bits" << M;
        QTest::newRow("frontier junk") << Mutation([](Json &d) { d["frontier"].push(Json("x")); }) << "frontier[2]" << M;
    }
    void malformedIsRejected()
    {
        QFETCH(Mutation, mutate);
        QFETCH(QString, needle);
        QFETCH(int, code);
        Json doc = planToJson(samplePlan());
        QVERIFY(planFromJson(doc)); // the unmutated document is valid
        mutate(doc);
        // through text too, as a file would arrive
        auto reparsed = parseJson(doc.dump());
        QVERIFY(reparsed);
        auto p = planFromJson(*reparsed);
        QVERIFY(!p);
        QCOMPARE(int(p.error().code), code);
        QVERIFY2(p.error().detail.find(needle.toStdString()) != std::string::npos, p.error().detail.c_str());
    }
    void garbageFileIsAnError()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("junk.json")).toStdString();
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\x01\x02{not json");
        f.close();
        auto p = loadPlan(path);
        QVERIFY(!p);
        QCOMPARE(p.error().code, ErrorCode::Malformed);
        QVERIFY(p.error().detail.find(path) != std::string::npos);
    }
    void applyPlanFillsTheConfig()
    {
        const Plan p = samplePlan();
        QuantizeConfig c;
        c.method = "rtn";
        c.plan["other.weight"] = spec("int8", 32, ScaleStorage::F16);
        QVERIFY(applyPlan(p, c));
        QCOMPARE(c.plan.size(), std::size_t(4)); // existing entries are kept
        for (const PlanEntry &e : p.tensors) {
            QVERIFY(c.plan.count(e.tensor));
            QCOMPARE(describeSpec(c.plan.at(e.tensor)), describeSpec(e.spec));
            QCOMPARE(c.planMethod.at(e.tensor), e.method);
        }
        QVERIFY(c.includeEmbedding); // the plan covers the embedding
        QVERIFY(!c.includeOutput);
        Plan empty;
        QuantizeConfig c2;
        QVERIFY(!applyPlan(empty, c2));
    }
    void checkAgainstStories()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto m = Model::open(test::sharedPath("models/stories260K/hf"));
        QVERIFY(m);
        Plan p = samplePlan();
        p.modelHash.clear();
        QVERIFY2(checkPlanAgainstModel(p, *m), "names and shapes of stories260K");
        p.modelHash = modelFingerprint(*m);
        QVERIFY(checkPlanAgainstModel(p, *m));
        p.modelHash = "ffffffffffffffff";
        Status st = checkPlanAgainstModel(p, *m);
        QVERIFY(!st);
        QCOMPARE(st.error().code, ErrorCode::Inconsistent);
        p.modelHash.clear();
        p.tensors[1].rows = 172;
        p.tensors[1].cols = 64;
        st = checkPlanAgainstModel(p, *m);
        QVERIFY(!st);
        QVERIFY(st.error().detail.find("down_proj") != std::string::npos);
        p.tensors[1].tensor = "model.layers.9.mlp.down_proj.weight";
        st = checkPlanAgainstModel(p, *m);
        QVERIFY(!st);
        QVERIFY(st.error().detail.find("layers.9") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestPlanFile)
#include "tst_plan_file.moc"
