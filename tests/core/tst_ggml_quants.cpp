// SPDX-License-Identifier: GPL-3.0-or-later
// The ggml reference quantizers: block byte layouts against blocks computed by hand from the
// rules in formats.md / ggml-quants.c, quantize → dequantize error bounds on realistic weights,
// and defined behaviour on hostile input.
#include "core/dtypes/blocks.h"
#include "core/dtypes/dtype.h"
#include "core/dtypes/ggml_quants.h"
#include "core/dtypes/scalar_convert.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace lowbit;

namespace {

template <class Block>
Block quantizeOne(DType t, const std::vector<float> &x)
{
    Block b{};
    const Status s = quantizeGgml(t, x.data(), reinterpret_cast<std::byte *>(&b), x.size());
    if (!s.ok())
        qFatal("%s", s.error().message().c_str());
    return b;
}

template <class Block>
std::vector<float> dequantizeOne(DType t, const Block &b, std::size_t n)
{
    std::vector<float> y(n);
    if (!convertToFloat(t, reinterpret_cast<const std::byte *>(&b), y.data(), n).ok())
        qFatal("dequantization failed");
    return y;
}

template <class Block>
bool sameBytes(const Block &a, const Block &b)
{
    return std::memcmp(&a, &b, sizeof(Block)) == 0;
}

/// Weights like a trained linear layer: Gaussian with a few large outliers.
std::vector<float> realisticWeights(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 0.02f);
    std::vector<float> w(n);
    for (auto &v : w)
        v = g(rng);
    for (std::size_t i = 0; i < n; i += 97)
        w[i] *= 8.0f;
    return w;
}

double relativeRmse(const std::vector<float> &x, const std::vector<float> &y)
{
    double num = 0, den = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        num += (double(x[i]) - y[i]) * (double(x[i]) - y[i]);
        den += double(x[i]) * x[i];
    }
    return std::sqrt(num / den);
}

} // namespace

