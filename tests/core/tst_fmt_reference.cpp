// SPDX-License-Identifier: GPL-3.0-or-later
// Reference rules: round trips, monotonicity, ties, zero/NaN groups, AFPQ, mixtures, MX,
// NVFP4, IQ4_NL, q4_0 == ggml, error measures.
#include "core/dtypes/ggml_quants.h"
#include "core/dtypes/scalar_convert.h"
#include "core/formats/error_measures.h"
#include "core/formats/reference.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace lowbit;
using namespace lowbit::formats;

namespace {
FormatSpec spec(std::string_view name, std::int64_t g = 32, ScaleStorage s = ScaleStorage::Fp32)
{
    auto r = makeFormatSpec(name, g, s);
    if (!r)
        qFatal("%s", r.error().message().c_str());
    return *r;
}
std::vector<float> roundTrip(const FormatSpec &sp, const std::vector<float> &x, QuantizedMatrix *out = nullptr)
{
    auto q = quantizeRef(sp, x.data(), 1, static_cast<std::int64_t>(x.size()));
    std::vector<float> y(x.size());
    dequantizeRef(*q, y.data());
    if (out)
        *out = *q;
    return y;
}
double sqErr(const std::vector<float> &a, const std::vector<float> &b)
{
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        s += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    return s;
}
} // namespace

