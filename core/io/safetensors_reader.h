// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Reads safetensors files (single and sharded) with full header validation; tensor data stays
/// in the memory-mapped file (zero copy).

#include "core/io/safetensors_writer.h"
#include "core/tensor/tensor_view.h"
#include "core/util/mapped_file.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lowbit {

/// Largest header we accept (the format's reference implementation uses 100 MB).
inline constexpr std::uint64_t kSafetensorsMaxHeader = 100ull << 20;

/// One tensor entry of a validated header.
struct SafetensorsTensorInfo {
    std::string name; ///< non-empty, valid UTF-8
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0; ///< byte offsets relative to the data section; end − begin = numel × element size
};

/// A validated header: where the data starts and the tensors, in header order.
struct SafetensorsHeader {
    std::uint64_t dataStart = 0; ///< 8 + header length
    std::vector<SafetensorsTensorInfo> tensors; ///< header order
    SafetensorsMetadata metadata;
};

/// Validates a whole file image: header length bounds, strict JSON (no duplicate keys, valid
/// UTF-8), known dtypes, shapes (non-negative, rank ≤ 8, no overflow), offsets inside the data
/// section, byte counts equal to shape × element size, no overlaps. `name` is used in messages.
/// Errors: Truncated or Malformed (Unsupported for an unknown dtype).
Result<SafetensorsHeader> parseSafetensorsHeader(std::span<const std::byte> file, const std::string &name);

/// A mapped, validated safetensors file. Each TensorView's `data` points into `file` and its
/// `owner` holds the mapping, so views outlive this struct safely (zero copy).
struct SafetensorsFile {
    std::string path;
    std::shared_ptr<const MappedFile> file;
    std::vector<TensorView> tensors; ///< header order; views into `file`
    SafetensorsMetadata metadata;    ///< "__metadata__" in header order (empty when absent)
    std::uint64_t dataStart = 0;     ///< byte offset of the data section in the file (8 + header length)
};

/// Maps `path` read-only and validates it (see parseSafetensorsHeader). Errors: NotFound/Io from
/// the mapping, else those of parseSafetensorsHeader; every message names `path`.
Result<SafetensorsFile> readSafetensors(const std::string &path);

/// Validates an already mapped file and builds views into it; messages use file->path().
/// Errors: InvalidArgument for a null mapping, else those of parseSafetensorsHeader.
Result<SafetensorsFile> parseSafetensors(std::shared_ptr<const MappedFile> file);

/// Reads model.safetensors.index.json and every shard it names (plain file names in the same
/// folder), in order of first appearance in the weight map. Errors: NotFound for a missing
/// shard (naming it), Inconsistent when the weight map and the shards disagree (a tensor missing
/// from its shard, a shard holding a tensor mapped elsewhere or one already seen in another
/// shard), Malformed for a bad index or a shard name with a path, "..", or control characters.
Result<std::vector<SafetensorsFile>> readShardedSafetensors(const std::string &indexPath);

} // namespace lowbit
