// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The pair-merge loop shared by the tokenizers, in O(n log n): a heap of candidate merges over a
/// linked list of symbols. It gives exactly what the naive loop gives ("find the best adjacent
/// pair, leftmost on ties, merge it, repeat"): candidates are ordered by priority, then by
/// position, and a candidate whose neighbours changed since it was made is skipped.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

namespace lowbit::detail {

/// Merges `tokens` in place. `candidate(left, right)` returns the merge of two adjacent ids as
/// {priority, merged id} (the HIGHEST priority merges first) or nullopt when the pair does not
/// merge. Priorities must not be NaN (the caller filters them).
template <class Candidate>
void mergeAdjacentPairs(std::vector<std::int32_t> &tokens, Candidate &&candidate)
{
    const auto n = static_cast<std::int32_t>(tokens.size());
    if (n < 2)
        return;
    std::vector<std::int32_t> prev(tokens.size()), next(tokens.size());
    std::vector<std::uint32_t> version(tokens.size(), 0);
    for (std::int32_t i = 0; i < n; ++i) {
        prev[static_cast<std::size_t>(i)] = i - 1;
        next[static_cast<std::size_t>(i)] = i + 1 < n ? i + 1 : -1;
    }
    struct Cand {
        double priority;
        std::int32_t left, right, merged;
        std::uint32_t vl, vr;
    };
    auto worse = [](const Cand &a, const Cand &b) { return a.priority != b.priority ? a.priority < b.priority : a.left > b.left; };
    std::priority_queue<Cand, std::vector<Cand>, decltype(worse)> heap(worse);
    auto consider = [&](std::int32_t l, std::int32_t r) {
        if (l < 0 || r < 0)
            return;
        const auto ul = static_cast<std::size_t>(l), ur = static_cast<std::size_t>(r);
        const std::optional<std::pair<double, std::int32_t>> m = candidate(tokens[ul], tokens[ur]);
        if (m)
            heap.push({m->first, l, r, m->second, version[ul], version[ur]});
    };
    for (std::int32_t i = 0; i + 1 < n; ++i)
        consider(i, i + 1);
    constexpr std::uint32_t kDead = ~0u;
    while (!heap.empty()) {
        const Cand c = heap.top();
        heap.pop();
        const auto ul = static_cast<std::size_t>(c.left), ur = static_cast<std::size_t>(c.right);
        if (version[ul] != c.vl || version[ur] != c.vr || version[ul] == kDead || next[ul] != c.right)
            continue; // stale: a neighbour was merged since this candidate was made
        tokens[ul] = c.merged;
        ++version[ul];
        version[ur] = kDead;
        next[ul] = next[ur];
        if (next[ur] >= 0)
            prev[static_cast<std::size_t>(next[ur])] = c.left;
        consider(prev[ul], c.left);
        consider(c.left, next[ul]);
    }
    std::size_t w = 0;
    for (std::int32_t i = 0; i >= 0; i = next[static_cast<std::size_t>(i)])
        tokens[w++] = tokens[static_cast<std::size_t>(i)];
    tokens.resize(w);
}

} // namespace lowbit::detail
