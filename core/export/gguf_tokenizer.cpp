// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/gguf_tokenizer.h"

#include "core/io/gguf_reader.h"
#include "core/io/studio_container.h"
#include "core/util/json.h"
#include "core/util/mapped_file.h"

#include <filesystem>
#include <map>
#include <unordered_map>

namespace lowbit {

namespace {

const std::string kSpaceMark = "\xE2\x96\x81"; // U+2581 "▁"

enum TokenType : std::int32_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kByte = 6 };

bool isByteToken(const std::string &p)
{
    return p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>' && std::isxdigit(static_cast<unsigned char>(p[3]))
        && std::isxdigit(static_cast<unsigned char>(p[4]));
}

std::string escapeSpaces(const std::string &piece)
{
    std::string out;
    for (char c : piece)
        out += c == ' ' ? kSpaceMark : std::string(1, c);
    return out;
}

GgufValue stringArray(const std::vector<std::string> &v)
{
    std::vector<GgufValue> a;
    a.reserve(v.size());
    for (const std::string &s : v)
        a.push_back(GgufValue::ofString(s));
    return GgufValue::ofArray(GgufType::String, std::move(a));
}

GgufValue i32Array(const std::vector<std::int32_t> &v)
{
    std::vector<GgufValue> a;
    a.reserve(v.size());
    for (std::int32_t x : v)
        a.push_back(GgufValue::ofI32(x));
    return GgufValue::ofArray(GgufType::I32, std::move(a));
}

GgufValue f32Array(const std::vector<float> &v)
{
    std::vector<GgufValue> a;
    a.reserve(v.size());
    for (float x : v)
        a.push_back(GgufValue::ofF32(x));
    return GgufValue::ofArray(GgufType::F32, std::move(a));
}

void putIds(GgufKvs &kv, std::int64_t bos, std::int64_t eos, std::size_t n)
{
    if (bos >= 0 && static_cast<std::size_t>(bos) < n)
        kv.emplace_back("tokenizer.ggml.bos_token_id", GgufValue::ofU32(static_cast<std::uint32_t>(bos)));
    if (eos >= 0 && static_cast<std::size_t>(eos) < n)
        kv.emplace_back("tokenizer.ggml.eos_token_id", GgufValue::ofU32(static_cast<std::uint32_t>(eos)));
}

/// "a b" or ["a", "b"] → "a b"; empty when neither.
std::string mergeText(const Json &m)
{
    if (m.isString())
        return m.asString();
    if (m.isArray() && m.asArray().size() == 2 && m.asArray()[0].isString() && m.asArray()[1].isString())
        return m.asArray()[0].asString() + " " + m.asArray()[1].asString();
    return {};
}

} // namespace

GgufKvs tokenizerBinToGguf(const TokenizerBin &t, std::int64_t bosId, std::int64_t eosId)
{
    const std::size_t n = t.pieces.size();
    std::vector<std::string> tokens(n);
    std::vector<std::int32_t> types(n, kNormal);
    for (std::size_t i = 0; i < n; ++i) {
        tokens[i] = escapeSpaces(t.pieces[i]);
        if (i == 0)
            types[i] = kUnknown;
        else if (static_cast<std::int64_t>(i) == bosId || static_cast<std::int64_t>(i) == eosId)
            types[i] = kControl;
        else if (isByteToken(t.pieces[i]))
            types[i] = kByte;
    }
    GgufKvs kv;
    kv.emplace_back("tokenizer.ggml.model", GgufValue::ofString("llama"));
    kv.emplace_back("tokenizer.ggml.tokens", stringArray(tokens));
    kv.emplace_back("tokenizer.ggml.scores", f32Array(t.scores));
    kv.emplace_back("tokenizer.ggml.token_type", i32Array(types));
    putIds(kv, bosId, eosId, n);
    kv.emplace_back("tokenizer.ggml.unknown_token_id", GgufValue::ofU32(0));
    kv.emplace_back("tokenizer.ggml.add_bos_token", GgufValue::ofBool(true));
    return kv;
}

