// SPDX-License-Identifier: GPL-3.0-or-later
// Every grid of the registry equals datatypes.md §1 exactly: full tables for the small grids,
// size / extremes / smallest subnormal / symmetry for the minifloats of every split.
#include "core/quant/format.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace lowbit;

Q_DECLARE_METATYPE(std::vector<float>)

namespace {
std::vector<float> withNegatives(const std::vector<float> &positive)
{
    std::vector<float> g;
    for (auto it = positive.rbegin(); it != positive.rend(); ++it)
        if (*it != 0.0f)
            g.push_back(-*it);
    g.insert(g.end(), positive.begin(), positive.end());
    return g;
}
} // namespace

class TestGrids : public QObject {
    Q_OBJECT

private slots:
    void exactTables_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<std::vector<float>>("grid");
        const std::vector<float> e2m1 = withNegatives({0, 0.5f, 1, 1.5f, 2, 3, 4, 6});
        QTest::newRow("fp4") << "fp4" << e2m1;
        QTest::newRow("fp-e2m1") << "fp-e2m1" << e2m1;
        QTest::newRow("mxfp4 elements") << "mxfp4" << e2m1;
        QTest::newRow("nvfp4 elements") << "nvfp4" << e2m1;
        QTest::newRow("fp3") << "fp3" << std::vector<float>{-4, -2, -1, 0, 1, 2, 4};
        QTest::newRow("fp-e2m0") << "fp-e2m0" << withNegatives({0, 1, 2, 4}); // E2M0: subnormal 0, normals 1, 2, 4
        QTest::newRow("fp-e1m1") << "fp-e1m1" << withNegatives({0, 1, 2, 3}); // bias 0: subnormals 0, 1; normals 2, 3
        QTest::newRow("nf4") << "nf4"
                             << std::vector<float>{-1.0f, -0.6961928f, -0.5250731f, -0.3949175f, -0.2844414f, -0.1847734f, -0.0910500f, 0.0f,
                                                   0.0795803f, 0.1609302f, 0.2461123f, 0.3379152f, 0.4407098f, 0.5626170f, 0.7229568f, 1.0f};
        QTest::newRow("nf3") << "nf3" << std::vector<float>{-1.0f, -0.5350227f, -0.2469314f, 0.0f, 0.1833375f, 0.3819939f, 0.6229857f, 1.0f};
        QTest::newRow("nf4-asym keeps the grid") << "nf4-asym" << std::vector<float>{-1.0f, -0.6961928f, -0.5250731f, -0.3949175f,
                                                                                      -0.2844414f, -0.1847734f, -0.0910500f, 0.0f,
                                                                                      0.0795803f, 0.1609302f, 0.2461123f, 0.3379152f,
                                                                                      0.4407098f, 0.5626170f, 0.7229568f, 1.0f};
        QTest::newRow("fp3-er-pos") << "fp3-er-pos" << std::vector<float>{-4, -2, -1, 0, 1, 2, 3, 4};
        QTest::newRow("fp3-er-neg") << "fp3-er-neg" << std::vector<float>{-4, -3, -2, -1, 0, 1, 2, 4};
        QTest::newRow("fp3-ea-pos") << "fp3-ea-pos" << std::vector<float>{-4, -2, -1, 0, 1, 2, 4, 6};
        QTest::newRow("fp3-ea-neg") << "fp3-ea-neg" << std::vector<float>{-6, -4, -2, -1, 0, 1, 2, 4};
        const std::vector<float> fp4x2 = {-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12};
        auto plus = [&](float v) {
            std::vector<float> g = fp4x2;
            g.push_back(v);
            std::sort(g.begin(), g.end());
            return g;
        };
        QTest::newRow("fp4-er-pos") << "fp4-er-pos" << plus(10);
        QTest::newRow("fp4-er-neg") << "fp4-er-neg" << plus(-10);
        QTest::newRow("fp4-ea-pos") << "fp4-ea-pos" << plus(16);
        QTest::newRow("fp4-ea-neg") << "fp4-ea-neg" << plus(-16);
        QTest::newRow("iq4nl") << "iq4nl" << std::vector<float>{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
        QTest::newRow("q4_0") << "q4_0" << std::vector<float>{-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};
        QTest::newRow("lut sorted") << "lut:2,-1,0.5" << std::vector<float>{-1, 0.5f, 2};
    }
    void exactTables()
    {
        QFETCH(QString, name);
        QFETCH(std::vector<float>, grid);
        auto f = parseFormat(name.toStdString());
        QVERIFY2(f, f ? "" : f.error().message().c_str());
        QCOMPARE(f->grid, grid);
    }

