// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/calib/calibration.h"

#include "byte_tokenizer.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <map>
#include <random>

using namespace lowbit;

class TestCalibration : public QObject {
    Q_OBJECT
private slots:
    void hessianMatchesNaiveFp64()
    {
        const std::int64_t dim = 13;
        std::mt19937 rng(2);
        std::normal_distribution<float> d(0.0f, 3.0f);
        ActivationStats s;
        s.dim = dim;
        std::vector<double> naive(std::size_t(dim * dim), 0.0), sumAbs(std::size_t(dim), 0.0);
        std::vector<float> maxAbs(std::size_t(dim), 0.0f);
        for (int batch = 0; batch < 5; ++batch) {
            const std::int64_t rows = 7 + batch;
            std::vector<float> x(std::size_t(rows * dim));
            for (auto &v : x)
                v = d(rng) + 100.0f; // a large mean: fp32 accumulation would lose digits
            s.accumulate(x.data(), rows);
            for (std::int64_t r = 0; r < rows; ++r)
                for (std::int64_t i = 0; i < dim; ++i) {
                    sumAbs[std::size_t(i)] += std::fabs(x[std::size_t(r * dim + i)]);
                    maxAbs[std::size_t(i)] = std::max(maxAbs[std::size_t(i)], std::fabs(x[std::size_t(r * dim + i)]));
                    for (std::int64_t j = 0; j < dim; ++j)
                        naive[std::size_t(i * dim + j)] += double(x[std::size_t(r * dim + i)]) * double(x[std::size_t(r * dim + j)]);
                }
        }
        QCOMPARE(s.count, std::uint64_t(7 + 8 + 9 + 10 + 11));
        for (std::size_t i = 0; i < naive.size(); ++i)
            QVERIFY(std::fabs(s.hessian[i] - naive[i]) <= 1e-12 * std::fabs(naive[i]));
        for (std::int64_t i = 0; i < dim; ++i) {
            QVERIFY(std::fabs(s.meanAbs()[std::size_t(i)] - sumAbs[std::size_t(i)] / double(s.count)) < 1e-9);
            QCOMPARE(s.maxAbs[std::size_t(i)], maxAbs[std::size_t(i)]);
        }
    }
    void everyLinearInputMatchesTheReferenceActivations_data()
    {
        QTest::addColumn<int>("layout");
        QTest::newRow("half-split") << int(RopeLayout::HalfSplit);
        QTest::newRow("interleaved") << int(RopeLayout::Interleaved);
    }
    void everyLinearInputMatchesTheReferenceActivations()
    {
        // H, mean |x| and max |x| of all four inputs of every layer, from calibrate() over two
        // documents, against Σ x xᵀ of the fp64 reference forward's activations
        QFETCH(int, layout);
        const Model model = test::makeRandomModel(32, 48, 2, 4, 2, 40, RopeLayout(layout), true, 11);
        auto e = CpuModel::load(model);
        QVERIFY(e.ok());
        const test::ByteTokenizer tok(40);
        const std::string docs[2] = {"hello world", "calibrate me"};
        auto stats = calibrate(**e, tok, docs[0] + "<|endoftext|>" + docs[1] + "<|endoftext|>  ");
        QVERIFY(stats.ok());
        const std::int64_t dims[4] = {32, 32, 32, 48};
        std::map<std::pair<int, int>, std::vector<double>> h, sumAbs, maxAbs;
        std::uint64_t tokens = 0;
        for (const auto &doc : docs) {
            const auto ids = tok.encode(doc, true);
            tokens += ids.size();
            test::referenceForward(model, ids, [&](int layer, int kind, std::size_t, const std::vector<double> &x) {
                const auto n = x.size();
                auto &H = h[{layer, kind}], &S = sumAbs[{layer, kind}], &M = maxAbs[{layer, kind}];
                H.resize(n * n);
                S.resize(n);
                M.resize(n);
                for (std::size_t i = 0; i < n; ++i) {
                    S[i] += std::fabs(x[i]);
                    M[i] = std::max(M[i], std::fabs(x[i]));
                    for (std::size_t j = 0; j < n; ++j)
                        H[i * n + j] += x[i] * x[j];
                }
            });
        }
        QCOMPARE(stats->tokens, tokens);
        for (int layer = 0; layer < 2; ++layer)
            for (int kind = 0; kind < kLinearInputCount; ++kind) {
                const ActivationStats *a = stats->find(layer, LinearInput(kind));
                QVERIFY(a);
                QCOMPARE(a->dim, dims[kind]);
                QCOMPARE(a->count, tokens);
                const auto &H = h[{layer, kind}];
                QCOMPARE(a->hessian.size(), H.size());
                double scale = 0;
                for (double v : H)
                    scale = std::max(scale, std::fabs(v));
                for (std::size_t i = 0; i < H.size(); ++i)
                    QVERIFY2(std::fabs(a->hessian[i] - H[i]) <= 1e-5 * scale,
                             qPrintable(QStringLiteral("layer %1 kind %2 [%3]: %4 vs %5").arg(layer).arg(kind).arg(i).arg(a->hessian[i]).arg(H[i])));
                const auto mean = a->meanAbs();
                for (std::size_t i = 0; i < mean.size(); ++i) {
                    QVERIFY(std::fabs(mean[i] - sumAbs[{layer, kind}][i] / double(tokens)) <= 1e-5 * (1 + mean[i]));
                    QVERIFY(std::fabs(a->maxAbs[i] - maxAbs[{layer, kind}][i]) <= 1e-5 * (1 + a->maxAbs[i]));
                }
            }
        // the token budget cuts the second document
        CalibrationOptions o;
        o.maxTokens = 15;
        auto cut = calibrate(**e, tok, docs[0] + "<|endoftext|>" + docs[1], o);
        QVERIFY(cut.ok());
        QCOMPARE(cut->tokens, std::uint64_t(15));
        QCOMPARE(cut->find(1, LinearInput::MlpOut)->count, std::uint64_t(15));
    }
    void progressCountsTokensToTheLimit()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        auto m = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(m.ok());
        auto e = CpuModel::load(*m);
        auto t = loadTokenizer(m->path(), 512);
        QVERIFY(e.ok() && t.ok());
        const std::string text = "Once upon a time there was a cat.<|endoftext|>The dog ran to the park and played all day.<|endoftext|>"
                                 "A bird sang in the tall tree every morning.";
        for (std::int64_t limit : {std::int64_t(0), std::int64_t(15)}) {
            CalibrationOptions o;
            o.maxTokens = limit;
            std::vector<std::pair<std::int64_t, std::int64_t>> calls;
            auto stats = calibrate(**e, **t, text, o, [&](std::int64_t done, std::int64_t total) { calls.emplace_back(done, total); });
            QVERIFY(stats.ok());
            QVERIFY(!calls.empty());
            for (std::size_t i = 1; i < calls.size(); ++i)
                QVERIFY(calls[i].first >= calls[i - 1].first && calls[i].second == calls[0].second);
            // the last call reaches the total, which is what is read: the limit, or the whole text
            QCOMPARE(calls.back().first, calls.back().second);
            QCOMPARE(calls.back().second, std::int64_t(stats->tokens));
            if (limit)
                QCOMPARE(std::int64_t(stats->tokens), limit);
        }
    }

    void calibrateSaveLoad()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        auto m = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(m.ok());
        auto e = CpuModel::load(*m);
        auto t = loadTokenizer(m->path(), 512);
        QVERIFY(e.ok() && t.ok());
        CalibrationOptions o;
        o.maxTokens = 2000;
        const std::string text = "Once upon a time there was a cat.<|endoftext|>The dog ran to the park and played all day.";
        auto stats = calibrate(**e, **t, text, o);
        QVERIFY(stats.ok());
        QVERIFY(stats->tokens > 10 && stats->tokens < 40);
        QCOMPARE(stats->inputs.size(), std::size_t(5 * 4));
        const ActivationStats *down = stats->find(2, LinearInput::MlpOut);
        QVERIFY(down);
        QCOMPARE(down->dim, std::int64_t(172));
        QCOMPARE(down->count, stats->tokens);
        // H is symmetric positive semi-definite: diagonal ≥ 0, |H_ij| ≤ sqrt(H_ii H_jj)
        for (std::int64_t i = 0; i < down->dim; ++i)
            for (std::int64_t j = 0; j < down->dim; ++j) {
                const double hij = down->hessian[std::size_t(i * down->dim + j)];
                QCOMPARE(hij, down->hessian[std::size_t(j * down->dim + i)]);
                QVERIFY(hij * hij <= down->hessian[std::size_t(i * 173)] * down->hessian[std::size_t(j * 173)] * (1 + 1e-9) + 1e-12);
            }
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/calib.safetensors";
        QVERIFY(saveCalibration(*stats, path).ok());
        auto back = loadCalibration(path);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QCOMPARE(back->tokens, stats->tokens);
        const ActivationStats *d2 = back->find(2, LinearInput::MlpOut);
        QVERIFY(d2);
        QCOMPARE(d2->hessian, down->hessian);
        QCOMPARE(d2->maxAbs, down->maxAbs);
        QVERIFY(std::fabs(d2->meanAbs()[5] - down->meanAbs()[5]) < 1e-12);
        // a safetensors file that is not a calibration file
        QVERIFY(!loadCalibration(lowbit::test::sharedPath("models/stories260K/hf/model.safetensors")).ok());
    }
};

QTEST_APPLESS_MAIN(TestCalibration)
#include "tst_calibration.moc"
