// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Writes safetensors files (atomically: temporary + rename).

#include "core/dtypes/dtype.h"
#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace lowbit {

struct SafetensorsEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::byte> data; ///< must hold exactly prod(shape)·sizeof(dtype) bytes
};

using SafetensorsMetadata = std::vector<std::pair<std::string, std::string>>;

/// Builds the header (u64 length + JSON padded with spaces to a multiple of 8) for the entries
/// laid out back to back in the given order. Errors: InvalidArgument (dtype without a
/// safetensors name, byte count not matching the shape, duplicate or non-UTF-8 names).
Result<std::vector<std::byte>> safetensorsHeader(const std::vector<SafetensorsEntry> &entries,
                                                 const SafetensorsMetadata &metadata);

/// Writes a whole safetensors file to `path`; with overwrite == false an existing file is an error.
Status writeSafetensors(const std::string &path, const std::vector<SafetensorsEntry> &entries,
                        const SafetensorsMetadata &metadata = {}, bool overwrite = true);

/// The whole file in memory (tests and fuzz seeds).
Result<std::vector<std::byte>> serializeSafetensors(const std::vector<SafetensorsEntry> &entries,
                                                    const SafetensorsMetadata &metadata = {});

} // namespace lowbit
