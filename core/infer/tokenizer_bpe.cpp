// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer_bpe.h"

#include "core/util/json.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>

namespace lowbit {

namespace {

const std::string kSpaceMark = "\xE2\x96\x81"; // U+2581 "▁"

void appendUtf8(std::string &out, std::uint32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

/// Decodes one code point at s[i] (invalid bytes decode as themselves); returns its length.
std::size_t codePointAt(std::string_view s, std::size_t i, std::uint32_t &cp)
{
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + len > s.size())
        len = 1;
    cp = len == 1 ? c : c & (0xFFu >> (len + 1));
    for (std::size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    return len;
}

std::array<std::uint32_t, 256> byteToCodePoint()
{
    std::array<std::uint32_t, 256> map{};
    std::uint32_t next = 256;
    for (std::uint32_t b = 0; b < 256; ++b) {
        const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
        map[b] = printable ? b : next++;
    }
    return map;
}

enum class CharClass { Letter, Number, Space, Other };

CharClass classify(std::uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            return CharClass::Letter;
        if (cp >= '0' && cp <= '9')
            return CharClass::Number;
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f')
            return CharClass::Space;
        return CharClass::Other;
    }
    // Outside ASCII, an approximation of the Unicode classes without tables: the common space
    // and punctuation blocks, everything else counts as a letter (scripts, CJK, accents).
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
        || cp == 0x205F || cp == 0x3000)
        return CharClass::Space;
    if ((cp >= 0x80 && cp <= 0xBF && cp != 0xAA && cp != 0xB5 && cp != 0xBA) || (cp >= 0x2010 && cp <= 0x2067) || (cp >= 0x3001 && cp <= 0x303F)
        || (cp >= 0xFF01 && cp <= 0xFF0F))
        return CharClass::Other;
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return CharClass::Number;
    return CharClass::Letter;
}

} // namespace

std::string byteLevelEncode(std::string_view bytes)
{
    static const auto map = byteToCodePoint();
    std::string out;
    for (const char c : bytes)
        appendUtf8(out, map[static_cast<unsigned char>(c)]);
    return out;
}

std::string byteLevelDecode(std::string_view text)
{
    static const auto map = byteToCodePoint();
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        i += codePointAt(text, i, cp);
        bool found = false;
        for (std::uint32_t b = 0; b < 256 && !found; ++b)
            if (map[b] == cp) {
                out += static_cast<char>(b);
                found = true;
            }
        if (!found)
            appendUtf8(out, cp);
    }
    return out;
}

