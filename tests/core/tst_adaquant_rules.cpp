// SPDX-License-Identifier: GPL-3.0-or-later
// AdaQuant's rounding and clamping rules (core/methods/adaquant_rules.h): the continuous
// approximations and their gradients against finite differences and their limits, the fused forms
// against the separate ones, STE, and the grid index map against the nearest grid value.

#include "core/methods/adaquant_rules.h"
#include "core/quant/format.h"
#include "core/quant/quantize_ref.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace lowbit;

class TestAdaQuantRules : public QObject {
    Q_OBJECT

private slots:
    void sigmoidRoundApproachesRound()
    {
        double previous = std::numeric_limits<double>::infinity();
        for (const double t : {2.0, 5.0, 20.0, 80.0, 320.0}) {
            double worst = 0;
            for (double x = -3.0; x <= 3.0; x += 0.0137) {
                const double frac = x - std::floor(x);
                if (std::fabs(frac - 0.5) < 0.05)
                    continue; // at the half-integers the approximation is 0.5 away by construction
                worst = std::max(worst, std::fabs(ada::sigmoidRound(x, t) - std::round(x)));
            }
            QVERIFY2(worst < previous, qPrintable(QStringLiteral("T=%1: %2").arg(t).arg(worst)));
            previous = worst;
        }
        QVERIFY(previous < 1e-6);
        // Midpoints are the approximation's fixed points of symmetry: floor + 0.5.
        QCOMPARE(ada::sigmoidRound(1.5, 20.0), 1.5);
    }

    void sigmoidRoundGradientMatchesFiniteDifferences_data()
    {
        QTest::addColumn<double>("t");
        for (const double t : {0.5, 2.0, 8.0, 20.0})
            QTest::newRow(qPrintable(QStringLiteral("T=%1").arg(t))) << t;
    }
    void sigmoidRoundGradientMatchesFiniteDifferences()
    {
        QFETCH(double, t);
        const double h = 1e-6;
        int checked = 0;
        for (double x = -2.9; x <= 2.9; x += 0.0731) {
            const double frac = x - std::floor(x);
            if (frac < 1e-3 || frac > 1.0 - 1e-3)
                continue; // floor jumps at the integers
            const double fd = (ada::sigmoidRound(x + h, t) - ada::sigmoidRound(x - h, t)) / (2 * h);
            const double g = ada::sigmoidRoundGrad(x, t);
            QVERIFY2(std::fabs(fd - g) <= 1e-6 * std::max(1.0, std::fabs(g)), qPrintable(QStringLiteral("x=%1 fd=%2 grad=%3").arg(x).arg(fd).arg(g)));
            ++checked;
        }
        QVERIFY(checked > 50);
        // The float instantiation the optimizer runs agrees with double.
        QVERIFY(std::fabs(ada::sigmoidRoundGrad(0.3f, static_cast<float>(t)) - ada::sigmoidRoundGrad(0.3, t)) < 1e-5 * std::max(1.0, t));
    }

    void softClampGradientMatchesFiniteDifferences_data()
    {
        QTest::addColumn<double>("k");
        QTest::addColumn<double>("a");
        QTest::addColumn<double>("b");
        QTest::newRow("k=1 [0,7]") << 1.0 << 0.0 << 7.0;
        QTest::newRow("k=5 [0,15]") << 5.0 << 0.0 << 15.0;
        QTest::newRow("k=20 [-3,3]") << 20.0 << -3.0 << 3.0;
    }
    void softClampGradientMatchesFiniteDifferences()
    {
        QFETCH(double, k);
        QFETCH(double, a);
        QFETCH(double, b);
        const double h = 1e-6;
        for (double x = a - 2.0; x <= b + 2.0; x += 0.0917) {
            const double fd = (ada::softClamp(x + h, a, b, k) - ada::softClamp(x - h, a, b, k)) / (2 * h);
            const double g = ada::softClampGrad(x, a, b, k);
            QVERIFY2(std::fabs(fd - g) <= 1e-5 * std::max(1.0, std::fabs(g)), qPrintable(QStringLiteral("x=%1 fd=%2 grad=%3").arg(x).arg(fd).arg(g)));
        }
    }

