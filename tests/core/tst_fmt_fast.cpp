// SPDX-License-Identifier: GPL-3.0-or-later
// Fast path (AVX2 and portable, 1 and 3 threads) == reference bit for bit: codes, scales,
// second scales, selectors, tensor scale and dequantized floats, on Gaussian, heavy-tailed,
// outlier-channel and adversarial matrices (zero groups, NaN/Inf, denormals, constant groups,
// one huge outlier, short last groups, exact midpoints).
#include "core/formats/fast_quantize.h"

#include <QTest>

#include <bit>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace lowbit;
using namespace lowbit::formats;

namespace {

std::vector<float> makeMatrix(int kind, std::int64_t rows, std::int64_t cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::student_t_distribution<float> student(2.0f);
    std::vector<float> x(static_cast<std::size_t>(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) {
            float &v = x[static_cast<std::size_t>(r * cols + c)];
            switch (kind) {
            case 0: v = normal(rng); break;
            case 1: v = 0.01f * student(rng); break;
            case 2: v = normal(rng) * (c % 17 == 3 ? 50.0f : 1.0f); break; // outlier input channels
            default: {
                const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
                switch (r % 12) {
                case 0: v = 0.0f; break;                                   // zero groups
                case 1: v = (c % 7 == 0) ? nan : (c % 11 == 0 ? -inf : (c % 13 == 0 ? inf : normal(rng))); break;
                case 2: v = 1e-40f * static_cast<float>(static_cast<int>(c % 9) - 4); break; // denormals
                case 3: v = 0.37f; break;                                  // constant groups
                case 4: v = c == 5 ? 1e30f : normal(rng); break;           // one huge outlier
                case 5: v = (c % 2 ? -1.0f : 1.0f) * FLT_MAX; break;
                case 6: v = static_cast<float>(static_cast<int>(c % 25) - 12) * 0.25f; break; // midpoints
                case 7: v = c % 3 ? -0.0f : 0.0f; break;
                case 8: v = std::fabs(normal(rng)) + 0.01f; break;         // all positive
                case 9: v = -std::fabs(normal(rng)); break;                // all negative
                case 10: v = c % 5 == 0 ? nan : 0.0f; break;               // NaN and zeros only
                default: v = static_cast<float>(static_cast<int>(c % 16) - 8) * 1e-3f; break;
                }
            }
            }
        }
    return x;
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

class TestFmtFast : public QObject {
    Q_OBJECT

private slots:
    void bitIdentical_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<qint64>("group");
        QTest::addColumn<int>("storage");
        const char *formats[] = {"int2", "int4", "int8", "int3-asym", "int8-asym", "fp3", "fp4", "nf4", "nf3",
                                 "fp4-asym", "nf3-asym", "nf4-asym", "fp3-asym", "fp6-e3m2", "fp6-e2m3", "fp8-e4m3",
                                 "fp8-e5m2", "fp8-e4m3-asym", "fp-e3m3", "lut:-2,-0.5,0,0.25,1,3", "iq4nl", "q4_0",
                                 "bitmod-fp3", "bitmod-fp4", "mix:int4|fp4|nf4", "fp4-ea-neg", "mxfp4",
                                 "mxfp6-e3m2", "mxfp6-e2m3", "mxfp8-e4m3", "nvfp4"};
        for (const char *f : formats)
            for (const qint64 g : {32LL, 48LL, 0LL, -1LL}) {
                const int storage = g == 48 ? 1 : (g == 0 ? 2 : 0);
                QTest::newRow(qPrintable(QStringLiteral("%1 g%2").arg(QString::fromLatin1(f)).arg(g)))
                    << QByteArray(f) << g << storage;
            }
        QTest::newRow("int4 e4m3 scales") << QByteArray("int4") << 32LL << 4;
        QTest::newRow("fp4 e8m0 scales") << QByteArray("fp4") << 32LL << 3;
        QTest::newRow("bitmod-fp3 fp16") << QByteArray("bitmod-fp3") << 128LL << 1;
    }

    void bitIdentical()
    {
        QFETCH(QByteArray, name);
        QFETCH(qint64, group);
        QFETCH(int, storage);
        auto spec = makeFormatSpec(name.toStdString(), group, static_cast<ScaleStorage>(storage));
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().message().c_str());
        const std::int64_t rows = 24, cols = 100; // 100 = 3·32 + 4: short last groups
        for (int kind = 0; kind < 4; ++kind) {
            const std::vector<float> x = makeMatrix(kind, rows, cols, 1234u + static_cast<unsigned>(kind));
            std::vector<float> w(x.size());
            for (std::size_t i = 0; i < w.size(); ++i)
                w[i] = 0.5f + static_cast<float>(i % 7);
            auto ref = quantizeRef(*spec, x.data(), rows, cols, kind == 1 ? w.data() : nullptr);
            QVERIFY(ref.ok());
            std::vector<float> xr(x.size());
            dequantizeRef(*ref, xr.data());
            for (const SimdPath path : {SimdPath::Auto, SimdPath::Portable})
                for (const unsigned threads : {1u, 3u}) {
                    const FastOptions o{threads, path};
                    auto fast = quantizeFast(*spec, x.data(), rows, cols, kind == 1 ? w.data() : nullptr, o);
                    QVERIFY(fast.ok());
                    const QByteArray where = name + " kind " + QByteArray::number(kind) + (path == SimdPath::Auto ? " auto" : " portable") + " t" + QByteArray::number(threads);
                    QVERIFY2(fast->codes == ref->codes, where.constData());
                    QVERIFY2(sameBits(fast->scales, ref->scales), where.constData());
                    QVERIFY2(sameBits(fast->scales2, ref->scales2), where.constData());
                    QVERIFY2(fast->selectors == ref->selectors, where.constData());
                    QCOMPARE(std::bit_cast<std::uint32_t>(fast->tensorScale), std::bit_cast<std::uint32_t>(ref->tensorScale));
                    std::vector<float> xf(x.size());
                    dequantizeFast(*fast, xf.data(), o);
                    QVERIFY2(sameBits(xf, xr), where.constData());
                }
        }
    }

    void largeMatrixThreads()
    {
        // big enough that every thread gets several chunks, per-tensor included
        const std::int64_t rows = 256, cols = 1000;
        const std::vector<float> x = makeMatrix(1, rows, cols, 99u);
        for (const char *n : {"int4", "nf4-asym", "bitmod-fp4", "fp8-e4m3", "nvfp4"})
            for (const qint64 g : {64LL, -1LL}) {
                auto spec = makeFormatSpec(n, g);
                QVERIFY(spec.ok());
                auto ref = quantizeRef(*spec, x.data(), rows, cols);
                auto fast = quantizeFast(*spec, x.data(), rows, cols, nullptr, FastOptions{4, SimdPath::Auto});
                QVERIFY(ref.ok() && fast.ok());
                QVERIFY(fast->codes == ref->codes);
                QVERIFY(sameBits(fast->scales, ref->scales));
                std::vector<float> a(x.size()), b(x.size());
                dequantizeRef(*ref, a.data());
                dequantizeFast(*fast, b.data(), FastOptions{4, SimdPath::Auto});
                QVERIFY(sameBits(a, b));
            }
        qInfo("fast path on this machine: %s", fastPathName());
    }
};

QTEST_APPLESS_MAIN(TestFmtFast)
#include "tst_fmt_fast.moc"
