// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/text_corpus.h"
#include "core/infer/tokenizer_bpe.h"
#include "core/infer/tokenizer_sp.h"
#include "core/io/gguf_writer.h"
#include "core/util/mapped_file.h"

#include "bpe_fixtures.h"
#include "test_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace lowbit;

namespace {

/// Writes a llama2.c tokenizer.bin: int32 max length, then per token float32 score, int32 length, bytes.
bool writeTokenizerBin(const std::string &path, const std::vector<std::pair<std::string, float>> &tokens)
{
    QByteArray out;
    auto put = [&](const void *p, std::size_t n) { out.append(static_cast<const char *>(p), static_cast<qsizetype>(n)); };
    std::int32_t maxLen = 0;
    for (const auto &[piece, score] : tokens)
        maxLen = std::max(maxLen, static_cast<std::int32_t>(piece.size()));
    put(&maxLen, 4);
    for (const auto &[piece, score] : tokens) {
        const auto len = static_cast<std::int32_t>(piece.size());
        put(&score, 4);
        put(&len, 4);
        put(piece.data(), piece.size());
    }
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::WriteOnly) && f.write(out) == out.size();
}

bool writeText(const std::string &path, const char *text)
{
    QFile f(QString::fromStdString(path));
    return f.open(QIODevice::WriteOnly) && f.write(text) == qint64(std::strlen(text));
}

