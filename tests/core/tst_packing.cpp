// SPDX-License-Identifier: GPL-3.0-or-later
// PackedTensor: pack/unpack round trips exactly for every format family, dequantizeRow equals the
// fast whole-matrix dequantization bit for bit, byte sizes follow the bits-per-weight accounting,
// scale storage encodings, bad input; row concatenation decodes as its parts.

#include "core/quant/bitstream.h"
#include "core/quant/fast_format.h"
#include "core/quant/fast_quantize.h"
#include "core/quant/packed_concat.h"
#include "core/quant/packed_tensor.h"
#include "fast_plans.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

using namespace lowbit;

namespace {

std::vector<std::uint32_t> bitsOf(const std::vector<float> &v)
{
    std::vector<std::uint32_t> b(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        b[i] = std::bit_cast<std::uint32_t>(v[i]);
    return b;
}

/// bits per weight × weights, by hand from the datatypes.md definition
std::int64_t expectedBits(const FastPlan &plan, std::int64_t rows, std::int64_t cols)
{
    const std::int64_t groups = fastGroupCount(plan, rows, cols);
    unsigned codeBits = 0, zeroBits = 0;
    bool negScale = false;
    for (const auto &m : plan.members) {
        codeBits = std::max(codeBits, m.codeBits);
        if (m.kind == FastKind::IntAsym)
            zeroBits = m.codeBits;
        negScale = negScale || m.kind == FastKind::GridTwoScale;
    }
    const std::int64_t scaleBits = plan.storage == FastScaleRound::F32 ? 32 : (plan.storage == FastScaleRound::F16 || plan.storage == FastScaleRound::BF16) ? 16 : 8;
    std::int64_t bits = rows * cols * codeBits + groups * scaleBits * (negScale ? 2 : 1) + groups * zeroBits;
    if (plan.kind == FastKind::Mixture)
        bits += groups * static_cast<std::int64_t>(std::ceil(std::log2(static_cast<double>(plan.members.size()))));
    if (plan.kind == FastKind::Nvfp4)
        bits += 32;
    return bits;
}

} // namespace

class TestPacking : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<int>("planIndex");
        QTest::addColumn<int>("input");
        QTest::addColumn<int>("cols");
        QTest::addColumn<qint64>("group");
        const auto names = lowbit::test::fastPlanNames();
        for (int p = 0; p < static_cast<int>(names.size()); ++p)
            for (int in : {0, 3})
                for (int c : {64, 100})
                    for (qint64 g : {32, 24, 0, -1}) {
                        const auto &nm = names[static_cast<std::size_t>(p)];
                        if ((nm.rfind("mx", 0) == 0 || nm == "nvfp4") && g != 32)
                            continue;
                        QTest::addRow("%s in%d c%d g%lld", nm.c_str(), in, c, static_cast<long long>(g)) << p << in << c << g;
                    }
    }
    void roundTrip()
    {
        QFETCH(int, planIndex);
        QFETCH(int, input);
        QFETCH(int, cols);
        QFETCH(qint64, group);
        FastPlan plan = lowbit::test::fastPlan(planIndex);
        if (plan.kind != FastKind::Mx && plan.kind != FastKind::Nvfp4)
            plan.groupSize = group;
        const std::int64_t rows = 5;
        const auto w = lowbit::test::makeMatrix(static_cast<lowbit::test::Input>(input), rows, cols, static_cast<unsigned>(planIndex + 17 * cols));
        auto q = quantizeWithPlan(w.data(), rows, cols, plan);
        QVERIFY(q.ok());
        auto p = pack(*q, plan);
        if (!p.ok() && plan.storage == FastScaleRound::E8M0 && p.error().code == ErrorCode::Unsupported)
            QSKIP("E8M0 cannot hold this scale (documented)");
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().message().c_str());
        QCOMPARE(p->layout, plan.members[0].fp6ExponentBits ? CodeLayout::Fp6Planes : CodeLayout::Dense);
        QCOMPARE(p->payloadBits(), expectedBits(plan, rows, cols));
        auto back = unpack(*p);
        QVERIFY(back.ok());
        QCOMPARE(back->codes, q->codes);
        QCOMPARE(bitsOf(back->scales), bitsOf(q->scales));
        QCOMPARE(bitsOf(back->scales2), bitsOf(q->scales2));
        QCOMPARE(back->selectors, q->selectors);
        QCOMPARE(std::bit_cast<std::uint32_t>(back->tensorScale), std::bit_cast<std::uint32_t>(q->tensorScale));
        std::vector<float> whole(w.size());
        QVERIFY(dequantizeWithPlan(*q, plan, whole.data()).ok());
        std::vector<float> rowsOut(w.size(), -7.0f);
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY(dequantizeRow(*p, r, rowsOut.data() + r * cols).ok());
        QCOMPARE(bitsOf(rowsOut), bitsOf(whole));
    }

    void registryBpw_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("group");
        QTest::addColumn<int>("storage");
        const char *names[] = {"int2", "int3", "int4", "int8", "int3-asym", "int4-asym", "int8-asym", "fp3", "fp4", "fp-e3m1",
                               "fp6-e3m2", "fp6-e2m3", "fp8-e4m3", "fp8-e5m2", "nf3", "nf4", "fp4-asym", "nf4-asym", "fp3-asym",
                               "iq4nl", "lut:-1,-0.25,0.5,2", "bitmod-fp3", "bitmod-fp4", "fp4-ea-neg", "mix:int4|fp4|nf4",
                               "mix:int3|fp3|nf3|fp-e2m0|int2", "mix:fp4-asym|nf4-asym", "mxfp4", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp8-e4m3", "nvfp4"};
        for (const char *n : names)
            for (qint64 g : {32, 48, 0, -1})
                for (int st : {0, 1}) {
                    const bool fixed = QByteArray(n).startsWith("mx") || QByteArray(n) == "nvfp4";
                    if (fixed && (g != 32 || st != 0))
                        continue;
                    QTest::addRow("%s g%lld s%d", n, static_cast<long long>(g), st) << QString::fromLatin1(n) << g << st;
                }
    }
    void registryBpw()
    {
        QFETCH(QString, name);
        QFETCH(qint64, group);
        QFETCH(int, storage);
        auto format = parseFormat(name.toStdString());
        QVERIFY2(format.ok(), format.ok() ? "" : format.error().message().c_str());
        const bool fixed = format->family == FormatFamily::Mx || format->family == FormatFamily::Nvfp4;
        auto spec = fixed ? makeFormatSpec(*format)
                          : makeFormatSpec(*format, group, storage == 0 ? ScaleStorage::F32 : ScaleStorage::F16);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().message().c_str());
        const std::int64_t rows = 6, cols = 96;
        const auto w = lowbit::test::makeMatrix(lowbit::test::Input::StudentT, rows, cols, 11);
        auto p = quantizePackedFast(w.data(), rows, cols, *spec, nullptr, 2);
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().message().c_str());
        const double bpw = bitsPerWeight(*spec, rows, cols).total();
        QCOMPARE(static_cast<double>(p->payloadBits()), bpw * static_cast<double>(rows * cols));
        QVERIFY(p->byteSize() * 8 >= p->payloadBits());
        QCOMPARE(p->spec.format.name, format->name);
        auto again = pack(*quantizeFast(w.data(), rows, cols, *spec), *spec);
        QVERIFY(again.ok());
        QCOMPARE(again->codes, p->codes);
        QCOMPARE(again->scales, p->scales);
        // the whole-tensor dequantization of the packed form equals the unpacked fast path
        auto plan = fastPlanFor(*spec);
        QVERIFY(plan.ok());
        auto q = quantizeWithPlan(w.data(), rows, cols, *plan);
        QVERIFY(q.ok());
        std::vector<float> a(w.size()), b(w.size());
        QVERIFY(dequantizeWithPlan(*q, *plan, a.data()).ok());
        QVERIFY(dequantizeFast(*p, b.data(), 2).ok());
        QCOMPARE(bitsOf(b), bitsOf(a));
        const bool fp6 = name.contains(QStringLiteral("e3m2")) || name.contains(QStringLiteral("e2m3"));
        QCOMPARE(p->layout == CodeLayout::Fp6Planes, fp6);
    }

    void byteSizeMatchesBitsWhenAligned()
    {
        // 4-bit codes on 64 columns fill whole words; scales are whole bytes: no padding at all
        const FastPlan plan = fastSinglePlan(fastIntAsymMember(4), 32, FastScaleRound::F16);
        const auto w = lowbit::test::makeMatrix(lowbit::test::Input::Gaussian, 8, 64, 3);
        auto q = quantizeWithPlan(w.data(), 8, 64, plan);
        QVERIFY(q.ok());
        auto p = pack(*q, plan);
        QVERIFY(p.ok());
        // 16 groups: 8·64·4 code bits + 16·16 scale bits + 16·4 zero-point bits = 2048 + 256 + 64
        QCOMPARE(p->payloadBits(), std::int64_t{2368});
        QCOMPARE(p->byteSize(), std::int64_t{2368 / 8});
        // int4-asym at g32, fp16 scales: 4 + 16/32 + 4/32 = 4.625 bpw
        QCOMPARE(static_cast<double>(p->payloadBits()) / (8.0 * 64.0), 4.625);
    }

    void nvfp4Bpw()
    {
        const FastPlan plan = fastNvfp4Plan();
        const auto w = lowbit::test::makeMatrix(lowbit::test::Input::Gaussian, 4, 64, 9);
        auto q = quantizeWithPlan(w.data(), 4, 64, plan);
        QVERIFY(q.ok());
        auto p = pack(*q, plan);
        QVERIFY(p.ok());
        QCOMPARE(p->payloadBits(), std::int64_t{4 * 64 * 4 + 16 * 8 + 32}); // 4.5 bpw + one fp32
        QCOMPARE(p->scales.size(), std::size_t{16});
    }

    void scaleEncodings_data()
    {
        QTest::addColumn<int>("storage");
        QTest::addColumn<float>("value");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("f32 1") << 0 << 1.0f << QByteArray::fromHex("0000803f");
        QTest::newRow("f16 1") << 1 << 1.0f << QByteArray::fromHex("003c");
        QTest::newRow("f16 -2") << 1 << -2.0f << QByteArray::fromHex("00c0");
        QTest::newRow("bf16 1") << 2 << 1.0f << QByteArray::fromHex("803f");
        QTest::newRow("e8m0 1") << 3 << 1.0f << QByteArray::fromHex("7f");
        QTest::newRow("e8m0 2^-127") << 3 << std::ldexp(1.0f, -127) << QByteArray::fromHex("00");
        QTest::newRow("e8m0 0") << 3 << 0.0f << QByteArray::fromHex("ff");
        QTest::newRow("e4m3 448") << 4 << 448.0f << QByteArray::fromHex("7e");
        QTest::newRow("e4m3 -0.5") << 4 << -0.5f << QByteArray::fromHex("b0");
    }
    void scaleEncodings()
    {
        QFETCH(int, storage);
        QFETCH(float, value);
        QFETCH(QByteArray, bytes);
        const auto st = static_cast<FastScaleRound>(storage);
        QCOMPARE(static_cast<int>(scaleStorageBytes(st)), bytes.size());
        std::uint8_t buf[4] = {};
        QVERIFY(encodeScale(value, st, buf));
        QCOMPARE(QByteArray(reinterpret_cast<const char *>(buf), bytes.size()), bytes);
        QCOMPARE(std::bit_cast<std::uint32_t>(decodeScale(buf, st)), std::bit_cast<std::uint32_t>(value));
    }

    void unrepresentableScales()
    {
        std::uint8_t buf[4] = {};
        QVERIFY(!encodeScale(3.0f, FastScaleRound::E8M0, buf));  // not a power of two
        QVERIFY(!encodeScale(-1.0f, FastScaleRound::E8M0, buf)); // negative
        QVERIFY(!encodeScale(1.0f + 1.0f / 1024.0f + 1.0f / 4096.0f, FastScaleRound::F16, buf)); // not an fp16
        QVERIFY(!encodeScale(0.3f, FastScaleRound::E4M3, buf));
    }

    /// [a; b] decodes row by row exactly as a and b, for every format family and grouping that
    /// can share a tensor (zero-point and selector streams that do not end on a word included).
    void concatRowsDecodesAsTheParts_data()
    {
        QTest::addColumn<int>("planIndex");
        QTest::addColumn<qint64>("group");
        const auto names = lowbit::test::fastPlanNames();
        for (int p = 0; p < static_cast<int>(names.size()); ++p)
            for (qint64 g : {32, 24, 0}) {
                const auto &nm = names[static_cast<std::size_t>(p)];
                if ((nm.rfind("mx", 0) == 0 || nm == "nvfp4") && g != 32)
                    continue;
                QTest::addRow("%s g%lld", nm.c_str(), static_cast<long long>(g)) << p << g;
            }
    }
    void concatRowsDecodesAsTheParts()
    {
        QFETCH(int, planIndex);
        QFETCH(qint64, group);
        FastPlan plan = lowbit::test::fastPlan(planIndex);
        if (plan.kind != FastKind::Mx && plan.kind != FastKind::Nvfp4)
            plan.groupSize = group;
        const std::int64_t cols = 100, ra = 3, rb = 5;
        const auto wa = lowbit::test::makeMatrix(lowbit::test::Input(0), ra, cols, 11u + static_cast<unsigned>(planIndex));
        const auto wb = lowbit::test::makeMatrix(lowbit::test::Input(3), rb, cols, 29u + static_cast<unsigned>(planIndex));
        auto qa = quantizeWithPlan(wa.data(), ra, cols, plan);
        auto qb = quantizeWithPlan(wb.data(), rb, cols, plan);
        QVERIFY(qa.ok() && qb.ok());
        auto a = pack(*qa, plan);
        auto b = pack(*qb, plan);
        if ((!a.ok() || !b.ok()) && plan.storage == FastScaleRound::E8M0)
            QSKIP("E8M0 cannot hold this scale (documented)");
        QVERIFY(a.ok() && b.ok());
        auto ab = concatRows(*a, *b);
        if (plan.kind == FastKind::Nvfp4 && a->tensorScale != b->tensorScale) { // each has its own tensor scale
            QVERIFY(!rowsConcatenable(*a, *b));
            QVERIFY(!ab.ok());
            QCOMPARE(ab.error().code, ErrorCode::InvalidArgument);
            return;
        }
        QVERIFY2(ab.ok(), ab.ok() ? "" : ab.error().message().c_str());
        QCOMPARE(ab->rows, ra + rb);
        QCOMPARE(ab->payloadBits(), a->payloadBits() + b->payloadBits() - (plan.kind == FastKind::Nvfp4 ? 32 : 0));
        std::vector<float> got(static_cast<std::size_t>(cols)), want(static_cast<std::size_t>(cols));
        for (std::int64_t r = 0; r < ra + rb; ++r) {
            QVERIFY(dequantizeRow(*ab, r, got.data()).ok());
            QVERIFY(dequantizeRow(r < ra ? *a : *b, r < ra ? r : r - ra, want.data()).ok());
            QCOMPARE(bitsOf(got), bitsOf(want));
        }
    }

    /// Tensors that do not decode by one rule are refused, not merged wrongly.
    void concatRowsRefusesOtherRules()
    {
        const auto w = lowbit::test::makeMatrix(lowbit::test::Input(0), 4, 64, 5u);
        const auto packed = [&](FastPlan plan, std::int64_t cols) {
            auto q = quantizeWithPlan(w.data(), 4, cols, plan);
            return pack(*q, plan);
        };
        FastPlan int4 = fastSinglePlan(fastIntMember(4), 32, FastScaleRound::F16);
        auto a = packed(int4, 64);
        QVERIFY(a.ok());
        const auto refused = [&](const Result<PackedTensor> &b) { return b.ok() && !rowsConcatenable(*a, *b) && !concatRows(*a, *b).ok(); };
        QVERIFY(refused(packed(int4, 32)));                                                          // other columns
        QVERIFY(refused(packed(fastSinglePlan(fastIntMember(4), 16, FastScaleRound::F16), 64)));     // other group
        QVERIFY(refused(packed(fastSinglePlan(fastIntMember(4), 32, FastScaleRound::F32), 64)));     // other scale storage
        QVERIFY(refused(packed(fastSinglePlan(fastIntMember(3), 32, FastScaleRound::F16), 64)));     // other grid
        QVERIFY(refused(packed(fastSinglePlan(fastIntAsymMember(4), 32, FastScaleRound::F16), 64))); // zero points
        FastPlan perTensor = fastSinglePlan(fastIntMember(4), -1, FastScaleRound::F16);              // one scale each
        auto t = packed(perTensor, 64);
        QVERIFY(t.ok() && !rowsConcatenable(*t, *t));
        QVERIFY(rowsConcatenable(*a, *a));
    }

    void badInput()
    {
        const FastPlan plan = fastSinglePlan(fastIntMember(4), 32, FastScaleRound::F32);
        const auto w = lowbit::test::makeMatrix(lowbit::test::Input::Gaussian, 2, 40, 1);
        auto q = quantizeWithPlan(w.data(), 2, 40, plan);
        QVERIFY(q.ok());
        FastQuantized bad = *q;
        bad.codes[3] = 15;
        auto e = pack(bad, plan);
        QVERIFY(!e.ok());
        QVERIFY(e.error().detail.find("column 3") != std::string::npos);
        bad = *q;
        bad.scales.pop_back();
        QVERIFY(!pack(bad, plan).ok());
        auto p = pack(*q, plan);
        QVERIFY(p.ok());
        float out[40];
        QVERIFY(!dequantizeRow(*p, 2, out).ok());
        QVERIFY(!dequantizeRow(*p, -1, out).ok());
        PackedTensor broken = *p;
        broken.codes.pop_back();
        QVERIFY(!unpack(broken).ok());
        QVERIFY(!dequantizeRow(broken, 0, out).ok());
        broken = *p;
        broken.scales.push_back(0);
        QVERIFY(!unpack(broken).ok());
        // a mixture selector beyond the members
        const FastPlan mix = fastMixturePlan({fastIntMember(3), fastIntMember(4), fastIntMember(2)}, 8, FastScaleRound::F32);
        auto mq = quantizeWithPlan(w.data(), 2, 40, mix);
        QVERIFY(mq.ok());
        mq->selectors[0] = 3;
        QVERIFY(!pack(*mq, mix).ok());
    }
};

QTEST_APPLESS_MAIN(TestPacking)
#include "tst_packing.moc"
