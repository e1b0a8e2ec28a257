// SPDX-License-Identifier: GPL-3.0-or-later
// GGUF parsing: every count and length is checked against the bytes that remain before it is
// used to allocate or read; nothing in the file can make the parser abort.
#include "core/io/gguf_reader.h"

#include "core/util/json.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace lowbit {

namespace {

constexpr int kMaxArrayDepth = 4;
constexpr std::size_t kElemSize[kGgufTypeCount] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

class Cursor {
public:
    Cursor(std::span<const std::byte> d, const std::string &name) : m_d(d), m_name(name) {}

    std::size_t pos() const { return m_pos; }
    std::size_t left() const { return m_d.size() - m_pos; }
    Error truncated(const std::string &what) const
    {
        return makeError(ErrorCode::Truncated, m_name + ": file ends inside " + what + " (at byte " + std::to_string(m_pos) + ")");
    }
    Error malformed(const std::string &what) const
    {
        return makeError(ErrorCode::Malformed, m_name + ": " + what + " (at byte " + std::to_string(m_pos) + ")");
    }

    template <class T>
    Result<T> read(const char *what)
    {
        if (left() < sizeof(T))
            return truncated(what);
        T v;
        std::memcpy(&v, m_d.data() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return v;
    }

    Result<std::string> readString(const char *what, std::size_t maxLen = SIZE_MAX)
    {
        LOWBIT_TRY(const std::uint64_t len, read<std::uint64_t>(what));
        if (len > left())
            return truncated(std::string(what) + " (string of " + std::to_string(len) + " bytes)");
        if (len > maxLen)
            return malformed(std::string(what) + " is longer than " + std::to_string(maxLen) + " bytes");
        std::string s(reinterpret_cast<const char *>(m_d.data() + m_pos), static_cast<std::size_t>(len));
        m_pos += static_cast<std::size_t>(len);
        return s;
    }

    Result<GgufValue> readValue(GgufType type, int depth, const std::string &key)
    {
        GgufValue v;
        v.type = type;
        switch (type) {
        case GgufType::U8: { LOWBIT_TRY(v.u, read<std::uint8_t>("a u8 value")); break; }
        case GgufType::I8: { LOWBIT_TRY(v.i, read<std::int8_t>("an i8 value")); break; }
        case GgufType::U16: { LOWBIT_TRY(v.u, read<std::uint16_t>("a u16 value")); break; }
        case GgufType::I16: { LOWBIT_TRY(v.i, read<std::int16_t>("an i16 value")); break; }
        case GgufType::U32: { LOWBIT_TRY(v.u, read<std::uint32_t>("a u32 value")); break; }
        case GgufType::I32: { LOWBIT_TRY(v.i, read<std::int32_t>("an i32 value")); break; }
        case GgufType::U64: { LOWBIT_TRY(v.u, read<std::uint64_t>("a u64 value")); break; }
        case GgufType::I64: { LOWBIT_TRY(v.i, read<std::int64_t>("an i64 value")); break; }
        case GgufType::F32: { LOWBIT_TRY(v.f, read<float>("an f32 value")); break; }
        case GgufType::F64: { LOWBIT_TRY(v.f, read<double>("an f64 value")); break; }
        case GgufType::Bool: {
            LOWBIT_TRY(const std::uint8_t b, read<std::uint8_t>("a bool value"));
            if (b > 1)
                return malformed("key '" + key + "': bool value " + std::to_string(b));
            v.u = b;
            break;
        }
        case GgufType::String: { LOWBIT_TRY(v.s, readString("a string value")); break; }
        case GgufType::Array: {
            if (depth >= kMaxArrayDepth)
                return malformed("key '" + key + "': arrays nested deeper than " + std::to_string(kMaxArrayDepth));
            LOWBIT_TRY(const std::uint32_t et, read<std::uint32_t>("an array type"));
            if (et >= kGgufTypeCount)
                return malformed("key '" + key + "': unknown array element type " + std::to_string(et));
            v.elemType = static_cast<GgufType>(et);
            LOWBIT_TRY(const std::uint64_t n, read<std::uint64_t>("an array length"));
            // every element takes at least one byte (strings and arrays at least 8): a length the
            // rest of the file cannot hold is rejected before anything is allocated
            const std::size_t minElem = kElemSize[et] ? kElemSize[et] : 8;
            if (n > left() / minElem)
                return truncated("key '" + key + "': array of " + std::to_string(n) + " elements");
            v.array.reserve(static_cast<std::size_t>(n));
            for (std::uint64_t k = 0; k < n; ++k) {
                LOWBIT_TRY(GgufValue e, readValue(v.elemType, depth + 1, key));
                v.array.push_back(std::move(e));
            }
            break;
        }
        }
        return v;
    }

private:
    std::span<const std::byte> m_d;
    const std::string &m_name;
    std::size_t m_pos = 0;
};

} // namespace

Result<GgufHeader> parseGguf(std::span<const std::byte> file, const std::string &name)
{
    Cursor c(file, name);
    GgufHeader h;
    LOWBIT_TRY(const std::uint32_t magic, c.read<std::uint32_t>("the magic"));
    if (magic != kGgufMagic)
        return makeError(ErrorCode::Malformed, name + ": not a GGUF file (bad magic)");
    LOWBIT_TRY(h.version, c.read<std::uint32_t>("the version"));
    if (h.version != 2 && h.version != 3)
        return makeError(ErrorCode::Unsupported, name + ": GGUF version " + std::to_string(h.version) + " (supported: 2, 3)");
    LOWBIT_TRY(const std::uint64_t nTensors, c.read<std::uint64_t>("the tensor count"));
    LOWBIT_TRY(const std::uint64_t nKvs, c.read<std::uint64_t>("the metadata count"));
    // a KV needs ≥ 12 bytes (key length + type), a tensor info ≥ 24
    if (nKvs > c.left() / 12)
        return c.truncated(std::to_string(nKvs) + " metadata entries");
    if (nTensors > c.left() / 24)
        return c.truncated(std::to_string(nTensors) + " tensor infos");
    std::set<std::string> keys;
    for (std::uint64_t k = 0; k < nKvs; ++k) {
        LOWBIT_TRY(std::string key, c.readString("a metadata key", 1 << 16));
        if (!isValidUtf8(key) || key.empty())
            return c.malformed("metadata key " + std::to_string(k) + " is empty or not UTF-8");
        if (!keys.insert(key).second)
            return c.malformed("duplicate metadata key '" + key + "'");
        LOWBIT_TRY(const std::uint32_t type, c.read<std::uint32_t>("a metadata type"));
        if (type >= kGgufTypeCount)
            return c.malformed("key '" + key + "': unknown value type " + std::to_string(type));
        LOWBIT_TRY(GgufValue v, c.readValue(static_cast<GgufType>(type), 0, key));
        h.kvs.emplace_back(std::move(key), std::move(v));
    }
    if (const GgufValue *a = ggufFind(h.kvs, "general.alignment")) {
        const auto al = a->asInt();
        if (a->type != GgufType::U32 || !al || *al == 0 || (*al & (*al - 1)) != 0)
            return makeError(ErrorCode::Malformed, name + ": general.alignment must be a u32 power of two");
        h.alignment = static_cast<std::uint32_t>(*al);
    }
    std::set<std::string> names;
    for (std::uint64_t t = 0; t < nTensors; ++t) {
        GgufTensorInfo info;
        LOWBIT_TRY(info.name, c.readString("a tensor name"));
        if (info.name.size() > kGgufMaxName)
            return c.malformed("tensor name '" + info.name.substr(0, 80) + "…' is longer than 64 bytes");
        if (info.name.empty() || !isValidUtf8(info.name))
            return c.malformed("tensor " + std::to_string(t) + " has an empty or non-UTF-8 name");
        if (!names.insert(info.name).second)
            return c.malformed("duplicate tensor name '" + info.name + "'");
        LOWBIT_TRY(const std::uint32_t nDims, c.read<std::uint32_t>("a tensor's dimension count"));
        if (nDims == 0 || nDims > 4)
            return c.malformed("tensor '" + info.name + "' has " + std::to_string(nDims) + " dimensions (1..4 allowed)");
        std::uint64_t numel = 1;
        for (std::uint32_t d = 0; d < nDims; ++d) {
            LOWBIT_TRY(const std::uint64_t ne, c.read<std::uint64_t>("a tensor dimension"));
            if (ne == 0 || ne > (std::uint64_t(1) << 62))
                return c.malformed("tensor '" + info.name + "' has dimension " + std::to_string(ne));
            if (__builtin_mul_overflow(numel, ne, &numel) || numel > (std::uint64_t(1) << 62))
                return c.malformed("tensor '" + info.name + "': element count overflows");
            info.ne.push_back(ne);
        }
        LOWBIT_TRY(info.ggmlType, c.read<std::uint32_t>("a tensor type"));
        const auto dt = dtypeFromGgmlType(info.ggmlType);
        if (!dt || !dtypeTraits(*dt).toFloat)
            return makeError(ErrorCode::Unsupported, name + ": tensor '" + info.name + "' has ggml type " + std::to_string(info.ggmlType)
                                                         + ", which this version cannot read");
        info.dtype = *dt;
        if (info.ne[0] % dtypeTraits(info.dtype).blockSize != 0)
            return c.malformed("tensor '" + info.name + "': row of " + std::to_string(info.ne[0]) + " is not a whole number of "
                               + std::string(dtypeName(info.dtype)) + " blocks");
        const auto bytes = dtypeByteCount(info.dtype, numel);
        if (!bytes)
            return c.malformed("tensor '" + info.name + "': byte size overflows");
        info.nbytes = *bytes;
        LOWBIT_TRY(info.offset, c.read<std::uint64_t>("a tensor offset"));
        if (info.offset % h.alignment != 0)
            return c.malformed("tensor '" + info.name + "': offset " + std::to_string(info.offset) + " is not a multiple of the alignment "
                               + std::to_string(h.alignment));
        h.infos.push_back(std::move(info));
    }
    const std::uint64_t pad = (h.alignment - c.pos() % h.alignment) % h.alignment;
    h.dataStart = c.pos() + pad;
    const std::uint64_t dataBytes = file.size() >= h.dataStart ? file.size() - h.dataStart : 0;
    if (!h.infos.empty() && file.size() < h.dataStart)
        return makeError(ErrorCode::Truncated, name + ": file ends before the tensor data section");
    std::vector<const GgufTensorInfo *> sorted;
    for (const auto &i : h.infos) {
        if (i.offset > dataBytes || i.nbytes > dataBytes - i.offset)
            return makeError(ErrorCode::Truncated, name + ": tensor '" + i.name + "' (" + std::to_string(i.nbytes) + " bytes at offset "
                                                       + std::to_string(i.offset) + ") extends past the end of the file");
        sorted.push_back(&i);
    }
    std::sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return a->offset < b->offset; });
    for (std::size_t k = 1; k < sorted.size(); ++k)
        if (sorted[k]->offset < sorted[k - 1]->offset + sorted[k - 1]->nbytes)
            return makeError(ErrorCode::Malformed, name + ": tensors '" + sorted[k - 1]->name + "' and '" + sorted[k]->name + "' overlap");
    return h;
}

Result<GgufFile> readGguf(const std::string &path)
{
    LOWBIT_TRY(std::shared_ptr<const MappedFile> mf, MappedFile::open(path));
    LOWBIT_TRY(GgufHeader h, parseGguf(mf->bytes(), path));
    GgufFile f;
    f.path = path;
    f.file = mf;
    for (const auto &i : h.infos) {
        TensorView v;
        v.name = i.name;
        v.dtype = i.dtype;
        for (auto it = i.ne.rbegin(); it != i.ne.rend(); ++it)
            v.shape.push_back(static_cast<std::int64_t>(*it));
        v.data = mf->data() + h.dataStart + i.offset;
        v.nbytes = i.nbytes;
        v.owner = mf;
        f.tensors.push_back(std::move(v));
    }
    f.header = std::move(h);
    return f;
}

} // namespace lowbit
