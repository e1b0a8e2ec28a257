// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any byte string must give a GGUF header or a clean error, never a crash;
// accepted tensors must lie inside the input and convert to fp32.
#include "core/io/gguf_reader.h"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(data), size);
    auto h = lowbit::parseGguf(bytes, "fuzz.gguf");
    if (!h.ok())
        return 0;
    for (const auto &t : h->infos) {
        if (h->dataStart + t.offset + t.nbytes > size)
            __builtin_trap();
        std::uint64_t n = 1;
        for (auto d : t.ne)
            n *= d;
        if (n <= 4096) {
            std::vector<float> out(n);
            (void)lowbit::convertToFloat(t.dtype, bytes.data() + h->dataStart + t.offset, out.data(), n);
        }
    }
    return 0;
}
