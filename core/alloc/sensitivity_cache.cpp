// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alloc/sensitivity_cache.h"

#include "core/util/atomic_file.h"
#include "core/util/json.h"
#include "core/util/mapped_file.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <system_error>

namespace lowbit {

Fnv64 &Fnv64::addBytes(std::span<const std::byte> bytes)
{
    for (const std::byte b : bytes) {
        m_h ^= static_cast<std::uint64_t>(b);
        m_h *= 0x100000001b3ull;
    }
    return *this;
}

Fnv64 &Fnv64::addString(std::string_view s)
{
    addPod(static_cast<std::uint64_t>(s.size()));
    return addBytes(std::as_bytes(std::span(s.data(), s.size())));
}

Fnv64 &Fnv64::addSampled(std::span<const std::byte> bytes)
{
    constexpr std::size_t kWhole = std::size_t(1) << 20, kWindow = 4096, kWindows = 64;
    addPod(static_cast<std::uint64_t>(bytes.size()));
    if (bytes.size() <= kWhole)
        return addBytes(bytes);
    const std::size_t stride = (bytes.size() - kWindow) / (kWindows - 1);
    for (std::size_t i = 0; i < kWindows; ++i)
        addBytes(bytes.subspan(i * stride, kWindow));
    return *this;
}

std::string Fnv64::hex() const
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(m_h));
    return buf;
}

Status SensitivityCache::load(const std::string &path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return {};
    LOWBIT_TRY(std::string text, readTextFile(path, std::size_t(256) << 20));
    auto bad = [&](const std::string &what) { return makeError(ErrorCode::Malformed, "sensitivity cache " + path + ": " + what
                                                                   + " (delete the file to start afresh)"); };
    auto doc = parseJson(text);
    if (!doc)
        return bad(doc.error().detail);
    const Json *version = doc->find("lowbit.sensitivity_cache");
    if (!version || version->asInt64() != std::optional<std::int64_t>(1))
        return bad("not a version-1 sensitivity cache");
    const Json *entries = doc->find("entries");
    if (!entries || !entries->isObject())
        return bad("\"entries\" must be an object");
    for (const auto &[key, e] : entries->asObject()) {
        const Json *bits = e.find("bits"), *loss = e.find("delta_loss"), *proxy = e.find("proxy_error"), *method = e.find("method");
        if (!bits || !bits->asInt64() || *bits->asInt64() < 0)
            return bad("entry '" + key + "': \"bits\" must be a non-negative integer");
        if (!loss || !loss->isNumber() || !std::isfinite(loss->asDouble()))
            return bad("entry '" + key + "': \"delta_loss\" must be a finite number");
        if (!proxy || !(proxy->isNull() || proxy->isNumber()))
            return bad("entry '" + key + "': \"proxy_error\" must be a number or null");
        if (!method || !method->isString())
            return bad("entry '" + key + "': \"method\" must be a string");
        m_entries[key] = CacheEntry{*bits->asInt64(), loss->asDouble(), proxy->isNull() ? std::nan("") : proxy->asDouble(),
                                    method->asString()};
    }
    return {};
}

Status SensitivityCache::save(const std::string &path)
{
    Json entries = Json::object();
    for (const auto &[key, e] : m_entries) {
        Json j = Json::object();
        j["bits"] = Json(static_cast<long long>(e.bits));
        j["delta_loss"] = Json(e.deltaLoss);
        j["proxy_error"] = std::isfinite(e.proxyError) ? Json(e.proxyError) : Json(nullptr);
        j["method"] = Json(e.method);
        entries[key] = std::move(j);
    }
    Json doc = Json::object();
    doc["lowbit.sensitivity_cache"] = Json(1);
    doc["entries"] = std::move(entries);
    const std::string text = doc.dump(1) + "\n";
    LOWBIT_TRY(AtomicFileWriter w, AtomicFileWriter::create(path, true));
    LOWBIT_CHECK(w.write(text.data(), text.size()));
    LOWBIT_CHECK(w.commit());
    m_dirty = false;
    return {};
}

const CacheEntry *SensitivityCache::find(const std::string &key) const
{
    const auto it = m_entries.find(key);
    return it == m_entries.end() ? nullptr : &it->second;
}

void SensitivityCache::put(const std::string &key, CacheEntry e)
{
    m_entries[key] = std::move(e);
    m_dirty = true;
}

} // namespace lowbit
