// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Lists the Vulkan physical devices (the full device layer comes with the GPU engine).

#include "core/util/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit::gpu {

struct DeviceInfo {
    std::string name;
    std::string type; ///< "discrete", "integrated", "virtual", "cpu", "other"
    std::uint32_t apiVersion = 0;
    std::uint64_t deviceLocalBytes = 0;
};

/// Errors: Unsupported when no Vulkan loader or driver is present.
Result<std::vector<DeviceInfo>> listVulkanDevices();

} // namespace lowbit::gpu
