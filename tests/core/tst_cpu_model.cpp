// SPDX-License-Identifier: GPL-3.0-or-later
// The CPU engine: oneDNN matmul == scalar reference, forward == fp64 reference, KV-cache decode
// == full forward (any split of the sequence into prefill/decode steps), resident == on-the-fly
// weights (also from a quantized GGUF), HF folder == llama2.c .bin, greedy generation from BOS,
// and an fp16 KV cache (rounded, close to fp32, the same whether prefilled or decoded).
#include "core/infer/cpu_model.h"
#include "core/infer/generate.h"

#include "gguf_fixture.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace lowbit;

class TestCpuModel : public QObject {
    Q_OBJECT
private slots:
    void matmulMatchesReference_data()
    {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("n");
        QTest::newRow("gemv") << 1 << 300 << 77;
        QTest::newRow("small") << 7 << 64 << 172;
        QTest::newRow("odd") << 33 << 129 << 65;
        QTest::newRow("prefill-like") << 256 << 512 << 128;
    }
    void matmulMatchesReference()
    {
        QFETCH(int, m);
        QFETCH(int, k);
        QFETCH(int, n);
        std::mt19937 rng(1);
        std::normal_distribution<float> d;
        std::vector<float> x(std::size_t(m) * k), w(std::size_t(n) * k), y(std::size_t(m) * n), ref(y.size());
        for (auto &v : x)
            v = d(rng);
        for (auto &v : w)
            v = d(rng);
        Matmul mm;
        mm.run(x.data(), m, k, w.data(), n, y.data());
        matmulRef(x.data(), m, k, w.data(), n, ref.data());
        for (std::size_t i = 0; i < y.size(); ++i)
            QVERIFY2(std::fabs(y[i] - ref[i]) <= 2e-5f * std::sqrt(float(k)) * 4, qPrintable(QString::number(i)));
    }
    void forwardMatchesFp64Reference_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<bool>("tied");
        QTest::addColumn<bool>("bias");
        QTest::newRow("HF layout, tied") << int(RopeLayout::HalfSplit) << true << false;
        QTest::newRow("interleaved, separate classifier") << int(RopeLayout::Interleaved) << false << false;
        QTest::newRow("q/k/v biases (qwen2)") << int(RopeLayout::HalfSplit) << true << true;
        QTest::newRow("q/k/v biases, interleaved (permuted with q/k)") << int(RopeLayout::Interleaved) << false << true;
    }
    void forwardMatchesFp64Reference()
    {
        QFETCH(int, layout);
        QFETCH(bool, tied);
        QFETCH(bool, bias);
        const Model model = test::makeRandomModel(32, 48, 2, 4, 2, 40, RopeLayout(layout), tied, 3, bias);
        auto e = CpuModel::load(model);
        QVERIFY(e.ok());
        const std::vector<std::int32_t> tokens = {1, 7, 39, 2, 2, 30, 11, 5};
        auto logits = (*e)->forward(tokens);
        QVERIFY(logits.ok());
        const auto ref = test::referenceForward(model, tokens);
        double maxErr = 0;
        for (std::size_t i = 0; i < ref.size(); ++i)
            maxErr = std::max(maxErr, std::fabs((*logits)[i] - ref[i]));
        QVERIFY2(maxErr < 1e-4, qPrintable(QString::number(maxErr)));
    }
    void incrementalDecodeEqualsFullForward()
    {
        const Model model = test::makeRandomModel(32, 48, 2, 8, 2, 40, RopeLayout::HalfSplit, true, 4); // GQA 8:2
        auto e = CpuModel::load(model);
        QVERIFY(e.ok());
        const std::vector<std::int32_t> tokens = {1, 3, 5, 7, 11, 13, 17, 19, 23};
        auto full = (*e)->forward(tokens);
        QVERIFY(full.ok());
        (*e)->reset();
        std::vector<float> inc;
        for (std::size_t t = 0; t < tokens.size(); ++t) {
            auto step = (*e)->forward(std::span(tokens).subspan(t, 1));
            QVERIFY(step.ok());
            inc.insert(inc.end(), step->begin(), step->end());
        }
        for (std::size_t i = 0; i < inc.size(); ++i)
            QVERIFY2(std::fabs(inc[i] - (*full)[i]) < 1e-5f, qPrintable(QString::number(i)));
        // and only-last-row logits equal the last row
        (*e)->reset();
        auto last = (*e)->forward(tokens, false);
        QVERIFY(last.ok());
        QCOMPARE(last->size(), std::size_t(40));
        for (std::size_t i = 0; i < 40; ++i)
            QVERIFY(std::fabs((*last)[i] - (*full)[(tokens.size() - 1) * 40 + i]) < 1e-6f);
    }
    void fp16KvCacheRoundsKeysAndValues()
    {
        const Model model = test::makeRandomModel(32, 48, 2, 8, 2, 40, RopeLayout::HalfSplit, true, 4);
        EngineOptions eo;
        eo.kvCache = KvCacheType::F16;
        auto e32 = CpuModel::load(model);
        auto e16 = CpuModel::load(model, eo);
        QVERIFY(e32.ok() && e16.ok());
        const std::vector<std::int32_t> tokens = {1, 3, 5, 7, 11, 13, 17, 19, 23};
        auto a = (*e32)->forward(tokens);
        auto b = (*e16)->forward(tokens);
        QVERIFY(a.ok() && b.ok());
        // the first position attends only to itself (softmax of one is 1, whatever the key): its
        // logits move only by V's rounding; later ones by K's too. Every one moves a little.
        double maxDiff = 0, maxAbs = 0;
        for (std::size_t i = 0; i < a->size(); ++i) {
            maxDiff = std::max(maxDiff, double(std::fabs((*a)[i] - (*b)[i])));
            maxAbs = std::max(maxAbs, double(std::fabs((*a)[i])));
        }
        qInfo("fp16 cache: largest logit change %.3g of largest logit %.3g", maxDiff, maxAbs);
        QVERIFY(maxDiff > 0);               // the values were rounded
        QVERIFY(maxDiff < 2e-3 * maxAbs);   // to fp16: about 2^-11 relative
        // decoding token by token stores the same rounded keys and values as the prefill
        (*e16)->reset();
        for (std::size_t t = 0; t < tokens.size(); ++t) {
            auto step = (*e16)->forward(std::span(tokens).subspan(t, 1));
            QVERIFY(step.ok());
            for (std::size_t i = 0; i < 40; ++i)
                QVERIFY(std::fabs((*step)[i] - (*b)[t * 40 + i]) < 1e-5f);
        }
        QCOMPARE(parseKvCacheType("f16"), std::optional(KvCacheType::F16));
        QCOMPARE(parseKvCacheType("f32"), std::optional(KvCacheType::F32));
        QVERIFY(!parseKvCacheType("q8_0"));
    }
    void anySplitOfTheSequenceGivesTheSameLogits_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<QList<int>>("steps");
        QTest::newRow("GQA 8:2, prefill 5 then decode") << int(RopeLayout::HalfSplit) << 2 << QList<int>{5, 1, 1, 1, 3};
        QTest::newRow("MQA 8:1, interleaved, uneven chunks") << int(RopeLayout::Interleaved) << 1 << QList<int>{2, 3, 1, 5};
        QTest::newRow("MHA 8:8, fills the cache exactly") << int(RopeLayout::HalfSplit) << 8 << QList<int>{1, 10};
    }
    void anySplitOfTheSequenceGivesTheSameLogits()
    {
        QFETCH(int, layout);
        QFETCH(int, kvHeads);
        QFETCH(QList<int>, steps);
        const Model model = test::makeRandomModel(32, 48, 2, 8, kvHeads, 40, RopeLayout(layout), false, 6);
        EngineOptions o;
        o.maxContext = 11;
        auto e = CpuModel::load(model, o);
        QVERIFY(e.ok());
        std::vector<std::int32_t> tokens;
        for (int s : steps)
            for (int i = 0; i < s; ++i)
                tokens.push_back(static_cast<std::int32_t>((tokens.size() * 13 + 1) % 40));
        auto full = (*e)->forward(tokens);
        QVERIFY(full.ok());
        const auto ref = test::referenceForward(model, tokens);
        (*e)->reset();
        std::size_t at = 0;
        for (int s : steps) {
            auto step = (*e)->forward(std::span(tokens).subspan(at, std::size_t(s)));
            QVERIFY(step.ok());
            for (std::size_t i = 0; i < step->size(); ++i) {
                const std::size_t g = at * 40 + i;
                QVERIFY2(std::fabs((*step)[i] - (*full)[g]) < 1e-5f, qPrintable(QString::number(g)));
                QVERIFY2(std::fabs((*step)[i] - ref[g]) < 1e-4, qPrintable(QString::number(g)));
            }
            at += std::size_t(s);
        }
        QCOMPARE((*e)->position(), std::int64_t(tokens.size()));
        if ((*e)->position() == (*e)->maxContext()) {
            const std::int32_t one[1] = {3};
            QCOMPARE((*e)->forward(one).error().code, ErrorCode::InvalidArgument);
        }
    }
    void onTheFlyWeightsEqualResident_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<bool>("tied");
        QTest::newRow("HF layout, tied") << int(RopeLayout::HalfSplit) << true;
        QTest::newRow("interleaved, separate classifier") << int(RopeLayout::Interleaved) << false;
    }
    void onTheFlyWeightsEqualResident()
    {
        QFETCH(int, layout);
        QFETCH(bool, tied);
        auto model = std::make_unique<Model>(test::makeRandomModel(32, 48, 2, 4, 2, 40, RopeLayout(layout), tied, 8));
        EngineOptions o;
        o.weights = WeightMode::OnTheFly;
        auto fly = CpuModel::load(*model, o);
        auto res = CpuModel::load(*model);
        QVERIFY(fly.ok() && res.ok());
        model.reset(); // the on-the-fly engine keeps the weight bytes alive by itself
        const std::vector<std::int32_t> tokens = {1, 9, 4, 33, 2, 17};
        auto a = (*fly)->forward(tokens);
        auto b = (*res)->forward(tokens);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(*a, *b); // the same floats through the same arithmetic
    }
    void quantizedGgufOnTheFly_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("F16") << int(DType::F16) << 1e-4;
        QTest::newRow("Q8_0") << int(DType::Q8_0) << 1e-4;
        QTest::newRow("Q4_0") << int(DType::Q4_0) << 1e-4;
    }
    void quantizedGgufOnTheFly()
    {
        // the GGUF holds dequantizable weights in the interleaved order; the engine must match
        // the fp64 reference run on the very same (dequantized) weights
        QFETCH(int, dtype);
        QFETCH(double, tolerance);
        const Model src = test::makeRandomModel(64, 96, 2, 4, 2, 48, RopeLayout::HalfSplit, false, 9);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/m.gguf";
        const Status w = test::writeModelAsGguf(src, path, DType(dtype));
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().message().c_str());
        auto model = Model::open(path);
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message().c_str());
        QCOMPARE(int(model->config().ropeLayout), int(RopeLayout::Interleaved));
        EngineOptions o;
        o.weights = WeightMode::OnTheFly;
        auto fly = CpuModel::load(*model, o);
        auto res = CpuModel::load(*model);
        QVERIFY(fly.ok() && res.ok());
        const std::vector<std::int32_t> tokens = {1, 5, 40, 7, 7, 22, 3};
        auto a = (*fly)->forward(tokens);
        auto b = (*res)->forward(tokens);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(*a, *b);
        const auto ref = test::referenceForward(*model, tokens);
        double maxErr = 0;
        for (std::size_t i = 0; i < ref.size(); ++i)
            maxErr = std::max(maxErr, std::fabs((*a)[i] - ref[i]));
        QVERIFY2(maxErr < tolerance, qPrintable(QString::number(maxErr)));
        // and the weights are in use: quantized logits differ from the fp32 source model's
        if (DType(dtype) == DType::Q4_0) {
            const auto exact = test::referenceForward(src, tokens);
            double diff = 0;
            for (std::size_t i = 0; i < exact.size(); ++i)
                diff = std::max(diff, std::fabs(exact[i] - ref[i]));
            QVERIFY(diff > 1e-3);
        }
    }
    void rejectsBadInput()
    {
        const Model model = test::makeRandomModel(16, 24, 1, 2, 2, 10, RopeLayout::HalfSplit, true, 5);
        EngineOptions o;
        o.maxContext = 4;
        auto e = CpuModel::load(model, o);
        QVERIFY(e.ok());
        const std::vector<std::int32_t> bad = {1, 10};
        QCOMPARE((*e)->forward(bad).error().code, ErrorCode::InvalidArgument);
        const std::vector<std::int32_t> five = {1, 2, 3, 4, 5};
        QVERIFY(!(*e)->forward(five).ok());
        QCOMPARE((*e)->position(), std::int64_t(0));
    }
    void hfFolderAndBinGiveIdenticalLogits()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto bin = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        auto hf = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY(bin.ok() && hf.ok());
        auto eb = CpuModel::load(*bin);
        auto eh = CpuModel::load(*hf);
        QVERIFY(eb.ok() && eh.ok());
        std::vector<std::int32_t> tokens = {1};
        for (int i = 0; i < 200; ++i)
            tokens.push_back(3 + (i * 37) % 509);
        auto a = (*eb)->forward(tokens);
        auto b = (*eh)->forward(tokens);
        QVERIFY(a.ok() && b.ok());
        double maxDiff = 0;
        for (std::size_t i = 0; i < a->size(); ++i)
            maxDiff = std::max(maxDiff, double(std::fabs((*a)[i] - (*b)[i])));
        qInfo("max |logit(.bin) - logit(HF)| = %.3g", maxDiff);
        QVERIFY(maxDiff <= 1e-5);
    }
    void greedyGenerationFromBos()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        auto m = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(m.ok());
        auto e = CpuModel::load(*m);
        auto t = loadTokenizer(lowbit::test::sharedPath("models/stories260K/stories260K.bin"), 512);
        QVERIFY(e.ok() && t.ok());
        auto r = generate(**e, **t, "", 256, SamplerOptions{});
        QVERIFY(r.ok());
        const std::string expected = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. "
                                     "One day, she saw a big, red ball";
        QVERIFY2(r->text.rfind(expected, 0) == 0, r->text.substr(0, 200).c_str());
        QCOMPARE(r->generated, std::int64_t(256));
        // sampling is reproducible for a seed and differs from greedy
        SamplerOptions s;
        s.temperature = 1.0f;
        s.topP = 0.9f;
        s.seed = 7;
        auto s1 = generate(**e, **t, "Tom", 30, s);
        auto s2 = generate(**e, **t, "Tom", 30, s);
        QVERIFY(s1.ok() && s2.ok());
        QCOMPARE(s1->text, s2->text);
    }
};

QTEST_APPLESS_MAIN(TestCpuModel)
#include "tst_cpu_model.moc"