Result<std::unique_ptr<BpeTokenizer>> BpeTokenizer::fromJson(std::string_view json, const std::string &name)
{
    auto bad = [&](const std::string &what) { return makeError(ErrorCode::Malformed, name + ": " + what); };
    auto parsed = parseJson(json, JsonParseOptions{false, 64}); // real files repeat keys in added_tokens
    if (!parsed)
        return parsed.error().withContext(name);
    const Json &j = *parsed;
    const Json *model = j.find("model");
    if (!model || !model->isObject())
        return bad("no \"model\" object");
    const Json *type = model->find("type");
    if (type && type->isString() && type->asString() != "BPE")
        return makeError(ErrorCode::Unsupported, name + ": tokenizer model '" + type->asString() + "' (only BPE is supported)");
    const Json *vocab = model->find("vocab");
    const Json *merges = model->find("merges");
    if (!vocab || !vocab->isObject() || !merges || !merges->isArray())
        return bad("the BPE model needs a \"vocab\" object and a \"merges\" array");
    auto t = std::unique_ptr<BpeTokenizer>(new BpeTokenizer());
    std::int64_t maxId = -1;
    for (const auto &[piece, id] : vocab->asObject()) {
        const auto v = id.asInt64();
        if (!v || *v < 0 || *v > (1 << 24))
            return bad("vocab entry '" + piece + "' has an invalid id");
        t->m_vocab[piece] = static_cast<std::int32_t>(*v);
        maxId = std::max(maxId, *v);
    }
    if (const Json *added = j.find("added_tokens"); added && added->isArray())
        for (const Json &a : added->asArray()) {
            const Json *content = a.find("content");
            const Json *id = a.find("id");
            if (!content || !content->isString() || !id || !id->asInt64() || *id->asInt64() < 0 || *id->asInt64() > (1 << 24))
                return bad("an added token lacks a string content or a valid id");
            t->m_vocab[content->asString()] = static_cast<std::int32_t>(*id->asInt64());
            t->m_added.emplace_back(content->asString(), static_cast<std::int32_t>(*id->asInt64()));
            maxId = std::max(maxId, *id->asInt64());
        }
    t->m_pieces.assign(static_cast<std::size_t>(maxId + 1), std::string());
    t->m_special.assign(t->m_pieces.size(), false);
    for (const auto &[piece, id] : t->m_vocab)
        t->m_pieces[static_cast<std::size_t>(id)] = piece;
    for (const auto &[piece, id] : t->m_added)
        t->m_special[static_cast<std::size_t>(id)] = true;
    std::sort(t->m_added.begin(), t->m_added.end(), [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
    int rank = 0;
    for (const Json &m : merges->asArray()) {
        std::string key;
        if (m.isString()) {
            key = m.asString();
            if (key.find(' ') == std::string::npos)
                return bad("merge \"" + key + "\" is not two space-separated symbols");
        } else if (m.isArray() && m.size() == 2 && m.asArray()[0].isString() && m.asArray()[1].isString()) {
            key = m.asArray()[0].asString() + " " + m.asArray()[1].asString();
        } else {
            return bad("merges must be strings \"a b\" or pairs [\"a\", \"b\"]");
        }
        t->m_ranks.emplace(std::move(key), rank++);
    }
    if (const Json *bf = model->find("byte_fallback"); bf && bf->isBool())
        t->m_byteFallback = bf->asBool();
    if (const Json *unk = model->find("unk_token"); unk && unk->isString()) {
        const auto it = t->m_vocab.find(unk->asString());
        t->m_unk = it == t->m_vocab.end() ? -1 : it->second;
    }
    // flavour: byte-level when a ByteLevel pre-tokenizer or decoder appears anywhere
    const std::string pre = j.find("pre_tokenizer") ? j.find("pre_tokenizer")->dump() : "";
    const std::string dec = j.find("decoder") ? j.find("decoder")->dump() : "";
    const std::string norm = j.find("normalizer") ? j.find("normalizer")->dump() : "";
    t->m_byteLevel = pre.find("\"ByteLevel\"") != std::string::npos || dec.find("\"ByteLevel\"") != std::string::npos;
    t->m_digitsInThrees = pre.find("\\\\p{N}{1,3}") != std::string::npos;
    t->m_prependSpace = !t->m_byteLevel
        && (norm.find("\"Prepend\"") != std::string::npos || pre.find("\"Metaspace\"") != std::string::npos);
    // BOS: the first special token of the post-processor's single template; else by name
    auto idOf = [&](const std::string &s) {
        const auto it = t->m_vocab.find(s);
        return it == t->m_vocab.end() ? -1 : it->second;
    };
    if (const Json *pp = j.find("post_processor"); pp && pp->isObject())
        if (const Json *single = pp->find("single"); single && single->isArray() && !single->asArray().empty())
            if (const Json *st = single->asArray()[0].find("SpecialToken"); st && st->find("id") && st->find("id")->isString())
                t->m_bos = idOf(st->find("id")->asString());
    for (const char *b : {"<s>", "<|begin_of_text|>"})
        if (t->m_bos < 0)
            t->m_bos = idOf(b);
    for (const char *e : {"</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>"})
        if (t->m_eos < 0)
            t->m_eos = idOf(e);
    return t;
}

std::vector<std::string> BpeTokenizer::preTokenize(std::string_view text) const
{
    if (!m_byteLevel) // SentencePiece-style: one sequence (spaces already became ▁)
        return {std::string(text)};
    // GPT-2's pattern: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    std::vector<std::string> out;
    std::vector<std::pair<std::uint32_t, std::size_t>> cps; // code point, byte offset
    for (std::size_t i = 0; i < text.size();) {
        std::uint32_t cp = 0;
        const std::size_t len = codePointAt(text, i, cp);
        cps.emplace_back(cp, i);
        i += len;
    }
    const std::size_t n = cps.size();
    auto off = [&](std::size_t k) { return k < n ? cps[k].second : text.size(); };
    auto cls = [&](std::size_t k) { return classify(cps[k].first); };
    std::size_t i = 0;
    while (i < n) {
        const std::size_t start = i;
        if (cps[i].first == '\'' && i + 1 < n) { // contractions
            static const char *const kContractions[] = {"s", "t", "re", "ve", "m", "ll", "d"};
            bool matched = false;
            for (const char *c : kContractions) {
                const std::size_t len = std::char_traits<char>::length(c);
                bool ok = i + len < n; // the letters after the apostrophe exist
                for (std::size_t k = 0; ok && k < len; ++k)
                    ok = cps[i + 1 + k].first == static_cast<unsigned char>(c[k]);
                if (ok) {
                    i += 1 + len;
                    matched = true;
                    break;
                }
            }
            if (matched) {
                out.emplace_back(text.substr(off(start), off(i) - off(start)));
                continue;
            }
        }
        std::size_t k = i;
        const bool leadingSpace = cps[k].first == ' ' && k + 1 < n && cls(k + 1) != CharClass::Space;
        if (leadingSpace)
            ++k;
        const CharClass c = cls(k);
        if (c == CharClass::Space) {
            std::size_t j = k;
            while (j < n && cls(j) == CharClass::Space)
                ++j;
            // \s+(?!\S): leave the last space to lead the next word
            if (j < n && j - k >= 2)
                --j;
            i = j;
        } else if (c == CharClass::Number && m_digitsInThrees && !leadingSpace) {
            std::size_t j = k;
            while (j < n && j - k < 3 && cls(j) == CharClass::Number)
                ++j;
            i = j;
        } else {
            std::size_t j = k;
            while (j < n && cls(j) == c)
                ++j;
            i = j;
        }
        out.emplace_back(text.substr(off(start), off(i) - off(start)));
    }
    return out;
}

void BpeTokenizer::encodeChunk(std::string_view chunk, std::vector<std::int32_t> &out) const
{
    for (const std::string &word : preTokenize(chunk)) {
        const std::string mapped = m_byteLevel ? byteLevelEncode(word) : word;
        std::vector<std::string> sym;
        for (std::size_t i = 0; i < mapped.size();) {
            std::uint32_t cp = 0;
            const std::size_t len = codePointAt(mapped, i, cp);
            sym.emplace_back(mapped.substr(i, len));
            i += len;
        }
        while (sym.size() > 1) { // merge the lowest-ranked pair everywhere, left to right
            int best = INT_MAX;
            std::size_t at = 0;
            for (std::size_t i = 0; i + 1 < sym.size(); ++i) {
                const auto it = m_ranks.find(sym[i] + " " + sym[i + 1]);
                if (it != m_ranks.end() && it->second < best) {
                    best = it->second;
                    at = i;
                }
            }
            if (best == INT_MAX)
                break;
            const std::string a = sym[at], b = sym[at + 1];
            std::vector<std::string> merged;
            for (std::size_t i = 0; i < sym.size(); ++i) {
                if (i + 1 < sym.size() && sym[i] == a && sym[i + 1] == b) {
                    merged.push_back(a + b);
                    ++i;
                } else {
                    merged.push_back(sym[i]);
                }
            }
            sym = std::move(merged);
        }
        for (const std::string &s : sym) {
            const auto it = m_vocab.find(s);
            if (it != m_vocab.end()) {
                out.push_back(it->second);
            } else if (m_byteFallback) {
                for (const char ch : s) {
                    char name[8];
                    std::snprintf(name, sizeof name, "<0x%02X>", static_cast<unsigned char>(ch));
                    const auto b = m_vocab.find(name);
                    if (b != m_vocab.end())
                        out.push_back(b->second);
                    else if (m_unk >= 0)
                        out.push_back(m_unk);
                }
            } else if (m_unk >= 0) {
                out.push_back(m_unk);
            }
        }
    }
}

std::vector<std::int32_t> BpeTokenizer::encode(std::string_view text, bool addBos) const
{
    std::vector<std::int32_t> out;
    if (addBos && m_bos >= 0)
        out.push_back(m_bos);
    std::string normalized;
    if (!m_byteLevel) {
        if (m_prependSpace && !text.empty())
            normalized = kSpaceMark;
        for (const char c : text)
            normalized += c == ' ' ? kSpaceMark : std::string(1, c);
        text = normalized;
    }
    // split on added tokens (longest first), BPE on the pieces between them
    std::size_t pos = 0, chunkStart = 0;
    while (pos < text.size()) {
        bool hit = false;
        for (const auto &[content, id] : m_added) {
            if (!content.empty() && text.compare(pos, content.size(), content) == 0) {
                encodeChunk(text.substr(chunkStart, pos - chunkStart), out);
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
    encodeChunk(text.substr(chunkStart), out);
    return out;
}

std::string BpeTokenizer::decodeToken(std::int32_t prev, std::int32_t token) const
{
    if (token < 0 || static_cast<std::size_t>(token) >= m_pieces.size() || m_special[static_cast<std::size_t>(token)])
        return {};
    const std::string &piece = m_pieces[static_cast<std::size_t>(token)];
    if (m_byteLevel)
        return byteLevelDecode(piece);
    unsigned byte = 0;
    if (piece.size() == 6 && piece.rfind("<0x", 0) == 0 && piece.back() == '>' && std::sscanf(piece.c_str(), "<0x%02X>", &byte) == 1)
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
    if ((prev < 0 || prev == m_bos) && m_prependSpace && !s.empty() && s.front() == ' ')
        s.erase(0, 1); // the dummy prefix
    return s;
}

} // namespace lowbit
