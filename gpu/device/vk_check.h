// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// VkResult → lowbit::Error, recording the expression and file:line.

#include "core/util/result.h"

#include <vulkan/vulkan.h>

#include <string>

namespace lowbit::gpu {

std::string vkResultName(VkResult r);
Error vkError(VkResult r, const char *expr, const char *file, int line);

} // namespace lowbit::gpu

/// Evaluates a Vulkan call; on failure returns an Error from the enclosing function.
#define LOWBIT_VK_CHECK(expr)                                                                     \
    do {                                                                                          \
        const VkResult lowbit_vk_r = (expr);                                                      \
        if (lowbit_vk_r != VK_SUCCESS)                                                            \
            return ::lowbit::gpu::vkError(lowbit_vk_r, #expr, __FILE__, __LINE__);                \
    } while (0)
