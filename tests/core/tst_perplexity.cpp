// SPDX-License-Identifier: GPL-3.0-or-later
// Perplexity of stories260K on the reference protocol (README of ../shared): 4.542 over
// 369,992 tokens for 1000 stories, 3.579 over 32,997 for the first 100.
#include "core/eval/perplexity.h"
#include "core/util/mapped_file.h"

#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace lowbit;

class TestPerplexity : public QObject {
    Q_OBJECT
    std::unique_ptr<CpuModel> m_engine;
    std::unique_ptr<Tokenizer> m_tok;
    std::string m_text;

private slots:
    void initTestCase()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        auto m = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(m.ok());
        auto e = CpuModel::load(*m);
        auto t = loadTokenizer(m->path(), m->config().vocabSize);
        auto text = readTextFile(lowbit::test::sharedPath("data/tinystories_valid_first1000.txt"));
        QVERIFY(e.ok() && t.ok() && text.ok());
        m_engine = std::move(*e);
        m_tok = std::move(*t);
        m_text = std::move(*text);
    }
    void first100Stories()
    {
        EvalOptions o;
        o.maxDocuments = 100;
        auto r = evaluatePerplexity(*m_engine, *m_tok, m_text, o);
        QVERIFY(r.ok());
        QCOMPARE(r->tokens, std::uint64_t(32997));
        QVERIFY2(std::fabs(r->perplexity - 3.579) < 0.001, qPrintable(QString::number(r->perplexity, 'f', 5)));
    }
    void all1000Stories()
    {
        auto r = evaluatePerplexity(*m_engine, *m_tok, m_text);
        QVERIFY(r.ok());
        qInfo("ppl %.5f, mean NLL %.6f over %llu tokens in %.1f s", r->perplexity, r->meanNll, static_cast<unsigned long long>(r->tokens), r->seconds);
        QCOMPARE(r->tokens, std::uint64_t(369992));
        QVERIFY(std::fabs(r->perplexity - 4.542) <= 0.002);
        QVERIFY(std::fabs(r->meanNll - 1.5135) <= 0.0005);
    }
    void chunkedMode()
    {
        EvalOptions o;
        o.chunked = true;
        o.contextLength = 256;
        o.maxDocuments = 20; // chunks
        auto r = evaluatePerplexity(*m_engine, *m_tok, m_text, o);
        QVERIFY(r.ok());
        QCOMPARE(r->tokens, std::uint64_t(20 * 127)); // second half of each chunk: positions 128..254 predict 129..255
        QVERIFY(r->perplexity > 2.0 && r->perplexity < 8.0);
    }
    void modelAgainstItself()
    {
        EvalOptions o;
        o.maxDocuments = 10;
        auto r = compareModels(*m_engine, *m_engine, *m_tok, m_text, o);
        QVERIFY(r.ok());
        QVERIFY(std::fabs(r->klDivergence) < 1e-9);
        QCOMPARE(r->top1Agreement, 1.0);
        QCOMPARE(r->deltaNll, 0.0);
    }
    void cancellationAndEmptyText()
    {
        std::stop_source s;
        s.request_stop();
        QCOMPARE(evaluatePerplexity(*m_engine, *m_tok, m_text, {}, {}, s.get_token()).error().code, ErrorCode::Cancelled);
        QCOMPARE(evaluatePerplexity(*m_engine, *m_tok, "  \n<|endoftext|>\n ").error().code, ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(TestPerplexity)
#include "tst_perplexity.moc"
