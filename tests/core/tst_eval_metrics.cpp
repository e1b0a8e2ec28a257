// SPDX-License-Identifier: GPL-3.0-or-later
// Perplexity, chunked scoring and model-vs-model comparison (KL, top-1, ΔNLL) on random models,
// against the same quantities computed here from the fp64 reference forward's logits.
#include "core/eval/perplexity.h"

#include "byte_tokenizer.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <string>

using namespace lowbit;

namespace {

constexpr std::int64_t kVocab = 40;

/// log softmax of one row in double.
std::vector<double> logSoftmax(const double *row)
{
    double mx = -INFINITY, sum = 0;
    for (std::int64_t i = 0; i < kVocab; ++i)
        mx = std::max(mx, row[i]);
    for (std::int64_t i = 0; i < kVocab; ++i)
        sum += std::exp(row[i] - mx);
    std::vector<double> out(static_cast<std::size_t>(kVocab));
    for (std::int64_t i = 0; i < kVocab; ++i)
        out[std::size_t(i)] = row[i] - mx - std::log(sum);
    return out;
}

const char *const kText = "the cat sat<|endoftext|>  on the mat, said the dog\n<|endoftext|>a third, longer document that gets truncated";

} // namespace

class TestEvalMetrics : public QObject {
    Q_OBJECT
private slots:
    void nllIsStableForLargeLogits_data()
    {
        QTest::addColumn<float>("offset");
        QTest::newRow("0") << 0.0f;
        QTest::newRow("+1e4") << 1e4f;
        QTest::newRow("-1e4") << -1e4f;
    }
    void nllIsStableForLargeLogits()
    {
        QFETCH(float, offset);
        const float logits[3] = {offset + 1.0f, offset + 2.0f, offset + 3.0f};
        const double expect = std::log(std::exp(-2.0) + std::exp(-1.0) + 1.0) + 2.0; // −log p(token 0)
        QVERIFY(std::fabs(negativeLogLikelihood(logits, 3, 0) - expect) < 1e-3);
    }
    void documentPerplexityMatchesReference_data()
    {
        QTest::addColumn<int>("context");
        QTest::addColumn<int>("maxDocs");
        QTest::newRow("context 20, all documents") << 20 << 0;
        QTest::newRow("context 8, first two documents") << 8 << 2;
    }
    void documentPerplexityMatchesReference()
    {
        QFETCH(int, context);
        QFETCH(int, maxDocs);
        const Model model = test::makeRandomModel(32, 48, 2, 4, 2, kVocab, RopeLayout::HalfSplit, true, 21);
        auto e = CpuModel::load(model);
        QVERIFY(e.ok());
        const test::ByteTokenizer tok(kVocab);
        EvalOptions o;
        o.contextLength = context;
        o.maxDocuments = maxDocs;
        auto r = evaluatePerplexity(**e, tok, kText, o);
        QVERIFY(r.ok());
        // by hand: split, strip, BOS, truncate, score every next token in the document
        const std::vector<std::string> docs = {"the cat sat", "on the mat, said the dog", "a third, longer document that gets truncated"};
        double nll = 0;
        std::uint64_t n = 0;
        const std::size_t used = maxDocs ? std::size_t(maxDocs) : docs.size();
        for (std::size_t d = 0; d < used; ++d) {
            auto ids = tok.encode(docs[d], true);
            ids.resize(std::min(ids.size(), std::size_t(context)));
            const auto logits = test::referenceForward(model, ids);
            for (std::size_t t = 0; t + 1 < ids.size(); ++t, ++n)
                nll -= logSoftmax(logits.data() + t * kVocab)[std::size_t(ids[t + 1])];
        }
        QCOMPARE(r->tokens, n);
        QCOMPARE(r->sequences, std::int64_t(used));
        QVERIFY2(std::fabs(r->meanNll - nll / double(n)) < 1e-5, qPrintable(QString::number(r->meanNll - nll / double(n))));
        QVERIFY(std::fabs(r->perplexity - std::exp(nll / double(n))) < 1e-4 * r->perplexity);
    }
    void threadCountDoesNotChangeTheResult()
    {
        // two threads run documents on forks of the engine; the sums are taken in document
        // order, so 1 and 2 threads give the very same numbers
        const Model model = test::makeRandomModel(32, 48, 2, 4, 2, kVocab, RopeLayout::HalfSplit, true, 23);
        EngineOptions one, two, fly;
        one.threads = 1;
        two.threads = 2;
        fly.threads = 2;
        fly.weights = WeightMode::OnTheFly;
        auto e1 = CpuModel::load(model, one), e2 = CpuModel::load(model, two), ef = CpuModel::load(model, fly);
        QVERIFY(e1.ok() && e2.ok() && ef.ok());
        QCOMPARE((*e1)->concurrentSequences(), 1u);
        QCOMPARE((*e2)->concurrentSequences(), 2u);
        QCOMPARE((*ef)->concurrentSequences(), 1u);
        QVERIFY(!(*ef)->fork()); // on-the-fly conversion buffers are per engine
        auto f = (*e2)->fork();
        QVERIFY(f);
        QCOMPARE(f->position(), std::int64_t(0));
        QCOMPARE(f->maxContext(), (*e2)->maxContext());
        const test::ByteTokenizer tok(kVocab);
        std::string text;
        for (int d = 0; d < 9; ++d)
            text += "document number " + std::to_string(d * 7919) + "<|endoftext|>";
        std::vector<std::int64_t> seen;
        auto r1 = evaluatePerplexity(**e1, tok, text);
        auto r2 = evaluatePerplexity(**e2, tok, text, {}, [&](std::int64_t done, std::int64_t total) {
            QCOMPARE(total, std::int64_t(9));
            seen.push_back(done);
        });
        QVERIFY(r1.ok() && r2.ok());
        QCOMPARE(r2->tokens, r1->tokens);
        QCOMPARE(r2->sequences, std::int64_t(9));
        QCOMPARE(seen, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9})); // serialized, counting up
        QVERIFY(std::fabs(r2->meanNll - r1->meanNll) < 1e-6);
        auto again = evaluatePerplexity(**e2, tok, text);
        QVERIFY(again.ok());
        QCOMPARE(again->meanNll, r2->meanNll);
        // the forks leave the engine itself untouched
        QCOMPARE((*e2)->position(), std::int64_t(0));
        std::stop_source stop;
        stop.request_stop();
        QCOMPARE(evaluatePerplexity(**e2, tok, text, {}, {}, stop.get_token()).error().code, ErrorCode::Cancelled);
    }
    void chunkedModeScoresTheSecondHalf()
    {
        const Model model = test::makeRandomModel(32, 48, 1, 4, 4, kVocab, RopeLayout::HalfSplit, true, 22);
        auto e = CpuModel::load(model);
        QVERIFY(e.ok());
        const test::ByteTokenizer tok(kVocab);
        EvalOptions o;
        o.chunked = true;
        o.contextLength = 10;
        const std::string text = "0123456789abcdefghijklmnopqrstuvwxyz"; // BOS + 36 tokens: 3 full chunks, 7 dropped
        auto r = evaluatePerplexity(**e, tok, text, o);
        QVERIFY(r.ok());
        QCOMPARE(r->sequences, std::int64_t(3));
        QCOMPARE(r->tokens, std::uint64_t(3 * 4)); // rows 5..8 predict tokens 6..9 of each chunk
        const auto all = tok.encode(text, true);
        double nll = 0;
        for (std::size_t c = 0; c < 3; ++c) {
            std::vector<std::int32_t> chunk(all.begin() + std::ptrdiff_t(c * 10), all.begin() + std::ptrdiff_t(c * 10 + 10));
            chunk[0] = tok.bosId();
            const auto logits = test::referenceForward(model, chunk);
            for (std::size_t t = 5; t + 1 < 10; ++t)
                nll -= logSoftmax(logits.data() + t * kVocab)[std::size_t(chunk[t + 1])];
        }
        QVERIFY(std::fabs(r->meanNll - nll / 12.0) < 1e-5);
        o.contextLength = 64;
        QCOMPARE(evaluatePerplexity(**e, tok, text, o).error().code, ErrorCode::InvalidArgument); // shorter than one chunk
    }
    void compareMatchesReference()
    {
        const Model a = test::makeRandomModel(32, 48, 2, 4, 2, kVocab, RopeLayout::HalfSplit, true, 31);
        const Model b = test::makeRandomModel(32, 48, 2, 4, 2, kVocab, RopeLayout::Interleaved, false, 32);
        auto ea = CpuModel::load(a);
        auto eb = CpuModel::load(b);
        QVERIFY(ea.ok() && eb.ok());
        const test::ByteTokenizer tok(kVocab);
        EvalOptions o;
        o.contextLength = 16;
        auto r = compareModels(**ea, **eb, tok, kText, o);
        QVERIFY(r.ok());
        double kl = 0, na = 0, nb = 0;
        std::uint64_t agree = 0, n = 0;
        for (const char *doc : {"the cat sat", "on the mat, said the dog", "a third, longer document that gets truncated"}) {
            auto ids = tok.encode(doc, true);
            ids.resize(std::min(ids.size(), std::size_t(16)));
            const auto la = test::referenceForward(a, ids), lb = test::referenceForward(b, ids);
            for (std::size_t t = 0; t + 1 < ids.size(); ++t, ++n) {
                const auto pa = logSoftmax(la.data() + t * kVocab), pb = logSoftmax(lb.data() + t * kVocab);
                for (std::size_t i = 0; i < pa.size(); ++i)
                    kl += std::exp(pa[i]) * (pa[i] - pb[i]);
                agree += std::max_element(pa.begin(), pa.end()) - pa.begin() == std::max_element(pb.begin(), pb.end()) - pb.begin();
                na -= pa[std::size_t(ids[t + 1])];
                nb -= pb[std::size_t(ids[t + 1])];
            }
        }
        QCOMPARE(r->tokens, n);
        QVERIFY(kl / double(n) > 0.01); // different models: a KL well above rounding
        QVERIFY2(std::fabs(r->klDivergence - kl / double(n)) < 1e-5, qPrintable(QString::number(r->klDivergence - kl / double(n))));
        QCOMPARE(r->top1Agreement, double(agree) / double(n));
        QVERIFY(std::fabs(r->referenceNll - na / double(n)) < 1e-5);
        QVERIFY(std::fabs(r->candidateNll - nb / double(n)) < 1e-5);
        QVERIFY(std::fabs(r->deltaNll - (nb - na) / double(n)) < 1e-5);
        // progress is reported per document and cancellation is honoured
        std::vector<std::int64_t> seen;
        QVERIFY(compareModels(**ea, **eb, tok, kText, o, [&](std::int64_t done, std::int64_t total) {
                    QCOMPARE(total, std::int64_t(3));
                    seen.push_back(done);
                }).ok());
        QCOMPARE(seen, (std::vector<std::int64_t>{1, 2, 3}));
        std::stop_source stop;
        stop.request_stop();
        QCOMPARE(compareModels(**ea, **eb, tok, kText, o, {}, stop.get_token()).error().code, ErrorCode::Cancelled);
        // different vocabularies are refused
        const Model c = test::makeRandomModel(32, 48, 1, 4, 2, kVocab + 1, RopeLayout::HalfSplit, true, 33);
        auto ec = CpuModel::load(c);
        QVERIFY(ec.ok());
        QCOMPARE(compareModels(**ea, **ec, tok, kText, o).error().code, ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(TestEvalMetrics)
#include "tst_eval_metrics.moc"
