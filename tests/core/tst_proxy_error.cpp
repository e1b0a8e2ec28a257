// SPDX-License-Identifier: GPL-3.0-or-later
// proxyError against a plain fp64 triple loop, on the fp64 blocked path (narrow layers) and the
// fp32-product path (≥ 1024 inputs), plus its edge cases.
#include "core/methods/proxy_error.h"

#include <QtTest>

#include <cmath>
#include <random>
#include <vector>

using namespace lowbit;

namespace {

/// H = Xᵀ X / n for n correlated random tokens of `cols` channels.
std::vector<double> correlatedHessian(std::int64_t cols, std::int64_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 1.0f);
    std::vector<double> h(static_cast<std::size_t>(cols * cols), 0.0);
    std::vector<double> x(static_cast<std::size_t>(cols));
    for (std::int64_t t = 0; t < n; ++t) {
        double prev = 0;
        for (std::int64_t c = 0; c < cols; ++c) {
            prev = 0.7 * prev + g(rng) * (c % 17 == 0 ? 5.0 : 1.0); // correlated, a few loud channels
            x[static_cast<std::size_t>(c)] = prev;
        }
        for (std::int64_t i = 0; i < cols; ++i)
            for (std::int64_t j = 0; j < cols; ++j)
                h[static_cast<std::size_t>(i * cols + j)] += x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(j)] / static_cast<double>(n);
    }
    return h;
}

double naive(const std::vector<float> &w, const std::vector<float> &q, std::int64_t rows, std::int64_t cols, const std::vector<double> &h)
{
    double num = 0, den = 0;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t i = 0; i < cols; ++i) {
            const double di = static_cast<double>(w[r * cols + i]) - q[r * cols + i], wi = w[r * cols + i];
            for (std::int64_t j = 0; j < cols; ++j) {
                const double hij = h[static_cast<std::size_t>(i * cols + j)];
                num += di * hij * (static_cast<double>(w[r * cols + j]) - q[r * cols + j]);
                den += wi * hij * w[r * cols + j];
            }
        }
    return num / den;
}

} // namespace

class TestProxyError : public QObject {
    Q_OBJECT
private slots:
    void matchesTheTripleLoop_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("narrow fp64 path") << 70 << 300 << 1e-10;
        QTest::newRow("wide fp32 products") << 40 << 1100 << 1e-4;
    }
    void matchesTheTripleLoop()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(double, tolerance);
        const auto h = correlatedHessian(cols, 2 * cols, 3);
        std::mt19937 rng(9);
        std::normal_distribution<float> g(0.0f, 0.05f);
        std::vector<float> w(static_cast<std::size_t>(rows * cols)), q(w.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            w[i] = g(rng);
            q[i] = std::round(w[i] / 0.02f) * 0.02f; // a coarse quantization
        }
        const double ref = naive(w, q, rows, cols, h);
        const double got = proxyError(w.data(), q.data(), rows, cols, h.data());
        QVERIFY(ref > 0);
        QVERIFY2(std::fabs(got - ref) <= tolerance * ref, qPrintable(QStringLiteral("%1 vs %2").arg(got, 0, 'g', 12).arg(ref, 0, 'g', 12)));
    }
    void edgeCases()
    {
        const std::int64_t cols = 8;
        std::vector<double> h(cols * cols, 0.0);
        std::vector<float> w(2 * cols, 1.0f);
        QVERIFY(std::isnan(proxyError(w.data(), w.data(), 2, cols, h.data()))); // zero H: undefined
        for (std::int64_t i = 0; i < cols; ++i)
            h[static_cast<std::size_t>(i * cols + i)] = 1.0;
        QCOMPARE(proxyError(w.data(), w.data(), 2, cols, h.data()), 0.0); // exact copy
        std::vector<float> zero(w.size(), 0.0f);
        QCOMPARE(proxyError(w.data(), zero.data(), 2, cols, h.data()), 1.0); // everything lost
    }
};

QTEST_APPLESS_MAIN(TestProxyError)
#include "tst_proxy_error.moc"
