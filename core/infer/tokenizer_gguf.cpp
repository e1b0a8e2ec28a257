// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer_gguf.h"

#include "core/infer/tokenizer_bpe.h"
#include "core/infer/tokenizer_sp.h"
#include "core/util/json.h"

namespace lowbit {

namespace {

const std::string kSpaceMark = "\xE2\x96\x81"; // U+2581 "▁"

std::string unescapeSpaces(const std::string &piece)
{
    std::string out;
    for (std::size_t i = 0; i < piece.size();) {
        if (piece.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
            out += ' ';
            i += kSpaceMark.size();
        } else {
            out += piece[i++];
        }
    }
    return out;
}

/// A Llama-3/Qwen2 style split pattern as it appears in tokenizer.json.
Json splitPreTokenizer(const char *digits)
{
    Json pattern = Json::object();
    pattern["Regex"] = std::string(R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|)") + digits
        + R"(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
    Json split = Json::object();
    split["type"] = "Split";
    split["pattern"] = std::move(pattern);
    Json byteLevel = Json::object();
    byteLevel["type"] = "ByteLevel";
    byteLevel["use_regex"] = false;
    Json seq = Json::object();
    seq["type"] = "Sequence";
    seq["pretokenizers"] = Json(Json::Array{std::move(split), std::move(byteLevel)});
    return seq;
}

} // namespace

Result<std::unique_ptr<Tokenizer>> tokenizerFromGguf(const GgufKvs &kvs, const std::string &name)
{
    auto bad = [&](const std::string &what) { return makeError(ErrorCode::Malformed, name + ": " + what); };
    const GgufValue *model = ggufFind(kvs, "tokenizer.ggml.model");
    if (!model)
        return std::unique_ptr<Tokenizer>();
    if (model->type != GgufType::String)
        return bad("tokenizer.ggml.model is not a string");
    if (model->s != "llama" && model->s != "gpt2")
        return makeError(ErrorCode::Unsupported, name + ": GGUF tokenizer model '" + model->s + "' (llama and gpt2 are supported)");
    const GgufValue *tokens = ggufFind(kvs, "tokenizer.ggml.tokens");
    if (!tokens || tokens->type != GgufType::Array || tokens->elemType != GgufType::String)
        return bad("tokenizer.ggml.tokens is missing or not an array of strings");
    const std::size_t n = tokens->array.size();
    if (n == 0 || n >= (std::size_t(1) << 24))
        return bad("tokenizer.ggml.tokens holds " + std::to_string(n) + " tokens");
    auto idKey = [&](const char *key, std::int32_t fallback) -> Result<std::int32_t> {
        const GgufValue *v = ggufFind(kvs, key);
        if (!v)
            return fallback;
        const auto id = v->asInt();
        if (!id || *id < -1 || *id >= static_cast<std::int64_t>(n))
            return bad(std::string(key) + " is not a token id");
        return static_cast<std::int32_t>(*id);
    };
    LOWBIT_TRY(const std::int32_t bos, idKey("tokenizer.ggml.bos_token_id", model->s == "llama" ? 1 : -1));
    LOWBIT_TRY(const std::int32_t eos, idKey("tokenizer.ggml.eos_token_id", model->s == "llama" ? 2 : -1));

    if (model->s == "llama") {
        const GgufValue *scores = ggufFind(kvs, "tokenizer.ggml.scores");
        if (scores && (scores->type != GgufType::Array || scores->array.size() != n))
            return bad("tokenizer.ggml.scores is not an array as long as the tokens");
        TokenizerBin vocab;
        vocab.pieces.reserve(n);
        vocab.scores.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            vocab.pieces.push_back(unescapeSpaces(tokens->array[i].s));
            const auto score = scores ? scores->array[i].asDouble() : std::optional<double>(0.0);
            if (!score)
                return bad("tokenizer.ggml.scores[" + std::to_string(i) + "] is not a number");
            vocab.scores.push_back(static_cast<float>(*score));
            vocab.maxTokenLength = std::max(vocab.maxTokenLength, static_cast<std::int32_t>(std::min<std::size_t>(vocab.pieces.back().size(), INT32_MAX)));
        }
        return std::unique_ptr<Tokenizer>(new SentencePieceTokenizer(std::move(vocab), bos, eos));
    }

    // gpt2: the equivalent tokenizer.json
    const GgufValue *merges = ggufFind(kvs, "tokenizer.ggml.merges");
    if (merges && (merges->type != GgufType::Array || merges->elemType != GgufType::String))
        return bad("tokenizer.ggml.merges is not an array of strings");
    const GgufValue *types = ggufFind(kvs, "tokenizer.ggml.token_type");
    if (types && (types->type != GgufType::Array || types->array.size() != n))
        return bad("tokenizer.ggml.token_type is not an array as long as the tokens");
    Json vocab = Json::object();
    Json added = Json::array();
    for (std::size_t i = 0; i < n; ++i) {
        vocab.asObject().emplace_back(tokens->array[i].s, Json(static_cast<long long>(i))); // duplicates: the parser's rule (last wins)
        const auto type = types ? types->array[i].asInt() : std::optional<std::int64_t>(1);
        if ((type == 3 || type == 4) && !tokens->array[i].s.empty()) { // control, user-defined
            Json a = Json::object();
            a["id"] = static_cast<long long>(i);
            a["content"] = tokens->array[i].s;
            a["special"] = type == 3;
            added.push(std::move(a));
        }
    }
    Json mergeList = Json::array();
    if (merges)
        for (const GgufValue &m : merges->array)
            mergeList.push(m.s);
    Json bpe = Json::object();
    bpe["type"] = "BPE";
    bpe["vocab"] = std::move(vocab);
    bpe["merges"] = std::move(mergeList);
    Json root = Json::object();
    root["added_tokens"] = std::move(added);
    const GgufValue *pre = ggufFind(kvs, "tokenizer.ggml.pre");
    const std::string preName = pre && pre->type == GgufType::String ? pre->s : std::string();
    if (preName == "llama-bpe" || preName == "llama3" || preName == "smaug-bpe") {
        root["pre_tokenizer"] = splitPreTokenizer(R"(\p{N}{1,3})");
    } else if (preName == "qwen2") {
        root["pre_tokenizer"] = splitPreTokenizer(R"(\p{N})");
    } else {
        Json byteLevel = Json::object();
        byteLevel["type"] = "ByteLevel";
        root["pre_tokenizer"] = std::move(byteLevel);
    }
    root["model"] = std::move(bpe);
    LOWBIT_TRY(std::unique_ptr<BpeTokenizer> t, BpeTokenizer::fromJsonValue(root, name));
    const GgufValue *addBos = ggufFind(kvs, "tokenizer.ggml.add_bos_token");
    const bool wantBos = addBos ? addBos->asInt().value_or(0) != 0 : bos >= 0;
    t->setSpecialIds(wantBos ? bos : -1, eos);
    return std::unique_ptr<Tokenizer>(std::move(t));
}

} // namespace lowbit
