// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/device/vulkan_probe.h"

#include <vulkan/vulkan.h>

#include <memory>

namespace lowbit::gpu {

namespace {
struct InstanceDeleter {
    void operator()(VkInstance_T *i) const { vkDestroyInstance(i, nullptr); }
};
using InstancePtr = std::unique_ptr<VkInstance_T, InstanceDeleter>;

const char *typeName(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
    }
}
} // namespace

Result<std::vector<DeviceInfo>> listVulkanDevices()
{
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "lowbit";
    app.apiVersion = VK_API_VERSION_1_2;
    VkInstanceCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    ci.pApplicationInfo = &app;
    VkInstance raw = VK_NULL_HANDLE;
    if (const VkResult r = vkCreateInstance(&ci, nullptr, &raw); r != VK_SUCCESS)
        return makeError(ErrorCode::Unsupported, "no Vulkan driver available (vkCreateInstance returned " + std::to_string(r) + ")");
    InstancePtr instance(raw);
    std::uint32_t n = 0;
    vkEnumeratePhysicalDevices(instance.get(), &n, nullptr);
    std::vector<VkPhysicalDevice> devs(n);
    vkEnumeratePhysicalDevices(instance.get(), &n, devs.data());
    std::vector<DeviceInfo> out;
    for (VkPhysicalDevice d : devs) {
        VkPhysicalDeviceProperties p{};
        vkGetPhysicalDeviceProperties(d, &p);
        VkPhysicalDeviceMemoryProperties mp{};
        vkGetPhysicalDeviceMemoryProperties(d, &mp);
        DeviceInfo info;
        info.name = p.deviceName;
        info.type = typeName(p.deviceType);
        info.apiVersion = p.apiVersion;
        for (std::uint32_t h = 0; h < mp.memoryHeapCount; ++h)
            if (mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
                info.deviceLocalBytes += mp.memoryHeaps[h].size;
        out.push_back(std::move(info));
    }
    return out;
}

} // namespace lowbit::gpu
