// SPDX-License-Identifier: GPL-3.0-or-later
// Writes small valid seed files for the fuzzers into the folder given as argument.
#include "core/io/gguf_writer.h"
#include "core/io/safetensors_writer.h"

#include <cstdio>
#include <string>
#include <vector>

using namespace lowbit;

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    const std::string dir = argv[1];
    std::vector<float> a(64, 0.5f);
    std::vector<std::uint16_t> h(8, 0x3C00);
    (void)writeSafetensors(dir + "/seed1.safetensors", {{"a", DType::F32, {8, 8}, std::as_bytes(std::span(a))},
                                                         {"b", DType::F16, {8}, std::as_bytes(std::span(h))}},
                           {{"format", "pt"}});
    GgufWriter w;
    w.set("general.architecture", GgufValue::ofString("llama"));
    w.set("tokenizer.ggml.tokens", GgufValue::ofArray(GgufType::String, {GgufValue::ofString("a"), GgufValue::ofString("b")}));
    w.set("x.i32", GgufValue::ofI32(-3));
    (void)w.addTensor("t", DType::F32, {2, 32}, std::as_bytes(std::span(a)));
    std::vector<std::byte> q(34 * 2, std::byte{1});
    (void)w.addTensor("q", DType::Q8_0, {64}, q);
    (void)w.write(dir + "/seed2.gguf");
    return 0;
}
