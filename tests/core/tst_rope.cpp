// SPDX-License-Identifier: GPL-3.0-or-later
// RoPE frequencies with the config's theta and scaling (none, linear, llama3 as in Hugging
// Face's _compute_llama3_parameters for Llama-3.1-8B), the interleaved ↔ half-split row
// permutation, and the engine rotating by those frequencies.
#include "core/infer/cpu_model.h"
#include "core/model/rope.h"

#include "reference_forward.h"

#include <QTest>

#include <cmath>

using namespace lowbit;

namespace {
ModelConfig llama31()
{
    ModelConfig c;
    c.headDim = 128;
    c.ropeTheta = 500000.0;
    c.ropeScaling.type = "llama3";
    c.ropeScaling.factor = 8.0;
    c.ropeScaling.lowFreqFactor = 1.0;
    c.ropeScaling.highFreqFactor = 4.0;
    c.ropeScaling.originalMaxPositions = 8192;
    return c;
}
} // namespace

class TestRope : public QObject {
    Q_OBJECT
private slots:
    void llama3Frequencies_data()
    {
        // expected values from an independent fp64 transcription of Hugging Face's rule
        QTest::addColumn<int>("i");
        QTest::addColumn<double>("expected");
        QTest::newRow("0: high frequency, unchanged") << 0 << 1.0;
        QTest::newRow("20: unchanged") << 20 << 0.016560440080994446;
        QTest::newRow("29: smooth band") << 29 << 0.002166570763503359;
        QTest::newRow("32: smooth band") << 32 << 0.0005248461609929547;
        QTest::newRow("34: smooth band") << 34 << 0.0001785078127679964;
        QTest::newRow("40: low frequency, / 8") << 40 << 3.428102195952591e-05;
        QTest::newRow("63: / 8") << 63 << 3.068925988914511e-07;
    }
    void llama3Frequencies()
    {
        QFETCH(int, i);
        QFETCH(double, expected);
        auto f = ropeInverseFrequencies(llama31());
        QVERIFY(f.ok());
        QCOMPARE(f->size(), std::size_t(64));
        QVERIFY2(std::fabs((*f)[std::size_t(i)] - expected) <= 1e-12 * expected, qPrintable(QString::number((*f)[std::size_t(i)], 'g', 17)));
    }
    void plainAndLinear()
    {
        ModelConfig c;
        c.headDim = 8;
        c.ropeTheta = 10000.0;
        auto plain = ropeInverseFrequencies(c);
        QVERIFY(plain.ok());
        for (int i = 0; i < 4; ++i)
            QVERIFY(std::fabs((*plain)[std::size_t(i)] - std::pow(10000.0, -2.0 * i / 8.0)) < 1e-15);
        c.ropeScaling.type = "linear";
        c.ropeScaling.factor = 4.0;
        auto linear = ropeInverseFrequencies(c);
        QVERIFY(linear.ok());
        for (int i = 0; i < 4; ++i)
            QCOMPARE((*linear)[std::size_t(i)], (*plain)[std::size_t(i)] / 4.0);
        c.ropeScaling.type = "yarn";
        QCOMPARE(ropeInverseFrequencies(c).error().code, ErrorCode::Unsupported);
        c.ropeScaling.type = "linear";
        c.ropeScaling.factor = 0.0;
        QCOMPARE(ropeInverseFrequencies(c).error().code, ErrorCode::InvalidArgument);
    }
    void permutationRoundTrip()
    {
        std::vector<float> w(2 * 8 * 3);
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = float(i);
        const auto half = permuteInterleavedToHalfSplit(w, 2, 8, 3);
        // head 0: interleaved row 2 (pair 1, first) becomes half-split row 1
        QCOMPARE(half[1 * 3], w[2 * 3]);
        QCOMPARE(half[(4 + 1) * 3], w[3 * 3]); // pair 1, second member → row 1 + hd/2
        QCOMPARE(permuteHalfSplitToInterleaved(half, 2, 8, 3), w);
    }
    void engineUsesTheScaledFrequencies()
    {
        // linear scaling by 2 must change the logits (beyond the first position) and equal the
        // fp64 reference run with the same config
        Model plain = test::makeRandomModel(32, 48, 1, 4, 2, 40, RopeLayout::HalfSplit, true, 41);
        ModelConfig c = plain.config();
        c.ropeScaling.type = "linear";
        c.ropeScaling.factor = 2.0;
        auto scaled = Model::fromParts(ModelSource::HfFolder, "scaled", c, plain.tensors());
        QVERIFY(scaled.ok());
        auto ep = CpuModel::load(plain), es = CpuModel::load(*scaled);
        QVERIFY(ep.ok() && es.ok());
        const std::vector<std::int32_t> tokens = {1, 8, 9, 30, 4};
        auto a = (*ep)->forward(tokens), b = (*es)->forward(tokens);
        QVERIFY(a.ok() && b.ok());
        const auto ref = test::referenceForward(*scaled, tokens);
        double diffFromPlain = 0, errVsRef = 0;
        for (std::size_t i = 0; i < b->size(); ++i) {
            diffFromPlain = std::max(diffFromPlain, double(std::fabs((*a)[i] - (*b)[i])));
            errVsRef = std::max(errVsRef, std::fabs((*b)[i] - ref[i]));
        }
        for (std::size_t i = 0; i < 40; ++i) // position 0 is not rotated
            QCOMPARE((*a)[i], (*b)[i]);
        QVERIFY(diffFromPlain > 1e-3);
        QVERIFY2(errVsRef < 1e-4, qPrintable(QString::number(errVsRef)));
    }
};

QTEST_APPLESS_MAIN(TestRope)
#include "tst_rope.moc"
