// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alloc/bit_allocation.h"

#include <QTest>

#include <cmath>
#include <random>

using namespace lowbit;

namespace {
/// Exhaustive search: the optimum every solver answer must equal.
double bruteForce(const AllocProblem &p, std::int64_t &bitsOut)
{
    double best = INFINITY;
    std::vector<std::size_t> idx(p.layers.size(), 0);
    while (true) {
        std::int64_t bits = 0;
        double loss = 0;
        for (std::size_t l = 0; l < idx.size(); ++l) {
            bits += p.layers[l][idx[l]].bits;
            loss += p.layers[l][idx[l]].loss;
        }
        if (bits <= p.budgetBits && loss < best) {
            best = loss;
            bitsOut = bits;
        }
        std::size_t l = 0;
        while (l < idx.size() && ++idx[l] == p.layers[l].size())
            idx[l++] = 0;
        if (l == idx.size())
            return best;
    }
}

AllocProblem randomProblem(std::mt19937 &rng, int layers, int options, bool realistic)
{
    AllocProblem p;
    std::uniform_int_distribution<int> bitsDist(1, 40);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int l = 0; l < layers; ++l) {
        std::vector<AllocOption> opts;
        const double size = 1 + 10 * u(rng), sens = u(rng);
        for (int o = 0; o < options; ++o) {
            if (realistic) { // loss falls with bits like 2^-2b, plus noise: many near-ties
                const int b = 2 + o;
                opts.push_back({static_cast<std::int64_t>(std::lround(size * b * 8)), sens * std::pow(2.0, -2.0 * b) * (0.8 + 0.4 * u(rng))});
            } else {
                opts.push_back({bitsDist(rng), u(rng)});
            }
        }
        p.layers.push_back(std::move(opts));
    }
    std::int64_t lo = minimumBits(p), hi = 0;
    for (const auto &layer : p.layers) {
        std::int64_t m = 0;
        for (const auto &o : layer)
            m = std::max(m, o.bits);
        hi += m;
    }
    p.budgetBits = lo + static_cast<std::int64_t>(u(rng) * static_cast<double>(hi - lo));
    return p;
}
} // namespace

class TestBitAllocation : public QObject {
    Q_OBJECT
private slots:
    void equalsBruteForce_data()
    {
        QTest::addColumn<bool>("realistic");
        QTest::newRow("random bits and losses") << false;
        QTest::newRow("bits-like losses, near ties") << true;
    }
    void equalsBruteForce()
    {
        QFETCH(bool, realistic);
        std::mt19937 rng(realistic ? 11 : 12);
        for (int trial = 0; trial < 300; ++trial) {
            const int layers = 1 + trial % 6, options = 1 + (trial / 6) % 5;
            const AllocProblem p = randomProblem(rng, layers, options, realistic);
            std::int64_t bfBits = 0;
            const double bf = bruteForce(p, bfBits);
            auto s = solveAllocation(p);
            QVERIFY2(s.ok(), s.ok() ? "" : s.error().message().c_str());
            QVERIFY(s->optimal);
            QVERIFY2(std::fabs(s->loss - bf) <= 1e-12 * std::max(1.0, std::fabs(bf)),
                     qPrintable(QStringLiteral("trial %1: %2 vs brute force %3").arg(trial).arg(s->loss).arg(bf)));
            QVERIFY(s->bits <= p.budgetBits);
            // the reported totals are those of the reported choice
            std::int64_t bits = 0;
            double loss = 0;
            for (std::size_t l = 0; l < p.layers.size(); ++l) {
                bits += p.layers[l][static_cast<std::size_t>(s->choice[l])].bits;
                loss += p.layers[l][static_cast<std::size_t>(s->choice[l])].loss;
            }
            QCOMPARE(bits, s->bits);
            QCOMPARE(loss, s->loss);
        }
    }
    void infeasibleBudgetNamesTheMinimum()
    {
        AllocProblem p;
        p.layers = {{{100, 1.0}, {200, 0.5}}, {{50, 2.0}, {80, 0.1}}};
        p.budgetBits = 149;
        auto s = solveAllocation(p);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(s.error().detail.find("150") != std::string::npos, s.error().detail.c_str());
        p.budgetBits = 150;
        QVERIFY(solveAllocation(p).ok());
    }
    void badInput()
    {
        AllocProblem p;
        QVERIFY(!solveAllocation(p).ok()); // no layers
        p.layers = {{}};
        p.budgetBits = 10;
        QVERIFY(!solveAllocation(p).ok()); // a layer without options
        p.layers = {{{5, NAN}}};
        QVERIFY(!solveAllocation(p).ok());
        p.layers = {{{-5, 1.0}}};
        QVERIFY(!solveAllocation(p).ok());
    }
    void frontierIsMonotone()
    {
        std::mt19937 rng(5);
        const AllocProblem p = randomProblem(rng, 20, 6, true);
        auto f = allocationFrontier(p, 12);
        QVERIFY(f.ok());
        QCOMPARE(f->size(), std::size_t(12));
        for (std::size_t i = 1; i < f->size(); ++i) {
            QVERIFY((*f)[i].solution.loss <= (*f)[i - 1].solution.loss + 1e-15); // more bits never hurt
            QVERIFY((*f)[i].solution.bits <= (*f)[i].budgetBits);
        }
    }
    void cancellation()
    {
        std::mt19937 rng(6);
        const AllocProblem p = randomProblem(rng, 30, 8, true);
        std::stop_source src;
        src.request_stop();
        auto s = solveAllocation(p, {}, src.get_token());
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, ErrorCode::Cancelled);
    }
};

QTEST_APPLESS_MAIN(TestBitAllocation)
#include "tst_bit_allocation.moc"
