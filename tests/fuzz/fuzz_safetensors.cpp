// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target: any byte string must give a header or a clean error, never a crash, and an
// accepted header must keep the reader's promises (tensors inside the input, byte counts equal
// to shape × element size, no two tensors sharing bytes).
#include "core/io/safetensors_reader.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(data), size);
    auto h = lowbit::parseSafetensorsHeader(bytes, "fuzz.safetensors");
    if (!h.ok()) {
        if (h.error().detail.empty())
            __builtin_trap(); // every error must say something
        return 0;
    }
    if (h->dataStart < 8 || h->dataStart > size)
        __builtin_trap();
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
    for (const auto &t : h->tensors) {
        if (t.name.empty() || t.begin > t.end || t.end > size - h->dataStart || t.shape.size() > 8)
            __builtin_trap();
        const auto n = lowbit::checkedNumel(t.shape);
        const auto nbytes = n ? lowbit::dtypeByteCount(t.dtype, *n) : std::nullopt;
        if (!nbytes || *nbytes != t.end - t.begin)
            __builtin_trap();
        if (t.end > t.begin)
            ranges.emplace_back(t.begin, t.end);
    }
    std::sort(ranges.begin(), ranges.end());
    for (std::size_t i = 1; i < ranges.size(); ++i)
        if (ranges[i].first < ranges[i - 1].second)
            __builtin_trap();
    return 0;
}