class TestFmtReference : public QObject {
    Q_OBJECT

private slots:
    void representableRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("name");
        for (const char *n : {"fp3", "fp4", "nf3", "nf4", "fp6-e3m2", "fp6-e2m3", "fp8-e4m3", "fp8-e5m2", "fp-e3m0",
                              "fp4-er-pos", "fp4-ea-neg", "nf4-asym", "fp4-asym", "lut:-3,-1,0,2,7", "iq4nl"})
            QTest::newRow(n) << QByteArray(n);
    }
    void representableRoundTrip()
    {
        QFETCH(QByteArray, name);
        const FormatSpec sp = spec(name.toStdString(), kPerChannel);
        // the grid itself: s = max|V|/max|V| = 1 (AFPQ: s_pos = s_neg = 1 on a symmetric-range grid)
        std::vector<float> x = sp.format.grid;
        if (sp.format.family == Family::GridAsym && -x.front() != x.back())
            QSKIP("uneven grid range");
        if (sp.format.family == Family::Iq4nl) // d = −127/−127 = 1
            std::reverse(x.begin(), x.end());
        QCOMPARE(roundTrip(sp, x), x);
    }

    void intRoundTripAndTies()
    {
        std::vector<float> x;
        for (int v = -7; v <= 7; ++v)
            x.push_back(static_cast<float>(v));
        QCOMPARE(roundTrip(spec("int4", 0), x), x);
        // s = 1: half away from zero
        const std::vector<float> ties{7.0f, 2.5f, -2.5f, 0.5f, -0.5f, 6.5f, 1.49f};
        QCOMPARE(roundTrip(spec("int4", 0), ties), (std::vector<float>{7, 3, -3, 1, -1, 7, 1}));
        // asym: min −1, max 14 → s = 1, z = 1
        std::vector<float> a;
        for (int v = -1; v <= 14; ++v)
            a.push_back(static_cast<float>(v));
        QuantizedMatrix q;
        QCOMPARE(roundTrip(spec("int4-asym", 0), a, &q), a);
        QCOMPARE(q.scales2[0], 1.0f);
    }

    void gridTies()
    {
        // fp4 with s = 1: exact midpoints go to the lower index (the more negative value)
        const std::vector<float> x{6.0f, 0.25f, 0.75f, 2.5f, 5.0f, -0.25f, -5.0f, 1.25f, -3.5f};
        QCOMPARE(roundTrip(spec("fp4", 0), x), (std::vector<float>{6, 0, 0.5f, 2, 4, -0.5f, -6, 1, -4}));
        // beyond the grid: saturate (clip 0.5 halves the scale, so 6 → y = 12 → 6·s)
        auto clipped = makeFormatSpec("fp4", 0, ScaleStorage::Fp32, 0.5f);
        QCOMPARE(roundTrip(*clipped, {6.0f, 1.0f}), (std::vector<float>{3.0f, 1.0f}));
    }

    void monotonic_data()
    {
        QTest::addColumn<QByteArray>("name");
        for (const char *n : {"int3", "int4-asym", "fp4", "nf4", "fp4-asym", "nf3-asym", "fp6-e2m3", "iq4nl", "q4_0",
                              "fp8-e4m3"})
            QTest::newRow(n) << QByteArray(n);
    }
    void monotonic()
    {
        QFETCH(QByteArray, name);
        const FormatSpec sp = spec(name.toStdString(), kPerChannel);
        std::vector<float> x;
        for (int i = -1000; i <= 1000; ++i)
            x.push_back(static_cast<float>(i) * 0.00137f);
        x.push_back(-1.5f); // fixes absmax/min at the end of the sweep
        const std::vector<float> y = roundTrip(sp, x);
        const bool negScale = sp.format.family == Family::Iq4nl || sp.format.family == Family::Q4_0;
        for (std::size_t i = 1; i + 1 < x.size(); ++i)
            QVERIFY2(negScale ? true : y[i] >= y[i - 1], qPrintable(QString::number(i)));
        // nearest: every x̂ is a grid point at least as close as its neighbours' values
        const ErrorStats e = measureError(x.data(), y.data(), static_cast<std::int64_t>(x.size()));
        QVERIFY(e.relMse < 0.05);
    }

    void zeroNanGroups()
    {
        for (const char *n : {"int4", "int4-asym", "fp4", "nf4-asym", "bitmod-fp3", "mxfp4", "nvfp4", "iq4nl", "q4_0"}) {
            const FormatSpec sp = spec(n, 32);
            const std::vector<float> zeros(32, 0.0f);
            QuantizedMatrix q;
            const std::vector<float> y = roundTrip(sp, zeros, &q);
            QCOMPARE(y, zeros);
            for (const auto c : q.codes)
                QCOMPARE(c, sp.format.zeroCode());
            const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
            std::vector<float> x(32, 0.5f);
            x[0] = nan;
            x[1] = inf;
            x[2] = -inf;
            x[3] = -1.0f;
            const std::vector<float> z = roundTrip(sp, x, &q);
            QVERIFY2(std::isfinite(q.scales[0]), n);
            std::vector<float> x0 = x;
            x0[0] = 0.0f;
            QuantizedMatrix q0;
            roundTrip(sp, x0, &q0);
            QCOMPARE(q.codes[0], q0.codes[0]); // NaN → quantized as 0
            QCOMPARE(q.scales, q0.scales);
            QVERIFY2(std::isfinite(z[1]) && std::isfinite(z[2]), n); // ±Inf saturate
            QVERIFY2(std::fabs(z[3] + 1.0f) < 0.3f, n);
        }
    }

    void afpqBeatsSymmetricOnSkewedGroups()
    {
        std::mt19937 rng(7);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        for (const auto &[sym, asym] : {std::pair{"fp4", "fp4-asym"}, {"nf4", "nf4-asym"}, {"fp3", "fp3-asym"},
                                       {"nf3", "nf3-asym"}}) {
            std::vector<float> x(128 * 32);
            for (auto &v : x)
                v = std::fabs(nd(rng)) * 2.0f - 0.3f; // skewed: long positive tail, short negative side
            const double es = sqErr(x, roundTrip(spec(sym), x)), ea = sqErr(x, roundTrip(spec(asym), x));
            QVERIFY2(ea <= es, asym);
        }
    }

    void mixtureNoWorseThanMembers()
    {
        std::mt19937 rng(3);
        std::student_t_distribution<float> td(3.0f);
        std::vector<float> x(64 * 32);
        for (auto &v : x)
            v = td(rng) + (rng() % 4 == 0 ? 0.7f : 0.0f);
        for (const char *mix : {"bitmod-fp3", "bitmod-fp4", "mix:int3|fp3|nf3"}) {
            const FormatSpec sm = spec(mix);
            const std::vector<float> ym = roundTrip(sm, x);
            for (const MixMember &m : sm.format.members) {
                const std::vector<float> y1 = roundTrip(spec(m.name), x);
                for (std::size_t g = 0; g < 64; ++g) {
                    std::vector<float> a(x.begin() + g * 32, x.begin() + g * 32 + 32);
                    std::vector<float> b(ym.begin() + g * 32, ym.begin() + g * 32 + 32);
                    std::vector<float> c(y1.begin() + g * 32, y1.begin() + g * 32 + 32);
                    QVERIFY2(sqErr(a, b) <= sqErr(a, c), qPrintable(QStringLiteral("%1 group %2").arg(QLatin1String(mix)).arg(g)));
                }
            }
        }
        // ties go to the first member: a zero group picks ER_POS
        QuantizedMatrix q;
        roundTrip(spec("bitmod-fp3"), std::vector<float>(32, 0.0f), &q);
        QCOMPARE(q.selectors[0], std::uint8_t{0});
        // importance weights steer the choice: only the +3-ish element matters → ER_POS grid (has +3)
        std::vector<float> g(32, 0.0f), w(32, 0.0f);
        g[0] = 4.0f;
        g[1] = 3.0f;
        g[2] = -4.0f;
        w[1] = 1.0f;
        auto qw = quantizeRef(spec("bitmod-fp3"), g.data(), 1, 32, w.data());
        QCOMPARE(qw->selectors[0], std::uint8_t{0});
    }

    void mxScaleRule()
    {
        QuantizedMatrix q;
        std::vector<float> x(64, 0.0f);
        x[0] = 5.0f;   // floor(log2 5) = 2, emax(E2M1) = 2 → 2^0
        x[1] = 6.5f;   // saturates at 6
        x[32] = 0.0f;  // second group all zero → 2^−127
        const std::vector<float> y = roundTrip(spec("mxfp4"), x, &q);
        QCOMPARE(q.scales[0], 8.0f / 8.0f * 1.0f);
        QCOMPARE(y[1], 6.0f);
        QCOMPARE(q.scales[1], std::ldexp(1.0f, -127));
        QCOMPARE(encodeScale(q.scales[1], ScaleStorage::E8m0), 0u);
        x[0] = 1000.0f; // mxfp8-e4m3: floor(log2 1000) = 9, emax 8 → 2
        roundTrip(spec("mxfp8-e4m3"), x, &q);
        QCOMPARE(q.scales[0], 2.0f);
        roundTrip(spec("mxfp6-e3m2"), x, &q); // emax 4 → 2^5
        QCOMPARE(q.scales[0], 32.0f);
    }

    void nvfp4TwoLevelScale()
    {
        std::vector<float> x(32);
        for (int i = 0; i < 32; ++i)
            x[static_cast<std::size_t>(i)] = static_cast<float>(i - 13) * 0.173f;
        QuantizedMatrix q;
        const std::vector<float> y = roundTrip(spec("nvfp4"), x, &q);
        const float t = (18.0f * 0.173f) / (448.0f * 6.0f);
        QCOMPARE(q.tensorScale, t);
        QCOMPARE(q.scales.size(), std::size_t{2});
        const float abs0 = 13.0f * 0.173f, abs1 = 18.0f * 0.173f;
        QCOMPARE(q.scales[0], fp8e4m3ToFloat(floatToFp8e4m3((abs0 / 6.0f) / t)));
        QCOMPARE(q.scales[1], fp8e4m3ToFloat(floatToFp8e4m3((abs1 / 6.0f) / t)));
        QCOMPARE(q.scales[1], 448.0f);
        QCOMPARE(y[31], (q.scales[1] * t) * 6.0f);
    }

    void iq4nlRule()
    {
        QuantizedMatrix q;
        std::vector<float> y = roundTrip(spec("iq4nl"), {0.5f, -2.0f, 1.7f, 0.0f}, &q);
        QCOMPARE(q.scales[0], -2.0f / -127.0f);
        QCOMPARE(q.codes[1], std::uint8_t{0}); // the largest element lands on −127
        QCOMPARE(y[1], q.scales[0] * -127.0f);
        y = roundTrip(spec("iq4nl"), {3.0f, -1.0f}, &q);
        QVERIFY(q.scales[0] < 0.0f);
        QCOMPARE(q.codes[0], std::uint8_t{0});
    }

    void q4_0MatchesGgml()
    {
        std::mt19937 rng(11);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        std::vector<float> x(256);
        for (auto &v : x)
            v = nd(rng);
        auto q = quantizeRef(spec("q4_0"), x.data(), 1, 256);
        std::vector<std::byte> ggml(8 * 18), ours(8 * 18);
        quantizeQ4_0Ref(x.data(), ggml.data(), 256);
        for (int b = 0; b < 8; ++b) {
            const std::uint16_t d = floatToFp16(q->scales[static_cast<std::size_t>(b)]);
            std::memcpy(ours.data() + b * 18, &d, 2);
            for (int j = 0; j < 16; ++j) {
                const auto lo = q->codes[static_cast<std::size_t>(b * 32 + j)], hi = q->codes[static_cast<std::size_t>(b * 32 + j + 16)];
                ours[static_cast<std::size_t>(b * 18 + 2 + j)] = static_cast<std::byte>(lo | (hi << 4));
            }
        }
        QVERIFY(ggml == ours);
    }

    void errorMeasures()
    {
        const std::vector<float> x{1, 2, 3, 4}, y{1, 2, 3, 5};
        const ErrorStats e = measureError(x.data(), y.data(), 4);
        QCOMPARE(e.mse, 0.25);
        QCOMPARE(e.relMse, 1.0 / 30.0);
        QCOMPARE(e.maxAbs, 1.0);
        QVERIFY(std::fabs(e.sqnrDb - 10.0 * std::log10(30.0)) < 1e-12);
        QVERIFY(std::fabs(e.cosine - 34.0 / std::sqrt(30.0 * 39.0)) < 1e-12);
        const ErrorStats same = measureError(x.data(), x.data(), 4);
        QCOMPARE(same.relMse, 0.0);
        QVERIFY(std::isinf(same.sqnrDb));
        QuantizedMatrix q;
        roundTrip(spec("int2", 0), {1.0f, 0.0f, -1.0f, 1.0f}, &q);
        QCOMPARE(codeHistogram(q), (std::vector<std::uint64_t>{1, 1, 2, 0}));
    }
};

QTEST_APPLESS_MAIN(TestFmtReference)
#include "tst_fmt_reference.moc"
