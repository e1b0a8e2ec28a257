// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer_sp.h"

#include "core/infer/tokenizer_merge.h"

#include <cstdio>

namespace lowbit {

namespace {
constexpr float kNoMerge = -1e10f; ///< llama2.c's initial best score
} // namespace

SentencePieceTokenizer::SentencePieceTokenizer(TokenizerBin vocab, std::int32_t bos, std::int32_t eos)
    : m_vocab(std::move(vocab)), m_bos(bos), m_eos(eos)
{
    m_vocab.scores.resize(m_vocab.pieces.size(), kNoMerge); // a hand-built vocab without scores never merges
    for (std::size_t i = 0; i < m_vocab.pieces.size(); ++i)
        m_index.emplace(m_vocab.pieces[i], static_cast<std::int32_t>(i)); // first id wins on duplicates, like bsearch on a stable sort
    const auto size = static_cast<std::int32_t>(m_vocab.pieces.size());
    for (int b = 0; b < 256; ++b) {
        char name[8];
        std::snprintf(name, sizeof name, "<0x%02X>", b);
        const std::int32_t id = lookup(name);
        m_byteIds[static_cast<std::size_t>(b)] = id >= 0 ? id : b + 3 < size ? b + 3 : size > 0 ? 0 : -1;
    }
}

std::int32_t SentencePieceTokenizer::lookup(std::string_view piece) const
{
    const auto it = m_index.find(piece);
    return it == m_index.end() ? -1 : it->second;
}

std::vector<std::int32_t> SentencePieceTokenizer::initialTokens(std::string_view text) const
{
    std::vector<std::int32_t> out;
    if (!text.empty()) {
        const std::int32_t space = lookup(" ");
        if (space >= 0)
            out.push_back(space);
    }
    std::size_t i = 0;
    while (i < text.size()) {
        // one UTF-8 code point: a lead byte and up to 3 continuation bytes
        std::size_t len = 1;
        while (len < 4 && i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80)
            ++len;
        const std::int32_t id = lookup(text.substr(i, len));
        if (id >= 0) {
            out.push_back(id);
        } else {
            for (std::size_t k = 0; k < len; ++k) { // byte fallback
                const std::int32_t b = m_byteIds[static_cast<unsigned char>(text[i + k])];
                if (b >= 0)
                    out.push_back(b);
            }
        }
        i += len;
    }
    return out;
}

std::vector<std::int32_t> SentencePieceTokenizer::encodeNaive(std::string_view text, bool addBos) const
{
    std::vector<std::int32_t> t = initialTokens(text);
    while (true) {
        float best = kNoMerge;
        std::int32_t bestId = -1;
        std::size_t bestIdx = 0;
        for (std::size_t i = 0; i + 1 < t.size(); ++i) {
            const std::int32_t id = lookup(m_vocab.pieces[static_cast<std::size_t>(t[i])] + m_vocab.pieces[static_cast<std::size_t>(t[i + 1])]);
            if (id >= 0 && m_vocab.scores[static_cast<std::size_t>(id)] > best) {
                best = m_vocab.scores[static_cast<std::size_t>(id)];
                bestId = id;
                bestIdx = i;
            }
        }
        if (bestId < 0)
            break;
        t[bestIdx] = bestId;
        t.erase(t.begin() + static_cast<std::ptrdiff_t>(bestIdx) + 1);
    }
    if (addBos)
        t.insert(t.begin(), m_bos);
    return t;
}

std::vector<std::int32_t> SentencePieceTokenizer::encode(std::string_view text, bool addBos) const
{
    // Same result as encodeNaive in O(n log n). The naive loop starts from best = -1e10 with a
    // strict '>', so scores at or below -1e10 (and NaN) never merge: filtered the same way here.
    std::vector<std::int32_t> tok = initialTokens(text);
    std::string joined;
    detail::mergeAdjacentPairs(tok, [&](std::int32_t a, std::int32_t b) -> std::optional<std::pair<double, std::int32_t>> {
        joined = m_vocab.pieces[static_cast<std::size_t>(a)];
        joined += m_vocab.pieces[static_cast<std::size_t>(b)];
        const std::int32_t id = lookup(joined);
        if (id < 0)
            return std::nullopt;
        const float score = m_vocab.scores[static_cast<std::size_t>(id)];
        if (!(score > kNoMerge))
            return std::nullopt;
        return std::pair<double, std::int32_t>{score, id};
    });
    if (addBos)
        tok.insert(tok.begin(), m_bos);
    return tok;
}

std::string SentencePieceTokenizer::decodeToken(std::int32_t prevToken, std::int32_t token) const
{
    if (token < 0 || token >= static_cast<std::int32_t>(m_vocab.pieces.size()) || token == m_bos || token == m_eos || token == 0)
        return {};
    std::string_view piece = m_vocab.pieces[static_cast<std::size_t>(token)];
    if (prevToken == m_bos && !piece.empty() && piece.front() == ' ')
        piece.remove_prefix(1); // the dummy prefix after BOS
    unsigned byte = 0;
    if (piece.size() == 6 && piece.substr(0, 3) == "<0x" && piece.back() == '>'
        && std::sscanf(std::string(piece).c_str(), "<0x%02X>", &byte) == 1)
        return std::string(1, static_cast<char>(byte));
    return std::string(piece);
}

} // namespace lowbit
