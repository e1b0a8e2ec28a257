// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Copies host bytes into a buffer the host cannot map (MemoryUse::Staged) through a temporary
/// host-visible staging buffer and the context's queue.

#include "core/util/result.h"

#include <vulkan/vulkan.h>

#include <cstddef>
#include <span>

namespace lowbit::gpu {

class Context;
struct Buffer;

/// Copies `data` to `dst` from `offset` on, `chunkBytes` at a time: each chunk is written into
/// the staging buffer, copied by one submission and waited for, and a barrier makes the copy
/// visible to later shader reads and writes. The caller checks the range.
/// Errors: Io (no host-visible memory, allocation failed), device lost, timeout.
Status stagedCopy(const Context &ctx, const Buffer &dst, VkDeviceSize offset, std::span<const std::byte> data, VkDeviceSize chunkBytes);

} // namespace lowbit::gpu
