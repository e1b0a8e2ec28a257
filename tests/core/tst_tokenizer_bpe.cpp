// SPDX-License-Identifier: GPL-3.0-or-later
// Hugging Face tokenizer.json BPE, both flavours, on small hand-written fixtures; the merge loop
// against a naive reference; the hand-written split patterns; malformed files.
#include "core/infer/tokenizer_bpe.h"
#include "core/infer/tokenizer_gguf.h"
#include "core/util/json.h"

#include "bpe_fixtures.h"

#include <QTest>

#include <algorithm>
#include <climits>
#include <map>
#include <random>

using namespace lowbit;

namespace {
using Ids = std::vector<std::int32_t>;

std::unique_ptr<BpeTokenizer> load(const std::string &json, const char *name)
{
    auto t = BpeTokenizer::fromJson(json, name);
    if (!t.ok())
        qWarning("%s", t.error().message().c_str());
    return t.ok() ? std::move(*t) : nullptr;
}

/// Hugging Face's merge loop written the obvious way: merge the single adjacent pair with the
/// lowest rank (leftmost on ties), repeat.
std::vector<std::string> naiveBpe(const std::string &word, const std::map<std::pair<std::string, std::string>, int> &ranks)
{
    std::vector<std::string> sym;
    for (const char c : word)
        sym.emplace_back(1, c);
    while (true) {
        int best = INT_MAX;
        std::size_t at = 0;
        for (std::size_t i = 0; i + 1 < sym.size(); ++i) {
            const auto it = ranks.find({sym[i], sym[i + 1]});
            if (it != ranks.end() && it->second < best) {
                best = it->second;
                at = i;
            }
        }
        if (best == INT_MAX)
            return sym;
        sym[at] += sym[at + 1];
        sym.erase(sym.begin() + static_cast<std::ptrdiff_t>(at) + 1);
    }
}

/// A byte-level tokenizer.json whose vocabulary holds every byte (so every input round-trips),
/// plus a few merges, with the given pre_tokenizer.
std::string byteLevelJson(Json preTokenizer)
{
    Json vocab = Json::object();
    for (int b = 0; b < 256; ++b)
        vocab[byteLevelEncode(std::string(1, static_cast<char>(b)))] = b;
    Json merges = Json::array();
    int next = 256;
    for (const char *m : {"h e", "l l", "Ġ t", "Ġt he", "he ll"}) {
        merges.push(m);
        std::string merged = m;
        merged.erase(merged.find(' '), 1);
        vocab[merged] = next++;
    }
    Json model = Json::object();
    model["type"] = "BPE";
    model["vocab"] = std::move(vocab);
    model["merges"] = std::move(merges);
    Json root = Json::object();
    root["pre_tokenizer"] = std::move(preTokenizer);
    root["model"] = std::move(model);
    return root.dump();
}

std::string randomText(std::mt19937 &rng, std::size_t maxPieces)
{
    static const char *const kPalette[] = {"a", "Z", "he", "ll", " ", "  ", "\n", "\r\n", "\t", "1", "234", "'", "'s", "'LL", "!", "?!",
                                           "(", "日", "é", "。", "\xC2\xA0", "\xFF", "\xE2\x96", "\x80", "\0"};
    std::string s;
    const std::size_t n = rng() % (maxPieces + 1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = rng() % std::size(kPalette);
        s += k + 1 == std::size(kPalette) ? std::string(1, '\0') : std::string(kPalette[k]);
    }
    return s;
}

} // namespace

