// SPDX-License-Identifier: GPL-3.0-or-later
// llama2.c tokenizer.bin: tok512.bin read whole, synthetic files round-tripped, malformed files.
#include "core/io/tokenizer_bin.h"

#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <utility>
#include <vector>

using namespace lowbit;

Q_DECLARE_METATYPE(lowbit::ErrorCode)

namespace {

void appendI32(QByteArray &a, std::int32_t v) { a.append(reinterpret_cast<const char *>(&v), 4); }
void appendF32(QByteArray &a, float v) { a.append(reinterpret_cast<const char *>(&v), 4); }

/// A tokenizer.bin with the given max length and (piece, score) records.
QByteArray tokenizerFile(std::int32_t maxLen, const std::vector<std::pair<QByteArray, float>> &tokens)
{
    QByteArray a;
    appendI32(a, maxLen);
    for (const auto &[piece, score] : tokens) {
        appendF32(a, score);
        appendI32(a, static_cast<std::int32_t>(piece.size()));
        a.append(piece);
    }
    return a;
}

std::span<const std::byte> bytes(const QByteArray &a)
{
    return {reinterpret_cast<const std::byte *>(a.constData()), static_cast<std::size_t>(a.size())};
}

} // namespace

class TestTokenizerBin : public QObject {
    Q_OBJECT
private slots:
    void readsTok512_data()
    {
        QTest::addColumn<qlonglong>("vocab");
        QTest::newRow("vocab from the model") << 512LL;
        QTest::newRow("to the end of the file") << -1LL;
    }

    void readsTok512()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/tok512.bin");
        QFETCH(qlonglong, vocab);
        auto t = readTokenizerBin(lowbit::test::sharedPath("models/stories260K/tok512.bin"), vocab);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        QCOMPARE(t->pieces.size(), std::size_t(512));
        QCOMPARE(t->scores.size(), std::size_t(512));
        QCOMPARE(t->maxTokenLength, 7);
        QCOMPARE(t->pieces[0], std::string("<unk>"));
        // llama2.c's export writes BOS/EOS with surrounding newlines
        QCOMPARE(t->pieces[1], std::string("\n<s>\n"));
        QCOMPARE(t->pieces[2], std::string("\n</s>\n"));
        // the 256 byte-fallback pieces follow, <0x00> .. <0xFF>
        for (int b : {0x00, 0x0A, 0x41, 0x7F, 0xFF}) {
            char want[8];
            std::snprintf(want, sizeof want, "<0x%02X>", b);
            QCOMPARE(t->pieces[static_cast<std::size_t>(3 + b)], std::string(want));
        }
        QCOMPARE(t->pieces[300], std::string(" ha"));
        QCOMPARE(t->scores[300], -41.0f);
        for (const std::string &p : t->pieces)
            QVERIFY(p.size() <= 7);
    }

    void syntheticRoundTrip()
    {
        const std::vector<std::pair<QByteArray, float>> toks = {
            {"<unk>", 0.0f}, {"", -1.5f}, {QByteArray("a\0b", 3), 2.25f}, {"\xe2\x96\x81the", -7.0f}};
        const QByteArray file = tokenizerFile(8, toks);
        auto t = parseTokenizerBin(bytes(file), 4, "t.bin");
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        QCOMPARE(t->maxTokenLength, 8);
        QCOMPARE(t->pieces.size(), toks.size());
        for (std::size_t i = 0; i < toks.size(); ++i) {
            QCOMPARE(QByteArray::fromStdString(t->pieces[i]), toks[i].first);
            QCOMPARE(t->scores[i], toks[i].second);
        }
        // reading to the end gives the same; a smaller vocab leaves trailing bytes
        auto all = parseTokenizerBin(bytes(file), -1, "t.bin");
        QVERIFY(all.ok());
        QCOMPARE(all->pieces, t->pieces);
        auto fewer = parseTokenizerBin(bytes(file), 3, "t.bin");
        QVERIFY(!fewer.ok());
        QCOMPARE(fewer.error().code, ErrorCode::Malformed);
        QVERIFY(fewer.error().detail.find("trailing") != std::string::npos);
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<qlonglong>("vocab");
        QTest::addColumn<lowbit::ErrorCode>("code");
        QTest::addColumn<QString>("needle");
        const QByteArray good = tokenizerFile(4, {{"ab", 1.0f}, {"cde", 2.0f}});
        QTest::newRow("empty") << QByteArray() << -1LL << ErrorCode::Truncated << QStringLiteral("header");
        QTest::newRow("short header") << good.left(3) << -1LL << ErrorCode::Truncated << QStringLiteral("header");
        QTest::newRow("zero max length") << tokenizerFile(0, {}) << -1LL << ErrorCode::Malformed << QStringLiteral("max_token_length");
        QTest::newRow("negative max length") << tokenizerFile(-3, {}) << -1LL << ErrorCode::Malformed << QStringLiteral("max_token_length");
        QTest::newRow("inside a record") << good.left(4 + 6) << -1LL << ErrorCode::Truncated << QStringLiteral("token 0");
        QTest::newRow("inside the bytes") << good.left(good.size() - 1) << -1LL << ErrorCode::Truncated << QStringLiteral("token 1");
        QTest::newRow("fewer tokens than the vocab") << good << 3LL << ErrorCode::Truncated << QStringLiteral("token 2");
        QTest::newRow("token longer than max") << tokenizerFile(2, {{"abc", 0.0f}}) << -1LL << ErrorCode::Malformed << QStringLiteral("length 3");
        QByteArray negative;
        appendI32(negative, 4);
        appendF32(negative, 0.0f);
        appendI32(negative, -1);
        QTest::newRow("negative length") << negative << -1LL << ErrorCode::Malformed << QStringLiteral("length -1");
        QByteArray huge;
        appendI32(huge, 1 << 16);
        appendF32(huge, 0.0f);
        appendI32(huge, 1 << 16);
        QTest::newRow("length past the end") << huge << -1LL << ErrorCode::Truncated << QStringLiteral("token 0");
        QTest::newRow("trailing bytes") << good + "xy" << 2LL << ErrorCode::Malformed << QStringLiteral("2 trailing bytes");
    }

    void malformed()
    {
        QFETCH(QByteArray, file);
        QFETCH(qlonglong, vocab);
        QFETCH(lowbit::ErrorCode, code);
        QFETCH(QString, needle);
        auto t = parseTokenizerBin(bytes(file), vocab, "tok.bin");
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, code);
        QVERIFY2(t.error().detail.find("tok.bin") != std::string::npos, t.error().detail.c_str());
        QVERIFY2(t.error().detail.find(needle.toStdString()) != std::string::npos, t.error().detail.c_str());
    }

    void missingFile()
    {
        QTemporaryDir dir;
        auto t = readTokenizerBin(dir.path().toStdString() + "/nope.bin");
        QVERIFY(!t.ok());
        QVERIFY(t.error().detail.find("nope.bin") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestTokenizerBin)
#include "tst_tokenizer_bin.moc"
