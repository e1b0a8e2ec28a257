// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer_sp.h"

#include <cstdio>
#include <queue>

namespace lowbit {

SentencePieceTokenizer::SentencePieceTokenizer(TokenizerBin vocab, std::int32_t bos, std::int32_t eos)
    : m_vocab(std::move(vocab)), m_bos(bos), m_eos(eos)
{
    for (std::size_t i = 0; i < m_vocab.pieces.size(); ++i)
        m_index.emplace(m_vocab.pieces[i], static_cast<std::int32_t>(i)); // first id wins on duplicates, like bsearch on a stable sort
}

std::int32_t SentencePieceTokenizer::lookup(std::string_view piece) const
{
    const auto it = m_index.find(std::string(piece));
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
            for (std::size_t k = 0; k < len; ++k) // byte fallback: <0x00> is id 3
                out.push_back(static_cast<std::int32_t>(static_cast<unsigned char>(text[i + k])) + 3);
        }
        i += len;
    }
    return out;
}

std::vector<std::int32_t> SentencePieceTokenizer::encodeNaive(std::string_view text, bool addBos) const
{
    std::vector<std::int32_t> t = initialTokens(text);
    while (true) {
        float best = -1e10f;
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
    // Same result as encodeNaive in O(n log n): a heap of candidate merges ordered by score, then
    // by position (the naive scan takes the leftmost best pair); stale candidates are skipped.
    std::vector<std::int32_t> tok = initialTokens(text);
    const auto n = static_cast<std::int32_t>(tok.size());
    std::vector<std::int32_t> prev(tok.size()), next(tok.size());
    std::vector<std::uint32_t> version(tok.size(), 0);
    for (std::int32_t i = 0; i < n; ++i) {
        prev[static_cast<std::size_t>(i)] = i - 1;
        next[static_cast<std::size_t>(i)] = i + 1 < n ? i + 1 : -1;
    }
    struct Cand {
        float score;
        std::int32_t left, right, merged;
        std::uint32_t vl, vr;
    };
    auto worse = [](const Cand &a, const Cand &b) { return a.score != b.score ? a.score < b.score : a.left > b.left; };
    std::priority_queue<Cand, std::vector<Cand>, decltype(worse)> heap(worse);
    auto consider = [&](std::int32_t l, std::int32_t r) {
        if (l < 0 || r < 0)
            return;
        const auto ul = static_cast<std::size_t>(l), ur = static_cast<std::size_t>(r);
        const std::int32_t id = lookup(m_vocab.pieces[static_cast<std::size_t>(tok[ul])] + m_vocab.pieces[static_cast<std::size_t>(tok[ur])]);
        if (id >= 0)
            heap.push({m_vocab.scores[static_cast<std::size_t>(id)], l, r, id, version[ul], version[ur]});
    };
    for (std::int32_t i = 0; i + 1 < n; ++i)
        consider(i, i + 1);
    while (!heap.empty()) {
        const Cand c = heap.top();
        heap.pop();
        const auto ul = static_cast<std::size_t>(c.left), ur = static_cast<std::size_t>(c.right);
        if (version[ul] != c.vl || version[ur] != c.vr || next[ul] != c.right)
            continue; // a neighbour changed since this candidate was made
        tok[ul] = c.merged;
        ++version[ul];
        version[ur] = ~0u; // dead
        next[ul] = next[ur];
        if (next[ur] >= 0)
            prev[static_cast<std::size_t>(next[ur])] = c.left;
        consider(prev[ul], c.left);
        consider(c.left, next[ul]);
    }
    std::vector<std::int32_t> out;
    if (addBos)
        out.push_back(m_bos);
    for (std::int32_t i = n > 0 ? 0 : -1; i >= 0; i = next[static_cast<std::size_t>(i)])
        out.push_back(tok[static_cast<std::size_t>(i)]);
    return out;
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
