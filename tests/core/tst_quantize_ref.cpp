// SPDX-License-Identifier: GPL-3.0-or-later
// The scalar reference quantizer (core/quant/quantize_ref.h): the rules of datatypes.md §5 on
// hand-made groups and adversarial inputs (the fast path's agreement: tst_quantize_ref_fast).
#include "core/dtypes/blocks.h"
#include "core/dtypes/ggml_quants.h"
#include "core/dtypes/scalar_convert.h"
#include "core/quant/quantize_ref.h"

#include "quant_inputs.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

using namespace lowbit;
using lowbit::test::quantInputs;
using lowbit::test::sameBits;
using lowbit::test::specOf;

namespace {

std::vector<float> roundTrip(const std::vector<float> &w, std::int64_t rows, const FormatSpec &spec, QuantizedMatrix *qOut = nullptr)
{
    const std::int64_t cols = static_cast<std::int64_t>(w.size()) / rows;
    auto q = quantizeRef(w.data(), rows, cols, spec);
    if (!q)
        qFatal("quantizeRef: %s", q.error().message().c_str());
    std::vector<float> out(w.size());
    dequantizeRef(*q, out.data());
    if (qOut)
        *qOut = *q;
    return out;
}

double sqErr(const std::vector<float> &a, const std::vector<float> &b)
{
    double e = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        e += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    return e;
}

} // namespace