    void minifloats_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("size");
        QTest::addColumn<float>("maxValue");
        QTest::addColumn<float>("minSubnormal");
        QTest::addColumn<unsigned>("codeBits");
        // size: 2^P codes − one −0 (merged), minus NaN/Inf codes where the format has them
        QTest::newRow("fp6-e3m2") << "fp6-e3m2" << 63 << 28.0f << 0.0625f << 6u;
        QTest::newRow("fp6-e2m3") << "fp6-e2m3" << 63 << 7.5f << 0.125f << 6u;
        QTest::newRow("fp5-e2m2") << "fp5-e2m2" << 31 << 7.0f << 0.25f << 5u;
        QTest::newRow("fp5-e3m1") << "fp5-e3m1" << 31 << 24.0f << 0.125f << 5u;
        QTest::newRow("fp8-e4m3 (fn)") << "fp8-e4m3" << 253 << 448.0f << std::ldexp(1.0f, -9) << 8u;
        QTest::newRow("fp8-e5m2 (IEEE)") << "fp8-e5m2" << 247 << 57344.0f << std::ldexp(1.0f, -16) << 8u;
        QTest::newRow("mxfp6-e3m2") << "mxfp6-e3m2" << 63 << 28.0f << 0.0625f << 6u;
        QTest::newRow("mxfp8-e4m3") << "mxfp8-e4m3" << 253 << 448.0f << std::ldexp(1.0f, -9) << 8u;
        QTest::newRow("fp-e3m3") << "fp-e3m3" << 127 << 30.0f << 0.03125f << 7u;
        QTest::newRow("fp-e6m1") << "fp-e6m1" << 255 << std::ldexp(1.5f, 32) << std::ldexp(1.0f, -31) << 8u;
    }
    void minifloats()
    {
        QFETCH(QString, name);
        QFETCH(int, size);
        QFETCH(float, maxValue);
        QFETCH(float, minSubnormal);
        QFETCH(unsigned, codeBits);
        auto f = parseFormat(name.toStdString());
        QVERIFY2(f, f ? "" : f.error().message().c_str());
        const std::vector<float> &g = f->grid;
        QCOMPARE(static_cast<int>(g.size()), size);
        QCOMPARE(g.back(), maxValue);
        QCOMPARE(g.front(), -maxValue);
        QCOMPARE(f->codeBits(), codeBits);
        const auto zero = std::find(g.begin(), g.end(), 0.0f);
        QVERIFY(zero != g.end());
        QCOMPARE(*(zero + 1), minSubnormal);
        for (std::size_t i = 0; i < g.size(); ++i) {
            QCOMPARE(g[i], -g[g.size() - 1 - i]); // symmetric
            if (i > 0)
                QVERIFY(g[i - 1] < g[i]); // strictly sorted, unique
            QVERIFY(std::isfinite(g[i]));
        }
    }

    void everySplitParses()
    {
        for (int p = 3; p <= 8; ++p)
            for (int e = 1; e <= p - 1; ++e) {
                const int m = p - 1 - e;
                const std::string name = "fp-e" + std::to_string(e) + "m" + std::to_string(m);
                auto f = parseFormat(name);
                QVERIFY2(f, name.c_str());
                QCOMPARE(f->codeBits(), static_cast<unsigned>(p));
                // the largest value: 2^(2^E − 1 − bias)·(2 − 2^−M) unless E4M3/E5M2 reserve codes
                const int bias = (1 << (e - 1)) - 1;
                float top = std::ldexp(2.0f - std::ldexp(1.0f, -m), (1 << e) - 1 - bias);
                if (e == 4 && m == 3)
                    top = 448.0f;
                if (e == 5 && m == 2)
                    top = 57344.0f;
                QCOMPARE(f->grid.back(), top);
            }
        QVERIFY(!parseFormat("fp-e0m3"));
        QVERIFY(!parseFormat("fp-e4m4"));
        QVERIFY(!parseFormat("fp-e1m0"));
    }
};

QTEST_APPLESS_MAIN(TestGrids)
#include "tst_grids.moc"
