// SPDX-License-Identifier: GPL-3.0-or-later
// Hugging Face tokenizer.json BPE, both flavours, on small hand-written fixtures.
#include "core/infer/tokenizer_bpe.h"

#include "bpe_fixtures.h"

#include <QTest>

using namespace lowbit;

namespace {
using Ids = std::vector<std::int32_t>;

} // namespace

class TestTokenizerBpe : public QObject {
    Q_OBJECT
private slots:
    void byteLevel()
    {
        auto t = BpeTokenizer::fromJson(kByteLevel, "gpt2.json");
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        QVERIFY((*t)->byteLevel());
        // "hello" merges fully; " world": Ġ w → Ġw, o r → or, Ġw or → Ġwor, then Ġwor + l? no merge: l, d
        QCOMPARE((*t)->encode("hello world", false), (Ids{12, 15, 3, 8}));
        QCOMPARE((*t)->encode("he's", false), (Ids{9, 19}));         // contraction split off
        QCOMPARE((*t)->encode("hello<|endoftext|>", false), (Ids{12, 0})); // special token matched verbatim
        QCOMPARE((*t)->encode("12!", false), (Ids{20, 21, 23}));
        QCOMPARE((*t)->eosId(), 0);
        QCOMPARE((*t)->decode(Ids{12, 15, 3, 8, 0}), std::string("hello world")); // special dropped
        QCOMPARE((*t)->decode((*t)->encode("hello\n", false)), std::string("hello\n"));
    }
    void byteLevelMapIsABijection()
    {
        std::string all;
        for (int b = 0; b < 256; ++b)
            all += static_cast<char>(b);
        QCOMPARE(byteLevelDecode(byteLevelEncode(all)), all);
        QCOMPARE(byteLevelEncode(" "), std::string("\xC4\xA0")); // Ġ
        QCOMPARE(byteLevelEncode("\n"), std::string("\xC4\x8A")); // Ċ
    }
    void sentencePieceStyle()
    {
        auto t = BpeTokenizer::fromJson(kSentencePiece, "llama2.json");
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        QVERIFY(!(*t)->byteLevel());
        QCOMPARE((*t)->bosId(), 1);
        QCOMPARE((*t)->eosId(), 2);
        // "ab a" → "▁ab▁a": ▁a, ab, ▁ab merges → ▁ab ▁a
        QCOMPARE((*t)->encode("ab a", true), (Ids{1, 11, 9}));
        // "日" is not in the vocab: byte fallback E6 97 A5
        QCOMPARE((*t)->encode("c日", false), (Ids{6, 12, 3, 4, 5}));
        QCOMPARE((*t)->decode((*t)->encode("ab a", true)), std::string("ab a"));
        QCOMPARE((*t)->decode((*t)->encode("c日", true)), std::string("c日"));
        QCOMPARE((*t)->encode("x", false), (Ids{6, 0})); // no byte token for 'x': unk
    }
    void malformed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("code");
        QTest::newRow("not json") << QByteArray("{") << int(ErrorCode::Malformed);
        QTest::newRow("no model") << QByteArray("{}") << int(ErrorCode::Malformed);
        QTest::newRow("unigram") << QByteArray(R"({"model":{"type":"Unigram","vocab":[]}})") << int(ErrorCode::Unsupported);
        QTest::newRow("bad merge") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["ab"]}})") << int(ErrorCode::Malformed);
        QTest::newRow("merge not string") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[3]}})") << int(ErrorCode::Malformed);
        QTest::newRow("negative id") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":-1},"merges":[]}})") << int(ErrorCode::Malformed);
        QTest::newRow("huge id") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":99999999999},"merges":[]}})") << int(ErrorCode::Malformed);
        QTest::newRow("added token without id") << QByteArray(R"({"added_tokens":[{"content":"x"}],"model":{"type":"BPE","vocab":{},"merges":[]}})") << int(ErrorCode::Malformed);
    }
    void malformed()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, code);
        auto t = BpeTokenizer::fromJson(json.toStdString(), "bad.json");
        QVERIFY(!t.ok());
        QCOMPARE(int(t.error().code), code);
        QVERIFY(t.error().detail.find("bad.json") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestTokenizerBpe)
#include "tst_tokenizer_bpe.moc"
