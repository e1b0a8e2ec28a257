// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Writes GGUF v3 files: metadata of every type, tensors of any dtype with a ggml type id,
/// data aligned to general.alignment. Written atomically (temporary + rename).

#include "core/dtypes/dtype.h"
#include "core/io/gguf_types.h"
#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lowbit {

/// Little-endian GGUF encoding, shared by GgufWriter and the streaming GGUF exporter
/// (core/export/gguf_export.cpp), which builds its header the same way.
namespace gguf_detail {
template <class T>
void put(std::vector<std::byte> &out, T v)
{
    const auto *p = reinterpret_cast<const std::byte *>(&v);
    out.insert(out.end(), p, p + sizeof(T));
}
void putString(std::vector<std::byte> &out, const std::string &s);
void putValue(std::vector<std::byte> &out, const GgufValue &v);
} // namespace gguf_detail

class GgufWriter {
public:
    explicit GgufWriter(std::uint32_t alignment = 32) : m_alignment(alignment) {}

    /// Adds (or replaces) a metadata entry.
    void set(const std::string &key, GgufValue value);
    /// Adds a tensor. shape is outermost first (written as ne[] reversed); data must hold exactly
    /// the dtype's byte count and stay alive until write(). Errors: InvalidArgument.
    Status addTensor(const std::string &name, DType dtype, const std::vector<std::int64_t> &shape, std::span<const std::byte> data);

    /// The whole file image (tests and fuzz seeds).
    Result<std::vector<std::byte>> serialize() const;
    Status write(const std::string &path, bool overwrite = true) const;

private:
    struct Tensor {
        std::string name;
        DType dtype;
        std::vector<std::int64_t> shape;
        std::span<const std::byte> data;
    };
    std::vector<std::byte> headerBytes(std::vector<std::uint64_t> &offsets) const;

    std::uint32_t m_alignment;
    GgufKvs m_kvs;
    std::vector<Tensor> m_tensors;
};

} // namespace lowbit
