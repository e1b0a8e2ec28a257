// SPDX-License-Identifier: GPL-3.0-or-later
// Dense LSB-first bit-streams and the FP6 4+2 bit planes (datatypes.md §4).

#include "core/quant/bitstream.h"
#include "core/quant/packing_fp6.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

using namespace lowbit;

namespace {

/// Independent oracle: bit b of the stream, from the definition (bit i·k + j = bit j of code i).
std::vector<std::uint32_t> packOracle(const std::vector<std::uint16_t> &codes, unsigned bits)
{
    std::vector<std::uint32_t> words(static_cast<std::size_t>(bitstreamWords(static_cast<std::int64_t>(codes.size()), bits)), 0u);
    for (std::size_t i = 0; i < codes.size(); ++i)
        for (unsigned j = 0; j < bits; ++j)
            if ((codes[i] >> j) & 1u) {
                const std::size_t b = i * bits + j;
                words[b / 32] |= 1u << (b % 32);
            }
    return words;
}

/// Plain E3M2 / E2M3 decoding from the minifloat definition (bias 2^(E−1) − 1, subnormals at e = 0).
float decodeMinifloat(unsigned code, unsigned e, unsigned m)
{
    const bool neg = ((code >> (e + m)) & 1u) != 0;
    const unsigned ex = (code >> m) & ((1u << e) - 1u);
    const unsigned man = code & ((1u << m) - 1u);
    const int bias = (1 << (e - 1)) - 1;
    const double frac = static_cast<double>(man) / static_cast<double>(1u << m);
    const double v = ex == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0 + frac, static_cast<int>(ex) - bias);
    return static_cast<float>(neg ? -v : v);
}

} // namespace

class TestBitstream : public QObject {
    Q_OBJECT
private slots:
    void wordCount()
    {
        QCOMPARE(bitstreamWords(0, 4), std::int64_t{0});
        QCOMPARE(bitstreamWords(1, 1), std::int64_t{1});
        QCOMPARE(bitstreamWords(32, 1), std::int64_t{1});
        QCOMPARE(bitstreamWords(33, 1), std::int64_t{2});
        QCOMPARE(bitstreamWords(8, 4), std::int64_t{1});
        QCOMPARE(bitstreamWords(11, 3), std::int64_t{2}); // 33 bits
        QCOMPARE(bitstreamWords(4096, 3), std::int64_t{384});
    }

    void bijection_data()
    {
        QTest::addColumn<unsigned>("bits");
        QTest::addColumn<int>("count");
        const int counts[] = {0, 1, 7, 31, 32, 33, 63, 65, 127, 1000, 4099};
        for (unsigned b = 1; b <= kMaxStreamCodeBits; ++b)
            for (int n : counts)
                QTest::addRow("k%u_n%d", b, n) << b << n;
    }
    void bijection()
    {
        QFETCH(unsigned, bits);
        QFETCH(int, count);
        std::mt19937 rng(bits * 7919u + static_cast<unsigned>(count));
        std::vector<std::uint16_t> codes(static_cast<std::size_t>(count));
        for (auto &c : codes)
            c = static_cast<std::uint16_t>(rng() & ((1u << bits) - 1u));
        if (count > 2) { // the extremes are always present
            codes[0] = static_cast<std::uint16_t>((1u << bits) - 1u);
            codes[1] = 0;
        }
        std::vector<std::uint32_t> words(static_cast<std::size_t>(bitstreamWords(count, bits)), 0xDEADBEEFu);
        QVERIFY(packBits(codes, bits, words).ok());
        QCOMPARE(words, packOracle(codes, bits)); // layout: LSB first, padding zero
        std::vector<std::uint16_t> back(codes.size(), 0xFFFF);
        QVERIFY(unpackBits(words, bits, back).ok());
        QCOMPARE(back, codes);
        for (std::size_t i = 0; i < codes.size(); ++i)
            QCOMPARE(readBits(words.data(), static_cast<std::int64_t>(i), bits), static_cast<std::uint32_t>(codes[i]));
        if (bits <= 8) {
            std::vector<std::uint8_t> narrow(codes.begin(), codes.end());
            std::vector<std::uint32_t> w8(words.size(), 0x12345678u);
            QVERIFY(packBits(narrow, bits, w8).ok());
            QCOMPARE(w8, words);
            std::vector<std::uint8_t> back8(codes.size(), 0xFF);
            QVERIFY(unpackBits(words, bits, back8).ok());
            QCOMPARE(back8, narrow);
        }
    }

    void everyStreamIsACodeSequence()
    {
        // the other direction of the bijection: any word content with zero padding unpacks and repacks to itself
        std::mt19937 rng(5);
        for (unsigned bits = 1; bits <= kMaxStreamCodeBits; ++bits) {
            const int count = 37;
            std::vector<std::uint32_t> words(static_cast<std::size_t>(bitstreamWords(count, bits)));
            for (auto &w : words)
                w = static_cast<std::uint32_t>(rng());
            const unsigned used = static_cast<unsigned>(count) * bits % 32;
            if (used != 0)
                words.back() &= (1u << used) - 1u;
            std::vector<std::uint16_t> codes(count);
            QVERIFY(unpackBits(words, bits, codes).ok());
            std::vector<std::uint32_t> again(words.size());
            QVERIFY(packBits(codes, bits, again).ok());
            QCOMPARE(again, words);
        }
    }

