// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/safetensors_writer.h"

#include "core/tensor/tensor_view.h"
#include "core/util/atomic_file.h"
#include "core/util/json.h"

#include <cstring>
#include <set>

namespace lowbit {

Result<std::vector<std::byte>> safetensorsHeader(const std::vector<SafetensorsEntry> &entries,
                                                 const SafetensorsMetadata &metadata)
{
    Json header = Json::object();
    if (!metadata.empty()) {
        Json meta = Json::object();
        for (const auto &[k, v] : metadata)
            meta[k] = Json(v);
        header["__metadata__"] = std::move(meta);
    }
    std::set<std::string> seen;
    std::uint64_t offset = 0;
    for (const auto &e : entries) {
        const auto &tr = dtypeTraits(e.dtype);
        if (tr.safetensorsName.empty())
            return makeError(ErrorCode::InvalidArgument, "safetensors cannot store dtype " + std::string(tr.name));
        if (!isValidUtf8(e.name) || e.name.empty() || e.name == "__metadata__")
            return makeError(ErrorCode::InvalidArgument, "invalid tensor name '" + e.name + "'");
        if (!seen.insert(e.name).second)
            return makeError(ErrorCode::InvalidArgument, "duplicate tensor name '" + e.name + "'");
        const auto n = checkedNumel(e.shape);
        const auto bytes = n ? dtypeByteCount(e.dtype, *n) : std::nullopt;
        if (!bytes || *bytes != e.data.size())
            return makeError(ErrorCode::InvalidArgument, "tensor '" + e.name + "': data size does not match shape " + shapeToString(e.shape));
        Json t = Json::object();
        t["dtype"] = Json(tr.safetensorsName);
        Json shape = Json::array();
        for (auto d : e.shape)
            shape.push(Json(static_cast<long long>(d)));
        t["shape"] = std::move(shape);
        Json offsets = Json::array();
        offsets.push(Json(static_cast<unsigned long long>(offset)));
        offsets.push(Json(static_cast<unsigned long long>(offset + *bytes)));
        t["data_offsets"] = std::move(offsets);
        header[e.name] = std::move(t);
        offset += *bytes;
    }
    std::string text = header.dump();
    while (text.size() % 8 != 0) // keeps tensor data 8-byte aligned
        text += ' ';
    std::vector<std::byte> out(8 + text.size());
    const std::uint64_t len = text.size();
    std::memcpy(out.data(), &len, 8); // little-endian host (x86_64, aarch64)
    std::memcpy(out.data() + 8, text.data(), text.size());
    return out;
}

Status writeSafetensors(const std::string &path, const std::vector<SafetensorsEntry> &entries,
                        const SafetensorsMetadata &metadata, bool overwrite)
{
    LOWBIT_TRY(std::vector<std::byte> header, safetensorsHeader(entries, metadata));
    LOWBIT_TRY(AtomicFileWriter w, AtomicFileWriter::create(path, overwrite));
    LOWBIT_CHECK(w.write(header));
    for (const auto &e : entries)
        LOWBIT_CHECK(w.write(e.data));
    return w.commit();
}

Result<std::vector<std::byte>> serializeSafetensors(const std::vector<SafetensorsEntry> &entries,
                                                    const SafetensorsMetadata &metadata)
{
    LOWBIT_TRY(std::vector<std::byte> out, safetensorsHeader(entries, metadata));
    for (const auto &e : entries)
        out.insert(out.end(), e.data.begin(), e.data.end());
    return out;
}

} // namespace lowbit
