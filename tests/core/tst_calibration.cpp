// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/calib/calibration.h"

#include "reference_forward.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
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
