// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// GGUF v3 (and v2) reader: metadata of every type, tensor infos, alignment; tensor data as
/// zero-copy views into the mapped file for every dtype in core/dtypes/dtype.h.

#include "core/io/gguf_types.h"
#include "core/tensor/tensor_view.h"
#include "core/util/mapped_file.h"
#include "core/util/result.h"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lowbit {

inline constexpr std::uint32_t kGgufMagic = 0x46554747; // "GGUF" little-endian
inline constexpr std::uint32_t kGgufDefaultAlignment = 32;
inline constexpr std::size_t kGgufMaxName = 64;

struct GgufTensorInfo {
    std::string name;
    std::vector<std::uint64_t> ne; ///< ne[0] is the row length (fastest)
    std::uint32_t ggmlType = 0;
    DType dtype = DType::F32;
    std::uint64_t offset = 0;      ///< relative to the data section
    std::uint64_t nbytes = 0;
};

struct GgufHeader {
    std::uint32_t version = 3;
    std::uint32_t alignment = kGgufDefaultAlignment;
    GgufKvs kvs;
    std::vector<GgufTensorInfo> infos;
    std::uint64_t dataStart = 0;
};

/// Validates a whole file image (see docs in the .cpp). Errors: Truncated, Malformed,
/// Unsupported (version 1, unknown ggml types); messages name `name` and the item.
Result<GgufHeader> parseGguf(std::span<const std::byte> file, const std::string &name);

struct GgufFile {
    std::string path;
    std::shared_ptr<const MappedFile> file;
    GgufHeader header;
    std::vector<TensorView> tensors; ///< shape outermost first (ne reversed)
};

Result<GgufFile> readGguf(const std::string &path);

} // namespace lowbit
