// SPDX-License-Identifier: GPL-3.0-or-later
// Weighted k-means (core/methods/kmeans.h): monotone inertia, determinism, the weighted mean, the
// fast nearest-centroid search against the fp64 reference, sampling, bad input and cancellation.

#include "core/methods/kmeans.h"
#include "core/quant/simd_kernels.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace lowbit;

namespace {

struct Data {
    std::vector<float> x, w;
    std::int64_t n = 0;
    int dim = 0;
};

/// n points around `centres` Gaussian blobs (spread 1, centres spread 6) with weights in [0.1, 2].
Data blobs(std::int64_t n, int dim, int centres, std::uint64_t seed, bool weighted)
{
    std::mt19937_64 g(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::uniform_real_distribution<float> ud(0.1f, 2.0f);
    std::vector<float> c(static_cast<std::size_t>(centres * dim));
    for (float &v : c)
        v = 6.0f * nd(g);
    Data d;
    d.n = n;
    d.dim = dim;
    d.x.resize(static_cast<std::size_t>(n * dim));
    for (std::int64_t i = 0; i < n; ++i) {
        const auto b = static_cast<std::size_t>(g() % static_cast<std::uint64_t>(centres));
        for (int k = 0; k < dim; ++k)
            d.x[static_cast<std::size_t>(i * dim + k)] = c[b * static_cast<std::size_t>(dim) + static_cast<std::size_t>(k)] + nd(g);
    }
    if (weighted) {
        d.w.resize(static_cast<std::size_t>(n));
        for (float &v : d.w)
            v = ud(g);
    }
    return d;
}

double weightedInertia(const Data &d, const std::vector<float> &centroids, const std::vector<std::uint32_t> &assign)
{
    double s = 0;
    for (std::int64_t i = 0; i < d.n; ++i) {
        const double w = d.w.empty() ? 1.0 : d.w[static_cast<std::size_t>(i)];
        s += w * squaredDistance(d.x.data() + i * d.dim, centroids.data() + static_cast<std::size_t>(assign[static_cast<std::size_t>(i)]) * static_cast<std::size_t>(d.dim), d.dim);
    }
    return s;
}

/// Exact distance of the chosen centroid is the minimum up to fp32 rounding of the scores.
void checkNearest(const CentroidSearch &cs, const float *x, std::uint32_t chosen)
{
    const std::uint32_t ref = cs.nearestReference(x);
    const double dc = squaredDistance(x, cs.centroid(chosen), cs.dim());
    const double dr = squaredDistance(x, cs.centroid(ref), cs.dim());
    double scale = 0;
    for (int d = 0; d < cs.dim(); ++d)
        scale += static_cast<double>(x[d]) * x[d];
    QVERIFY2(dc <= dr + 1e-5 * (dr + scale + 1.0), qPrintable(QStringLiteral("chosen %1 (%2) vs nearest %3 (%4)").arg(chosen).arg(dc).arg(ref).arg(dr)));
}

} // namespace

class TestKMeans : public QObject {
    Q_OBJECT
private slots:
    void inertiaDecreases_data()
    {
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("weighted");
        QTest::addColumn<quint64>("seed");
        for (const quint64 seed : {1ull, 2ull, 3ull}) {
            QTest::addRow("d2 k4 w seed%llu", seed) << 2 << 4 << true << seed;
            QTest::addRow("d8 k64 w seed%llu", seed) << 8 << 64 << true << seed;
            QTest::addRow("d5 k16 unweighted seed%llu", seed) << 5 << 16 << false << seed;
        }
    }
    void inertiaDecreases()
    {
        QFETCH(int, dim);
        QFETCH(int, k);
        QFETCH(bool, weighted);
        QFETCH(quint64, seed);
        const Data d = blobs(3000, dim, 2 * k, seed, weighted);
        KMeansOptions o;
        o.clusters = k;
        o.maxIterations = 50;
        o.tolerance = 0; // run to the cap or exact convergence: many steps to check
        o.seed = seed;
        o.sample = d.n; // fit on everything (k = 4 would sample 1024 of 3000)
        auto r = kmeans(d.x, dim, d.w, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().detail.c_str());
        QVERIFY(r->inertia.size() >= 3);
        QCOMPARE(static_cast<int>(r->inertia.size()), r->iterations + 1);
        for (std::size_t t = 1; t < r->inertia.size(); ++t)
            QVERIFY2(r->inertia[t] <= r->inertia[t - 1] * (1 + 1e-9),
                     qPrintable(QStringLiteral("step %1: %2 > %3").arg(t).arg(r->inertia[t]).arg(r->inertia[t - 1])));
        QVERIFY(r->inertia.back() < r->inertia.front());
        // Hamerly's bounds skip most searches once the centroids settle; the first step searches all.
        QVERIFY(r->searches >= d.n);
        QVERIFY(r->searches < static_cast<std::int64_t>(r->inertia.size()) * d.n);
        // The last reported inertia is the returned centroids' with the returned assignment,
        // which is (up to fp32 score rounding) the nearest centroid of every point.
        QCOMPARE(r->assignment.size(), static_cast<std::size_t>(d.n));
        const double recomputed = weightedInertia(d, r->centroids, r->assignment);
        QVERIFY(std::abs(recomputed - r->inertia.back()) <= 1e-9 * recomputed);
        const CentroidSearch cs(r->centroids, k, dim);
        for (std::int64_t i = 0; i < d.n; i += 7)
            checkNearest(cs, d.x.data() + i * dim, r->assignment[static_cast<std::size_t>(i)]);
    }

