// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer_bpe.h"

#include "core/infer/tokenizer_merge.h"
#include "core/util/json.h"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <optional>

namespace lowbit {

namespace {

const std::string kSpaceMark = "\xE2\x96\x81"; // U+2581 "▁"
constexpr std::int64_t kMaxId = std::int64_t(1) << 24;

/// Calls f on every object of the tree (the JSON parser bounds the depth).
template <class F>
void forEachObject(const Json &j, F &&f)
{
    if (j.isObject()) {
        f(j);
        for (const auto &[key, value] : j.asObject())
            forEachObject(value, f);
    } else if (j.isArray()) {
        for (const Json &v : j.asArray())
            forEachObject(v, f);
    }
}

std::string stringAt(const Json &j, std::string_view key)
{
    const Json *v = j.find(key);
    return v && v->isString() ? v->asString() : std::string();
}

bool boolAt(const Json &j, std::string_view key, bool fallback)
{
    const Json *v = j.find(key);
    return v && v->isBool() ? v->asBool() : fallback;
}

std::optional<std::int32_t> validId(const Json *v)
{
    if (!v)
        return std::nullopt;
    const auto id = v->asInt64();
    if (!v->isInteger() || !id || *id < 0 || *id >= kMaxId)
        return std::nullopt;
    return static_cast<std::int32_t>(*id);
}

std::uint64_t pairKey(std::int32_t a, std::int32_t b)
{
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) | static_cast<std::uint32_t>(b);
}

bool isByteToken(std::string_view piece, unsigned &byte)
{
    auto hex = [](char c) -> int { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    if (piece.size() != 6 || piece.substr(0, 3) != "<0x" || piece[5] != '>' || hex(piece[3]) < 0 || hex(piece[4]) < 0)
        return false;
    byte = static_cast<unsigned>(hex(piece[3]) * 16 + hex(piece[4]));
    return true;
}

} // namespace

std::int32_t BpeTokenizer::idOf(std::string_view piece) const
{
    const auto it = m_vocab.find(piece);
    return it == m_vocab.end() ? -1 : it->second;
}

Status BpeTokenizer::readModel(const Json &model, const std::string &name)
{
    auto bad = [&](const std::string &what) { return makeError(ErrorCode::Malformed, name + ": " + what); };
    const Json *vocab = model.find("vocab");
    const Json *merges = model.find("merges");
    if (!vocab || !vocab->isObject() || !merges || !merges->isArray())
        return bad("the BPE model needs a \"vocab\" object and a \"merges\" array");
    std::int64_t maxId = -1;
    for (const auto &[piece, id] : vocab->asObject()) {
        const auto v = validId(&id);
        if (!v)
            return bad("vocab entry '" + piece + "' has an invalid id (an integer in [0, 2^24) is needed)");
        m_vocab[piece] = *v;
        maxId = std::max<std::int64_t>(maxId, *v);
    }
    for (const auto &[content, id] : m_added) {
        m_vocab[content] = id;
        maxId = std::max<std::int64_t>(maxId, id);
    }
    const std::size_t entries = vocab->asObject().size() + m_added.size();
    if (maxId + 1 > static_cast<std::int64_t>(2 * entries + 1024)) // bounds the id → piece table
        return bad("token ids up to " + std::to_string(maxId) + " for " + std::to_string(entries) + " tokens: too sparse");
    m_pieces.assign(static_cast<std::size_t>(maxId + 1), std::string());
    m_kind.assign(m_pieces.size(), kModel);
    for (const auto &[piece, id] : vocab->asObject())
        m_pieces[static_cast<std::size_t>(*validId(&id))] = piece;
    std::size_t rank = 0;
    for (const Json &m : merges->asArray()) {
        std::string_view a, b;
        if (m.isString()) {
            const std::string &s = m.asString();
            const std::size_t space = s.find(' ');
            if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
                return bad("merge \"" + s + "\" is not two symbols separated by one space");
            a = std::string_view(s).substr(0, space);
            b = std::string_view(s).substr(space + 1);
        } else if (m.isArray() && m.size() == 2 && m.asArray()[0].isString() && m.asArray()[1].isString()) {
            a = m.asArray()[0].asString();
            b = m.asArray()[1].asString();
        } else {
            return bad("merge " + std::to_string(rank) + ": merges must be strings \"a b\" or pairs [\"a\", \"b\"]");
        }
        const std::int32_t ia = idOf(a), ib = idOf(b);
        const std::int32_t merged = ia >= 0 && ib >= 0 ? idOf(std::string(a) + std::string(b)) : -1;
        if (merged >= 0)
            m_merges.emplace(pairKey(ia, ib), Merge{static_cast<std::int32_t>(std::min<std::size_t>(rank, INT32_MAX)), merged});
        ++rank;
    }
    m_byteFallback = boolAt(model, "byte_fallback", false);
    m_ignoreMerges = boolAt(model, "ignore_merges", false);
    const std::string unk = stringAt(model, "unk_token");
    m_unk = unk.empty() ? -1 : idOf(unk);
    for (unsigned byte = 0; byte < 256; ++byte) {
        char piece[8];
        std::snprintf(piece, sizeof piece, "<0x%02X>", byte);
        m_byteIds[byte] = idOf(piece);
    }
    return {};
}

void BpeTokenizer::readOptions(const Json &root)
{
    if (const Json *pre = root.find("pre_tokenizer"))
        forEachObject(*pre, [&](const Json &o) {
            const std::string type = stringAt(o, "type");
            if (type == "ByteLevel") {
                m_byteLevel = true;
                m_addPrefixSpace = boolAt(o, "add_prefix_space", false);
                if (boolAt(o, "use_regex", true) && m_split == SplitPattern::None)
                    m_split = SplitPattern::Gpt2;
            } else if (type == "Split") {
                const Json *pattern = o.find("pattern");
                const std::string regex = pattern ? stringAt(*pattern, "Regex") : std::string();
                if (regex.find(R"([^\r\n\p{L}\p{N}]?\p{L}+)") != std::string::npos) {
                    m_split = SplitPattern::Llama3;
                    m_maxDigits = regex.find(R"(\p{N}{1,3})") != std::string::npos ? 3 : regex.find(R"(\p{N}{1,2})") != std::string::npos ? 2 : 1;
                } else if (!regex.empty()) {
                    m_split = SplitPattern::Gpt2; // another pattern: GPT-2's is the closest we have
                }
            } else if (type == "Metaspace") {
                m_spaceToMark = true;
                const std::string scheme = stringAt(o, "prepend_scheme");
                m_prepend = scheme == "never" ? Prepend::Never
                    : scheme == "first"       ? Prepend::First
                    : scheme == "always"      ? Prepend::Always
                    : boolAt(o, "add_prefix_space", true) ? Prepend::Always
                                                          : Prepend::Never;
            }
        });
    if (const Json *dec = root.find("decoder"))
        forEachObject(*dec, [&](const Json &o) {
            if (stringAt(o, "type") == "ByteLevel")
                m_byteLevel = true;
        });
    if (const Json *norm = root.find("normalizer"))
        forEachObject(*norm, [&](const Json &o) {
            const std::string type = stringAt(o, "type");
            if (type == "Prepend" && stringAt(o, "prepend") == kSpaceMark)
                m_prepend = Prepend::Always;
            const Json *pattern = o.find("pattern");
            if (type == "Replace" && pattern && stringAt(*pattern, "String") == " " && stringAt(o, "content") == kSpaceMark)
                m_spaceToMark = true;
        });
    if (m_byteLevel) {
        m_prepend = Prepend::Never;
        m_spaceToMark = false;
    }
    // BOS: the first special token of the post-processor's single-sequence template; else by name
    if (const Json *pp = root.find("post_processor"))
        forEachObject(*pp, [&](const Json &o) {
            const Json *single = o.find("single");
            if (m_bos >= 0 || !single || !single->isArray() || single->asArray().empty())
                return;
            if (const Json *st = single->asArray()[0].find("SpecialToken"))
                m_bos = idOf(stringAt(*st, "id"));
        });
    for (const char *b : {"<s>", "<|begin_of_text|>", "<|startoftext|>"})
        if (m_bos < 0)
            m_bos = idOf(b);
    for (const char *e : {"</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>", "<|eot_id|>"})
        if (m_eos < 0)
            m_eos = idOf(e);
}

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::fromJson(std::string_view json, const std::string &name)
{
    auto parsed = parseJson(json, JsonParseOptions{false, 64}); // real files repeat keys in added_tokens
    if (!parsed)
        return parsed.error().withContext(name);
    return fromJsonValue(*parsed, name);
}

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::fromJsonValue(const Json &root, const std::string &name)
{
    auto bad = [&](const std::string &what) { return makeError(ErrorCode::Malformed, name + ": " + what); };
    if (!root.isObject())
        return bad("not a JSON object");
    const Json *model = root.find("model");
    if (!model || !model->isObject())
        return bad("no \"model\" object");
    if (const Json *type = model->find("type"); type && !type->isString())
        return bad("\"model.type\" is not a string");
    if (const std::string type = stringAt(*model, "type"); !type.empty() && type != "BPE")
        return makeError(ErrorCode::Unsupported, name + ": tokenizer model '" + type + "' (only BPE is supported)");
    auto t = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
    std::vector<bool> special;
    if (const Json *added = root.find("added_tokens"); added && !added->isNull()) {
        if (!added->isArray())
            return bad("\"added_tokens\" is not an array");
        for (const Json &a : added->asArray()) {
            const Json *content = a.isObject() ? a.find("content") : nullptr;
            const auto id = a.isObject() ? validId(a.find("id")) : std::nullopt;
            if (!content || !content->isString() || content->asString().empty() || !id)
                return bad("added token " + std::to_string(t->m_added.size()) + " lacks a non-empty string content or a valid id");
            t->m_added.emplace_back(content->asString(), *id);
            special.push_back(boolAt(a, "special", false));
        }
    }
    if (Status s = t->readModel(*model, name); !s)
        return s.error();
    for (std::size_t i = 0; i < t->m_added.size(); ++i) {
        const auto &[content, id] = t->m_added[i];
        t->m_pieces[static_cast<std::size_t>(id)] = content;
        t->m_kind[static_cast<std::size_t>(id)] = special[i] ? kSpecial : kAdded;
        t->m_addedFirstByte[static_cast<unsigned char>(content[0])] = true;
    }
    std::stable_sort(t->m_added.begin(), t->m_added.end(), [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
    t->readOptions(root);
    return t;
}

void BpeTokenizer::encodeWord(std::string_view word, std::vector<std::int32_t> &out) const
{
    if (word.empty())
        return;
    if (m_ignoreMerges)
        if (const std::int32_t id = idOf(word); id >= 0) {
            out.push_back(id);
            return;
        }
    std::vector<std::int32_t> sym;
    sym.reserve(word.size());
    for (std::size_t i = 0; i < word.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = codePointAt(word, i, cp);
        const std::string_view ch = word.substr(i, len);
        i += len;
        if (const std::int32_t id = idOf(ch); id >= 0) {
            sym.push_back(id);
            continue;
        }
        bool bytesKnown = m_byteFallback;
        for (std::size_t k = 0; bytesKnown && k < ch.size(); ++k)
            bytesKnown = m_byteIds[static_cast<unsigned char>(ch[k])] >= 0;
        if (bytesKnown) {
            for (const char b : ch)
                sym.push_back(m_byteIds[static_cast<unsigned char>(b)]);
        } else if (m_unk >= 0) {
            sym.push_back(m_unk);
        }
    }
    detail::mergeAdjacentPairs(sym, [&](std::int32_t a, std::int32_t b) -> std::optional<std::pair<double, std::int32_t>> {
        const auto it = m_merges.find(pairKey(a, b));
        if (it == m_merges.end())
            return std::nullopt;
        return std::pair<double, std::int32_t>{-static_cast<double>(it->second.rank), it->second.merged}; // lowest rank first
    });
    out.insert(out.end(), sym.begin(), sym.end());
}

void BpeTokenizer::encodeSegment(std::string_view segment, bool first, std::vector<std::int32_t> &out) const
{
    if (segment.empty())
        return;
    std::string text;
    if (m_byteLevel) {
        if (m_addPrefixSpace && first && segment.front() != ' ')
            text = " ";
        text += segment;
        for (const std::string_view w : splitWords(text, m_split, m_maxDigits))
            encodeWord(byteLevelEncode(w), out);
        return;
    }
    if (m_prepend == Prepend::Always || (m_prepend == Prepend::First && first))
        text = kSpaceMark;
    for (const char c : segment) {
        if (c == ' ' && m_spaceToMark)
            text += kSpaceMark;
        else
            text += c;
    }
    for (const std::string_view w : splitWords(text, m_split, m_maxDigits))
        encodeWord(w, out);
}

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text, bool addBos) const
{
    std::vector<std::int32_t> out;
    if (addBos && m_bos >= 0)
        out.push_back(m_bos);
    // split on added tokens (longest first) in the raw text, tokenize the pieces between them
    std::size_t pos = 0, chunkStart = 0;
    while (pos < text.size()) {
        bool hit = false;
        if (m_addedFirstByte[static_cast<unsigned char>(text[pos])])
            for (const auto &[content, id] : m_added) {
                if (text.compare(pos, content.size(), content) == 0) {
                    encodeSegment(text.substr(chunkStart, pos - chunkStart), chunkStart == 0, out);
                    out.push_back(id);
                    pos += content.size();
                    chunkStart = pos;
                    hit = true;
                    break;
                }
            }
        if (!hit)
            ++pos;
    }
    encodeSegment(text.substr(chunkStart), chunkStart == 0, out);
    return out;
}

std::string BpeTokenizer::decodeToken(std::int32_t prev, std::int32_t token) const
{
    if (token < 0 || static_cast<std::size_t>(token) >= m_pieces.size() || m_kind[static_cast<std::size_t>(token)] == kSpecial)
        return {};
    const std::string &piece = m_pieces[static_cast<std::size_t>(token)];
    if (m_kind[static_cast<std::size_t>(token)] == kAdded)
        return piece;
    if (m_byteLevel)
        return byteLevelDecode(piece);
    unsigned byte = 0;
    if (m_byteFallback && isByteToken(piece, byte))
        return std::string(1, static_cast<char>(byte));
    std::string s;
    for (std::size_t i = 0; i < piece.size();) {
        if (piece.compare(i, kSpaceMark.size(), kSpaceMark) == 0) {
            s += ' ';
            i += kSpaceMark.size();
        } else {
            s += piece[i++];
        }
    }
    if ((prev < 0 || prev == m_bos) && m_prepend != Prepend::Never && !s.empty() && s.front() == ' ')
        s.erase(0, 1); // the dummy prefix
    return s;
}

} // namespace lowbit
