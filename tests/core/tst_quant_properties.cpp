// SPDX-License-Identifier: GPL-3.0-or-later
// Properties every format must have: grid values round-trip exactly, quantization is monotonic,
// AFPQ beats symmetric scaling on skewed groups, a mixture is never worse than its members,
// and adversarial groups (zeros, NaN/Inf, denormals, constants, one huge outlier) are handled.
#include "core/quant/error_measures.h"
#include "core/quant/fast_quantize.h"
#include "core/quant/format.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace lowbit;

namespace {
struct Run {
    FastQuantized q;
    std::vector<float> back;
};

Run roundTrip(const std::string &name, const std::vector<float> &w, std::int64_t rows, std::int64_t cols, std::int64_t group = 32)
{
    auto f = parseFormat(name);
    auto spec = makeFormatSpec(*f, f->family == FormatFamily::Mx || f->family == FormatFamily::Nvfp4 ? std::nullopt : std::optional(group));
    auto plan = planForSpec(*spec);
    Run r;
    auto q = quantizeWithPlan(w.data(), rows, cols, *plan);
    if (!q)
        return r;
    r.q = std::move(*q);
    r.back.resize(w.size());
    if (!dequantizeWithPlan(r.q, *plan, r.back.data()).ok())
        r.back.clear();
    return r;
}

double groupSse(const std::vector<float> &a, const std::vector<float> &b, std::size_t g0, std::size_t n)
{
    double s = 0;
    for (std::size_t i = g0; i < g0 + n; ++i)
        s += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return s;
}
} // namespace

class TestQuantProperties : public QObject {
    Q_OBJECT
private slots:
    void gridValuesRoundTrip_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"fp4", "fp3", "nf4", "nf3", "fp6-e3m2", "fp6-e2m3", "fp8-e4m3", "fp-e3m3", "fp4-ea-pos", "iq4nl", "lut:-3,-1,0,0.25,2,7"})
            QTest::newRow(n) << n;
    }
    void gridValuesRoundTrip()
    {
        // a group holding every grid value times a power of two reproduces itself exactly
        QFETCH(QString, name);
        const Format f = *parseFormat(name.toStdString());
        std::vector<float> w;
        for (float v : f.grid)
            w.push_back(v * 0.25f);
        const auto n = std::int64_t(w.size());
        Run r = roundTrip(name.toStdString(), w, 1, n, n);
        QCOMPARE(r.back.size(), w.size());
        for (std::size_t i = 0; i < w.size(); ++i)
            QVERIFY2(r.back[i] == w[i], qPrintable(QStringLiteral("%1: %2 -> %3").arg(i).arg(w[i]).arg(r.back[i])));
    }
    void monotonic_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : {"int3", "int4-asym", "fp4", "fp4-asym", "nf4-asym", "iq4nl", "fp8-e5m2", "nvfp4", "mxfp6-e2m3"})
            QTest::newRow(n) << n;
    }
    void monotonic()
    {
        // one group, sorted inputs: the dequantized values never decrease
        QFETCH(QString, name);
        std::vector<float> w(32);
        for (int i = 0; i < 32; ++i)
            w[std::size_t(i)] = -1.3f + 0.09f * float(i) + 0.001f * float(i * i);
        Run r = roundTrip(name.toStdString(), w, 1, 32, 32);
        QCOMPARE(r.back.size(), w.size());
        for (std::size_t i = 1; i < w.size(); ++i)
            QVERIFY2(r.back[i] >= r.back[i - 1], qPrintable(QString::number(i)));
    }
    void afpqBeatsSymmetricOnSkewedGroups()
    {
        std::mt19937 rng(3);
        std::exponential_distribution<float> e(4.0f);
        std::vector<float> w(64 * 128);
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = (i % 5 == 0) ? -0.2f * e(rng) : e(rng); // long positive tail, short negative side
        for (const char *base : {"fp3", "fp4", "nf3", "nf4"}) {
            Run sym = roundTrip(base, w, 64, 128), asym = roundTrip(std::string(base) + "-asym", w, 64, 128);
            for (std::size_t g = 0; g < w.size(); g += 32)
                QVERIFY2(groupSse(w, asym.back, g, 32) <= groupSse(w, sym.back, g, 32) * (1 + 1e-6), base);
        }
    }
    void mixtureNeverWorseThanItsMembers()
    {
        std::mt19937 rng(4);
        std::student_t_distribution<float> t(3.0f);
        std::vector<float> w(32 * 256);
        for (auto &x : w)
            x = t(rng);
        const Run mix = roundTrip("bitmod-fp3", w, 32, 256);
        const Format f = *parseFormat("bitmod-fp3");
        std::vector<Run> members;
        for (const auto &m : f.members)
            members.push_back(roundTrip(m.name, w, 32, 256));
        for (std::size_t g = 0; g < w.size(); g += 32)
            for (const auto &m : members)
                QVERIFY(groupSse(w, mix.back, g, 32) <= groupSse(w, m.back, g, 32) * (1 + 1e-6) + 1e-30);
        const Run generic = roundTrip("mix:int3|nf3|fp3", w, 32, 256);
        for (const char *n : {"int3", "nf3", "fp3"}) {
            const Run m = roundTrip(n, w, 32, 256);
            for (std::size_t g = 0; g < w.size(); g += 32)
                QVERIFY(groupSse(w, generic.back, g, 32) <= groupSse(w, m.back, g, 32) * (1 + 1e-6) + 1e-30);
        }
    }
    void adversarialGroups()
    {
        std::vector<float> w(6 * 32, 0.5f);
        for (int i = 0; i < 32; ++i) {
            w[std::size_t(i)] = 0.0f;                       // all zero
            w[std::size_t(64 + i)] = 1e-40f * float(i + 1); // denormals
            w[std::size_t(96 + i)] = 0.01f * float(i);
            w[std::size_t(128 + i)] = -0.3f;                // constant negative
        }
        w[32] = NAN;
        w[33] = INFINITY;
        w[96 + 5] = 1e30f; // one huge outlier
        for (const auto &n : listFormatNames()) {
            Run r = roundTrip(n, w, 6, 32, 32);
            QVERIFY2(r.back.size() == w.size(), n.c_str());
            for (int i = 0; i < 32; ++i)
                QVERIFY2(r.back[std::size_t(i)] == 0.0f, n.c_str()); // zeros stay zeros
            for (std::size_t i = 64; i < w.size(); ++i)
                QVERIFY2(!std::isnan(r.back[i]), n.c_str());
        }
    }
    void shortLastGroup()
    {
        // rows of 172 at g = 32: the sixth group of each row has 12 elements and its own scale
        std::vector<float> w(2 * 172);
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = (i % 172 >= 160) ? 100.0f + float(i % 7) : 0.01f * float(i % 13);
        Run r = roundTrip("int4", w, 2, 172);
        QCOMPARE(r.q.scales.size(), std::size_t(2 * 6));
        for (std::size_t row = 0; row < 2; ++row) { // the big tail does not spoil the first 160 values
            const ErrorStats e = measureError(w.data() + row * 172, r.back.data() + row * 172, 160);
            QVERIFY(e.relativeMse < 0.02);
        }
    }
};

QTEST_APPLESS_MAIN(TestQuantProperties)
#include "tst_quant_properties.moc"
