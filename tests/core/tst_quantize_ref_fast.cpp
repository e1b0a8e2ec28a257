// SPDX-License-Identifier: GPL-3.0-or-later
// The fast path (core/quant/fast_format.h, AVX2 or portable, multithreaded) equals the scalar
// reference (quantize_ref.h) bit for bit: codes, scales, second scales, selectors, tensor scale
// and dequantized values, on random, skewed, adversarial (NaN/Inf/denormal/zero/constant/outlier)
// and exact-midpoint inputs, for every family, group layout, scale storage and clipping.
#include "core/quant/fast_format.h"
#include "core/quant/quantize_ref.h"

#include "quant_inputs.h"

#include <QTest>

#include <bit>

using namespace lowbit;
using lowbit::test::quantInputs;
using lowbit::test::sameBits;
using lowbit::test::specOf;

namespace {
const char *const kFormats[] = {"int2", "int3", "int4", "int8", "int3-asym", "int4-asym", "int8-asym", "fp3", "fp4", "fp-e3m2", "fp-e2m3",
                                "fp8-e4m3", "fp8-e5m2", "fp3-asym", "fp4-asym", "nf3", "nf4", "nf3-asym", "nf4-asym", "fp3-er-pos",
                                "fp4-ea-neg", "bitmod-fp3", "bitmod-fp4", "mix:int4|nf4-asym|fp4", "lut:-3,-1,0,0.25,2",
                                "lut:-1,1-asym", "iq4nl", "mxfp4", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp8-e4m3", "nvfp4"};

} // namespace

class TestQuantizeRefFast : public QObject {
    Q_OBJECT

private slots:
    void clippedAndNarrowScalesFastEqualsReference_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("storage");
        for (const char *n : {"int3", "int4-asym", "fp4", "nf4-asym", "fp-e3m2", "iq4nl", "bitmod-fp3", "mix:int4|nf4-asym|fp4"})
            for (int st : {0, 3, 4})
                QTest::addRow("%s storage%d", n, st) << QString::fromLatin1(n) << st;
    }
    void clippedAndNarrowScalesFastEqualsReference()
    {
        QFETCH(QString, name);
        QFETCH(int, storage);
        const FormatSpec spec = specOf(name.toLatin1().constData(), 32, static_cast<ScaleStorage>(storage), 0.8f);
        for (int kind : {0, 2, 3}) {
            const std::vector<float> w = quantInputs(kind, 5 * 96, 19);
            auto r = quantizeRef(w.data(), 5, 96, spec);
            auto f = quantizeFast(w.data(), 5, 96, spec, nullptr, 1);
            QVERIFY(r && f);
            QCOMPARE(f->codes, r->codes);
            QVERIFY(sameBits(f->scales, r->scales));
            QVERIFY(sameBits(f->scales2, r->scales2));
            QCOMPARE(f->selectors, r->selectors);
        }
    }

    void fastEqualsReference_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qlonglong>("group");
        QTest::addColumn<int>("storage");
        QTest::addColumn<int>("kind");
        for (const char *n : kFormats)
            for (int kind : {0, 1, 2, 3})
                for (qlonglong g : {32LL, 20LL, 0LL, -1LL}) {
                    const bool fixed = QByteArray(n).startsWith("mx") || QByteArray(n) == "nvfp4";
                    if (fixed && g != 32)
                        continue;
                    const int storage = g == 20 ? 1 : g == 0 ? 2 : 0; // fp16 / bf16 on two of the layouts
                    QTest::addRow("%s g%lld kind%d", n, g, kind) << QString::fromLatin1(n) << g << storage << kind;
                }
    }
    void fastEqualsReference()
    {
        QFETCH(QString, name);
        QFETCH(qlonglong, group);
        QFETCH(int, storage);
        QFETCH(int, kind);
        const FormatSpec spec = specOf(name.toLatin1().constData(), group, static_cast<ScaleStorage>(storage));
        const std::int64_t rows = 7, cols = 200;
        const std::vector<float> w = quantInputs(kind, rows * cols, static_cast<std::uint32_t>(kind + 3));
        std::vector<float> imp(w.size());
        for (std::size_t i = 0; i < imp.size(); ++i)
            imp[i] = 0.5f + static_cast<float>((i * 37) % 11);
        auto r = quantizeRef(w.data(), rows, cols, spec, imp.data());
        QVERIFY2(r, r ? "" : r.error().message().c_str());
        auto f = quantizeFast(w.data(), rows, cols, spec, imp.data(), 2);
        QVERIFY2(f, f ? "" : f.error().message().c_str());
        QCOMPARE(f->codes, r->codes);
        QVERIFY(sameBits(f->scales, r->scales));
        QVERIFY(sameBits(f->scales2, r->scales2));
        QCOMPARE(f->selectors, r->selectors);
        QCOMPARE(std::bit_cast<std::uint32_t>(f->tensorScale), std::bit_cast<std::uint32_t>(r->tensorScale));
        auto plan = fastPlanFor(spec);
        QVERIFY(plan);
        std::vector<float> df(w.size()), dr(w.size());
        QVERIFY(dequantizeWithPlan(*f, *plan, df.data(), 2));
        dequantizeRef(*r, dr.data());
        QVERIFY(sameBits(df, dr));
    }
};

QTEST_APPLESS_MAIN(TestQuantizeRefFast)
#include "tst_quantize_ref_fast.moc"