class TstGgmlQuants : public QObject {
    Q_OBJECT
private slots:
    void q8_0HandBlock()
    {
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j)
            x[j] = float(j - 16);
        const auto b = quantizeOne<BlockQ8_0>(DType::Q8_0, x);
        BlockQ8_0 e{};
        e.d = 0x3008; // fp16(16/127) = 0.1259765625
        for (int j = 0; j < 32; ++j)
            e.qs[j] = static_cast<std::int8_t>(std::round(float(j - 16) * (1.0f / (16.0f / 127.0f))));
        QCOMPARE(int(e.qs[1]), -119); // −15·127/16 = −119.06
        QVERIFY(sameBytes(b, e));
        QCOMPARE(dequantizeOne(DType::Q8_0, b, 32)[0], -127.0f * 0.1259765625f);
    }
    void q4_0HandBlock()
    {
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j)
            x[j] = float(j - 16);
        const auto b = quantizeOne<BlockQ4_0>(DType::Q4_0, x);
        BlockQ4_0 e{};
        e.d = 0x4000; // d = −16 / −8 = 2
        for (int j = 0; j < 16; ++j) // q = trunc(x/2 + 8.5): j → ⌊(j+1)/2⌋, j+16 → min(15, 8 + ⌊(j+1)/2⌋)
            e.qs[j] = static_cast<std::uint8_t>(((j + 1) / 2) | (std::min(15, 8 + (j + 1) / 2) << 4));
        QCOMPARE(int(e.qs[0]), 0x80);
        QVERIFY(sameBytes(b, e));
        const auto y = dequantizeOne(DType::Q4_0, b, 32);
        QCOMPARE(y[0], -16.0f);
        QCOMPARE(y[31], 14.0f); // 15 clips to the top code 7·2
    }
    void q4_1HandBlock()
    {
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j)
            x[j] = float(j % 16 - 8); // min −8, max 7: d = 1, m = −8, q = x + 8
        const auto b = quantizeOne<BlockQ4_1>(DType::Q4_1, x);
        BlockQ4_1 e{};
        e.d = 0x3C00;
        e.m = 0xC800; // −8
        for (int j = 0; j < 16; ++j)
            e.qs[j] = static_cast<std::uint8_t>(j * 17);
        QVERIFY(sameBytes(b, e));
        QCOMPARE(dequantizeOne(DType::Q4_1, b, 32), x);
    }
    void q5_0HandBlock()
    {
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j)
            x[j] = float(j - 16); // d = −16/−16 = 1, q = trunc(x + 16.5) = j
        const auto b = quantizeOne<BlockQ5_0>(DType::Q5_0, x);
        BlockQ5_0 e{};
        e.d = 0x3C00;
        const std::uint32_t qh = 0xFFFF0000u; // the 5th bit is set for elements 16..31
        std::memcpy(e.qh, &qh, 4);
        for (int j = 0; j < 16; ++j)
            e.qs[j] = static_cast<std::uint8_t>(j * 17);
        QVERIFY(sameBytes(b, e));
        QCOMPARE(dequantizeOne(DType::Q5_0, b, 32), x);
    }
    void q5_1HandBlock()
    {
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j)
            x[j] = float(j - 16); // min −16, max 15: d = 1, m = −16, q = j
        const auto b = quantizeOne<BlockQ5_1>(DType::Q5_1, x);
        BlockQ5_1 e{};
        e.d = 0x3C00;
        e.m = 0xCC00;
        const std::uint32_t qh = 0xFFFF0000u;
        std::memcpy(e.qh, &qh, 4);
        for (int j = 0; j < 16; ++j)
            e.qs[j] = static_cast<std::uint8_t>(j * 17);
        QVERIFY(sameBytes(b, e));
        QCOMPARE(dequantizeOne(DType::Q5_1, b, 32), x);
    }
    void iq4nlHandBlock()
    {
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j)
            x[j] = float(kIq4nlValues[j % 16]); // d0 = −127/−127 = 1: every level exactly, least squares keeps d = 1
        const auto b = quantizeOne<BlockIQ4_NL>(DType::IQ4_NL, x);
        BlockIQ4_NL e{};
        e.d = 0x3C00;
        for (int j = 0; j < 16; ++j)
            e.qs[j] = static_cast<std::uint8_t>(j * 17);
        QVERIFY(sameBytes(b, e));
        QCOMPARE(dequantizeOne(DType::IQ4_NL, b, 32), x);
    }
    void mxfp4HandBlock()
    {
        std::vector<float> x(32);
        for (int j = 0; j < 32; ++j)
            x[j] = 0.5f * float(kMxfp4Values[j % 16]); // E2M1 values, absmax 6: e = 2 − 2 + 127, d = 2^−1
        const auto b = quantizeOne<BlockMXFP4>(DType::MXFP4, x);
        BlockMXFP4 e{};
        e.e = 127;
        for (int j = 0; j < 16; ++j) {
            const int c = j == 8 ? 0 : j; // −0 codes as +0 (the first index on ties)
            e.qs[j] = static_cast<std::uint8_t>(c * 17);
        }
        QVERIFY(sameBytes(b, e));
        QCOMPARE(dequantizeOne(DType::MXFP4, b, 32), x);
    }
    void q4_kHandBlock()
    {
        // sub-block j: x = (l mod 16)·2^(j mod 4): exact fits with scale 2^(j mod 4), min 0
        std::vector<float> x(256);
        for (int j = 0; j < 8; ++j)
            for (int l = 0; l < 32; ++l)
                x[32 * j + l] = float(l % 16) * float(1 << (j % 4));
        const auto b = quantizeOne<BlockQ4_K>(DType::Q4_K, x);
        BlockQ4_K e{};
        e.d = 0x3010; // fp16(8/63) = 0.126953125
        e.dmin = 0;
        // 6-bit scales 63/8·{1, 2, 4, 8} → 8, 16, 32 (31.5 to even), 63; mins 0.
        // bytes 0..3: low 6 bits of scales 0..3 | top 2 bits of scales 4..7; 4..7: mins (0);
        // 8..11: low 4 bits of scales 4..7 | low 4 bits of mins 4..7 << 4
        const std::uint8_t scales[12] = {8, 16 | 0x40, 32 | 0x80, 63 | 0xC0, 0, 0, 0, 0, 8, 0, 0, 15};
        std::memcpy(e.scales, scales, 12);
        for (int c = 0; c < 4; ++c)
            for (int l = 0; l < 32; ++l)
                e.qs[32 * c + l] = static_cast<std::uint8_t>((l % 16) * 17);
        QVERIFY(sameBytes(b, e));
        const auto y = dequantizeOne(DType::Q4_K, b, 256);
        QCOMPARE(y[15], 15.0f * 0.126953125f * 8.0f);
        QCOMPARE(y[255], 15.0f * 0.126953125f * 63.0f);
    }
    void q6_kHandBlock()
    {
        // +1 in the first half, −1 in the second: sub-block scales ∓1/32, d = 1/(−128/(−1/32)) = 2^−12,
        // int8 scales −128 (first half) and min(127, 128) (second half), every code −32 → stored 0
        std::vector<float> x(256, 1.0f);
        std::fill(x.begin() + 128, x.end(), -1.0f);
        const auto b = quantizeOne<BlockQ6_K>(DType::Q6_K, x);
        BlockQ6_K e{};
        e.d = 0x0C00;
        for (int i = 0; i < 16; ++i)
            e.scales[i] = static_cast<std::int8_t>(i < 8 ? -128 : 127);
        QVERIFY(sameBytes(b, e));
        const auto y = dequantizeOne(DType::Q6_K, b, 256);
        QCOMPARE(y[0], 1.0f);
        QCOMPARE(y[200], -0.9921875f); // 2^−12·127·(−32): the positive side saturates at 127
    }
    void floatTypes()
    {
        const std::vector<float> x = {1.0f, -2.5f, 65504.0f, 1e-8f, 3.14159265f, -0.0f, 1e6f, 0.1f};
        std::vector<std::byte> h(16), bf(16);
        QVERIFY(quantizeGgml(DType::F16, x.data(), h.data(), x.size()).ok());
        QVERIFY(quantizeGgml(DType::BF16, x.data(), bf.data(), x.size()).ok());
        for (std::size_t i = 0; i < x.size(); ++i) {
            std::uint16_t a, c;
            std::memcpy(&a, h.data() + 2 * i, 2);
            std::memcpy(&c, bf.data() + 2 * i, 2);
            QCOMPARE(a, floatToFp16(x[i]));
            QCOMPARE(c, floatToBf16(x[i]));
        }
    }
    void errorBounds_data()
    {
        QTest::addColumn<int>("type");
        QTest::addColumn<double>("bound");
        // relative RMS error on Gaussian weights with outliers (ggml's test-quantize-fns style)
        QTest::newRow("f16") << int(DType::F16) << 1e-3;
        QTest::newRow("bf16") << int(DType::BF16) << 5e-3;
        QTest::newRow("q8_0") << int(DType::Q8_0) << 0.01;
        QTest::newRow("q6_K") << int(DType::Q6_K) << 0.03;
        QTest::newRow("q5_0") << int(DType::Q5_0) << 0.08;
        QTest::newRow("q5_1") << int(DType::Q5_1) << 0.06;
        QTest::newRow("q4_K") << int(DType::Q4_K) << 0.11;
        QTest::newRow("q4_0") << int(DType::Q4_0) << 0.16;
        QTest::newRow("q4_1") << int(DType::Q4_1) << 0.13;
        QTest::newRow("iq4_nl") << int(DType::IQ4_NL) << 0.13;
        QTest::newRow("mxfp4") << int(DType::MXFP4) << 0.2;
    }
    void errorBounds()
    {
        QFETCH(int, type);
        QFETCH(double, bound);
        const DType t = static_cast<DType>(type);
        const std::vector<float> x = realisticWeights(4096 * 4, 7);
        std::vector<std::byte> q(*dtypeByteCount(t, x.size()));
        QVERIFY(quantizeGgml(t, x.data(), q.data(), x.size()).ok());
        std::vector<float> y(x.size());
        QVERIFY(convertToFloat(t, q.data(), y.data(), y.size()).ok());
        const double err = relativeRmse(x, y);
        QVERIFY2(err < bound, qPrintable(QStringLiteral("relative RMSE %1 ≥ %2").arg(err).arg(bound)));
        QVERIFY(err > 0.0); // a real quantization, not a copy
    }
    void elementBoundRoundToNearestTypes_data()
    {
        QTest::addColumn<int>("type");
        QTest::newRow("q8_0") << int(DType::Q8_0);
        QTest::newRow("q5_1") << int(DType::Q5_1);
        QTest::newRow("q4_1") << int(DType::Q4_1);
    }
    void elementBoundRoundToNearestTypes()
    {
        // round-to-nearest types: every element within half a step (+ the fp16 rounding of d and m)
        QFETCH(int, type);
        const DType t = static_cast<DType>(type);
        const std::vector<float> x = realisticWeights(32 * 64, 3);
        std::vector<std::byte> q(*dtypeByteCount(t, x.size()));
        QVERIFY(quantizeGgml(t, x.data(), q.data(), x.size()).ok());
        std::vector<float> y(x.size());
        QVERIFY(convertToFloat(t, q.data(), y.data(), y.size()).ok());
        for (std::size_t b = 0; b < x.size() / 32; ++b) {
            float lo = x[32 * b], hi = x[32 * b], amax = 0;
            for (int j = 0; j < 32; ++j) {
                lo = std::min(lo, x[32 * b + j]);
                hi = std::max(hi, x[32 * b + j]);
                amax = std::max(amax, std::fabs(x[32 * b + j]));
            }
            const float step = t == DType::Q8_0 ? amax / 127 : (hi - lo) / (t == DType::Q5_1 ? 31 : 15);
            for (int j = 0; j < 32; ++j)
                QVERIFY(std::fabs(x[32 * b + j] - y[32 * b + j]) <= 0.5f * step * 1.01f + amax * 2e-3f);
        }
    }
    void zerosStayZero_data()
    {
        QTest::addColumn<int>("type");
        for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q6_K, DType::IQ4_NL, DType::MXFP4})
            QTest::newRow(std::string(dtypeName(t)).c_str()) << int(t);
    }
    void zerosStayZero()
    {
        QFETCH(int, type);
        const DType t = static_cast<DType>(type);
        const std::vector<float> x(256, 0.0f);
        std::vector<std::byte> q(*dtypeByteCount(t, x.size()));
        QVERIFY(quantizeGgml(t, x.data(), q.data(), x.size()).ok());
        std::vector<float> y(x.size(), 1.0f);
        QVERIFY(convertToFloat(t, q.data(), y.data(), y.size()).ok());
        for (float v : y)
            QCOMPARE(v, 0.0f);
    }
    void hostileInputIsDefined()
    {
        // NaN / Inf / huge values: no crash, no UB (the sanitizer build checks), deterministic output
        std::vector<float> x(256, 1.0f);
        x[3] = NAN;
        x[40] = INFINITY;
        x[77] = -3e38f;
        x[100] = 1e-40f;
        for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q6_K, DType::IQ4_NL, DType::MXFP4}) {
            std::vector<std::byte> a(*dtypeByteCount(t, x.size())), b(a.size());
            QVERIFY(quantizeGgml(t, x.data(), a.data(), x.size()).ok());
            QVERIFY(quantizeGgml(t, x.data(), b.data(), x.size()).ok());
            QVERIFY(a == b);
        }
    }
    void errors()
    {
        std::vector<float> x(48, 1.0f);
        std::vector<std::byte> q(1024);
        const Status partial = quantizeGgml(DType::Q8_0, x.data(), q.data(), x.size());
        QCOMPARE(partial.error().code, ErrorCode::InvalidArgument);
        const Status none = quantizeGgml(DType::Q3_K, x.data(), q.data(), 32);
        QCOMPARE(none.error().code, ErrorCode::Unsupported);
        QVERIFY(ggmlQuantizer(DType::I32) == nullptr);
        QVERIFY(ggmlQuantizer(DType::Q6_K) != nullptr);
    }
};

QTEST_APPLESS_MAIN(TstGgmlQuants)
#include "tst_ggml_quants.moc"
