// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any byte string must give a header or a clean error, never a crash.
#include "core/io/safetensors_reader.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(data), size);
    auto h = lowbit::parseSafetensorsHeader(bytes, "fuzz.safetensors");
    if (h.ok()) {
        // every accepted tensor must lie inside the input
        for (const auto &t : h->tensors)
            if (h->dataStart + t.end > size)
                __builtin_trap();
    }
    return 0;
}