Result<GgufKvs> tokenizerJsonToGguf(std::string_view json, std::int64_t bosId, std::int64_t eosId, const std::string &name)
{
    auto bad = [&](const std::string &what) { return makeError(ErrorCode::Malformed, name + ": " + what); };
    LOWBIT_TRY(const Json root, parseJson(json, JsonParseOptions{false, 64}));
    const Json *model = root.find("model");
    if (!model || !model->isObject())
        return bad("no \"model\" object");
    const Json *type = model->find("type");
    if (type && type->isString() && type->asString() != "BPE")
        return makeError(ErrorCode::Unsupported, name + ": tokenizer model '" + type->asString() + "' cannot be written to GGUF (BPE only)");
    const Json *vocab = model->find("vocab");
    const Json *merges = model->find("merges");
    if (!vocab || !vocab->isObject() || !merges || !merges->isArray())
        return bad("the BPE model needs a \"vocab\" object and a \"merges\" array");

    std::map<std::int64_t, std::string> byId;
    std::map<std::int64_t, bool> added; // id → special
    for (const auto &[tok, id] : vocab->asObject()) {
        const auto i = id.asInt64();
        if (!i || *i < 0 || *i >= (std::int64_t(1) << 24))
            return bad("vocab id of '" + tok + "' is not a token id");
        byId[*i] = tok;
    }
    if (const Json *at = root.find("added_tokens"); at && at->isArray())
        for (const Json &a : at->asArray()) {
            const Json *id = a.find("id");
            const Json *content = a.find("content");
            if (!id || !content || !content->isString() || !id->asInt64() || *id->asInt64() < 0 || *id->asInt64() >= (std::int64_t(1) << 24))
                return bad("an added token lacks an id or content");
            byId[*id->asInt64()] = content->asString();
            const Json *special = a.find("special");
            added[*id->asInt64()] = special && special->isBool() && special->asBool();
        }
    if (byId.empty())
        return bad("empty vocabulary");
    const std::size_t n = static_cast<std::size_t>(byId.rbegin()->first) + 1;
    std::vector<std::string> tokens(n);
    std::vector<std::int32_t> types(n, kNormal);
    for (std::size_t i = 0; i < n; ++i)
        if (!byId.count(static_cast<std::int64_t>(i))) {
            tokens[i] = "[PAD" + std::to_string(i) + "]";
            types[i] = kUserDefined;
        }
    for (const auto &[id, tok] : byId)
        tokens[static_cast<std::size_t>(id)] = tok;
    for (const auto &[id, special] : added)
        types[static_cast<std::size_t>(id)] = special ? kControl : kUserDefined;

    const std::string pre = root.find("pre_tokenizer") ? root.find("pre_tokenizer")->dump() : std::string();
    const std::string dec = root.find("decoder") ? root.find("decoder")->dump() : std::string();
    const Json *fallback = model->find("byte_fallback");
    const bool sentencePiece = (fallback && fallback->isBool() && fallback->asBool()) || pre.find("Metaspace") != std::string::npos
        || dec.find(kSpaceMark) != std::string::npos;

    GgufKvs kv;
    if (sentencePiece) {
        std::unordered_map<std::string, std::size_t> rankOf;
        std::size_t rank = 0;
        for (const Json &m : merges->asArray()) {
            const std::string text = mergeText(m);
            const auto sp = text.find(' ');
            if (sp == std::string::npos)
                return bad("merge " + std::to_string(rank) + " is not a pair");
            rankOf.emplace(text.substr(0, sp) + text.substr(sp + 1), rank++);
        }
        std::vector<float> scores(n, 0.0f);
        for (std::size_t i = 0; i < n; ++i) {
            if (types[i] == kNormal && isByteToken(tokens[i]))
                types[i] = kByte;
            if (const auto it = rankOf.find(tokens[i]); it != rankOf.end() && types[i] == kNormal)
                scores[i] = -static_cast<float>(it->second + 1);
        }
        if (const Json *unk = model->find("unk_token"); unk && unk->isString())
            for (std::size_t i = 0; i < n; ++i)
                if (tokens[i] == unk->asString())
                    types[i] = kUnknown;
        kv.emplace_back("tokenizer.ggml.model", GgufValue::ofString("llama"));
        kv.emplace_back("tokenizer.ggml.tokens", stringArray(tokens));
        kv.emplace_back("tokenizer.ggml.scores", f32Array(scores));
        kv.emplace_back("tokenizer.ggml.token_type", i32Array(types));
    } else {
        std::vector<std::string> mergeList;
        for (const Json &m : merges->asArray()) {
            std::string text = mergeText(m);
            if (text.empty())
                return bad("merge " + std::to_string(mergeList.size()) + ": merges must be strings \"a b\" or pairs");
            mergeList.push_back(std::move(text));
        }
        std::string preName = "gpt2";
        if (pre.find("\\\\p{N}{1,3}") != std::string::npos || pre.find("\\p{N}{1,3}") != std::string::npos)
            preName = "llama-bpe";
        else if (pre.find("\\\\p{N}") != std::string::npos || pre.find("\\p{N}") != std::string::npos)
            preName = "qwen2";
        kv.emplace_back("tokenizer.ggml.model", GgufValue::ofString("gpt2"));
        kv.emplace_back("tokenizer.ggml.pre", GgufValue::ofString(preName));
        kv.emplace_back("tokenizer.ggml.tokens", stringArray(tokens));
        kv.emplace_back("tokenizer.ggml.token_type", i32Array(types));
        kv.emplace_back("tokenizer.ggml.merges", stringArray(mergeList));
    }
    putIds(kv, bosId, eosId, n);
    kv.emplace_back("tokenizer.ggml.add_bos_token", GgufValue::ofBool(bosId >= 0));
    return kv;
}

