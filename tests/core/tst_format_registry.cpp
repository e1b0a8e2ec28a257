// SPDX-License-Identifier: GPL-3.0-or-later
// The format registry: names, grids, bits per weight, bad input, and the published anchor
// (relative MSE of RTN on stories260K's 35 linear matrices at g = 32, fp32 scales).
#include "core/model/model.h"
#include "core/quant/error_measures.h"
#include "core/quant/fast_quantize.h"
#include "core/quant/format.h"

#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace lowbit;

namespace {
std::vector<float> positiveHalf(const std::vector<float> &g)
{
    std::vector<float> p;
    for (float v : g)
        if (v >= 0)
            p.push_back(v);
    return p;
}
} // namespace

class TestFormatRegistry : public QObject {
    Q_OBJECT
private slots:
    void grids()
    {
        QCOMPARE(positiveHalf(parseFormat("fp4")->grid), (std::vector<float>{0, 0.5f, 1, 1.5f, 2, 3, 4, 6}));
        QCOMPARE(parseFormat("fp4")->grid.size(), std::size_t(15)); // ±0 merged
        QCOMPARE(parseFormat("fp8-e4m3")->grid.back(), 448.0f);
        QCOMPARE(parseFormat("fp8-e5m2")->grid.back(), 57344.0f);
        QCOMPARE(parseFormat("fp6-e3m2")->grid.back(), 28.0f);
        QCOMPARE(parseFormat("fp6-e2m3")->grid.back(), 7.5f);
        QCOMPARE(parseFormat("fp3")->grid, (std::vector<float>{-4, -2, -1, 0, 1, 2, 4}));
        QCOMPARE(parseFormat("nf4")->grid.size(), std::size_t(16));
        QCOMPARE(parseFormat("nf4")->grid[1], -0.6961928f);
        QCOMPARE(parseFormat("nf3")->grid[4], 0.1833375f);
        QCOMPARE(parseFormat("fp3-er-pos")->grid, (std::vector<float>{-4, -2, -1, 0, 1, 2, 3, 4}));
        QCOMPARE(parseFormat("fp3-ea-neg")->grid, (std::vector<float>{-6, -4, -2, -1, 0, 1, 2, 4}));
        QCOMPARE(parseFormat("fp4-ea-pos")->grid.back(), 16.0f);
        QCOMPARE(parseFormat("fp4-er-neg")->grid.front(), -12.0f);
        const auto erNeg = parseFormat("fp4-er-neg")->grid;
        QCOMPARE(std::count(erNeg.begin(), erNeg.end(), -10.0f), std::ptrdiff_t(1));
        QCOMPARE(parseFormat("iq4nl")->grid.front(), -127.0f);
        const auto b = parseFormat("bitmod-fp3");
        QCOMPARE(b->members.size(), std::size_t(4));
        QCOMPARE(b->members[0].name, std::string("fp3-er-pos"));
        QCOMPARE(b->selectorBits(), 2u);
        QCOMPARE(b->codeBits(), 3u);
        QCOMPARE(parseFormat("mix:int4|nf4|fp4")->selectorBits(), 2u);
        QCOMPARE(parseFormat("lut:-1,0,0.5,2")->codeBits(), 2u);
        QCOMPARE(parseFormat("fp-e3m3")->codeBits(), 7u);
        QVERIFY(parseFormat("nf4-asym")->twoScale);
    }
    void everyListedNameParses()
    {
        for (const auto &n : listFormatNames()) {
            auto f = parseFormat(n);
            QVERIFY2(f.ok(), n.c_str());
            auto spec = makeFormatSpec(*f);
            QVERIFY2(spec.ok(), n.c_str());
            QVERIFY2(planForSpec(*spec).ok(), n.c_str());
        }
    }
    void bitsPerWeight_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("storage");
        QTest::addColumn<double>("bpw");
        QTest::newRow("int4 g32 fp16") << "int4" << 32 << "fp16" << 4.5;
        QTest::newRow("int4-asym g128 fp16") << "int4-asym" << 128 << "fp16" << 4.0 + 16.0 / 128 + 4.0 / 128;
        QTest::newRow("fp4-asym g64 fp16") << "fp4-asym" << 64 << "fp16" << 4.0 + 32.0 / 64;
        QTest::newRow("bitmod-fp3 g128 fp16") << "bitmod-fp3" << 128 << "fp16" << 3.0 + 16.0 / 128 + 2.0 / 128;
        QTest::newRow("mxfp4") << "mxfp4" << -2 << "" << 4.25;
        QTest::newRow("nvfp4") << "nvfp4" << -2 << "" << 4.5 + 32.0 / (64.0 * 128.0);
        QTest::newRow("nf4 per-channel fp32") << "nf4" << 0 << "fp32" << 4.0 + 32.0 / 128;
        QTest::newRow("int8 per-tensor") << "int8" << -1 << "fp32" << 8.0 + 32.0 / (64.0 * 128.0);
        QTest::newRow("int4 g48 (short last group)") << "int4" << 48 << "fp32" << 4.0 + 3.0 * 32 / 128; // 128 = 48+48+32
        QTest::newRow("q4_0 (ggml block)") << "q4_0" << -2 << "" << 4.5;
        QTest::newRow("nf4-asym g32 bf16") << "nf4-asym" << 32 << "bf16" << 4.0 + 32.0 / 32;
        QTest::newRow("mix:int4|nf4-asym g64 fp16") << "mix:int4|nf4-asym" << 64 << "fp16" << 4.0 + 16.0 / 64 + 16.0 / 64 + 1.0 / 64;
        QTest::newRow("mxfp6-e3m2") << "mxfp6-e3m2" << -2 << "" << 6.25;
    }
    void bitsPerWeight()
    {
        QFETCH(QString, name);
        QFETCH(int, group);
        QFETCH(QString, storage);
        QFETCH(double, bpw);
        auto f = parseFormat(name.toStdString());
        QVERIFY(f.ok());
        std::optional<ScaleStorage> st;
        if (!storage.isEmpty())
            st = *parseScaleStorage(storage.toStdString());
        auto spec = makeFormatSpec(*f, group == -2 ? std::nullopt : std::optional<std::int64_t>(group), st);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().message().c_str());
        const double got = lowbit::bitsPerWeight(*spec, 64, 128).total();
        QVERIFY2(std::fabs(got - bpw) < 1e-12, qPrintable(QStringLiteral("%1 vs %2").arg(got).arg(bpw)));
    }
    void badInput_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("unknown") << "int9";
        QTest::newRow("typo") << "nf5";
        QTest::newRow("fp too wide") << "fp-e5m4";
        QTest::newRow("fp no exponent") << "fp-e0m3";
        QTest::newRow("lut with NaN") << "lut:1,nan,2";
        QTest::newRow("lut duplicates") << "lut:1,2,2";
        QTest::newRow("lut one value") << "lut:1";
        QTest::newRow("lut garbage") << "lut:1,x";
        QTest::newRow("mix of one") << "mix:int4";
        QTest::newRow("mix with MX") << "mix:int4|mxfp4";
        QTest::newRow("asym on MX") << "mxfp4-asym";
        QTest::newRow("asym on a LUT without positive values") << "lut:-3,-1-asym";
    }
    void badInput()
    {
        QFETCH(QString, name);
        auto f = parseFormat(name.toStdString());
        QVERIFY(!f.ok());
        QCOMPARE(f.error().code, ErrorCode::InvalidArgument);
    }
    void errorsSayWhatIsValid()
    {
        const auto unknown = parseFormat("int9");
        QVERIFY(!unknown);
        for (const char *valid : {"int2", "fp-eXmY", "nf4", "bitmod-fp3", "mxfp4", "nvfp4", "iq4nl", "q4_0", "lut:", "mix:"})
            QVERIFY2(unknown.error().message().find(valid) != std::string::npos, valid);
        QVERIFY(parseFormat("lut:1,nan,2").error().message().find("finite") != std::string::npos);
        QVERIFY(parseFormat("lut:1,2,2").error().message().find("unique") != std::string::npos);
        QVERIFY(parseFormat("mxfp4-asym").error().message().find("-asym") != std::string::npos);
        QVERIFY(makeFormatSpec(*parseFormat("mxfp4"), 64).error().message().find("32") != std::string::npos);
        QVERIFY(makeFormatSpec(*parseFormat("q4_0"), std::nullopt, ScaleStorage::BF16).error().message().find("fp16") != std::string::npos);
    }
    void familyTable()
    {
        // every family answers from the table: names, fixed groups and storage, -asym, mixtures
        QCOMPARE(formatFamilyName(FormatFamily::Q4_0), std::string_view("q4_0"));
        QCOMPARE(familyTraits(FormatFamily::Mx).fixedGroup, std::int64_t{32});
        QCOMPARE(familyTraits(FormatFamily::Nvfp4).storage, ScaleStorage::E4M3);
        QVERIFY(familyTraits(FormatFamily::Nf).takesAsym);
        QVERIFY(!familyTraits(FormatFamily::Int).takesAsym);
        QVERIFY(!familyTraits(FormatFamily::Iq4nl).mixable);
        QVERIFY(parseFormat("lut:-1,0,2-asym")->twoScale);
        QVERIFY(!parseFormat("iq4nl-asym"));
        QVERIFY(!parseFormat("mix:int4|q4_0"));
        const auto q40 = parseFormat("q4_0");
        QCOMPARE(q40->grid.front(), -8.0f);
        QCOMPARE(q40->grid.back(), 7.0f);
        QCOMPARE(q40->codeBits(), 4u);
        QCOMPARE(makeFormatSpec(*q40)->scaleStorage, ScaleStorage::F16);
        QCOMPARE(planForSpec(*makeFormatSpec(*q40)).error().code, ErrorCode::Unsupported);
    }
    void impossibleSpecs()
    {
        QCOMPARE(makeFormatSpec(*parseFormat("mxfp4"), 64).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(makeFormatSpec(*parseFormat("nvfp4"), std::nullopt, ScaleStorage::F16).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(makeFormatSpec(*parseFormat("int4"), -5).error().code, ErrorCode::InvalidArgument);
        QCOMPARE(makeFormatSpec(*parseFormat("int4"), 32, std::nullopt, 1.5f).error().code, ErrorCode::InvalidArgument);
        QVERIFY(makeFormatSpec(*parseFormat("int4"), 0).ok());
        QVERIFY(!parseScaleStorage("fp8").ok());
    }
    void errorMeasures()
    {
        const std::vector<float> w = {1, -2, 3, 0}, q = {1, -2, 2, 0};
        const ErrorStats e = measureError(w.data(), q.data(), 4);
        QCOMPARE(e.mse, 0.25);
        QCOMPARE(e.relativeMse, 1.0 / 14.0);
        QCOMPARE(e.maxAbsError, 1.0);
        QVERIFY(std::fabs(e.sqnrDb - 10 * std::log10(14.0)) < 1e-12);
        QVERIFY(std::fabs(e.cosine - 11.0 / std::sqrt(14.0 * 9.0)) < 1e-12);
        QCOMPARE(codeHistogram({0, 3, 3, 1}, 2), (std::vector<std::uint64_t>{1, 1, 0, 2}));
    }
    void storiesAnchor_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("expected");
        QTest::newRow("int4") << "int4" << 0.00943;
        QTest::newRow("int4-asym") << "int4-asym" << 0.00652;
        QTest::newRow("fp4") << "fp4" << 0.01016;
        QTest::newRow("fp4-asym") << "fp4-asym" << 0.00884;
        QTest::newRow("nf4") << "nf4" << 0.00761;
        QTest::newRow("int3") << "int3" << 0.05174;
        QTest::newRow("int3-asym") << "int3-asym" << 0.02986;
        QTest::newRow("fp3") << "fp3" << 0.04450;
        QTest::newRow("fp3-asym") << "fp3-asym" << 0.03675;
        QTest::newRow("nf3-asym") << "nf3-asym" << 0.02728;
        QTest::newRow("bitmod-fp3") << "bitmod-fp3" << 0.02710;
        QTest::newRow("mxfp4") << "mxfp4" << 0.01345;
        QTest::newRow("nvfp4") << "nvfp4" << 0.00900;
    }
    void storiesAnchor()
    {
        QFETCH(QString, name);
        QFETCH(double, expected);
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto model = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY(model.ok());
        auto spec = makeFormatSpec(*parseFormat(name.toStdString()), std::nullopt, std::nullopt);
        QVERIFY(spec.ok());
        auto plan = planForSpec(*spec);
        QVERIFY(plan.ok());
        double err = 0, params = 0;
        for (const auto &t : model->tensors()) {
            if (t.layer < 0 || !isLinearRole(t.role))
                continue; // the 35 per-layer linears
            const auto w = *t.view.toFloatVector();
            auto q = quantizeWithPlan(w.data(), t.view.rows(), t.view.cols(), *plan);
            QVERIFY(q.ok());
            std::vector<float> back(w.size());
            QVERIFY(dequantizeWithPlan(*q, *plan, back.data()).ok());
            err += measureError(w.data(), back.data(), std::int64_t(w.size())).relativeMse * double(w.size());
            params += double(w.size());
        }
        const double mean = err / params;
        qInfo("%s: %.5f (published %.5f)", qPrintable(name), mean, expected);
        QVERIFY2(std::fabs(mean - expected) <= 0.02 * expected, qPrintable(QString::number(mean, 'f', 5)));
    }
};

QTEST_APPLESS_MAIN(TestFormatRegistry)
#include "tst_format_registry.moc"