    void fusedRuleFunctionsEqualTheSeparateOnes()
    {
        for (double x = -9.0; x <= 9.0; x += 0.0371)
            for (const double t : {1.0, 2.0, 20.0}) {
                double v = 0, g = 0;
                ada::sigmoidRoundWithGrad(x, t, v, g);
                QVERIFY(std::fabs(v - ada::sigmoidRound(x, t)) < 1e-12);
                QVERIFY(std::fabs(g - ada::sigmoidRoundGrad(x, t)) < 1e-12 * std::max(1.0, t));
                ada::softClampWithGrad(x, 0.0, 7.0, t, v, g);
                QVERIFY(std::fabs(v - ada::softClamp(x, 0.0, 7.0, t)) < 1e-9 * std::max(1.0, std::fabs(x)));
                QVERIFY(std::fabs(g - ada::softClampGrad(x, 0.0, 7.0, t)) < 1e-9 * std::max(1.0, t * std::fabs(x)));
            }
    }

    void softClampApproachesClampAndSteIsTheIdentity()
    {
        double previous = std::numeric_limits<double>::infinity();
        for (const double k : {2.0, 10.0, 50.0, 250.0}) {
            double worst = 0;
            for (double x = -3.0; x <= 10.0; x += 0.0113)
                if (std::fabs(x) > 0.2 && std::fabs(x - 7.0) > 0.2)
                    worst = std::max(worst, std::fabs(ada::softClamp(x, 0.0, 7.0, k) - std::clamp(x, 0.0, 7.0)));
            QVERIFY(worst < previous);
            previous = worst;
        }
        QVERIFY(previous < 1e-6);
        QCOMPARE(ada::steRoundGrad(0.37), 1.0);
        QCOMPARE(ada::steClampGrad(3.0, 0.0, 7.0), 1.0);
        QCOMPARE(ada::steClampGrad(7.0, 0.0, 7.0), 1.0);
        QCOMPARE(ada::steClampGrad(7.01, 0.0, 7.0), 0.0);
        QCOMPARE(ada::steClampGrad(-0.01, 0.0, 7.0), 0.0);
    }

    void gridIndexMapRoundsToTheNearestValue_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"int3", "fp3", "nf3", "fp-e2m1", "fp3-er-pos", "lut:-3,-1,0,0.25,2", "iq4nl", "fp-e3m2"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }
    void gridIndexMapRoundsToTheNearestValue()
    {
        QFETCH(QString, name);
        const std::vector<float> values = codeValues(*parseFormat(name.toStdString()));
        const ada::GridIndexMap map(values);
        for (int i = 0; i < map.size(); ++i)
            QCOMPARE(map.position(values[static_cast<std::size_t>(i)]), static_cast<float>(i));
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> ud(values.front() * 1.3f - 0.5f, values.back() * 1.3f + 0.5f);
        for (int k = 0; k < 2000; ++k) {
            const float y = ud(rng);
            const float p = map.position(y);
            const int rounded = static_cast<int>(std::clamp(std::floor(p + 0.5f), 0.0f, static_cast<float>(map.size() - 1)));
            const int nearest = nearestGridIndex(values, y);
            if (rounded != nearest) { // only an fp32 hair from a midpoint
                const float mid = 0.5f * (values[static_cast<std::size_t>(std::min(rounded, nearest))] +
                                          values[static_cast<std::size_t>(std::max(rounded, nearest))]);
                QVERIFY2(std::fabs(y - mid) < 1e-5f * std::max(1.0f, std::fabs(mid)), qPrintable(QStringLiteral("y=%1").arg(y)));
            }
            const float h = 1e-3f;
            if (std::floor(map.position(y - h)) == std::floor(map.position(y + h)) && map.position(y - h) > 0.0f &&
                map.position(y + h) < static_cast<float>(map.size() - 1)) {
                const float fd = (map.position(y + h) - map.position(y - h)) / (2 * h);
                QVERIFY(std::fabs(fd - map.positionSlope(y)) < 2e-2f * map.positionSlope(y));
                QVERIFY(std::fabs(map.spacingAt(p) * map.positionSlope(y) - 1.0f) < 1e-5f);
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestAdaQuantRules)
#include "tst_adaquant_rules.moc"