/// <unk>, <s>, </s>, the 256 byte tokens, then `extra`.
TokenizerBin llamaLikeVocab(const std::vector<std::pair<std::string, float>> &extra)
{
    TokenizerBin v;
    for (const char *s : {"<unk>", "\n<s>\n", "\n</s>\n"}) {
        v.pieces.emplace_back(s);
        v.scores.push_back(0.0f);
    }
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        v.pieces.emplace_back(name);
        v.scores.push_back(0.0f);
    }
    for (const auto &[piece, score] : extra) {
        v.pieces.push_back(piece);
        v.scores.push_back(score);
    }
    return v;
}

} // namespace

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
        QElapsedTimer timer;
        timer.start();
        std::size_t tokens = 0;
        for (const auto &d : m_docs)
            tokens += sp.encode(d, true).size();
        const double fastS = static_cast<double>(timer.nsecsElapsed()) * 1e-9;
        timer.restart();
        for (const auto &d : m_docs)
            QCOMPARE(sp.encode(d, true), sp.encodeNaive(d, true));
        qInfo("1000 stories: %zu tokens, fast encode %.3f s; fast + naive + compare %.3f s", tokens, fastS,
              static_cast<double>(timer.nsecsElapsed()) * 1e-9);
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
    void hfFolderUsesParentTok512()
    {
        // the HF folder has no tokenizer file: ../tok512.bin, with or without a trailing slash
        for (const char *hf : {"models/stories260K/hf", "models/stories260K/hf/"}) {
            auto t = loadTokenizer(lowbit::test::sharedPath(hf), 512);
            QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
            QVERIFY(dynamic_cast<const SentencePieceTokenizer *>(t->get()));
            for (std::size_t i = 0; i < 20; ++i)
                QCOMPARE((*t)->encode(m_docs[i], true), m_tok->encode(m_docs[i], true));
        }
    }
    void searchOrder()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string top = tmp.path().toStdString();
        const std::string sub = top + "/model";
        QVERIFY(QDir().mkpath(QString::fromStdString(sub)));
        const std::string model = sub + "/model.gguf";
        // nothing anywhere: NotFound naming every place searched
        auto none = loadTokenizer(model, 7);
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, ErrorCode::NotFound);
        for (const std::string &p : {sub + "/tokenizer.json", sub + "/tokenizer.bin", sub + "/tok7.bin", top + "/tokenizer.json",
                                     top + "/tokenizer.bin", top + "/tok7.bin"})
            QVERIFY2(none.error().message().find(p) != std::string::npos, none.error().message().c_str());
        auto pieceOf = [](const std::unique_ptr<Tokenizer> &t) { return t->decodeToken(0, 4); };
        const std::vector<std::pair<std::string, float>> base{{"<unk>", 0}, {"<s>", 0}, {"</s>", 0}, {" ", 0}};
        auto with = [&](const char *p, std::size_t count = 5) {
            auto v = base;
            v.emplace_back(p, 0.0f);
            while (v.size() < count)
                v.emplace_back("pad" + std::to_string(v.size()), 0.0f);
            return v;
        };
        // the parent's tok<vocab>.bin
        QVERIFY(writeTokenizerBin(top + "/tok7.bin", with("parent-tok", 7)));
        QVERIFY(writeTokenizerBin(top + "/tok9.bin", with("wrong-vocab", 9)));
        auto t = loadTokenizer(model, 5);
        QVERIFY2(!t.ok(), "tok5.bin does not exist: tok7.bin and tok9.bin belong to other vocabulary sizes");
        t = loadTokenizer(model, 7);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        QCOMPARE(pieceOf(*t), std::string("parent-tok"));
        // the parent's tokenizer.bin before its tok<vocab>.bin
        QVERIFY(writeTokenizerBin(top + "/tokenizer.bin", with("parent-tokenizer")));
        QCOMPARE(pieceOf(*loadTokenizer(model, 5)), std::string("parent-tokenizer"));
        // the model's folder before the parent
        QVERIFY(writeTokenizerBin(sub + "/tok5.bin", with("folder-tok")));
        QCOMPARE(pieceOf(*loadTokenizer(model, 5)), std::string("folder-tok"));
        QVERIFY(writeTokenizerBin(sub + "/tokenizer.bin", with("folder-tokenizer")));
        QCOMPARE(pieceOf(*loadTokenizer(model, 5)), std::string("folder-tokenizer"));
        QCOMPARE(pieceOf(*loadTokenizer(sub, 5)), std::string("folder-tokenizer")); // a folder as the model path
        // tokenizer.json first of all
        QVERIFY(writeText(sub + "/tokenizer.json", kSentencePiece));
        t = loadTokenizer(model, 5);
        QVERIFY(t.ok());
        QVERIFY(dynamic_cast<const BpeTokenizer *>(t->get()));
        // a broken file is an error, not a reason to look further
        QVERIFY(writeText(sub + "/tokenizer.json", "{\"model\": 3"));
        t = loadTokenizer(model, 5);
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, ErrorCode::Malformed);
        QVERIFY(QFile::remove(QString::fromStdString(sub + "/tokenizer.json")));
        QVERIFY(writeTokenizerBin(sub + "/tokenizer.bin", {{"<unk>", 0}})); // fewer tokens than the model's vocabulary
        QVERIFY(!loadTokenizer(model, 5).ok());
    }
    void fastMergeEqualsNaiveWithTies()
    {
        // every string of a, b, ' ' up to 4 long, scores from {0, 1, 2} (many ties), a few that the
        // reference loop never merges (NaN, -inf, at or below -1e10)
        std::mt19937 rng(99);
        std::vector<std::pair<std::string, float>> extra;
        const char alphabet[] = {'a', 'b', ' '};
        for (std::size_t len = 1; len <= 4; ++len) {
            std::size_t count = 1;
            for (std::size_t k = 0; k < len; ++k)
                count *= 3;
            for (std::size_t code = 0; code < count; ++code) {
                std::string s;
                for (std::size_t k = 0, c = code; k < len; ++k, c /= 3)
                    s += alphabet[c % 3];
                const auto r = rng() % 20;
                const float score = r == 0 ? std::numeric_limits<float>::quiet_NaN()
                    : r == 1             ? -std::numeric_limits<float>::infinity()
                    : r == 2             ? -1e10f
                                         : static_cast<float>(rng() % 3);
                extra.emplace_back(s, score);
            }
        }
        const SentencePieceTokenizer sp(llamaLikeVocab(extra));
        int merged = 0;
        for (int iter = 0; iter < 3000; ++iter) {
            std::string text;
            for (std::size_t i = 0, n = rng() % 40; i < n; ++i)
                text += rng() % 10 == 0 ? std::string("日") : std::string(1, "ab c"[rng() % 4]);
            const auto fast = sp.encode(text, iter % 2 == 0);
            QCOMPARE(fast, sp.encodeNaive(text, iter % 2 == 0));
            merged += fast.size() < text.size();
        }
        QVERIFY(merged > 1000); // the merges did happen
    }
    void tinyVocabulary()
    {
        // a hostile vocabulary without byte tokens: byte fallback gives <unk>, never an id past the end
        TokenizerBin v;
        v.pieces = {"<unk>", "a", "aa"};
        v.scores = {0.0f, 0.0f, 1.0f};
        const SentencePieceTokenizer sp(std::move(v));
        QCOMPARE(sp.encode("aa日", false), (std::vector<std::int32_t>{2, 0, 0, 0}));
        QCOMPARE(sp.encode("aa日", false), sp.encodeNaive("aa日", false));
        TokenizerBin noScores;
        noScores.pieces = {"<unk>", "a", "aa"};
        const SentencePieceTokenizer sp2(std::move(noScores)); // scores missing: no merges
        QCOMPARE(sp2.encode("aa", false), (std::vector<std::int32_t>{1, 1}));
        // byte tokens found by name when they are not at byte + 3
        TokenizerBin named;
        named.pieces = {"<unk>", "<s>", "</s>", "x", "<0xE6>", "<0x97>", "<0xA5>"};
        const SentencePieceTokenizer sp3(std::move(named));
        QCOMPARE(sp3.encode("日x", true), (std::vector<std::int32_t>{1, 4, 5, 6, 3}));
        QCOMPARE(sp3.decode(sp3.encode("日x", true)), std::string("日x"));
        const SentencePieceTokenizer empty{TokenizerBin{}};
        QCOMPARE(empty.encode("abc", false), std::vector<std::int32_t>{});
        QCOMPARE(empty.decodeToken(1, 5), std::string());
    }
    void ggufVocabulary()
    {
        // tok512.bin stored the way llama.cpp stores a SentencePiece vocabulary ("▁" for spaces)
        auto bin = readTokenizerBin(lowbit::test::sharedPath("models/stories260K/tok512.bin"), 512);
        QVERIFY(bin.ok());
        std::vector<GgufValue> tokens, scores;
        for (std::size_t i = 0; i < bin->pieces.size(); ++i) {
            std::string piece;
            for (const char c : bin->pieces[i])
                piece += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
            tokens.push_back(GgufValue::ofString(piece));
            scores.push_back(GgufValue::ofF32(bin->scores[i]));
        }
        QTemporaryDir tmp;
        const std::string path = tmp.path().toStdString() + "/model.gguf";
        GgufWriter w;
        w.set("general.architecture", GgufValue::ofString("llama"));
        w.set("tokenizer.ggml.model", GgufValue::ofString("llama"));
        w.set("tokenizer.ggml.tokens", GgufValue::ofArray(GgufType::String, tokens));
        w.set("tokenizer.ggml.scores", GgufValue::ofArray(GgufType::F32, scores));
        w.set("tokenizer.ggml.bos_token_id", GgufValue::ofU32(1));
        w.set("tokenizer.ggml.eos_token_id", GgufValue::ofU32(2));
        QVERIFY(w.write(path).ok());
        auto t = loadTokenizer(path, 512);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        QCOMPARE((*t)->vocabSize(), std::int64_t(512));
        for (const auto &d : m_docs) {
            const auto ids = (*t)->encode(d, true);
            QCOMPARE(ids, m_tok->encode(d, true));
            QCOMPARE((*t)->decode(ids), d);
        }
        // an unsupported tokenizer model, and malformed metadata, are errors
        w.set("tokenizer.ggml.model", GgufValue::ofString("bert"));
        QVERIFY(w.write(path).ok());
        t = loadTokenizer(path, 512);
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, ErrorCode::Unsupported);
        w.set("tokenizer.ggml.model", GgufValue::ofString("llama"));
        w.set("tokenizer.ggml.scores", GgufValue::ofArray(GgufType::F32, {GgufValue::ofF32(0.0f)}));
        QVERIFY(w.write(path).ok());
        t = loadTokenizer(path, 512);
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, ErrorCode::Malformed);
        // no tokenizer metadata at all: the files beside it are searched
        GgufWriter bare;
        bare.set("general.architecture", GgufValue::ofString("llama"));
        QVERIFY(bare.write(path).ok());
        t = loadTokenizer(path, 512);
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, ErrorCode::NotFound);
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