    void toleranceStopsEarly()
    {
        const Data d = blobs(4000, 4, 8, 5, true);
        KMeansOptions o;
        o.clusters = 8;
        o.maxIterations = 200;
        o.tolerance = 1e-4;
        auto r = kmeans(d.x, 4, d.w, o);
        QVERIFY(r.ok());
        QVERIFY(r->converged);
        QVERIFY(r->iterations < 200);
        const std::size_t m = r->inertia.size();
        QVERIFY(std::abs(r->inertia[m - 2] - r->inertia[m - 1]) <= 1e-4 * r->inertia[m - 2]);
        for (std::size_t t = 1; t + 1 < m; ++t) // every earlier step changed by more than the tolerance
            QVERIFY(std::abs(r->inertia[t - 1] - r->inertia[t]) > 1e-4 * r->inertia[t - 1]);
    }

    void plusPlusDeterministic()
    {
        const Data d = blobs(5000, 8, 40, 11, true);
        auto a = kmeansPlusPlus(d.x, 8, d.w, 32, 42, 1);
        auto b = kmeansPlusPlus(d.x, 8, d.w, 32, 42, 2);
        auto c = kmeansPlusPlus(d.x, 8, d.w, 32, 43, 2);
        QVERIFY(a.ok() && b.ok() && c.ok());
        QVERIFY(*a == *b); // same seed: same centres, whatever the thread count
        QVERIFY(*a != *c);
        // Every seed is one of the points.
        for (int j = 0; j < 32; ++j) {
            bool found = false;
            for (std::int64_t i = 0; i < d.n && !found; ++i)
                found = squaredDistance(d.x.data() + i * 8, a->data() + j * 8, 8) == 0;
            QVERIFY(found);
        }
        KMeansOptions o;
        o.clusters = 32;
        o.seed = 42;
        o.threads = 1;
        auto r1 = kmeans(d.x, 8, d.w, o);
        o.threads = 2;
        auto r2 = kmeans(d.x, 8, d.w, o);
        QVERIFY(r1.ok() && r2.ok());
        QVERIFY(r1->centroids == r2->centroids);
        QVERIFY(r1->inertia == r2->inertia);
    }

    void plusPlusFindsSeparatedClusters()
    {
        // 6 tight, far-apart clusters of different weight: D² sampling puts one seed in each.
        std::vector<float> x;
        std::vector<float> w;
        std::mt19937_64 g(3);
        std::normal_distribution<float> nd(0.0f, 0.01f);
        for (int c = 0; c < 6; ++c)
            for (int i = 0; i < 50; ++i) {
                x.push_back(100.0f * static_cast<float>(c) + nd(g));
                x.push_back(-50.0f * static_cast<float>(c % 2) + nd(g));
                w.push_back(static_cast<float>(c + 1));
            }
        for (const std::uint64_t seed : {1ull, 7ull, 99ull}) {
            auto s = kmeansPlusPlus(x, 2, w, 6, seed, 1);
            QVERIFY(s.ok());
            std::vector<int> hit(6, 0);
            for (int j = 0; j < 6; ++j)
                ++hit[static_cast<std::size_t>(std::lround((*s)[static_cast<std::size_t>(2 * j)] / 100.0f))];
            QVERIFY(hit == std::vector<int>(6, 1));
        }
    }

