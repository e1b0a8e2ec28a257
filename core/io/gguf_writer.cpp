// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/gguf_writer.h"

#include "core/io/gguf_reader.h"
#include "core/tensor/tensor_view.h"
#include "core/util/atomic_file.h"

#include <cstring>

namespace lowbit {

namespace gguf_detail {

void putString(std::vector<std::byte> &out, const std::string &s)
{
    put<std::uint64_t>(out, s.size());
    const auto *p = reinterpret_cast<const std::byte *>(s.data());
    out.insert(out.end(), p, p + s.size());
}

void putValue(std::vector<std::byte> &out, const GgufValue &v)
{
    switch (v.type) {
    case GgufType::U8: put<std::uint8_t>(out, static_cast<std::uint8_t>(v.u)); break;
    case GgufType::I8: put<std::int8_t>(out, static_cast<std::int8_t>(v.i)); break;
    case GgufType::U16: put<std::uint16_t>(out, static_cast<std::uint16_t>(v.u)); break;
    case GgufType::I16: put<std::int16_t>(out, static_cast<std::int16_t>(v.i)); break;
    case GgufType::U32: put<std::uint32_t>(out, static_cast<std::uint32_t>(v.u)); break;
    case GgufType::I32: put<std::int32_t>(out, static_cast<std::int32_t>(v.i)); break;
    case GgufType::U64: put<std::uint64_t>(out, v.u); break;
    case GgufType::I64: put<std::int64_t>(out, v.i); break;
    case GgufType::F32: put<float>(out, static_cast<float>(v.f)); break;
    case GgufType::F64: put<double>(out, v.f); break;
    case GgufType::Bool: put<std::uint8_t>(out, v.u ? 1 : 0); break;
    case GgufType::String: putString(out, v.s); break;
    case GgufType::Array:
        put<std::uint32_t>(out, static_cast<std::uint32_t>(v.elemType));
        put<std::uint64_t>(out, v.array.size());
        for (const auto &e : v.array)
            putValue(out, e);
        break;
    }
}

} // namespace gguf_detail

namespace {
using gguf_detail::put;
using gguf_detail::putString;
using gguf_detail::putValue;
} // namespace

void GgufWriter::set(const std::string &key, GgufValue value)
{
    for (auto &[k, v] : m_kvs)
        if (k == key) {
            v = std::move(value);
            return;
        }
    m_kvs.emplace_back(key, std::move(value));
}

Status GgufWriter::addTensor(const std::string &name, DType dtype, const std::vector<std::int64_t> &shape, std::span<const std::byte> data)
{
    const auto &tr = dtypeTraits(dtype);
    if (tr.ggmlType < 0)
        return makeError(ErrorCode::InvalidArgument, "GGUF has no type for dtype " + std::string(tr.name));
    if (name.empty() || name.size() > kGgufMaxName)
        return makeError(ErrorCode::InvalidArgument, "GGUF tensor names are 1..64 bytes: '" + name + "'");
    if (shape.empty() || shape.size() > 4 || shape.back() % tr.blockSize != 0)
        return makeError(ErrorCode::InvalidArgument, "tensor '" + name + "': shape " + shapeToString(shape) + " does not fit GGUF / " + std::string(tr.name));
    const auto n = checkedNumel(shape);
    const auto bytes = n ? dtypeByteCount(dtype, *n) : std::nullopt;
    if (!bytes || *bytes != data.size())
        return makeError(ErrorCode::InvalidArgument, "tensor '" + name + "': data size does not match its shape");
    for (const auto &t : m_tensors)
        if (t.name == name)
            return makeError(ErrorCode::InvalidArgument, "duplicate tensor name '" + name + "'");
    m_tensors.push_back({name, dtype, shape, data});
    return {};
}

std::vector<std::byte> GgufWriter::headerBytes(std::vector<std::uint64_t> &offsets) const
{
    std::vector<std::byte> out;
    put<std::uint32_t>(out, kGgufMagic);
    put<std::uint32_t>(out, 3);
    put<std::uint64_t>(out, m_tensors.size());
    GgufKvs kvs = m_kvs;
    if (m_alignment != kGgufDefaultAlignment && !ggufFind(kvs, "general.alignment"))
        kvs.emplace_back("general.alignment", GgufValue::ofU32(m_alignment));
    put<std::uint64_t>(out, kvs.size());
    for (const auto &[k, v] : kvs) {
        putString(out, k);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(v.type));
        putValue(out, v);
    }
    std::uint64_t offset = 0;
    offsets.clear();
    for (const auto &t : m_tensors) {
        putString(out, t.name);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.shape.size()));
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it)
            put<std::uint64_t>(out, static_cast<std::uint64_t>(*it));
        put<std::uint32_t>(out, static_cast<std::uint32_t>(dtypeTraits(t.dtype).ggmlType));
        put<std::uint64_t>(out, offset);
        offsets.push_back(offset);
        offset += (t.data.size() + m_alignment - 1) / m_alignment * m_alignment;
    }
    out.resize((out.size() + m_alignment - 1) / m_alignment * m_alignment, std::byte{0});
    return out;
}

Result<std::vector<std::byte>> GgufWriter::serialize() const
{
    std::vector<std::uint64_t> offsets;
    std::vector<std::byte> out = headerBytes(offsets);
    const std::size_t base = out.size();
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        out.resize(base + offsets[i], std::byte{0});
        out.insert(out.end(), m_tensors[i].data.begin(), m_tensors[i].data.end());
    }
    return out;
}

Status GgufWriter::write(const std::string &path, bool overwrite) const
{
    std::vector<std::uint64_t> offsets;
    const std::vector<std::byte> header = headerBytes(offsets);
    LOWBIT_TRY(AtomicFileWriter w, AtomicFileWriter::create(path, overwrite));
    LOWBIT_CHECK(w.write(header));
    std::uint64_t at = 0;
    const std::vector<std::byte> zeros(m_alignment, std::byte{0});
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        LOWBIT_CHECK(w.write(zeros.data(), static_cast<std::size_t>(offsets[i] - at)));
        LOWBIT_CHECK(w.write(m_tensors[i].data));
        at = offsets[i] + m_tensors[i].data.size();
    }
    return w.commit();
}

} // namespace lowbit
