// SPDX-License-Identifier: GPL-3.0-or-later
// The token sampler: greedy, temperature, top-k, top-p, seeds; frequencies against the softmax.
#include "core/infer/generate.h"

#include <QTest>

#include <cmath>
#include <map>

using namespace lowbit;

namespace {
const std::vector<float> kLogits = {0.5f, 2.0f, -1.0f, 1.5f, 0.0f, 1.9f};

/// Sampling frequencies over `draws` draws.
std::vector<double> frequencies(const SamplerOptions &o, int draws)
{
    Sampler s(o);
    std::vector<double> f(kLogits.size(), 0.0);
    for (int i = 0; i < draws; ++i)
        f[std::size_t(s.sample(kLogits.data(), std::int64_t(kLogits.size())))] += 1.0 / draws;
    return f;
}
} // namespace

class TestSampler : public QObject {
    Q_OBJECT
private slots:
    void greedyPicksTheFirstMaximum()
    {
        Sampler s(SamplerOptions{});
        QCOMPARE(s.sample(kLogits.data(), 6), 1);
        const float ties[4] = {1.0f, 3.0f, 3.0f, NAN};
        QCOMPARE(s.sample(ties, 4), 1);
        const float nanFirst[3] = {NAN, -5.0f, -4.0f};
        QCOMPARE(s.sample(nanFirst, 3), 2);
        QCOMPARE(s.sample(kLogits.data(), 0), -1);
    }
    void frequenciesFollowTheTruncatedSoftmax_data()
    {
        QTest::addColumn<float>("temperature");
        QTest::addColumn<int>("topK");
        QTest::addColumn<float>("topP");
        QTest::addColumn<int>("kept"); // how many of the best tokens may appear
        QTest::newRow("T=1") << 1.0f << 0 << 1.0f << 6;
        QTest::newRow("T=0.5") << 0.5f << 0 << 1.0f << 6;
        QTest::newRow("T=2, top-k 3") << 2.0f << 3 << 1.0f << 3;
        QTest::newRow("T=1, top-p 0.6") << 1.0f << 0 << 0.6f << 2; // p = .33 .30 .20 ...: two reach 0.6
        QTest::newRow("T=1, top-k 4, top-p 0.9") << 1.0f << 4 << 0.9f << 3; // top-p of the top-4 mass: .37 .33 .22 reach 0.9
        QTest::newRow("top-k 1 = greedy") << 1.0f << 1 << 1.0f << 1;
        QTest::newRow("tiny top-p = greedy") << 1.0f << 0 << 0.01f << 1;
    }
    void frequenciesFollowTheTruncatedSoftmax()
    {
        QFETCH(float, temperature);
        QFETCH(int, topK);
        QFETCH(float, topP);
        QFETCH(int, kept);
        SamplerOptions o;
        o.temperature = temperature;
        o.topK = topK;
        o.topP = topP;
        o.seed = 5;
        const int draws = 40000;
        const auto f = frequencies(o, draws);
        // expected: softmax(l / T) over the `kept` best tokens, renormalized
        std::vector<std::size_t> order = {1, 5, 3, 0, 4, 2};
        std::vector<double> p(kLogits.size(), 0.0);
        double sum = 0;
        for (int i = 0; i < kept; ++i)
            sum += (p[order[std::size_t(i)]] = std::exp(double(kLogits[order[std::size_t(i)]]) / temperature));
        for (std::size_t i = 0; i < p.size(); ++i) {
            p[i] /= sum;
            const double sigma = std::sqrt(p[i] * (1 - p[i]) / draws);
            QVERIFY2(std::fabs(f[i] - p[i]) <= 5 * sigma + 1e-9, qPrintable(QStringLiteral("token %1: %2 vs %3").arg(i).arg(f[i]).arg(p[i])));
        }
    }
    void seedsReproduceAndDiffer()
    {
        SamplerOptions o;
        o.temperature = 1.0f;
        auto draw = [&](std::uint64_t seed) {
            o.seed = seed;
            Sampler s(o);
            std::vector<std::int32_t> out;
            for (int i = 0; i < 64; ++i)
                out.push_back(s.sample(kLogits.data(), 6));
            return out;
        };
        QCOMPARE(draw(1), draw(1));
        QVERIFY(draw(1) != draw(2));
        QCOMPARE(draw(0), draw(0)); // seed 0 is valid (a fixed non-zero state)
    }
};

QTEST_APPLESS_MAIN(TestSampler)
#include "tst_sampler.moc"