    void weightedMean()
    {
        // k = 1: the centroid is the weighted mean.
        const std::vector<float> x = {0, 0, 4, 8, 10, -2};
        const std::vector<float> w = {1, 3, 0.5f};
        KMeansOptions o;
        o.clusters = 1;
        auto r = kmeans(x, 2, w, o);
        QVERIFY(r.ok());
        QCOMPARE(r->centroids[0], static_cast<float>((0 * 1 + 4 * 3 + 10 * 0.5) / 4.5));
        QCOMPARE(r->centroids[1], static_cast<float>((0 * 1 + 8 * 3 - 2 * 0.5) / 4.5));
        // Zero weights everywhere: treated as equal weights.
        auto u = kmeans(x, 2, std::vector<float>{0, 0, 0}, o);
        QVERIFY(u.ok());
        QCOMPARE(u->centroids[0], static_cast<float>(14.0 / 3.0));
    }

    void duplicatesAndFewDistinctPoints()
    {
        // 5 distinct points repeated, k = 8: zero inertia, no crash, no NaN.
        std::vector<float> x;
        for (int i = 0; i < 100; ++i)
            x.push_back(static_cast<float>(i % 5));
        KMeansOptions o;
        o.clusters = 8;
        auto r = kmeans(x, 1, {}, o);
        QVERIFY(r.ok());
        QCOMPARE(r->inertia.back(), 0.0);
        for (const float c : r->centroids)
            QVERIFY(std::isfinite(c));
    }

    void searchMatchesReference_data()
    {
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("portable");
        for (const bool portable : {false, true})
            for (const int dim : {1, 2, 3, 4, 6, 8, 12, 16, 17})
                for (const int k : {1, 7, 8, 9, 100, 300})
                    QTest::addRow("d%d k%d %s", dim, k, portable ? "portable" : "fast") << dim << k << portable;
    }
    void searchMatchesReference()
    {
        QFETCH(int, dim);
        QFETCH(int, k);
        QFETCH(bool, portable);
        const bool old = simd::forcePortable(portable);
        const Data c = blobs(k, dim, std::max(1, k / 3), static_cast<std::uint64_t>(dim * 1000 + k), false);
        const Data x = blobs(203, dim, 5, static_cast<std::uint64_t>(dim + k), false);
        const CentroidSearch cs(c.x, k, dim);
        std::vector<std::uint32_t> a1(203), a2(203);
        cs.assign(x.x.data(), 203, a1.data(), 1);
        cs.assign(x.x.data(), 203, a2.data(), 2);
        simd::forcePortable(old);
        QVERIFY(a1 == a2);
        for (std::int64_t i = 0; i < 203; ++i) {
            QVERIFY(a1[static_cast<std::size_t>(i)] < static_cast<std::uint32_t>(k));
            checkNearest(cs, x.x.data() + i * dim, a1[static_cast<std::size_t>(i)]);
        }
        // A centroid itself (the closest call: distance 0).
        for (int j = 0; j < k; j += 5) {
            std::uint32_t self = 0;
            cs.assign(c.x.data() + j * dim, 1, &self, 1);
            checkNearest(cs, c.x.data() + j * dim, self);
        }
    }

    void secondNearestBound_data()
    {
        QTest::addColumn<int>("dim");
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("portable");
        for (const bool portable : {false, true})
            for (const int dim : {1, 3, 8, 16})
                for (const int k : {2, 9, 257})
                    QTest::addRow("d%d k%d %s", dim, k, portable ? "portable" : "fast") << dim << k << portable;
    }
    void secondNearestBound()
    {
        QFETCH(int, dim);
        QFETCH(int, k);
        QFETCH(bool, portable);
        const bool old = simd::forcePortable(portable);
        const Data c = blobs(k, dim, std::max(1, k / 2), static_cast<std::uint64_t>(k + dim), false);
        const Data x = blobs(101, dim, 4, static_cast<std::uint64_t>(7 * dim + k), false);
        const CentroidSearch cs(c.x, k, dim);
        std::vector<std::uint32_t> a(101), plain(101);
        std::vector<float> second(101);
        cs.assignWithSecond(x.x.data(), 101, a.data(), second.data(), 2);
        cs.assign(x.x.data(), 101, plain.data(), 1);
        simd::forcePortable(old);
        QVERIFY(a == plain);
        for (std::int64_t i = 0; i < 101; ++i) {
            // Exact second-nearest distance (excluding the chosen centroid).
            double s2 = std::numeric_limits<double>::infinity(), scale = 0;
            for (int j = 0; j < k; ++j)
                if (static_cast<std::uint32_t>(j) != a[static_cast<std::size_t>(i)])
                    s2 = std::min(s2, squaredDistance(x.x.data() + i * dim, c.x.data() + j * dim, dim));
            for (int d = 0; d < dim; ++d)
                scale += static_cast<double>(x.x[static_cast<std::size_t>(i * dim + d)]) * x.x[static_cast<std::size_t>(i * dim + d)];
            const double got = second[static_cast<std::size_t>(i)];
            QVERIFY2(got <= s2, qPrintable(QStringLiteral("bound %1 above the second distance %2").arg(got).arg(s2)));
            QVERIFY2(got >= s2 - 1e-3 * (s2 + scale + 100.0), qPrintable(QStringLiteral("bound %1 far below %2").arg(got).arg(s2)));
        }
    }

