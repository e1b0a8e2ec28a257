// SPDX-License-Identifier: GPL-3.0-or-later
// Registry: every grid equals the spec, names and aliases, bpw by hand, bad input.
#include "core/dtypes/scalar_convert.h"
#include "core/formats/format_spec.h"

#include <bit>

#include <QTest>

#include <cmath>

using namespace lowbit;
using namespace lowbit::formats;

namespace {
std::vector<float> symmetric(std::initializer_list<float> positives, bool withZero = true)
{
    std::vector<float> g;
    for (const float v : positives)
        g.push_back(-v);
    if (withZero)
        g.push_back(0.0f);
    for (const float v : positives)
        g.push_back(v);
    std::sort(g.begin(), g.end());
    return g;
}
Format must(std::string_view name)
{
    auto f = parseFormat(name);
    if (!f)
        qFatal("%s", f.error().message().c_str());
    return *f;
}
} // namespace

class TestFmtRegistry : public QObject {
    Q_OBJECT

private slots:
    void grids_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<std::vector<float>>("grid");
        QTest::addColumn<int>("codeBits");
        QTest::newRow("fp4") << QByteArray("fp4") << symmetric({0.5f, 1, 1.5f, 2, 3, 4, 6}) << 4;
        QTest::newRow("fp-e2m1 alias") << QByteArray("fp-e2m1") << symmetric({0.5f, 1, 1.5f, 2, 3, 4, 6}) << 4;
        QTest::newRow("fp3") << QByteArray("fp3") << symmetric({1, 2, 4}) << 3;
        QTest::newRow("nf3") << QByteArray("nf3")
                             << std::vector<float>{-1.0f, -0.5350227f, -0.2469314f, 0.0f, 0.1833375f, 0.3819939f,
                                                   0.6229857f, 1.0f}
                             << 3;
        QTest::newRow("nf4") << QByteArray("nf4")
                             << std::vector<float>{-1.0f, -0.6961928f, -0.5250731f, -0.3949175f, -0.2844414f,
                                                   -0.1847734f, -0.0910500f, 0.0f, 0.0795803f, 0.1609302f,
                                                   0.2461123f, 0.3379152f, 0.4407098f, 0.5626170f, 0.7229568f, 1.0f}
                             << 4;
        QTest::newRow("fp3-er-pos") << QByteArray("fp3-er-pos") << std::vector<float>{-4, -2, -1, 0, 1, 2, 3, 4} << 3;
        QTest::newRow("fp3-er-neg") << QByteArray("fp3-er-neg") << std::vector<float>{-4, -3, -2, -1, 0, 1, 2, 4} << 3;
        QTest::newRow("fp3-ea-pos") << QByteArray("fp3-ea-pos") << std::vector<float>{-4, -2, -1, 0, 1, 2, 4, 6} << 3;
        QTest::newRow("fp3-ea-neg") << QByteArray("fp3-ea-neg") << std::vector<float>{-6, -4, -2, -1, 0, 1, 2, 4} << 3;
        std::vector<float> fp4x2 = symmetric({1, 2, 3, 4, 6, 8, 12});
        for (const auto &[n, extra] : {std::pair{"fp4-er-pos", 10.0f}, {"fp4-er-neg", -10.0f}, {"fp4-ea-pos", 16.0f},
                                       {"fp4-ea-neg", -16.0f}}) {
            std::vector<float> g = fp4x2;
            g.push_back(extra);
            std::sort(g.begin(), g.end());
            QTest::newRow(n) << QByteArray(n) << g << 4;
        }
        QTest::newRow("iq4nl") << QByteArray("iq4nl")
                               << std::vector<float>{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69,
                                                     89, 113}
                               << 4;
        QTest::newRow("lut sorted") << QByteArray("lut:3,-1,0.5") << std::vector<float>{-1, 0.5f, 3} << 2;
    }

    void grids()
    {
        QFETCH(QByteArray, name);
        QFETCH(std::vector<float>, grid);
        QFETCH(int, codeBits);
        const Format f = must(name.toStdString());
        QCOMPARE(f.grid, grid);
        QCOMPARE(f.codeBits, codeBits);
        QCOMPARE(f.midpoints.size() + 1, grid.size());
    }

    void minifloatMaxima_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<float>("max");
        QTest::addColumn<int>("count");
        QTest::newRow("e2m1") << QByteArray("fp4") << 6.0f << 15;
        QTest::newRow("e3m2") << QByteArray("fp6-e3m2") << 28.0f << 63;
        QTest::newRow("e2m3") << QByteArray("fp6-e2m3") << 7.5f << 63;
        QTest::newRow("e4m3 fn") << QByteArray("fp8-e4m3") << 448.0f << 253;   // 256 − 2 NaN − one zero
        QTest::newRow("e5m2 finite") << QByteArray("fp8-e5m2") << 57344.0f << 247; // exponent 31 excluded
        QTest::newRow("e3m4 all finite") << QByteArray("fp-e3m4") << 31.0f << 255;
        QTest::newRow("mxfp8") << QByteArray("mxfp8-e4m3") << 448.0f << 253;
        QTest::newRow("e1m1 (bias 0)") << QByteArray("fp-e1m1") << 3.0f << 7; // {0, 1} subnormal, {2, 3} normal
    }
    void minifloatMaxima()
    {
        QFETCH(QByteArray, name);
        QFETCH(float, max);
        QFETCH(int, count);
        const Format f = must(name.toStdString());
        QCOMPARE(f.grid.back(), max);
        QCOMPARE(f.grid.front(), -max);
        QCOMPARE(static_cast<int>(f.grid.size()), count);
        QVERIFY(std::is_sorted(f.grid.begin(), f.grid.end()));
    }

    void familiesAndAliases()
    {
        QCOMPARE(must("int4").family, Family::IntSym);
        QCOMPARE(must("int4").qmax, 7.0f);
        QCOMPARE(must("int3-asym").family, Family::IntAsym);
        QCOMPARE(must("int3-asym").qmax, 7.0f);
        QCOMPARE(must("nf4-asym").family, Family::GridAsym);
        QCOMPARE(must("fp3-asym").qmax, 4.0f); // R = max V
        QCOMPARE(must("fp-e4m3").name, std::string("fp8-e4m3"));
        QCOMPARE(must("fp-e3m2").name, std::string("fp6-e3m2"));
        const Format b = must("bitmod-fp3");
        QCOMPARE(b.family, Family::Mixture);
        QCOMPARE(b.members.size(), std::size_t{4});
        QCOMPARE(b.members[0].name, std::string("fp3-er-pos"));
        QCOMPARE(b.members[3].name, std::string("fp3-ea-neg"));
        QCOMPARE(b.selectorBits, 2);
        QCOMPARE(b.members[2].qmax, 6.0f);
        QCOMPARE(must("bitmod-fp4").members[2].qmax, 16.0f);
        const Format m = must("mix:int4|fp4|nf4");
        QCOMPARE(m.selectorBits, 2);
        QCOMPARE(m.codeBits, 4);
        QCOMPARE(m.name, std::string("mix:int4|fp4|nf4"));
        QCOMPARE(must("mxfp6-e3m2").mxEmax, 4);
        QCOMPARE(must("mxfp8-e4m3").mxEmax, 8);
        for (const std::string &n : listFormatNames()) {
            auto f = parseFormat(n);
            QVERIFY2(f.ok(), n.c_str());
            QCOMPARE(f->name, n); // listed names are canonical
        }
        for (int p = 3; p <= 8; ++p)
            for (int e = 1; e < p; ++e) {
                const Format f = must("fp-e" + std::to_string(e) + "m" + std::to_string(p - 1 - e));
                QCOMPARE(f.codeBits, p);
            }
    }

    void badNames_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("mentions");
        QTest::newRow("unknown") << QByteArray("fp5") << QByteArray("valid formats");
        QTest::newRow("int9") << QByteArray("int9") << QByteArray("2…8");
        QTest::newRow("int1") << QByteArray("int1") << QByteArray("2…8");
        QTest::newRow("fp too wide") << QByteArray("fp-e5m3") << QByteArray("3 ≤ 1+X+Y ≤ 8");
        QTest::newRow("fp too narrow") << QByteArray("fp-e1m0") << QByteArray("3 ≤ 1+X+Y ≤ 8");
        QTest::newRow("fp no exponent") << QByteArray("fp-e0m3") << QByteArray("X ≥ 1");
        QTest::newRow("lut nan") << QByteArray("lut:1,nan,2") << QByteArray("not finite");
        QTest::newRow("lut inf") << QByteArray("lut:1,inf") << QByteArray("not finite");
        QTest::newRow("lut dup") << QByteArray("lut:1,2,1") << QByteArray("unique");
        QTest::newRow("lut one") << QByteArray("lut:1") << QByteArray("at least 2");
        QTest::newRow("lut junk") << QByteArray("lut:1,x") << QByteArray("not a number");
        QTest::newRow("lut empty") << QByteArray("lut:") << QByteArray("not a number");
        QTest::newRow("mix one") << QByteArray("mix:int4") << QByteArray("at least 2");
        QTest::newRow("mix mx") << QByteArray("mix:int4|mxfp4") << QByteArray("symmetric");
        QTest::newRow("mix asym") << QByteArray("mix:int4|fp4-asym") << QByteArray("symmetric");
        QTest::newRow("asym mx") << QByteArray("mxfp4-asym") << QByteArray("valid formats");
        QTest::newRow("empty") << QByteArray("") << QByteArray("valid formats");
    }
    void badNames()
    {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, mentions);
        auto f = parseFormat(name.toStdString());
        QVERIFY(!f.ok());
        QCOMPARE(f.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(f.error().detail.find(mentions.toStdString()) != std::string::npos, f.error().detail.c_str());
        QVERIFY(f.error().detail.find("nvfp4") != std::string::npos); // lists what is valid
    }

    void lutLimits()
    {
        std::string lut = "lut:";
        for (int i = 0; i < 256; ++i)
            lut += (i ? "," : "") + std::to_string(i);
        auto ok = parseFormat(lut);
        QVERIFY(ok.ok());
        QCOMPARE(ok->codeBits, 8);
        QVERIFY(!parseFormat(lut + ",300").ok());
    }

    void badSpecs()
    {
        QVERIFY(!makeFormatSpec("int4", -2).ok());
        QVERIFY(makeFormatSpec("int4", 0).ok());
        QVERIFY(makeFormatSpec("int4", -1).ok());
        QVERIFY(!makeFormatSpec("int4", 32, std::nullopt, 0.0f).ok());
        QVERIFY(!makeFormatSpec("int4", 32, std::nullopt, 1.5f).ok());
        QVERIFY(!makeFormatSpec("iq4nl", 32, ScaleStorage::E8m0).ok());
        QVERIFY(!parseScaleStorage("fp8").ok());
        auto mx = makeFormatSpec("mxfp4", 128, ScaleStorage::Fp32);
        QVERIFY(mx.ok());
        QCOMPARE(mx->group, std::int64_t{32});
        QCOMPARE(mx->storage, ScaleStorage::E8m0);
        auto nv = makeFormatSpec("nvfp4", 64);
        QCOMPARE(nv->group, std::int64_t{16});
        QCOMPARE(nv->storage, ScaleStorage::E4m3);
    }

    void bpw_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<qint64>("group");
        QTest::addColumn<int>("storage");
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<qint64>("cols");
        QTest::addColumn<qint64>("bits");
        // by hand: codes + groups·(scale [+ scale2] [+ zero] [+ selector]) [+ 32]
        QTest::newRow("int4 g32 fp16") << QByteArray("int4") << 32LL << 1 << 4LL << 64LL << 4 * 64 * 4 + 8LL * 16;
        QTest::newRow("int4-asym g128 fp16") << QByteArray("int4-asym") << 128LL << 1 << 2LL << 256LL << 2 * 256 * 4 + 4LL * (16 + 4);
        QTest::newRow("fp4-asym g32 fp16") << QByteArray("fp4-asym") << 32LL << 1 << 1LL << 64LL << 64 * 4 + 2LL * 32;
        QTest::newRow("bitmod-fp3 g128 fp16") << QByteArray("bitmod-fp3") << 128LL << 1 << 1LL << 128LL << 128 * 3 + 16 + 2LL;
        QTest::newRow("mxfp4") << QByteArray("mxfp4") << 32LL << 0 << 1LL << 64LL << 64 * 4 + 2LL * 8;   // 4.25 bpw
        QTest::newRow("mxfp6") << QByteArray("mxfp6-e3m2") << 32LL << 0 << 1LL << 32LL << 32 * 6 + 8LL;  // 6.25 bpw
        QTest::newRow("nvfp4") << QByteArray("nvfp4") << 16LL << 0 << 2LL << 32LL << 64 * 4 + 4 * 8 + 32LL;
        QTest::newRow("short last group") << QByteArray("int4") << 32LL << 0 << 3LL << 172LL << 3 * 172 * 4 + 3 * 6 * 32LL;
        QTest::newRow("per-channel") << QByteArray("int8") << 0LL << 2 << 5LL << 100LL << 500 * 8 + 5 * 16LL;
        QTest::newRow("per-tensor") << QByteArray("nf4") << -1LL << 0 << 5LL << 100LL << 500 * 4 + 32LL;
        QTest::newRow("mix 5 members") << QByteArray("mix:int3|fp3|nf3|fp3-er-pos|fp3-ea-neg") << 64LL << 0 << 1LL << 64LL
                                       << 64 * 3 + 32 + 3LL;
        QTest::newRow("q4_0") << QByteArray("q4_0") << 32LL << 0 << 1LL << 64LL << 64 * 4 + 2 * 16LL; // 4.5 bpw
    }
    void bpw()
    {
        QFETCH(QByteArray, name);
        QFETCH(qint64, group);
        QFETCH(int, storage);
        QFETCH(qint64, rows);
        QFETCH(qint64, cols);
        QFETCH(qint64, bits);
        auto spec = makeFormatSpec(name.toStdString(), group, static_cast<ScaleStorage>(storage));
        QVERIFY(spec.ok());
        auto b = bitsPerWeight(*spec, rows, cols);
        QVERIFY(b.ok());
        QCOMPARE(static_cast<qint64>(b->totalBits), bits);
        QCOMPARE(b->bitsPerWeight, static_cast<double>(bits) / static_cast<double>(rows * cols));
    }

    void nominalBpw()
    {
        QCOMPARE(nominalBitsPerWeight(*makeFormatSpec("mxfp4")), 4.25);
        QCOMPARE(nominalBitsPerWeight(*makeFormatSpec("nvfp4")), 4.5);
        QCOMPARE(nominalBitsPerWeight(*makeFormatSpec("int4-asym", 128, ScaleStorage::Fp16)), 4.0 + 20.0 / 128);
        QCOMPARE(nominalBitsPerWeight(*makeFormatSpec("bitmod-fp3", 128, ScaleStorage::Fp16)), 3.0 + 18.0 / 128);
    }

    void e4m3EncoderEqualsDtypes()
    {
        // every 61st float pattern plus the neighbourhoods of every E4M3 value and midpoint
        for (std::uint64_t b = 0; b <= 0xFFFFFFFFull; b += 61) {
            const float f = std::bit_cast<float>(static_cast<std::uint32_t>(b));
            QCOMPARE(encodeE4m3Fast(f), floatToFp8e4m3(f));
        }
        for (int c = 0; c < 127; ++c) {
            const float v = fp8e4m3ToFloat(static_cast<std::uint8_t>(c)), next = c < 126 ? fp8e4m3ToFloat(static_cast<std::uint8_t>(c + 1)) : 464.0f;
            for (const float base : {v, (v + next) * 0.5f})
                for (int d = -3; d <= 3; ++d) {
                    const float f = std::bit_cast<float>(std::bit_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(d));
                    QCOMPARE(encodeE4m3Fast(f), floatToFp8e4m3(f));
                    QCOMPARE(encodeE4m3Fast(-f), floatToFp8e4m3(-f));
                }
        }
    }

    void scaleStorage()
    {
        QCOMPARE(roundScale(1.0f / 3.0f, ScaleStorage::Fp32), 1.0f / 3.0f);
        QCOMPARE(roundScale(1e6f, ScaleStorage::Fp16), 65504.0f); // saturates
        QCOMPARE(roundScale(1000.0f, ScaleStorage::E4m3), 448.0f);
        QCOMPARE(roundScale(0.3f, ScaleStorage::E8m0), 0.5f); // rounds up to a power of two
        QCOMPARE(roundScale(0.25f, ScaleStorage::E8m0), 0.25f);
        QCOMPARE(roundScale(0.0f, ScaleStorage::E8m0), std::ldexp(1.0f, -127));
        QCOMPARE(roundScale(1.0f + 1.0f / 256, ScaleStorage::Bf16), 1.0f); // tie → even
        QCOMPARE(roundScale(3.0e38f, ScaleStorage::Bf16) < 3.4e38f, true);
        for (const ScaleStorage s : {ScaleStorage::Fp32, ScaleStorage::Fp16, ScaleStorage::Bf16, ScaleStorage::E8m0,
                                     ScaleStorage::E4m3}) {
            const float r = roundScale(0.0123f, s);
            QCOMPARE(decodeScale(encodeScale(r, s), s), r); // stored values are fixed points
        }
    }
};

QTEST_APPLESS_MAIN(TestFmtRegistry)
#include "tst_fmt_registry.moc"
