// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Which descriptor bindings a compute shader may write, read off its SPIR-V: the recorder puts
/// a barrier between two dispatches only where one writes what the other reads or writes.

#include <cstdint>
#include <span>

namespace lowbit::gpu {

/// Bit b set: binding b of descriptor set 0 is a storage buffer or storage image that the shader
/// may write (neither the variable nor every member of its block is NonWritable). Uniform
/// buffers and uniform texel buffers are never written. Malformed or unexpected SPIR-V gives
/// every bit set (a barrier after every dispatch, as without the analysis).
std::uint32_t writtenBindings(std::span<const std::uint32_t> spirv);

} // namespace lowbit::gpu
