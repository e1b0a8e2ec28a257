// SPDX-License-Identifier: GPL-3.0-or-later
// Bit-streams (every width 1..16), the FP6 4+2 planes and their dequant rule (all 64 codes),
// PackedTensor round trips, sizes == the bpw accounting, row dequant, malformed input.
#include "core/formats/bitstream.h"
#include "core/formats/packed_tensor.h"
#include "core/formats/packing_fp6.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <random>

using namespace lowbit;
using namespace lowbit::formats;

class TestFmtPacking : public QObject {
    Q_OBJECT

private slots:
    void bitstreamBijection()
    {
        std::mt19937 rng(5);
        for (int bits = 1; bits <= 16; ++bits)
            for (const std::int64_t n : {0, 1, 7, 31, 32, 33, 100, 1000}) {
                std::vector<std::uint16_t> codes(static_cast<std::size_t>(n));
                for (auto &c : codes)
                    c = static_cast<std::uint16_t>(rng() & ((1u << bits) - 1));
                std::vector<std::uint32_t> words(static_cast<std::size_t>(bitstreamWords(n, bits)), 0xDEADBEEFu);
                QCOMPARE(static_cast<std::int64_t>(words.size()), (n * bits + 31) / 32);
                packBits(codes.data(), n, bits, words.data());
                std::vector<std::uint16_t> back(codes.size());
                unpackBits(words.data(), n, bits, back.data());
                QVERIFY2(back == codes, qPrintable(QStringLiteral("bits %1 n %2").arg(bits).arg(n)));
                for (std::int64_t i = 0; i < n; i += 7)
                    QCOMPARE(readBits(words.data(), i, bits), static_cast<std::uint32_t>(codes[static_cast<std::size_t>(i)]));
                // padding bits of the last word are zero
                if (n * bits % 32 != 0)
                    QCOMPARE(words.back() >> (n * bits % 32), 0u);
            }
        // layout: LSB first, codes straddle words
        const std::uint16_t c3[] = {1, 2, 3};
        std::uint32_t w = 0;
        packBits(c3, 3, 3, &w);
        QCOMPARE(w, 1u | (2u << 3) | (3u << 6));
        std::vector<std::uint16_t> c5(7, 0);
        c5[6] = 0x1F; // bits 30..34
        std::uint32_t w2[2] = {};
        packBits(c5.data(), 7, 5, w2);
        QCOMPARE(w2[0], 0x3u << 30);
        QCOMPARE(w2[1], 0x7u);
    }