    void prefixSearch()
    {
        const std::vector<float> c = {0, 0, 0, 1, 9, 9, 5, 0, 0};
        const CentroidSearch cs(c, 3, 3);
        const float x[3] = {5.1f, 0.2f, 100.0f};
        QCOMPARE(cs.nearestPrefix(x, 2), 2u);
        QCOMPARE(cs.nearestPrefix(x, 1), 2u);
        QCOMPARE(cs.nearestReference(x), 1u);
    }

    void sampling()
    {
        const Data d = blobs(20000, 4, 10, 8, true);
        KMeansOptions o;
        o.clusters = 8;
        o.sample = 1000;
        auto r = kmeans(d.x, 4, d.w, o);
        QVERIFY(r.ok());
        QCOMPARE(r->fitted, std::int64_t{1000});
        QCOMPARE(r->assignment.size(), static_cast<std::size_t>(d.n));
        const CentroidSearch cs(r->centroids, 8, 4);
        for (std::int64_t i = 0; i < d.n; i += 13)
            checkNearest(cs, d.x.data() + i * 4, r->assignment[static_cast<std::size_t>(i)]);
        // Automatic: at most kKMeansAutoSamplePerCluster vectors per cluster.
        o.sample = 0;
        o.clusters = 4;
        auto a = kmeans(d.x, 4, d.w, o);
        QVERIFY(a.ok());
        QCOMPARE(a->fitted, kKMeansAutoSamplePerCluster * 4);
        // A sample below k is raised to k.
        o.sample = 2;
        auto b = kmeans(d.x, 4, d.w, o);
        QVERIFY(b.ok());
        QCOMPARE(b->fitted, std::int64_t{4});
    }

    void badInput_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("k > n") << 0;
        QTest::newRow("k = 0") << 1;
        QTest::newRow("NaN data") << 2;
        QTest::newRow("negative weight") << 3;
        QTest::newRow("weight count") << 4;
        QTest::newRow("ragged data") << 5;
        QTest::newRow("dim 0") << 6;
        QTest::newRow("negative tolerance") << 7;
    }
    void badInput()
    {
        QFETCH(int, which);
        std::vector<float> x = {1, 2, 3, 4, 5, 6};
        std::vector<float> w = {1, 1, 1};
        KMeansOptions o;
        o.clusters = 2;
        int dim = 2;
        switch (which) {
        case 0: o.clusters = 4; break;
        case 1: o.clusters = 0; break;
        case 2: x[3] = std::nanf(""); break;
        case 3: w[1] = -1; break;
        case 4: w.pop_back(); break;
        case 5: x.pop_back(); break;
        case 6: dim = 0; break;
        case 7: o.tolerance = -1; break;
        }
        auto r = kmeans(x, dim, w, o);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY(!r.error().detail.empty());
    }

    void cancellation()
    {
        const Data d = blobs(5000, 8, 16, 2, false);
        std::stop_source src;
        src.request_stop();
        KMeansOptions o;
        o.clusters = 16;
        auto r = kmeans(d.x, 8, {}, o, {}, src.get_token());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        // Stopped from the progress callback, mid-run.
        std::stop_source mid;
        double last = -1;
        auto m = kmeans(d.x, 8, {}, o, [&](double f) {
            last = f;
            if (f > 0.1) // after the first Lloyd step
                mid.request_stop();
        }, mid.get_token());
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::Cancelled);
        QVERIFY(last > 0.1 && last < 1.0);
    }
};

QTEST_APPLESS_MAIN(TestKMeans)
#include "tst_kmeans.moc"