Result<GgufKvs> ggufTokenizerMetadata(const Model &model, std::vector<std::string> &warnings)
{
    namespace fs = std::filesystem;
    const ModelConfig &c = model.config();
    const std::string &path = model.path();
    std::error_code ec;
    if (model.source() == ModelSource::Gguf) {
        LOWBIT_TRY(GgufFile f, readGguf(path));
        GgufKvs kv;
        for (const auto &[k, v] : f.header.kvs)
            if (k.rfind("tokenizer.", 0) == 0)
                kv.emplace_back(k, v);
        if (kv.empty())
            warnings.push_back(path + " has no tokenizer metadata: the GGUF has none either");
        return kv;
    }
    if (isStudioContainerPath(path) && fs::is_regular_file(path, ec)) {
        LOWBIT_TRY(EmbeddedTokenizer emb, readContainerTokenizer(path));
        const std::string name = path + " (embedded " + emb.kind + ")";
        if (emb.kind == "tokenizer.json")
            return tokenizerJsonToGguf(emb.bytes, c.bosTokenId, c.eosTokenId, name);
        if (emb.kind == "tokenizer.bin") {
            const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(emb.bytes.data()), emb.bytes.size());
            LOWBIT_TRY(TokenizerBin t, parseTokenizerBin(bytes, c.vocabSize, name));
            return tokenizerBinToGguf(t, c.bosTokenId, c.eosTokenId);
        }
    }
    // the files loadTokenizer looks for: the model's folder, then its parent
    fs::path dir = fs::is_directory(path, ec) ? fs::path(path) : fs::path(path).parent_path();
    if (dir.empty())
        dir = ".";
    fs::path absDir = fs::absolute(dir, ec).lexically_normal();
    if (!absDir.has_filename())
        absDir = absDir.parent_path();
    for (const fs::path &d : {absDir, absDir.parent_path()}) {
        if (d.empty())
            continue;
        const fs::path json = d / "tokenizer.json";
        if (fs::is_regular_file(json, ec)) {
            LOWBIT_TRY(std::string text, readTextFile(json.string(), 256u << 20));
            return tokenizerJsonToGguf(text, c.bosTokenId, c.eosTokenId, json.string());
        }
        for (const fs::path &bin : {d / "tokenizer.bin", d / ("tok" + std::to_string(c.vocabSize) + ".bin")})
            if (fs::is_regular_file(bin, ec)) {
                LOWBIT_TRY(TokenizerBin t, readTokenizerBin(bin.string(), c.vocabSize));
                return tokenizerBinToGguf(t, c.bosTokenId, c.eosTokenId);
            }
    }
    warnings.push_back("no tokenizer found next to " + path + ": the GGUF has no tokenizer metadata (llama.cpp needs one)");
    return GgufKvs{};
}

} // namespace lowbit