    void fp6PlanesAllCodes_data()
    {
        QTest::addColumn<int>("e");
        QTest::addColumn<int>("m");
        QTest::newRow("e3m2") << 3 << 2;
        QTest::newRow("e2m3") << 2 << 3;
    }
    void fp6PlanesAllCodes()
    {
        QFETCH(int, e);
        QFETCH(int, m);
        const int bias = (1 << (e - 1)) - 1;
        for (unsigned code = 0; code < 64; ++code) {
            const unsigned s = code >> 5, ex = (code >> m) & ((1u << e) - 1), man = code & ((1u << m) - 1);
            const double frac = static_cast<double>(man) / (1 << m);
            double v = ex == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0 + frac, static_cast<int>(ex) - bias);
            v = s ? -v : v;
            const auto c = static_cast<std::uint8_t>(code);
            QCOMPARE(fp6PlaneDequant(fp6High2(c), fp6Low4(c), e, m, 1.0f), static_cast<float>(v));
            QCOMPARE(fp6PlaneDequant(fp6High2(c), fp6Low4(c), e, m, 0.37f), 0.37f * static_cast<float>(v));
        }
        QCOMPARE(fp6PlaneDequant(1, 15, 3, 2, 1.0f), 28.0f); // 0 11111 = max E3M2
        QCOMPARE(fp6PlaneDequant(1, 15, 2, 3, 1.0f), 7.5f);  // max E2M3
    }

    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<qint64>("group");
        QTest::addColumn<int>("storage");
        QTest::addColumn<qint64>("cols");
        const char *formats[] = {"int2", "int3", "int4", "int8", "int3-asym", "int4-asym", "int8-asym", "fp3",
                                 "fp4", "nf4", "nf3-asym", "fp4-asym", "fp6-e3m2", "fp6-e2m3", "fp6-e3m2-asym",
                                 "fp8-e4m3", "fp-e2m2", "lut:-1,0,1", "iq4nl", "q4_0", "bitmod-fp3", "bitmod-fp4",
                                 "mix:int4|fp4|nf4", "mxfp4", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp8-e4m3", "nvfp4"};
        int k = 0;
        for (const char *f : formats)
            for (const qint64 g : {32LL, 0LL, -1LL, 24LL}) {
                const qint64 cols = g == 24 ? 100 : 64;
                QTest::newRow(qPrintable(QStringLiteral("%1 g%2").arg(QLatin1String(f)).arg(g)))
                    << QByteArray(f) << g << (k++ % 3) << cols;
            }
    }
    void roundTrip()
    {
        QFETCH(QByteArray, name);
        QFETCH(qint64, group);
        QFETCH(int, storage);
        QFETCH(qint64, cols);
        const ScaleStorage st = storage == 0 ? ScaleStorage::Fp32 : (storage == 1 ? ScaleStorage::Fp16 : ScaleStorage::Bf16);
        auto spec = makeFormatSpec(name.toStdString(), group, st);
        QVERIFY(spec.ok());
        const std::int64_t rows = 6;
        std::mt19937 rng(17);
        std::student_t_distribution<float> td(3.0f);
        std::vector<float> x(static_cast<std::size_t>(rows * cols));
        for (auto &v : x)
            v = td(rng);
        std::fill(x.begin(), x.begin() + cols, 0.0f); // a zero row
        auto q = quantizeRef(*spec, x.data(), rows, cols);
        QVERIFY(q.ok());
        auto p = packTensor(*q);
        QVERIFY(p.ok());
        auto u = unpackTensor(*p);
        QVERIFY2(u.ok(), u.ok() ? "" : u.error().message().c_str());
        QVERIFY(u->codes == q->codes);
        QCOMPARE(std::memcmp(u->scales.data(), q->scales.data(), q->scales.size() * 4), 0);
        QCOMPARE(u->scales2.size(), q->scales2.size());
        QCOMPARE(std::memcmp(u->scales2.data(), q->scales2.data(), q->scales2.size() * 4), 0);
        QVERIFY(u->selectors == q->selectors);
        QCOMPARE(u->tensorScale, q->tensorScale);
        // sizes follow the bpw accounting exactly
        auto bpw = bitsPerWeight(*spec, rows, cols);
        QCOMPARE(p->payloadBits(), bpw->totalBits);
        QVERIFY(p->byteSize() * 8 >= bpw->totalBits);
        // row dequant from the packed form == whole-matrix reference
        std::vector<float> ref(x.size()), row(static_cast<std::size_t>(cols));
        dequantizeRef(*q, ref.data());
        for (std::int64_t r = 0; r < rows; ++r) {
            QVERIFY(dequantizeRow(*p, r, row.data()).ok());
            QCOMPARE(std::memcmp(row.data(), ref.data() + r * cols, row.size() * 4), 0);
        }
        QCOMPARE(p->fp6Planes, spec->format.codeBits == 6);
    }

    void alignedSizesAreExact()
    {
        // cols·bits a multiple of 32 and byte-wide parameters: no padding at all
        for (const char *n : {"int4", "fp4-asym", "mxfp4", "nvfp4", "fp6-e3m2", "int8-asym"}) {
            auto spec = makeFormatSpec(n, 32, ScaleStorage::Fp16);
            std::vector<float> x(4 * 128, 0.25f);
            auto p = packTensor(*quantizeRef(*spec, x.data(), 4, 128));
            auto bpw = bitsPerWeight(*spec, 4, 128);
            QCOMPARE(p->byteSize() * 8, bpw->totalBits);
        }
    }

    void malformed()
    {
        auto spec = makeFormatSpec("int4", 32);
        std::vector<float> x(64, 1.0f);
        auto q = quantizeRef(*spec, x.data(), 1, 64);
        auto p = packTensor(*q);
        PackedTensor bad = *p;
        bad.codeWords.pop_back();
        QCOMPARE(unpackTensor(bad).error().code, ErrorCode::Malformed);
        bad = *p;
        bad.codeWords[0] |= 0xFu; // code 15 is not an int4 code (0..14)
        QCOMPARE(unpackTensor(bad).error().code, ErrorCode::Malformed);
        QCOMPARE(dequantizeRow(bad, 0, x.data()).error().code, ErrorCode::Malformed);
        bad = *p;
        bad.scaleBytes.push_back(0);
        QCOMPARE(unpackTensor(bad).error().code, ErrorCode::Malformed);
        QCOMPARE(dequantizeRow(*p, 1, x.data()).error().code, ErrorCode::InvalidArgument);
        auto mix = makeFormatSpec("mix:int4|fp4|nf4", 32);
        auto pm = packTensor(*quantizeRef(*mix, x.data(), 1, 64));
        pm->selectorWords[0] |= 0x3u; // selector 3 of 3 members
        QCOMPARE(unpackTensor(*pm).error().code, ErrorCode::Malformed);
        QCOMPARE(dequantizeRow(*pm, 0, x.data()).error().code, ErrorCode::Malformed);
    }
};

QTEST_APPLESS_MAIN(TestFmtPacking)
#include "tst_fmt_packing.moc"