class TestTokenizerBpe : public QObject {
    Q_OBJECT
private slots:
    void byteLevel()
    {
        auto t = load(kByteLevel, "gpt2.json");
        QVERIFY(t);
        QVERIFY(t->byteLevel());
        QCOMPARE(t->splitPattern(), SplitPattern::Gpt2);
        // "hello" merges fully; " world": Ġ w → Ġw, o r → or, Ġw or → Ġwor; "ld" is no token, so
        // ["Ġwor", "ld"] is ignored: l, d
        QCOMPARE(t->encode("hello world", false), (Ids{12, 15, 3, 8}));
        QCOMPARE(t->encode("he's", false), (Ids{9, 19}));                // contraction split off
        QCOMPARE(t->encode("hello<|endoftext|>", false), (Ids{12, 0}));  // special token matched verbatim
        QCOMPARE(t->encode("12!", false), (Ids{20, 21, 23}));
        QCOMPARE(t->eosId(), 0);
        QCOMPARE(t->bosId(), -1);
        QCOMPARE(t->encode("hello", true), (Ids{12})); // no BOS token: nothing added
        QCOMPARE(t->decode(Ids{12, 15, 3, 8, 0}), std::string("hello world")); // special dropped
        QCOMPARE(t->decode(t->encode("hello\n", false)), std::string("hello\n"));
    }
    void byteLevelMapIsABijection()
    {
        std::string all;
        for (int b = 0; b < 256; ++b)
            all += static_cast<char>(b);
        QCOMPARE(byteLevelDecode(byteLevelEncode(all)), all);
        QCOMPARE(byteLevelEncode(" "), std::string("\xC4\xA0")); // Ġ
        QCOMPARE(byteLevelEncode("\n"), std::string("\xC4\x8A")); // Ċ
        QCOMPARE(byteLevelEncode("a!"), std::string("a!"));
    }
    void llama3Style()
    {
        auto t = load(kLlama3, "llama3.json");
        QVERIFY(t);
        QVERIFY(t->byteLevel());
        QCOMPARE(t->splitPattern(), SplitPattern::Llama3);
        QCOMPARE(t->bosId(), 0); // from the template inside the Sequence post-processor
        QCOMPARE(t->eosId(), 1);
        QCOMPARE(t->encode("12345", false), (Ids{9, 10}));     // digits in runs of three
        QCOMPARE(t->encode("xyz", false), (Ids{15}));          // ignore_merges: a whole-word token
        QCOMPARE(t->encode(" x12", true), (Ids{0, 16, 8}));
        QCOMPARE(t->encode("<tool>xyz<|end_of_text|>", false), (Ids{2, 15, 1}));
        QCOMPARE(t->decode(Ids{0, 2, 15, 1}), std::string("<tool>xyz")); // non-special added token kept
        QCOMPARE(t->encode("xyz 12345 x", false), (Ids{15, 11, 9, 10, 16}));
        QCOMPARE(t->decode(t->encode("xyz 12345 x", true)), std::string("xyz 12345 x"));
    }
    void sentencePieceStyle()
    {
        auto t = load(kSentencePiece, "llama2.json");
        QVERIFY(t);
        QVERIFY(!t->byteLevel());
        QCOMPARE(t->bosId(), 1);
        QCOMPARE(t->eosId(), 2);
        // "ab a" → "▁ab▁a": ▁a, ab, ▁ab merges → ▁ab ▁a
        QCOMPARE(t->encode("ab a", true), (Ids{1, 11, 9}));
        // "日" is not in the vocab: byte fallback E6 97 A5
        QCOMPARE(t->encode("c日", false), (Ids{6, 12, 3, 4, 5}));
        QCOMPARE(t->decode(t->encode("ab a", true)), std::string("ab a"));
        QCOMPARE(t->decode(t->encode("c日", true)), std::string("c日"));
        QCOMPARE(t->encode("x", false), (Ids{6, 0})); // no byte token for 'x': unk
        // text around an added token is normalized piece by piece: " a" → "▁▁a" → ▁ ▁a
        QCOMPARE(t->encode("ab</s> a", false), (Ids{11, 2, 6, 9}));
        QCOMPARE(t->decode(Ids{1, 11, 2, 6, 9}), std::string("ab  a"));
    }
    void metaspaceFirst()
    {
        auto t = load(kMetaspace, "mistral.json");
        QVERIFY(t);
        QCOMPARE(t->bosId(), 1);
        QCOMPARE(t->encode("a</s>a", true), (Ids{1, 5, 2, 4})); // "▁" only before the first piece
        QCOMPARE(t->encode("a a", false), (Ids{5, 5}));
        QCOMPARE(t->decode(Ids{1, 5, 2, 4}), std::string("aa"));
    }
    void mergeOrder_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("leftmost on ties") << QByteArray("aaa") << QByteArray("aa|a");
        QTest::newRow("chained") << QByteArray("aaaa") << QByteArray("aaaa");
        QTest::newRow("lower rank later in the word first") << QByteArray("aab") << QByteArray("a|ab");
        QTest::newRow("five") << QByteArray("aaaaa") << QByteArray("aaaa|a");
    }
    void mergeOrder()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, expected);
        const std::string json = R"({"model":{"type":"BPE","vocab":{"a":0,"b":1,"aa":2,"ab":3,"aaaa":4},"merges":["a b","a a","aa aa"]}})";
        auto t = load(json, "order.json");
        QVERIFY(t);
        std::string got;
        for (const auto id : t->encode(text.toStdString(), false))
            got += (got.empty() ? "" : "|") + t->decode(Ids{id});
        QCOMPARE(QByteArray::fromStdString(got), expected);
    }
    void mergeEqualsNaive()
    {
        // every string of a, b, c up to 4 long is a token; 150 random merges in random rank order
        std::mt19937 rng(1234);
        std::vector<std::string> tokens;
        for (std::size_t len = 1; len <= 4; ++len)
            for (std::size_t code = 0, count = len == 1 ? 3 : len == 2 ? 9 : len == 3 ? 27 : 81; code < count; ++code) {
                std::string s;
                for (std::size_t k = 0, c = code; k < len; ++k, c /= 3)
                    s += static_cast<char>('a' + c % 3);
                tokens.push_back(s);
            }
        std::vector<std::pair<std::string, std::string>> pairs;
        for (const auto &x : tokens)
            for (const auto &y : tokens)
                if (x.size() + y.size() <= 4)
                    pairs.emplace_back(x, y);
        std::shuffle(pairs.begin(), pairs.end(), rng);
        pairs.resize(150);
        Json vocab = Json::object();
        for (std::size_t i = 0; i < tokens.size(); ++i)
            vocab[tokens[i]] = static_cast<int>(i);
        Json merges = Json::array();
        std::map<std::pair<std::string, std::string>, int> ranks;
        for (const auto &[x, y] : pairs) {
            ranks.emplace(std::pair{x, y}, static_cast<int>(ranks.size()));
            merges.push(x + " " + y);
        }
        Json model = Json::object();
        model["type"] = "BPE";
        model["vocab"] = std::move(vocab);
        model["merges"] = std::move(merges);
        Json root = Json::object();
        root["model"] = std::move(model);
        auto t = load(root.dump(), "random.json");
        QVERIFY(t);
        for (int iter = 0; iter < 3000; ++iter) {
            std::string text(rng() % 40, 'a');
            for (char &c : text)
                c = static_cast<char>('a' + rng() % 3);
            Ids expected;
            for (const auto &s : naiveBpe(text, ranks))
                expected.push_back(static_cast<std::int32_t>(std::find(tokens.begin(), tokens.end(), s) - tokens.begin()));
            QCOMPARE(t->encode(text, false), expected);
        }
    }
    void split_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("pattern");
        QTest::addColumn<int>("digits");
        QTest::addColumn<QByteArray>("expected"); // words joined by '|'
        const int gpt2 = int(SplitPattern::Gpt2), llama3 = int(SplitPattern::Llama3);
        QTest::newRow("gpt2 mix") << QByteArray("Hello world's 123  x\n\ny!?") << gpt2 << 3 << QByteArray("Hello| world|'s| 123| | x|\n|\n|y|!?");
        QTest::newRow("gpt2 case-sensitive") << QByteArray("I'LL don't") << gpt2 << 3 << QByteArray("I|'|LL| don|'t");
        QTest::newRow("gpt2 spaces and newline") << QByteArray("a  \n  b") << gpt2 << 3 << QByteArray("a|  \n | b");
        QTest::newRow("gpt2 trailing spaces") << QByteArray("a  ") << gpt2 << 3 << QByteArray("a|  ");
        QTest::newRow("gpt2 space before quote") << QByteArray("x 's") << gpt2 << 3 << QByteArray("x| '|s");
        QTest::newRow("gpt2 cjk") << QByteArray("日本語です。") << gpt2 << 3 << QByteArray("日本語です|。");
        QTest::newRow("llama3 mix") << QByteArray("Hello world's 12345 (x)\n\n  y") << llama3 << 3
                                    << QByteArray("Hello| world|'s| |123|45| (|x|)\n\n| | y");
        QTest::newRow("llama3 case-insensitive") << QByteArray("I'LL don't") << llama3 << 3 << QByteArray("I|'LL| don|'t");
        QTest::newRow("llama3 spaces and newline") << QByteArray("a  \n  b") << llama3 << 3 << QByteArray("a|  \n| | b");
        QTest::newRow("llama3 newlines then word") << QByteArray("\n\n x") << llama3 << 3 << QByteArray("\n\n| x");
        QTest::newRow("llama3 punctuation glued to word") << QByteArray("(hi,there") << llama3 << 3 << QByteArray("(hi|,there");
        QTest::newRow("qwen2 single digits") << QByteArray("x 2024") << llama3 << 1 << QByteArray("x| |2|0|2|4");
        QTest::newRow("none") << QByteArray("a b") << int(SplitPattern::None) << 3 << QByteArray("a b");
    }
    void split()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, pattern);
        QFETCH(int, digits);
        QFETCH(QByteArray, expected);
        const std::string input = text.toStdString();
        std::string got;
        for (const auto w : splitWords(input, static_cast<SplitPattern>(pattern), digits))
            got += (got.empty() ? "" : "|") + std::string(w);
        QCOMPARE(QByteArray::fromStdString(got), expected);
    }
    void byteLevelRoundTrips()
    {
        // every byte is a token, so decode(encode(s)) == s for any bytes, invalid UTF-8 included
        Json gpt2 = Json::object();
        gpt2["type"] = "ByteLevel";
        auto llama3Root = parseJson(kLlama3);
        QVERIFY(llama3Root.ok());
        std::mt19937 rng(42);
        for (const Json &pre : {gpt2, *llama3Root->find("pre_tokenizer")}) {
            auto t = load(byteLevelJson(pre), "bytes.json");
            QVERIFY(t);
            // ids: byte b is b; he 256, ll 257, Ġt 258, Ġthe 259, hell 260: " the" → Ġthe; " hello" → Ġ hell o
            QCOMPARE(t->encode(" the hello", false), (Ids{259, 32, 260, 'o'}));
            for (int iter = 0; iter < 2000; ++iter) {
                const std::string s = randomText(rng, 30);
                QCOMPARE(t->decode(t->encode(s, false)), s);
            }
        }
    }
    void splitCoversTheText()
    {
        std::mt19937 rng(7);
        for (int iter = 0; iter < 3000; ++iter) {
            const std::string s = randomText(rng, 40);
            for (const auto p : {SplitPattern::Gpt2, SplitPattern::Llama3}) {
                std::string joined;
                for (const auto w : splitWords(s, p, 3)) {
                    QVERIFY(!w.empty());
                    QVERIFY(w.data() == s.data() + joined.size()); // consecutive views
                    joined += w;
                }
                QCOMPARE(joined, s);
            }
        }
    }
    void hostileText()
    {
        // invalid UTF-8, lone continuation bytes, NULs, a truncated sequence at the end
        auto t = load(kSentencePiece, "llama2.json");
        QVERIFY(t);
        for (const std::string &s : {std::string("\xFF\xFE"), std::string("\x80\x80\x80"), std::string("a\0b", 3), std::string("\xE6\x97"),
                                    std::string("</s></s><s>"), std::string(1000, ' ')}) {
            const auto ids = t->encode(s, true);
            for (const auto id : ids)
                QVERIFY(id >= 0 && id < t->vocabSize());
        }
        QCOMPARE(t->decodeToken(1, -5), std::string());
        QCOMPARE(t->decodeToken(1, 1 << 20), std::string());
    }
    void ggufByteLevel_data()
    {
        QTest::addColumn<QByteArray>("pre");
        QTest::addColumn<int>("pattern");
        QTest::newRow("gpt2") << QByteArray("gpt2") << int(SplitPattern::Gpt2);
        QTest::newRow("llama3") << QByteArray("llama-bpe") << int(SplitPattern::Llama3);
        QTest::newRow("qwen2") << QByteArray("qwen2") << int(SplitPattern::Llama3);
    }
    void ggufByteLevel()
    {
        // kByteLevel as llama.cpp stores it: tokens by id, merges as strings, control token types
        QFETCH(QByteArray, pre);
        QFETCH(int, pattern);
        auto json = parseJson(kByteLevel);
        QVERIFY(json.ok());
        const auto &vocab = json->find("model")->find("vocab")->asObject();
        std::vector<GgufValue> tokens(vocab.size()), types(vocab.size(), GgufValue::ofI32(1)), merges;
        for (const auto &[piece, id] : vocab)
            tokens[static_cast<std::size_t>(*id.asInt64())] = GgufValue::ofString(piece);
        types[0] = GgufValue::ofI32(3); // <|endoftext|>: control
        for (const char *m : {"h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "' s"})
            merges.push_back(GgufValue::ofString(m));
        GgufKvs kvs{{"tokenizer.ggml.model", GgufValue::ofString("gpt2")},
                    {"tokenizer.ggml.pre", GgufValue::ofString(pre.toStdString())},
                    {"tokenizer.ggml.tokens", GgufValue::ofArray(GgufType::String, tokens)},
                    {"tokenizer.ggml.token_type", GgufValue::ofArray(GgufType::I32, types)},
                    {"tokenizer.ggml.merges", GgufValue::ofArray(GgufType::String, merges)},
                    {"tokenizer.ggml.eos_token_id", GgufValue::ofU32(0)}};
        auto t = tokenizerFromGguf(kvs, "gpt2.gguf");
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        const auto *bpe = dynamic_cast<const BpeTokenizer *>(t->get());
        QVERIFY(bpe);
        QCOMPARE(int(bpe->splitPattern()), pattern);
        QCOMPARE((*t)->eosId(), 0);
        QCOMPARE((*t)->bosId(), -1);
        QCOMPARE((*t)->encode("hello world", true), (Ids{12, 15, 3, 8}));
        QCOMPARE((*t)->encode("hello<|endoftext|>", false), (Ids{12, 0}));
        QCOMPARE((*t)->decode(Ids{12, 15, 3, 8, 0}), std::string("hello world"));
        // no tokenizer keys: nothing; wrong types: errors
        auto none = tokenizerFromGguf(GgufKvs{}, "none.gguf");
        QVERIFY(none.ok() && !*none);
        kvs[2].second = GgufValue::ofU32(3);
        QCOMPARE(tokenizerFromGguf(kvs, "bad.gguf").error().code, ErrorCode::Malformed);
        kvs[2].second = GgufValue::ofArray(GgufType::String, tokens);
        kvs.emplace_back("tokenizer.ggml.bos_token_id", GgufValue::ofU32(999));
        QCOMPARE(tokenizerFromGguf(kvs, "bad.gguf").error().code, ErrorCode::Malformed);
    }
    void malformed_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("code");
        const int malformed = int(ErrorCode::Malformed);
        QTest::newRow("not json") << QByteArray("{") << malformed;
        QTest::newRow("empty") << QByteArray("") << malformed;
        QTest::newRow("array root") << QByteArray("[]") << malformed;
        QTest::newRow("no model") << QByteArray("{}") << malformed;
        QTest::newRow("model not object") << QByteArray(R"({"model":"BPE"})") << malformed;
        QTest::newRow("type not string") << QByteArray(R"({"model":{"type":3,"vocab":{},"merges":[]}})") << malformed;
        QTest::newRow("unigram") << QByteArray(R"({"model":{"type":"Unigram","vocab":[]}})") << int(ErrorCode::Unsupported);
        QTest::newRow("wordpiece") << QByteArray(R"({"model":{"type":"WordPiece","vocab":{}}})") << int(ErrorCode::Unsupported);
        QTest::newRow("vocab array") << QByteArray(R"({"model":{"type":"BPE","vocab":[],"merges":[]}})") << malformed;
        QTest::newRow("no merges") << QByteArray(R"({"model":{"type":"BPE","vocab":{}}})") << malformed;
        QTest::newRow("bad merge") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["ab"]}})") << malformed;
        QTest::newRow("merge of three") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":["a a a"]}})") << malformed;
        QTest::newRow("merge not string") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[3]}})") << malformed;
        QTest::newRow("merge pair of three") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":0},"merges":[["a","a","a"]]}})") << malformed;
        QTest::newRow("negative id") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":-1},"merges":[]}})") << malformed;
        QTest::newRow("fractional id") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":1.5},"merges":[]}})") << malformed;
        QTest::newRow("string id") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":"0"},"merges":[]}})") << malformed;
        QTest::newRow("huge id") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":99999999999},"merges":[]}})") << malformed;
        QTest::newRow("sparse ids") << QByteArray(R"({"model":{"type":"BPE","vocab":{"a":16000000},"merges":[]}})") << malformed;
        QTest::newRow("sparse added id") << QByteArray(R"({"added_tokens":[{"id":16000000,"content":"x"}],"model":{"type":"BPE","vocab":{},"merges":[]}})")
                                         << malformed;
        QTest::newRow("added token without id") << QByteArray(R"({"added_tokens":[{"content":"x"}],"model":{"type":"BPE","vocab":{},"merges":[]}})")
                                                << malformed;
        QTest::newRow("added token empty") << QByteArray(R"({"added_tokens":[{"id":0,"content":""}],"model":{"type":"BPE","vocab":{},"merges":[]}})")
                                           << malformed;
        QTest::newRow("added tokens object") << QByteArray(R"({"added_tokens":{},"model":{"type":"BPE","vocab":{},"merges":[]}})") << malformed;
        QTest::newRow("added token not object") << QByteArray(R"({"added_tokens":[7],"model":{"type":"BPE","vocab":{},"merges":[]}})") << malformed;
        QTest::newRow("too deep") << QByteArray(200, '[') << malformed;
    }
    void malformed()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, code);
        auto t = BpeTokenizer::fromJson(json.toStdString(), "bad.json");
        QVERIFY(!t.ok());
        QCOMPARE(int(t.error().code), code);
        QVERIFY2(t.error().message().find("bad.json") != std::string::npos, t.error().message().c_str());
    }
    void mutatedFiles()
    {
        // random byte flips, insertions and truncations of the fixtures: an error or a working
        // tokenizer whose ids stay inside its vocabulary, never a crash
        std::mt19937 rng(2024);
        static const char kJsonChars[] = "{}[],:0-9e\\\"";
        int loaded = 0;
        for (const char *fixture : {kByteLevel, kSentencePiece, kLlama3, kMetaspace}) {
            for (int iter = 0; iter < 1500; ++iter) {
                std::string json = fixture;
                for (std::size_t k = 0, edits = 1 + rng() % 4; k < edits; ++k) {
                    const std::size_t at = rng() % json.size();
                    switch (rng() % 4) {
                    case 0: json[at] = static_cast<char>(rng()); break;
                    case 1: json.insert(at, 1, kJsonChars[rng() % (sizeof kJsonChars - 1)]); break;
                    case 2: json.erase(at, 1 + rng() % 8); break;
                    default: json.resize(at); break;
                    }
                    if (json.empty())
                        json = "{";
                }
                auto t = BpeTokenizer::fromJson(json, "mutated.json");
                if (!t.ok())
                    continue;
                ++loaded;
                const std::string text = randomText(rng, 20);
                for (const auto id : (*t)->encode(text, true))
                    QVERIFY(id >= 0 && id < (*t)->vocabSize());
                (void)(*t)->decode((*t)->encode(text, false));
            }
        }
        QVERIFY(loaded > 100); // many mutations keep the file valid: the encode path is exercised
    }
    void emptyButValid()
    {
        // a minimal valid file: no tokens at all; encoding drops what it cannot represent
        auto t = load(R"({"model":{"type":"BPE","vocab":{},"merges":[]}})", "empty.json");
        QVERIFY(t);
        QCOMPARE(t->vocabSize(), std::int64_t(0));
        QCOMPARE(t->encode("abc", true), Ids{});
        QCOMPARE(t->decode(Ids{0, 1}), std::string());
    }
};

QTEST_APPLESS_MAIN(TestTokenizerBpe)
#include "tst_tokenizer_bpe.moc"
