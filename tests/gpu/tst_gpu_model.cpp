// SPDX-License-Identifier: GPL-3.0-or-later
// The whole LLaMA forward pass on the Vulkan device against an fp64 reference.
#include "gpu/engine/gpu_model.h"

#include "gpu_fixture.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace lowbit;
using namespace lowbit::gpu;

class TestGpuModel : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void prefillMatchesReference_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<bool>("tied");
        QTest::newRow("HF rotate_half, tied") << int(RopeLayout::HalfSplit) << true;
        QTest::newRow("interleaved, separate classifier") << int(RopeLayout::Interleaved) << false;
    }
    void prefillMatchesReference()
    {
        QFETCH(int, layout);
        QFETCH(bool, tied);
        const Model model = test::makeRandomModel(32, 48, 2, 4, 2, 40, RopeLayout(layout), tied, 7);
        auto gm = GpuModel::load(*m_fx.ctx, model);
        QVERIFY2(gm.ok(), gm.ok() ? "" : gm.error().message().c_str());
        const std::vector<std::int32_t> tokens = {1, 5, 39, 0, 17, 17, 3, 22, 9, 11};
        auto logits = (*gm)->forward(tokens);
        QVERIFY2(logits.ok(), logits.ok() ? "" : logits.error().message().c_str());
        const auto ref = test::referenceForward(model, tokens);
        QCOMPARE(logits->size(), ref.size());
        double maxErr = 0;
        for (std::size_t i = 0; i < ref.size(); ++i)
            maxErr = std::max(maxErr, std::fabs((*logits)[i] - ref[i]));
        qInfo("max |logit error| = %.3g", maxErr);
        QVERIFY(maxErr < 1e-4);
    }
    void decodeEqualsPrefill()
    {
        const Model model = test::makeRandomModel(32, 48, 2, 4, 1, 40, RopeLayout::HalfSplit, true, 9);
        auto gm = GpuModel::load(*m_fx.ctx, model);
        QVERIFY(gm.ok());
        const std::vector<std::int32_t> tokens = {2, 8, 13, 21, 34, 3, 1};
        auto full = (*gm)->forward(tokens);
        QVERIFY(full.ok());
        (*gm)->reset();
        // prefill 4 tokens, then decode the rest one at a time through the KV cache
        auto first = (*gm)->forward(std::span(tokens).first(4));
        QVERIFY(first.ok());
        std::vector<float> incremental = *first;
        for (std::size_t t = 4; t < tokens.size(); ++t) {
            auto step = (*gm)->forward(std::span(tokens).subspan(t, 1));
            QVERIFY(step.ok());
            incremental.insert(incremental.end(), step->begin(), step->end());
        }
        QCOMPARE((*gm)->position(), std::int64_t(tokens.size()));
        for (std::size_t i = 0; i < full->size(); ++i)
            QVERIFY2(std::fabs((*full)[i] - incremental[i]) < 1e-5f, qPrintable(QString::number(i)));
    }
    void rejectsBadTokensAndOverflow()
    {
        const Model model = test::makeRandomModel(16, 24, 1, 2, 2, 10, RopeLayout::HalfSplit, true, 1);
        GpuModelOptions opt;
        opt.maxContext = 4;
        auto gm = GpuModel::load(*m_fx.ctx, model, opt);
        QVERIFY(gm.ok());
        const std::vector<std::int32_t> bad = {3, 10};
        QCOMPARE((*gm)->forward(bad).error().code, ErrorCode::InvalidArgument);
        const std::vector<std::int32_t> five = {1, 2, 3, 4, 5};
        auto r = (*gm)->forward(five);
        QVERIFY(!r.ok());
        QVERIFY(r.error().detail.find("context full") != std::string::npos);
        QCOMPARE((*gm)->position(), std::int64_t(0)); // nothing half-applied
    }
};

QTEST_APPLESS_MAIN(TestGpuModel)
#include "tst_gpu_model.moc"