class TestQuantizeRef : public QObject {
    Q_OBJECT

private slots:
    void representableValuesRoundTrip_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"int3", "int4", "int8", "fp3", "fp4", "fp-e3m2", "fp-e2m3", "fp8-e4m3", "nf3", "nf4", "fp4-er-pos",
                              "fp3-ea-neg", "lut:-3,-1,0,0.25,2", "iq4nl"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }
    void representableValuesRoundTrip()
    {
        QFETCH(QString, name);
        const FormatSpec spec = specOf(name.toLatin1().constData(), 0);
        std::vector<float> v = codeValues(spec.format);
        if (spec.format.family == FormatFamily::Iq4nl) // s = x_max / −127 must be exact: scale the grid by −1
            for (auto &x : v)
                x = -x;
        // one row holding every grid value: the scale is 1 (absmax = qmax), every value is exact
        const std::vector<float> back = roundTrip(v, 1, spec);
        QCOMPARE(back, v);
    }

    void tiesGoToTheLowerIndex()
    {
        // fp4 with absmax 6: s = 1; 0.25 is the midpoint of 0 and 0.5, 2.5 of 2 and 3, −2.5 of −3 and −2
        const auto fp4 = roundTrip({6.0f, 0.25f, 2.5f, -2.5f, 5.0f, -0.75f}, 1, specOf("fp4", 0));
        QCOMPARE(fp4, (std::vector<float>{6.0f, 0.0f, 2.0f, -3.0f, 4.0f, -1.0f}));
        // INT rounds half away from zero: int4 qmax 7, absmax 7 → s = 1
        const auto i4 = roundTrip({7.0f, 2.5f, -2.5f, 0.5f, -0.5f, 0.49f}, 1, specOf("int4", 0));
        QCOMPARE(i4, (std::vector<float>{7.0f, 3.0f, -3.0f, 1.0f, -1.0f, 0.0f}));
        QCOMPARE(nearestGridIndex({-1.0f, 0.0f, 1.0f}, 0.5f), std::uint8_t{1});
        QCOMPARE(nearestGridIndex({-1.0f, 0.0f, 1.0f}, 0.5000001f), std::uint8_t{2});
        QCOMPARE(nearestGridIndex({-1.0f, 0.0f, 1.0f}, -9.0f), std::uint8_t{0}); // saturates
        QCOMPARE(nearestGridIndex({-1.0f, 0.0f, 1.0f}, 9.0f), std::uint8_t{2});
    }

    void monotonic_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"int4", "int3-asym", "fp4", "fp4-asym", "nf4-asym", "fp-e3m2", "iq4nl", "mxfp4", "nvfp4"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }
    void monotonic()
    {
        QFETCH(QString, name);
        const FormatSpec spec = specOf(name.toLatin1().constData(), 0);
        const Format &f = spec.format;
        // fixed parameters from a group spanning [−1.3, 2], then every x in between coded alone
        const float anchors[] = {-1.3f, 2.0f, 0.1f, -0.2f};
        const float tensorScale = f.family == FormatFamily::Nvfp4 ? nvfp4TensorScale(anchors, 4) : 1.0f;
        const GroupParams p = chooseGroupParams(spec, anchors, 4, nullptr, tensorScale);
        float prev = -std::numeric_limits<float>::infinity();
        for (int i = 0; i <= 4000; ++i) {
            const float x = -1.5f + 4.0f * static_cast<float>(i) / 4000.0f;
            std::uint8_t c = 0;
            float y = 0;
            quantizeGroupWithParams(spec, p, &x, 1, &c, tensorScale);
            dequantizeGroupWithParams(spec, p, &c, 1, &y, tensorScale);
            QVERIFY2(y >= prev, qPrintable(QStringLiteral("x = %1 gives %2 after %3").arg(x).arg(y).arg(prev)));
            prev = y;
        }
    }

    void adversarialGroups()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
        QuantizedMatrix q;
        // all zero: scale 0, code of 0, dequantizes to 0
        auto z = roundTrip(std::vector<float>(8, 0.0f), 1, specOf("fp4", 0), &q);
        QCOMPARE(z, std::vector<float>(8, 0.0f));
        QCOMPARE(q.scales[0], 0.0f);
        QCOMPARE(q.spec.format.grid[q.codes[0]], 0.0f);
        // all NaN: treated as an all-zero group
        z = roundTrip(std::vector<float>(8, nan), 1, specOf("int4-asym", 0), &q);
        QCOMPARE(z, std::vector<float>(8, 0.0f));
        // NaN among numbers: the code of 0 under the group's scale
        z = roundTrip({nan, 6.0f, -3.0f, nan}, 1, specOf("fp4", 0));
        QCOMPARE(z, (std::vector<float>{0.0f, 6.0f, -3.0f, 0.0f}));
        // Inf: the scale is Inf, finite weights code 0, Inf / Inf = NaN → the code of 0
        z = roundTrip({inf, 1.0f, -2.0f, 0.0f}, 1, specOf("int4", 0), &q);
        QVERIFY(std::isinf(q.scales[0]));
        QCOMPARE(q.codes, (std::vector<std::uint8_t>{7, 7, 7, 7}));
        // constant group: exact at the grid end
        z = roundTrip(std::vector<float>(5, -0.375f), 1, specOf("nf4", 0));
        QCOMPARE(z, std::vector<float>(5, -0.375f));
        // denormals stay numbers (scale = absmax / 6 is a denormal too, never flushed)
        z = roundTrip({1e-40f, -6e-40f}, 1, specOf("fp4", 0), &q);
        QVERIFY(q.scales[0] > 0.0f);
        QCOMPARE(z[1], -6e-40f / 6.0f * 6.0f);
        // one huge outlier: saturates the others to 0, keeps the outlier
        z = roundTrip({3e38f, 1.0f, -1.0f, 0.5f}, 1, specOf("int8", 0));
        QCOMPARE(z[1], 0.0f);
        QVERIFY(std::fabs(z[0] - 3e38f) <= 3e38f * 1e-6f);
        // NVFP4: t ignores Inf, Inf saturates at 6·scale·t; NaN → 0
        z = roundTrip({inf, 1.0f, nan, -2.0f, 0.5f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f}, 1, specOf("nvfp4"), &q);
        QCOMPARE(q.tensorScale, 2.0f / 2688.0f);
        QVERIFY(std::isfinite(z[0]));
        QCOMPARE(z[2], 0.0f);
        // MX with Inf: e = 127, never a crash
        z = roundTrip(std::vector<float>(32, -inf), 1, specOf("mxfp4"), &q);
        QCOMPARE(q.scales[0], std::ldexp(1.0f, 127));
    }

    void mxScaleRule()
    {
        QuantizedMatrix q;
        std::vector<float> w(96, 0.0f);
        w[3] = 5.0f;    // group 0: floor(log2 5) = 2, emax(E2M1) = 2 → e = 0
        w[40] = -0.3f;  // group 1: floor(log2 0.3) = −2 → e = −4
        roundTrip(w, 1, specOf("mxfp4"), &q); // group 2 all zero → e = −127
        QCOMPARE(q.scales, (std::vector<float>{1.0f, 0.0625f, std::ldexp(1.0f, -127)}));
        w[3] = 4.0f; // exactly a power of two: floor(log2 4) = 2
        roundTrip(w, 1, specOf("mxfp8-e4m3"), &q); // emax 8 → e = −6
        QCOMPARE(q.scales[0], std::ldexp(1.0f, -6));
        QCOMPARE(q.spec.groupSize, std::int64_t{32});
    }

    void nvfp4TwoLevelScale()
    {
        std::vector<float> w(32);
        for (int i = 0; i < 32; ++i)
            w[static_cast<std::size_t>(i)] = 0.01f * static_cast<float>(i - 9);
        QuantizedMatrix q;
        roundTrip(w, 2, specOf("nvfp4"), &q);
        const float t = 0.22f / (448.0f * 6.0f);
        QCOMPARE(q.tensorScale, t);
        QCOMPARE(q.scales.size(), std::size_t(2));
        QCOMPARE(q.scales[0], fp8e4m3ToFloat(floatToFp8e4m3((0.09f / 6.0f) / t)));
        QCOMPARE(q.scales[1], fp8e4m3ToFloat(floatToFp8e4m3((0.22f / 6.0f) / t)));
    }

    void iq4nlRule()
    {
        QuantizedMatrix q;
        roundTrip({0.5f, -2.54f, 2.54f, 1.0f}, 1, specOf("iq4nl", 0), &q);
        QCOMPARE(q.scales[0], -2.54f / -127.0f); // the first element of largest |x|
        QCOMPARE(q.codes[1], std::uint8_t{0});   // it lands on −127
        roundTrip({0.5f, 2.54f, -2.54f}, 1, specOf("iq4nl", 0), &q);
        QCOMPARE(q.scales[0], 2.54f / -127.0f);
        QCOMPARE(q.codes[1], std::uint8_t{0});
    }

    void q4_0EqualsGgml()
    {
        std::vector<float> w = quantInputs(0, 4 * 64, 5);
        w[5] = 0.0f;
        for (int i = 64; i < 96; ++i)
            w[static_cast<std::size_t>(i)] = 0.0f; // an all-zero block
        w[100] = 1.0f;                              // a positive extreme: d < 0
        const FormatSpec spec = specOf("q4_0");
        QCOMPARE(spec.groupSize, std::int64_t{32});
        QCOMPARE(spec.scaleStorage, ScaleStorage::F16);
        QCOMPARE(bitsPerWeight(spec, 4, 64).total(), 4.5);
        QuantizedMatrix q;
        const std::vector<float> back = roundTrip(w, 4, spec, &q);
        std::vector<BlockQ4_0> blocks(w.size() / 32);
        quantizeQ4_0Ref(w.data(), reinterpret_cast<std::byte *>(blocks.data()), w.size());
        for (std::size_t b = 0; b < blocks.size(); ++b) {
            QCOMPARE(q.scales[b], fp16ToFloat(blocks[b].d));
            for (int j = 0; j < 16; ++j) {
                QCOMPARE(int(q.codes[b * 32 + static_cast<std::size_t>(j)]), blocks[b].qs[j] & 15);
                QCOMPARE(int(q.codes[b * 32 + 16 + static_cast<std::size_t>(j)]), blocks[b].qs[j] >> 4);
            }
            for (int j = 0; j < 32; ++j) // x̂ = d·(q − 8)
                QCOMPARE(back[b * 32 + static_cast<std::size_t>(j)],
                         fp16ToFloat(blocks[b].d) * static_cast<float>(q.codes[b * 32 + static_cast<std::size_t>(j)] - 8));
        }
        // NaN and Inf never crash: NaN codes 8 (zero)
        const float nan = std::numeric_limits<float>::quiet_NaN();
        std::vector<float> odd(32, 0.5f);
        odd[3] = nan;
        odd[4] = -std::numeric_limits<float>::infinity();
        roundTrip(odd, 1, spec, &q);
        QCOMPARE(int(q.codes[3]), 8);
        QVERIFY(!planForSpec(spec)); // no fast path: Unsupported, said so
        QVERIFY(!makeFormatSpec(spec.format, 64));
    }

    void asymBeatsSymmetricOnSkewedGroups_data()
    {
        QTest::addColumn<QString>("sym");
        for (const char *n : {"fp3", "fp4", "nf3", "nf4"})
            QTest::newRow(n) << QString::fromLatin1(n);
    }
    void asymBeatsSymmetricOnSkewedGroups()
    {
        QFETCH(QString, sym);
        const std::vector<float> w = quantInputs(1, 64 * 64, 7);
        const FormatSpec s = specOf(sym.toLatin1().constData(), 32);
        const FormatSpec a = specOf((sym + QStringLiteral("-asym")).toLatin1().constData(), 32);
        const auto ws = roundTrip(w, 64, s), wa = roundTrip(w, 64, a);
        for (std::size_t g = 0; g < w.size(); g += 32) { // per group
            const std::vector<float> x(w.begin() + static_cast<long>(g), w.begin() + static_cast<long>(g + 32));
            const std::vector<float> xs(ws.begin() + static_cast<long>(g), ws.begin() + static_cast<long>(g + 32));
            const std::vector<float> xa(wa.begin() + static_cast<long>(g), wa.begin() + static_cast<long>(g + 32));
            QVERIFY2(sqErr(x, xa) <= sqErr(x, xs) * (1.0 + 1e-6), qPrintable(QStringLiteral("group %1").arg(g / 32)));
        }
        QVERIFY(sqErr(w, wa) < sqErr(w, ws));
    }

    void mixtureNoWorseThanEachMember_data()
    {
        QTest::addColumn<QString>("mix");
        QTest::addColumn<QStringList>("members");
        QTest::newRow("bitmod-fp3") << QStringLiteral("bitmod-fp3")
                                    << QStringList{QStringLiteral("fp3-er-pos"), QStringLiteral("fp3-er-neg"), QStringLiteral("fp3-ea-pos"),
                                                   QStringLiteral("fp3-ea-neg")};
        QTest::newRow("bitmod-fp4") << QStringLiteral("bitmod-fp4")
                                    << QStringList{QStringLiteral("fp4-er-pos"), QStringLiteral("fp4-er-neg"), QStringLiteral("fp4-ea-pos"),
                                                   QStringLiteral("fp4-ea-neg")};
        QTest::newRow("mix") << QStringLiteral("mix:int4|nf4-asym|fp4")
                             << QStringList{QStringLiteral("int4"), QStringLiteral("nf4-asym"), QStringLiteral("fp4")};
    }
    void mixtureNoWorseThanEachMember()
    {
        QFETCH(QString, mix);
        QFETCH(QStringList, members);
        const std::vector<float> w = quantInputs(0, 32 * 96, 11);
        QuantizedMatrix q;
        const auto wm = roundTrip(w, 32, specOf(mix.toLatin1().constData(), 32), &q);
        std::vector<std::vector<float>> alone;
        for (const auto &m : members)
            alone.push_back(roundTrip(w, 32, specOf(m.toLatin1().constData(), 32)));
        std::vector<int> used(static_cast<std::size_t>(members.size()), 0);
        for (std::size_t g = 0; g < w.size() / 32; ++g) {
            auto slice = [&](const std::vector<float> &v) {
                return std::vector<float>(v.begin() + static_cast<long>(g * 32), v.begin() + static_cast<long>(g * 32 + 32));
            };
            const double em = sqErr(slice(w), slice(wm));
            for (std::size_t k = 0; k < alone.size(); ++k) {
                const double ek = sqErr(slice(w), slice(alone[k]));
                QVERIFY2(em <= ek, qPrintable(QStringLiteral("group %1 member %2").arg(g).arg(members[static_cast<int>(k)])));
                if (q.selectors[g] == k) // the selected member's own quantization is what the mixture stored
                    QVERIFY(sameBits(slice(wm), slice(alone[k])));
            }
            ++used[q.selectors[g]];
        }
        int distinct = 0;
        for (int u : used)
            distinct += u > 0;
        QVERIFY(distinct >= 2); // the selection is not degenerate
    }

    void importanceSteersTheMixture()
    {
        // Two members that differ only in where they are precise; importance on one element decides.
        const FormatSpec spec = specOf("mix:lut:-1,0,0.3,1|lut:-1,0,0.7,1", 0);
        const std::vector<float> x = {1.0f, 0.3f, 0.7f, 0.0f};
        const std::vector<float> onFirst = {1, 10, 1, 1}, onSecond = {1, 1, 10, 1};
        QCOMPARE(chooseGroupParams(spec, x.data(), 4, onFirst.data()).member, std::uint8_t{0});
        QCOMPARE(chooseGroupParams(spec, x.data(), 4, onSecond.data()).member, std::uint8_t{1});
        QCOMPARE(chooseGroupParams(spec, x.data(), 4).member, std::uint8_t{0}); // equal errors: the first member
    }

    void shorterLastGroupAndLayouts()
    {
        QuantizedMatrix q;
        std::vector<float> w(3 * 10);
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = static_cast<float>(i % 10) - 4.0f;
        roundTrip(w, 3, specOf("int4", 4), &q);
        QCOMPARE(q.scales.size(), std::size_t(9)); // 4 + 4 + 2 per row
        QCOMPARE(q.scales[2], 5.0f / 7.0f);         // the last group {4, 5}
        roundTrip(w, 3, specOf("int4", 0), &q);
        QCOMPARE(q.scales.size(), std::size_t(3));
        roundTrip(w, 3, specOf("int4", -1), &q);
        QCOMPARE(q.scales.size(), std::size_t(1));
        QCOMPARE(q.scales[0], 5.0f / 7.0f);
    }

    void badInput()
    {
        const std::vector<float> w(4, 1.0f);
        auto bad = quantizeRef(w.data(), -1, 4, specOf("int4"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, ErrorCode::InvalidArgument);
        FormatSpec s = specOf("mxfp4");
        s.groupSize = 16; // MX fixes the group at 32
        bad = quantizeRef(w.data(), 1, 4, s);
        QVERIFY(!bad);
        QVERIFY2(QString::fromStdString(bad.error().message()).contains(QStringLiteral("32")), bad.error().message().c_str());
        s = specOf("int4");
        s.groupSize = -7;
        QVERIFY(!quantizeRef(w.data(), 1, 4, s));
        QVERIFY(!quantizeRef(w.data(), INT64_MAX, 4, specOf("int4")));
        // a matrix that does not match its shape dequantizes to zeros, without reading out of bounds
        QuantizedMatrix q;
        q.spec = specOf("int4");
        q.rows = 2;
        q.cols = 2;
        std::vector<float> out(4, 9.0f);
        dequantizeRef(q, out.data());
        QCOMPARE(out, std::vector<float>(4, 0.0f));
    }

    void clippingSaturates()
    {
        QuantizedMatrix q;
        // int4, clip 0.5: s = 0.5·7/7 = 0.5; 7 saturates at 7·0.5 = 3.5, 1 stays exact
        auto z = roundTrip({7.0f, 1.0f, -7.0f}, 1, specOf("int4", 0, ScaleStorage::F32, 0.5f), &q);
        QCOMPARE(q.scales[0], 0.5f);
        QCOMPARE(z, (std::vector<float>{3.5f, 1.0f, -3.5f}));
        // fp4-asym, clip 0.5: s_pos = 3/6, s_neg = 1.5/6 — both ends saturate to the grid's ends
        z = roundTrip({6.0f, -3.0f, 0.0f}, 1, specOf("fp4-asym", 0, ScaleStorage::F32, 0.5f), &q);
        QCOMPARE(q.scales[0], 0.5f);
        QCOMPARE(q.scales2[0], 0.25f);
        QCOMPARE(z, (std::vector<float>{3.0f, -1.5f, 0.0f}));
    }

    void scaleStorageRounding()
    {
        QuantizedMatrix q;
        const std::vector<float> w = {1.0f, 0.3f}; // int4: s = 1/7
        roundTrip(w, 1, specOf("int4", 0, ScaleStorage::F16), &q);
        QCOMPARE(q.scales[0], fp16ToFloat(floatToFp16(1.0f / 7.0f)));
        roundTrip(w, 1, specOf("int4", 0, ScaleStorage::BF16), &q);
        QCOMPARE(q.scales[0], bf16ToFloat(floatToBf16(1.0f / 7.0f)));
        roundTrip(w, 1, specOf("int4", 0, ScaleStorage::E8M0), &q);
        QCOMPARE(q.scales[0], 0.125f); // 2^floor(log2(1/7))
        roundTrip(w, 1, specOf("int4", 0, ScaleStorage::E4M3), &q);
        QCOMPARE(q.scales[0], fp8e4m3ToFloat(floatToFp8e4m3(1.0f / 7.0f)));
    }

};

QTEST_APPLESS_MAIN(TestQuantizeRef)
#include "tst_quantize_ref.moc"
