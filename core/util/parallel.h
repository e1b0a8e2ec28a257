// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Minimal data parallelism for core: split [0, n) into contiguous chunks, run them on up to
/// `threads` threads (0 = hardware concurrency), the calling thread included.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace lowbit {

/// Threads to use when the user did not say: hardware concurrency, at least 1.
inline unsigned defaultThreadCount()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1u : n;
}

/// Calls fn(begin, end) on disjoint chunks covering [0, n). Chunks are at least `minChunk`
/// long. fn must not throw. Returns when all chunks are done.
inline void parallelFor(std::int64_t n, const std::function<void(std::int64_t, std::int64_t)> &fn,
                        unsigned threads = 0, std::int64_t minChunk = 1)
{
    if (n <= 0)
        return;
    if (threads == 0)
        threads = defaultThreadCount();
    const std::int64_t maxByChunk = std::max<std::int64_t>(1, n / std::max<std::int64_t>(1, minChunk));
    const auto t = static_cast<std::int64_t>(std::min<std::int64_t>(threads, maxByChunk));
    if (t <= 1) {
        fn(0, n);
        return;
    }
    std::vector<std::jthread> workers;
    workers.reserve(static_cast<std::size_t>(t - 1));
    const std::int64_t chunk = (n + t - 1) / t;
    for (std::int64_t i = 1; i < t; ++i) {
        const std::int64_t b = i * chunk, e = std::min(n, b + chunk);
        if (b < e)
            workers.emplace_back([&fn, b, e] { fn(b, e); });
    }
    fn(0, std::min(n, chunk));
}

} // namespace lowbit
