// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/safetensors_reader.h"

#include "core/util/json.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

namespace lowbit {

namespace {

Error malformed(const std::string &file, const std::string &what) { return makeError(ErrorCode::Malformed, file + ": " + what); }

Result<SafetensorsTensorInfo> parseTensorEntry(const std::string &file, const std::string &name, const Json &e, std::uint64_t dataBytes)
{
    const std::string where = "tensor '" + name + "'";
    if (!e.isObject())
        return malformed(file, where + ": entry is not an object");
    if (name.empty())
        return malformed(file, "empty tensor name");
    for (const auto &[k, v] : e.asObject())
        if (k != "dtype" && k != "shape" && k != "data_offsets")
            return malformed(file, where + ": unexpected field \"" + k + "\"");
    const Json *dtype = e.find("dtype");
    const Json *shape = e.find("shape");
    const Json *offsets = e.find("data_offsets");
    if (!dtype || !dtype->isString())
        return malformed(file, where + ": missing or non-string \"dtype\"");
    if (!shape || !shape->isArray())
        return malformed(file, where + ": missing or non-array \"shape\"");
    if (!offsets || !offsets->isArray() || offsets->size() != 2)
        return malformed(file, where + ": \"data_offsets\" must be [begin, end]");
    SafetensorsTensorInfo t;
    t.name = name;
    const auto dt = dtypeFromSafetensorsName(dtype->asString());
    if (!dt)
        return makeError(ErrorCode::Unsupported, file + ": " + where + ": unknown dtype \"" + dtype->asString() + "\"");
    t.dtype = *dt;
    if (shape->size() > 8)
        return malformed(file, where + ": rank " + std::to_string(shape->size()) + " exceeds 8");
    for (const Json &d : shape->asArray()) {
        const auto v = d.asInt64();
        if (!d.isInteger() || !v || *v < 0)
            return malformed(file, where + ": shape entries must be non-negative integers");
        t.shape.push_back(*v);
    }
    const auto b = offsets->asArray()[0].asUInt64(), en = offsets->asArray()[1].asUInt64();
    if (!offsets->asArray()[0].isInteger() || !offsets->asArray()[1].isInteger() || !b || !en)
        return malformed(file, where + ": data_offsets must be non-negative integers");
    t.begin = *b;
    t.end = *en;
    if (t.begin > t.end)
        return malformed(file, where + ": data_offsets begin " + std::to_string(t.begin) + " > end " + std::to_string(t.end));
    if (t.end > dataBytes)
        return makeError(ErrorCode::Truncated, file + ": " + where + ": data_offsets end " + std::to_string(t.end)
                                                   + " is past the data section (" + std::to_string(dataBytes) + " bytes)");
    const auto n = checkedNumel(t.shape);
    const auto bytes = n ? dtypeByteCount(t.dtype, *n) : std::nullopt;
    if (!bytes)
        return malformed(file, where + ": shape " + shapeToString(t.shape) + " overflows 64 bits");
    if (*bytes != t.end - t.begin)
        return malformed(file, where + ": holds " + std::to_string(t.end - t.begin) + " bytes but shape " + shapeToString(t.shape) + " of "
                                   + std::string(dtypeName(t.dtype)) + " needs " + std::to_string(*bytes));
    return t;
}

} // namespace

Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const std::byte> file, const std::string &name)
{
    if (file.size() < 8)
        return makeError(ErrorCode::Truncated, name + ": " + std::to_string(file.size()) + " bytes is too short for a safetensors header");
    std::uint64_t n = 0;
    std::memcpy(&n, file.data(), 8);
    if (n > kSafetensorsMaxHeader)
        return malformed(name, "header length " + std::to_string(n) + " exceeds the " + std::to_string(kSafetensorsMaxHeader) + "-byte limit");
    if (n > file.size() - 8)
        return makeError(ErrorCode::Truncated, name + ": header length " + std::to_string(n) + " is larger than the file ("
                                                   + std::to_string(file.size()) + " bytes)");
    const std::string_view text(reinterpret_cast<const char *>(file.data() + 8), static_cast<std::size_t>(n));
    auto json = parseJson(text);
    if (!json)
        return json.error().withContext(name + ": header");
    if (!json->isObject())
        return malformed(name, "header is not a JSON object");
    SafetensorsHeader h;
    h.dataStart = 8 + n;
    const std::uint64_t dataBytes = file.size() - h.dataStart;
    for (const auto &[key, value] : json->asObject()) {
        if (key == "__metadata__") {
            if (!value.isObject())
                return malformed(name, "__metadata__ is not an object");
            for (const auto &[mk, mv] : value.asObject()) {
                if (!mv.isString())
                    return malformed(name, "__metadata__ value of \"" + mk + "\" is not a string");
                h.metadata.emplace_back(mk, mv.asString());
            }
            continue;
        }
        LOWBIT_TRY(SafetensorsTensorInfo t, parseTensorEntry(name, key, value, dataBytes));
        h.tensors.push_back(std::move(t));
    }
    // No two tensors may share bytes.
    std::vector<const SafetensorsTensorInfo *> sorted;
    for (const auto &t : h.tensors)
        if (t.end > t.begin)
            sorted.push_back(&t);
    std::sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return a->begin < b->begin; });
    for (std::size_t i = 1; i < sorted.size(); ++i)
        if (sorted[i]->begin < sorted[i - 1]->end)
            return malformed(name, "tensors '" + sorted[i - 1]->name + "' and '" + sorted[i]->name + "' overlap");
    return h;
}

