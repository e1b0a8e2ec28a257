// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The sensitivity cache file (docs/plan.md) and the fingerprints its keys are made of.
/// File: {"lowbit.sensitivity_cache": 1, "entries": {KEY: {"bits": N, "delta_loss": X,
/// "proxy_error": Y | null, "method": "gptq"}}}, KEY = "<model fp>|<mode>:<stats fp>[:<text fp>]|
/// <tensor>|<option label>|<method options fp>" (or "…|<base>" for the unquantized loss).

#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace lowbit {

/// 64-bit FNV-1a, fed piece by piece.
class Fnv64 {
public:
    Fnv64 &addBytes(std::span<const std::byte> bytes);
    /// The length, then the bytes.
    Fnv64 &addString(std::string_view s);
    /// Everything when ≤ 1 MiB, else the length and 64 evenly spaced 4 KiB windows.
    Fnv64 &addSampled(std::span<const std::byte> bytes);
    template <class T>
    Fnv64 &addPod(const T &v)
    {
        static_assert(std::is_trivially_copyable_v<T>);
        return addBytes(std::as_bytes(std::span(&v, 1)));
    }
    std::uint64_t value() const { return m_h; }
    std::string hex() const; ///< 16 lowercase hex digits

private:
    std::uint64_t m_h = 0xcbf29ce484222325ull;
};

struct CacheEntry {
    std::int64_t bits = 0;
    double deltaLoss = 0;
    double proxyError = 0; ///< NaN: none (stored as null)
    std::string method;
};

class SensitivityCache {
public:
    /// Reads `path`; a missing file is an empty cache. Errors: Malformed (naming the file and
    /// entry) for anything that is not a valid cache, Io.
    Status load(const std::string &path);
    /// Writes every entry atomically (entries of other models/calibrations are kept).
    Status save(const std::string &path);
    const CacheEntry *find(const std::string &key) const;
    void put(const std::string &key, CacheEntry e);
    bool dirty() const { return m_dirty; }
    std::size_t size() const { return m_entries.size(); }

private:
    std::map<std::string, CacheEntry> m_entries;
    bool m_dirty = false;
};

} // namespace lowbit
