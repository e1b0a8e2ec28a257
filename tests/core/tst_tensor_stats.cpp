// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/stats/tensor_stats.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace lowbit;

namespace {
/// Straightforward two-pass double reference.
struct Ref {
    double mean = 0, std = 0, kurt = 0, min = INFINITY, max = -INFINITY;
};
Ref reference(const std::vector<float> &x)
{
    Ref r;
    double n = 0;
    for (float v : x)
        if (std::isfinite(v)) {
            r.mean += v;
            n += 1;
            r.min = std::min(r.min, double(v));
            r.max = std::max(r.max, double(v));
        }
    r.mean /= n;
    double m2 = 0, m4 = 0;
    for (float v : x)
        if (std::isfinite(v)) {
            const double d = v - r.mean;
            m2 += d * d;
            m4 += d * d * d * d;
        }
    r.std = std::sqrt(m2 / n);
    r.kurt = (m4 / n) / ((m2 / n) * (m2 / n)) - 3.0;
    return r;
}
} // namespace

class TestTensorStats : public QObject {
    Q_OBJECT
private slots:
    void matchesTwoPassReference_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<unsigned>("threads");
        QTest::newRow("vector") << 1 << 1000 << 1u;
        QTest::newRow("matrix 1 thread") << 300 << 257 << 1u;
        QTest::newRow("matrix 4 threads") << 300 << 257 << 4u;
        QTest::newRow("many chunks") << 5000 << 640 << 3u; // > 1 Mi elements: several chunks merged
    }
    void matchesTwoPassReference()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(unsigned, threads);
        std::mt19937 rng(42);
        std::student_t_distribution<float> dist(4.0f);
        std::vector<float> x(static_cast<std::size_t>(rows) * cols);
        for (auto &v : x)
            v = 0.02f * dist(rng) + 0.001f;
        const Ref ref = reference(x);
        auto t = makeOwnedF32("w", rows == 1 ? std::vector<std::int64_t>{cols} : std::vector<std::int64_t>{rows, cols}, x);
        StatsOptions opt;
        opt.threads = threads;
        auto s = computeTensorStats(t, opt);
        QVERIFY(s.ok());
        QCOMPARE(s->count, std::uint64_t(x.size()));
        QVERIFY(std::fabs(s->mean - ref.mean) < 1e-9);
        QVERIFY(std::fabs(s->std - ref.std) / ref.std < 1e-9);
        QVERIFY(std::fabs(s->excessKurtosis - ref.kurt) < 1e-6);
        QCOMPARE(s->min, ref.min);
        QCOMPARE(s->max, ref.max);
        QVERIFY(s->excessKurtosis > 0.5); // Student-t(4) is heavy-tailed
    }
    void gaussianKurtosisNearZero()
    {
        std::mt19937 rng(7);
        std::normal_distribution<float> dist;
        std::vector<float> x(1 << 20);
        for (auto &v : x)
            v = dist(rng);
        auto s = computeTensorStats(makeOwnedF32("g", {1024, 1024}, x));
        QVERIFY(s.ok());
        QVERIFY(std::fabs(s->excessKurtosis) < 0.05);
        QVERIFY(std::fabs(s->std - 1.0) < 0.01);
        QVERIFY(s->maxChannelRatio > 1.0 && s->maxChannelRatio < 2.0);
    }
    void outlierChannel()
    {
        std::vector<float> x(64 * 32, 0.1f);
        x[17 * 32 + 5] = 5.0f; // row 17 holds an outlier 50× the rest
        auto s = computeTensorStats(makeOwnedF32("o", {64, 32}, x), StatsOptions{1, true, false});
        QVERIFY(s.ok());
        QCOMPARE(s->maxChannel, std::int64_t(17));
        QCOMPARE(s->maxChannelRatio, 5.0 / static_cast<double>(0.1f)); // 0.1f is not 0.1
        QCOMPARE(s->channelAbsmax.size(), std::size_t(64));
        QCOMPARE(s->channelAbsmax[17], 5.0f);
    }
    void nanInfAndZerosAreCountedNotFatal()
    {
        std::vector<float> x = {1.0f, NAN, -INFINITY, 0.0f, -0.0f, 3.0f, INFINITY, 0.0f};
        auto s = computeTensorStats(makeOwnedF32("n", {2, 4}, x));
        QVERIFY(s.ok());
        QCOMPARE(s->nanCount, std::uint64_t(1));
        QCOMPARE(s->infCount, std::uint64_t(2));
        QCOMPARE(s->zeroCount, std::uint64_t(3));
        QCOMPARE(s->finiteCount, std::uint64_t(5));
        QCOMPARE(s->zeroFraction, 3.0 / 8.0);
        QCOMPARE(s->max, 3.0);
        QCOMPARE(s->mean, 0.8);
    }
    void constantAndEmpty()
    {
        auto c = computeTensorStats(makeOwnedF32("c", {3, 3}, std::vector<float>(9, 2.0f)));
        QVERIFY(c.ok());
        QCOMPARE(c->std, 0.0);
        QCOMPARE(c->excessKurtosis, 0.0);
        QCOMPARE(c->absmaxOverStd, 0.0);
        auto e = computeTensorStats(makeOwnedF32("e", {0, 4}, {}));
        QVERIFY(e.ok());
        QCOMPARE(e->count, std::uint64_t(0));
    }
    void cancellation()
    {
        std::stop_source src;
        src.request_stop();
        auto s = computeTensorStats(makeOwnedF32("x", {4, 4}, std::vector<float>(16, 1.0f)), {}, src.get_token());
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Cancelled);
    }
};

QTEST_APPLESS_MAIN(TestTensorStats)
#include "tst_tensor_stats.moc"