Result<SafetensorsFile> parseSafetensors(std::shared_ptr<const MappedFile> mf)
{
    if (!mf)
        return makeError(ErrorCode::InvalidArgument, "parseSafetensors: no file mapping");
    LOWBIT_TRY(SafetensorsHeader h, parseSafetensorsHeader(mf->bytes(), mf->path()));
    SafetensorsFile f;
    f.path = mf->path();
    f.file = mf;
    f.metadata = std::move(h.metadata);
    f.dataStart = h.dataStart;
    f.tensors.reserve(h.tensors.size());
    for (auto &t : h.tensors) {
        TensorView v;
        v.name = std::move(t.name);
        v.dtype = t.dtype;
        v.shape = std::move(t.shape);
        v.data = mf->data() + h.dataStart + t.begin;
        v.nbytes = t.end - t.begin;
        v.owner = mf;
        f.tensors.push_back(std::move(v));
    }
    return f;
}

Result<SafetensorsFile> readSafetensors(const std::string &path)
{
    LOWBIT_TRY(std::shared_ptr<const MappedFile> mf, MappedFile::open(path));
    LOWBIT_TRY(SafetensorsFile f, parseSafetensors(std::move(mf)));
    f.path = path;
    return f;
}

Result<std::vector<SafetensorsFile>> readShardedSafetensors(const std::string &indexPath)
{
    namespace fs = std::filesystem;
    LOWBIT_TRY(std::string text, readTextFile(indexPath, 64u << 20));
    auto json = parseJson(text);
    if (!json)
        return json.error().withContext(indexPath);
    if (!json->isObject())
        return malformed(indexPath, "index is not a JSON object");
    if (const Json *meta = json->find("metadata"); meta && !meta->isObject())
        return malformed(indexPath, "\"metadata\" is not an object");
    const Json *map = json->find("weight_map");
    if (!map || !map->isObject())
        return malformed(indexPath, "no \"weight_map\" object");
    if (map->asObject().empty())
        return malformed(indexPath, "\"weight_map\" is empty");
    std::map<std::string, std::string> owner; // tensor → shard
    std::vector<std::string> shards;
    for (const auto &[tensor, shard] : map->asObject()) {
        if (!shard.isString())
            return malformed(indexPath, "weight_map entry for '" + tensor + "' is not a string");
        const std::string &s = shard.asString();
        const bool control = std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
        if (s.empty() || control || s.find('/') != std::string::npos || s.find('\\') != std::string::npos || s == "." || s == "..")
            return malformed(indexPath, "shard name \"" + s + "\" must be a plain file name in the same folder");
        owner[tensor] = s;
        if (std::find(shards.begin(), shards.end(), s) == shards.end())
            shards.push_back(s);
    }
    const fs::path dir = fs::path(indexPath).parent_path();
    std::vector<SafetensorsFile> files;
    std::set<std::string> seen;
    for (const auto &s : shards) {
        const std::string p = (dir / s).string();
        auto f = readSafetensors(p);
        if (!f) {
            if (f.error().code == ErrorCode::NotFound)
                return makeError(ErrorCode::NotFound, indexPath + ": shard \"" + s + "\" is missing");
            return f.error();
        }
        for (const auto &t : f->tensors) {
            const auto it = owner.find(t.name);
            if (it == owner.end() || it->second != s)
                return makeError(ErrorCode::Inconsistent, indexPath + ": shard \"" + s + "\" holds '" + t.name
                                                              + "', which the weight map assigns " + (it == owner.end() ? "nowhere" : "to \"" + it->second + "\""));
            if (!seen.insert(t.name).second)
                return makeError(ErrorCode::Inconsistent, indexPath + ": tensor '" + t.name + "' appears in two shards");
        }
        files.push_back(std::move(*f));
    }
    for (const auto &[tensor, shard] : owner)
        if (!seen.count(tensor))
            return makeError(ErrorCode::Inconsistent, indexPath + ": tensor '" + tensor + "' is not in its shard \"" + shard + "\"");
    return files;
}

} // namespace lowbit
