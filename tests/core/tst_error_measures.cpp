// SPDX-License-Identifier: GPL-3.0-or-later
// Error measures of core/quant/error_measures.h on hand-computed rows (algorithms.md: MSE,
// relative MSE, SQNR dB, max |error|, cosine), importance weights, non-finite values, histograms.
#include "core/quant/error_measures.h"
#include "core/quant/quantize_ref.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace lowbit;

class TestErrorMeasures : public QObject {
    Q_OBJECT

private slots:
    void handComputed_data()
    {
        QTest::addColumn<QVector<float>>("w");
        QTest::addColumn<QVector<float>>("q");
        QTest::addColumn<double>("mse");
        QTest::addColumn<double>("relMse");
        QTest::addColumn<double>("maxErr");
        QTest::addColumn<double>("cosine");
        // ‖w‖² = 25, errors (1, 0) → ‖e‖² = 1; w·q = 3·2 + 4·4 = 22, ‖q‖² = 20
        QTest::newRow("3,4 vs 2,4") << QVector<float>{3, 4} << QVector<float>{2, 4} << 0.5 << 0.04 << 1.0 << 22.0 / std::sqrt(25.0 * 20.0);
        // exact: no error, cosine 1
        QTest::newRow("exact") << QVector<float>{1, -2, 0.5f} << QVector<float>{1, -2, 0.5f} << 0.0 << 0.0 << 0.0 << 1.0;
        // sign flip: relative MSE 4, cosine −1
        QTest::newRow("negated") << QVector<float>{1, -1} << QVector<float>{-1, 1} << 4.0 << 4.0 << 2.0 << -1.0;
        // all zero quantization of a nonzero signal: relative MSE 1, cosine 0
        QTest::newRow("zeroed") << QVector<float>{0.5f, -0.25f} << QVector<float>{0, 0} << (0.25 + 0.0625) / 2 << 1.0 << 0.5 << 0.0;
    }
    void handComputed()
    {
        QFETCH(QVector<float>, w);
        QFETCH(QVector<float>, q);
        QFETCH(double, mse);
        QFETCH(double, relMse);
        QFETCH(double, maxErr);
        QFETCH(double, cosine);
        const ErrorStats e = measureError(w.constData(), q.constData(), w.size());
        QCOMPARE(e.count, static_cast<std::uint64_t>(w.size()));
        QVERIFY(std::fabs(e.mse - mse) < 1e-12);
        QVERIFY(std::fabs(e.relativeMse - relMse) < 1e-12);
        QVERIFY(std::fabs(e.maxAbsError - maxErr) < 1e-12);
        QVERIFY2(std::fabs(e.cosine - cosine) < 1e-12, qPrintable(QString::number(e.cosine)));
        if (relMse > 0) // SQNR = −10·log10(relative MSE)
            QVERIFY(std::fabs(e.sqnrDb + 10.0 * std::log10(relMse)) < 1e-9);
        else
            QVERIFY(std::isinf(e.sqnrDb));
    }

    void importanceWeightsTheSquaredErrors()
    {
        const float w[] = {3, 4}, q[] = {2, 4}, imp[] = {2, 1};
        const ErrorStats e = measureError(w, q, 2, imp);
        QCOMPARE(e.sumSquaredError, 2.0);          // 2·1² + 1·0²
        QCOMPARE(e.sumSquaredSignal, 2.0 * 9 + 16); // 34
        QVERIFY(std::fabs(e.relativeMse - 2.0 / 34.0) < 1e-15);
    }

    void nonFiniteValuesAreSkipped()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
        const float w[] = {3, nan, 4, inf}, q[] = {2, 0, 4, 1};
        const ErrorStats e = measureError(w, q, 4);
        QCOMPARE(e.count, std::uint64_t{2});
        QCOMPARE(e.skipped, std::uint64_t{2});
        QVERIFY(std::fabs(e.relativeMse - 0.04) < 1e-15);
        const ErrorStats none = measureError(w, q, 0);
        QCOMPARE(none.count, std::uint64_t{0});
        QCOMPARE(none.relativeMse, 0.0);
    }

    void histogramOfCodes()
    {
        // int2: codes 0 (−1), 1 (0), 2 (+1) of a 4-value code space
        auto f = parseFormat("int2");
        QVERIFY(f);
        auto spec = makeFormatSpec(*f, 0);
        QVERIFY(spec);
        const float w[] = {1.0f, -1.0f, 0.1f, 0.2f, 0.9f, -0.6f};
        auto qm = quantizeRef(w, 1, 6, *spec);
        QVERIFY(qm);
        const auto h = codeHistogram(qm->codes, f->codeBits());
        QCOMPARE(h, (std::vector<std::uint64_t>{2, 2, 2, 0}));
        QCOMPARE(codeHistogram({0, 200, 7}, 3), (std::vector<std::uint64_t>{1, 0, 0, 0, 0, 0, 0, 1})); // out of range ignored
    }
};

QTEST_APPLESS_MAIN(TestErrorMeasures)
#include "tst_error_measures.moc"