    void knownLayout()
    {
        // 3-bit codes 1..11: code i at bits 3i..3i+2; code 10 straddles words 0 and 1
        std::vector<std::uint8_t> codes{1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 7};
        std::vector<std::uint32_t> words(2);
        QVERIFY(packBits(codes, 3, words).ok());
        std::uint64_t expect = 0;
        for (std::size_t i = 0; i < codes.size(); ++i)
            expect |= static_cast<std::uint64_t>(codes[i]) << (3 * i);
        QCOMPARE(words[0], static_cast<std::uint32_t>(expect));
        QCOMPARE(words[1], static_cast<std::uint32_t>(expect >> 32));
        QCOMPARE(words[1], 1u); // the top bit of the last code
        QCOMPARE(words[0] >> 30, 3u);
    }

    void badInput()
    {
        std::vector<std::uint8_t> codes{1, 2, 9};
        std::vector<std::uint32_t> words(1);
        auto s = packBits(codes, 3, words);
        QVERIFY(!s.ok());
        QVERIFY(s.error().detail.find("index 2") != std::string::npos);
        QVERIFY(!packBits(codes, 0, words).ok());
        QVERIFY(!packBits(std::span<const std::uint16_t>(), 17, std::span<std::uint32_t>()).ok());
        std::vector<std::uint32_t> tooMany(2);
        QVERIFY(!packBits(codes, 4, tooMany).ok());
        std::vector<std::uint8_t> out(3);
        QVERIFY(!unpackBits(tooMany, 4, out).ok());
        QVERIFY(!unpackBits(words, 9, out).ok()); // 9-bit codes do not fit uint8
    }

    void fp6PlanesRoundTrip_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::newRow("1x1") << 1 << 1;
        QTest::newRow("3x15") << 3 << 15;
        QTest::newRow("2x16") << 2 << 16;
        QTest::newRow("4x17") << 4 << 17;
        QTest::newRow("5x100") << 5 << 100;
        QTest::newRow("0x8") << 0 << 8;
    }
    void fp6PlanesRoundTrip()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        std::mt19937 rng(static_cast<unsigned>(rows * 1000 + cols));
        std::vector<std::uint8_t> codes(static_cast<std::size_t>(rows * cols));
        for (auto &c : codes)
            c = static_cast<std::uint8_t>(rng() & 63u);
        auto planes = packFp6Planes(codes, rows, cols);
        QVERIFY(planes.ok());
        QCOMPARE(static_cast<std::int64_t>(planes->lo4.size()), rows * bitstreamWords(cols, 4));
        QCOMPARE(static_cast<std::int64_t>(planes->hi2.size()), rows * bitstreamWords(cols, 2));
        // each plane is itself a dense stream whose rows start on word boundaries
        for (int r = 0; r < rows; ++r)
            for (int c = 0; c < cols; ++c) {
                const unsigned code = codes[static_cast<std::size_t>(r * cols + c)];
                QCOMPARE(readBits(planes->lo4.data() + r * bitstreamWords(cols, 4), c, 4), code & 0xFu);
                QCOMPARE(readBits(planes->hi2.data() + r * bitstreamWords(cols, 2), c, 2), code >> 4);
            }
        auto back = unpackFp6Planes(*planes);
        QVERIFY(back.ok());
        QCOMPARE(*back, codes);
    }

    void fp6PlanesBadInput()
    {
        std::vector<std::uint8_t> codes{1, 64};
        QVERIFY(!packFp6Planes(codes, 1, 2).ok());
        QVERIFY(!packFp6Planes(codes, 1, 3).ok());
        QVERIFY(!packFp6Planes(codes, -1, -2).ok());
        Fp6Planes p;
        p.rows = 2;
        p.cols = 9;
        p.lo4.resize(3);
        p.hi2.resize(2);
        QVERIFY(!unpackFp6Planes(p).ok());
    }

    void fp6Fp16TrickEqualsMinifloatDecoding_data()
    {
        QTest::addColumn<unsigned>("e");
        QTest::addColumn<float>("scale");
        QTest::newRow("e3m2 s1") << 3u << 1.0f;
        QTest::newRow("e3m2 s0.0123") << 3u << 0.0123f;
        QTest::newRow("e3m2 s-denormal") << 3u << 1e-40f;
        QTest::newRow("e2m3 s1") << 2u << 1.0f;
        QTest::newRow("e2m3 s3.7") << 2u << 3.7f;
    }
    void fp6Fp16TrickEqualsMinifloatDecoding()
    {
        QFETCH(unsigned, e);
        QFETCH(float, scale);
        for (unsigned code = 0; code < 64; ++code) {
            const float plain = decodeMinifloat(code, e, 5 - e);
            QCOMPARE(std::bit_cast<std::uint32_t>(fp6ViaFp16(static_cast<std::uint8_t>(code), e)), std::bit_cast<std::uint32_t>(plain));
            const float want = plain * scale;
            QCOMPARE(std::bit_cast<std::uint32_t>(fp6Dequant(static_cast<std::uint8_t>(code), e, scale)),
                     std::bit_cast<std::uint32_t>(want));
        }
        QCOMPARE(fp6ViaFp16(0x1F, 3), 28.0f); // E3M2 max
        QCOMPARE(fp6ViaFp16(0x3F, 3), -28.0f);
        QCOMPARE(fp6ViaFp16(0x1F, 2), 7.5f); // E2M3 max
        QCOMPARE(fp6ViaFp16(0x01, 3), 0.0625f); // smallest E3M2 subnormal 2^-2 · 1/4
    }
};

QTEST_APPLESS_MAIN(TestBitstream)
#include "tst_bitstream.moc"
