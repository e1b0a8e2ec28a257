// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for llama2.c checkpoint headers and tokenizer.bin files.
#include "core/io/llama2c_reader.h"
#include "core/io/tokenizer_bin.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(data), size);
    auto h = lowbit::parseLlama2cHeader(bytes, "fuzz.bin");
    if (h.ok() && lowbit::llama2cLayout(*h).end != size)
        __builtin_trap();
    (void)lowbit::parseTokenizerBin(bytes, -1, "fuzz-tok.bin");
    (void)lowbit::parseTokenizerBin(bytes, 3, "fuzz-tok.bin");
    return 0;
}
