// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/text_corpus.h"

namespace lowbit {

namespace {
std::string_view strip(std::string_view s)
{
    const auto ws = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\v'; };
    while (!s.empty() && ws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && ws(s.back()))
        s.remove_suffix(1);
    return s;
}
} // namespace

std::vector<std::string> splitDocuments(std::string_view text, std::string_view separator)
{
    std::vector<std::string> docs;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = separator.empty() ? std::string_view::npos : text.find(separator, start);
        const std::string_view piece = strip(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (!piece.empty())
            docs.emplace_back(piece);
        if (end == std::string_view::npos)
            break;
        start = end + separator.size();
    }
    return docs;
}

std::vector<std::vector<std::int32_t>> tokenizeDocuments(const Tokenizer &tok, const std::vector<std::string> &docs, std::size_t maxTokens)
{
    std::vector<std::vector<std::int32_t>> out;
    out.reserve(docs.size());
    for (const auto &d : docs) {
        auto t = tok.encode(d, true);
        if (t.size() > maxTokens)
            t.resize(maxTokens);
        out.push_back(std::move(t));
    }
    return out;
}

} // namespace lowbit
