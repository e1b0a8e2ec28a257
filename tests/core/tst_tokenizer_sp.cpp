// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/text_corpus.h"
#include "core/infer/tokenizer_sp.h"
#include "core/util/mapped_file.h"

#include "test_support.h"

#include <QTest>

using namespace lowbit;

class TestTokenizerSp : public QObject {
    Q_OBJECT
    std::unique_ptr<Tokenizer> m_tok;
    std::vector<std::string> m_docs;

private slots:
    void initTestCase()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/tok512.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        auto t = loadTokenizer(lowbit::test::sharedPath("models/stories260K/stories260K.bin"), 512);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        m_tok = std::move(*t);
        auto text = readTextFile(lowbit::test::sharedPath("data/tinystories_valid_first1000.txt"));
        QVERIFY(text.ok());
        m_docs = splitDocuments(*text);
    }
    void referenceProtocolTokenCounts()
    {
        QCOMPARE(m_docs.size(), std::size_t(1000));
        const auto toks = tokenizeDocuments(*m_tok, m_docs, 512);
        std::size_t all = 0, first100 = 0;
        for (std::size_t i = 0; i < toks.size(); ++i) {
            QCOMPARE(toks[i].front(), 1); // BOS
            all += toks[i].size() - 1;
            if (i < 100)
                first100 += toks[i].size() - 1;
        }
        QCOMPARE(all, std::size_t(369992));
        QCOMPARE(first100, std::size_t(32997));
    }
    void fastMergeEqualsNaive()
    {
        const auto &sp = dynamic_cast<const SentencePieceTokenizer &>(*m_tok);
        for (const auto &d : m_docs)
            QCOMPARE(sp.encode(d, true), sp.encodeNaive(d, true));
        for (const char *s : {"", " ", "a", "  double  spaces  ", "Ünïcödé 日本 ✓", "\n\n\t"})
            QCOMPARE(sp.encode(s, false), sp.encodeNaive(s, false));
    }
    void roundTrips()
    {
        for (const auto &d : m_docs) {
            const auto t = m_tok->encode(d, true);
            QCOMPARE(m_tok->decode(t), d);
        }
    }
    void byteFallback()
    {
        const std::string s = "Lily saw 日本.";
        const auto t = m_tok->encode(s, false);
        int fallback = 0;
        for (auto id : t)
            fallback += id >= 3 && id < 3 + 256;
        QVERIFY(fallback >= 6); // the two 3-byte characters at least
        QCOMPARE(m_tok->decode(t), " " + s); // no BOS: the dummy-prefix space stays
    }
    void splitting()
    {
        const auto d = splitDocuments("  a b \n<|endoftext|>\n\n<|endoftext|>c<|endoftext|>");
        QCOMPARE(d.size(), std::size_t(2));
        QCOMPARE(d[0], std::string("a b"));
        QCOMPARE(d[1], std::string("c"));
    }
};

QTEST_APPLESS_MAIN(TestTokenizerSp)
#include "tst_tokenizer_sp.moc"
