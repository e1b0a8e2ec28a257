// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/device/context.h"

#include "gpu/device/vk_check.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace lowbit::gpu {

namespace {

struct InstanceDeleter {
    void operator()(VkInstance_T *i) const { vkDestroyInstance(i, nullptr); }
};
using InstancePtr = std::unique_ptr<VkInstance_T, InstanceDeleter>;

bool layerAvailable(const char *name)
{
    std::uint32_t n = 0;
    vkEnumerateInstanceLayerProperties(&n, nullptr);
    std::vector<VkLayerProperties> layers(n);
    vkEnumerateInstanceLayerProperties(&n, layers.data());
    return std::any_of(layers.begin(), layers.end(), [&](const auto &l) { return std::strcmp(l.layerName, name) == 0; });
}

Result<InstancePtr> createInstance(bool validation)
{
    VkApplicationInfo app{};
    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
    app.pApplicationName = "lowbit";
    app.apiVersion = VK_API_VERSION_1_2;
    const char *layer = "VK_LAYER_KHRONOS_validation";
    std::vector<const char *> exts = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    VkInstanceCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
    ci.pApplicationInfo = &app;
    // with the layer, synchronization validation too: the recorder leaves out the barriers
    // between independent dispatches, and a missing one shows only there (llvmpipe runs
    // dispatches in order whatever the barriers say)
    const VkValidationFeatureEnableEXT sync = VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT;
    VkValidationFeaturesEXT features{};
    features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
    features.enabledValidationFeatureCount = 1;
    features.pEnabledValidationFeatures = &sync;
    if (validation && layerAvailable(layer)) {
        ci.enabledLayerCount = 1;
        ci.ppEnabledLayerNames = &layer;
        std::uint32_t n = 0;
        vkEnumerateInstanceExtensionProperties(layer, &n, nullptr);
        std::vector<VkExtensionProperties> layerExts(n);
        vkEnumerateInstanceExtensionProperties(layer, &n, layerExts.data());
        for (const VkExtensionProperties &e : layerExts)
            if (std::string_view(e.extensionName) == VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME) {
                exts.push_back(VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME);
                ci.pNext = &features;
            }
        ci.enabledExtensionCount = static_cast<std::uint32_t>(exts.size());
        ci.ppEnabledExtensionNames = exts.data();
    }
    VkInstance raw = VK_NULL_HANDLE;
    const VkResult r = vkCreateInstance(&ci, nullptr, &raw);
    if (r != VK_SUCCESS)
        return makeError(ErrorCode::Unsupported, "no usable Vulkan driver (vkCreateInstance: " + vkResultName(r) + ")");
    return InstancePtr(raw);
}

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

int typeRank(const std::string &t)
{
    if (t == "discrete")
        return 0;
    if (t == "integrated")
        return 1;
    if (t == "virtual")
        return 2;
    if (t == "cpu")
        return 3;
    return 4;
}

bool hasExtension(VkPhysicalDevice d, const char *name)
{
    std::uint32_t n = 0;
    if (vkEnumerateDeviceExtensionProperties(d, nullptr, &n, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkExtensionProperties> exts(n);
    if (vkEnumerateDeviceExtensionProperties(d, nullptr, &n, exts.data()) != VK_SUCCESS)
        return false;
    for (std::uint32_t i = 0; i < n; ++i)
        if (std::strcmp(exts[i].extensionName, name) == 0)
            return true;
    return false;
}

DeviceInfo describe(VkPhysicalDevice d, std::uint32_t index)
{
    // the integer dot product's structures only where the device has the extension (the
    // instance asks for Vulkan 1.2, so its 1.3 core form does not count)
    const bool dotExt = hasExtension(d, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    VkPhysicalDeviceShaderIntegerDotProductProperties dotProps{};
    dotProps.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_PROPERTIES;
    VkPhysicalDeviceSubgroupProperties sub{};
    sub.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES;
    sub.pNext = dotExt ? &dotProps : nullptr;
    VkPhysicalDeviceProperties2 p2{};
    p2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2;
    p2.pNext = &sub;
    vkGetPhysicalDeviceProperties2(d, &p2);
    VkPhysicalDeviceShaderIntegerDotProductFeatures dotFeatures{};
    dotFeatures.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES;
    VkPhysicalDeviceVulkan11Features f11{};
    f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    f11.pNext = dotExt ? &dotFeatures : nullptr;
    VkPhysicalDeviceVulkan12Features f12{};
    f12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    f12.pNext = &f11;
    VkPhysicalDeviceFeatures2 f2{};
    f2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    f2.pNext = &f12;
    vkGetPhysicalDeviceFeatures2(d, &f2);
    VkPhysicalDeviceMemoryProperties mp{};
    vkGetPhysicalDeviceMemoryProperties(d, &mp);

    DeviceInfo info;
    info.index = index;
    info.name = p2.properties.deviceName;
    info.type = typeName(p2.properties.deviceType);
    info.apiVersion = p2.properties.apiVersion;
    info.subgroupSize = sub.subgroupSize;
    const bool computeOps = (sub.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0;
    info.subgroupBallot = computeOps && (sub.supportedOperations & VK_SUBGROUP_FEATURE_BALLOT_BIT) != 0;
    info.subgroupShuffle = computeOps && (sub.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT) != 0;
    info.maxStorageBufferRange = p2.properties.limits.maxStorageBufferRange;
    info.maxUniformBufferRange = p2.properties.limits.maxUniformBufferRange;
    info.minUniformOffsetAlignment = std::max<VkDeviceSize>(p2.properties.limits.minUniformBufferOffsetAlignment, 1);
    info.minStorageOffsetAlignment = std::max<VkDeviceSize>(p2.properties.limits.minStorageBufferOffsetAlignment, 1);
    VkFormatProperties fp{};
    vkGetPhysicalDeviceFormatProperties(d, VK_FORMAT_R32G32B32A32_UINT, &fp);
    // the texel views serve both as uniform texel buffers (texelFetch) and storage texel buffers (imageLoad)
    constexpr VkFormatFeatureFlags texelFeatures = VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT | VK_FORMAT_FEATURE_STORAGE_TEXEL_BUFFER_BIT;
    if ((fp.bufferFeatures & texelFeatures) == texelFeatures)
        info.maxTexelBufferElements = p2.properties.limits.maxTexelBufferElements;
    info.maxComputeSharedMemory = p2.properties.limits.maxComputeSharedMemorySize;
    info.timestampPeriodNs = p2.properties.limits.timestampPeriod;
    info.shaderFloat16 = f12.shaderFloat16 == VK_TRUE;
    info.shaderInt8 = f12.shaderInt8 == VK_TRUE;
    info.storage16Bit = f11.storageBuffer16BitAccess == VK_TRUE;
    info.integerDotProduct = dotExt && dotFeatures.shaderIntegerDotProduct == VK_TRUE;
    info.integerDot4x8Accelerated = info.integerDotProduct && dotProps.integerDotProduct4x8BitPackedSignedAccelerated == VK_TRUE
        && dotProps.integerDotProduct4x8BitPackedMixedSignednessAccelerated == VK_TRUE;
    for (std::uint32_t h = 0; h < mp.memoryHeapCount; ++h)
        if (mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            info.deviceLocalBytes += mp.memoryHeaps[h].size;
    return info;
}

std::vector<VkPhysicalDevice> physicalDevices(VkInstance instance)
{
    std::uint32_t n = 0;
    vkEnumeratePhysicalDevices(instance, &n, nullptr);
    std::vector<VkPhysicalDevice> devs(n);
    vkEnumeratePhysicalDevices(instance, &n, devs.data());
    devs.resize(n);
    return devs;
}

std::string lower(std::string s)
{
    for (auto &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

VKAPI_ATTR VkBool32 VKAPI_CALL onValidationMessage(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                                   const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
    static_cast<std::vector<std::string> *>(user)->emplace_back(data->pMessage ? data->pMessage : "");
    return VK_FALSE;
}

} // namespace

std::string vulkanVersionString(std::uint32_t v)
{
    return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "."
        + std::to_string(VK_API_VERSION_PATCH(v));
}

Result<std::vector<DeviceInfo>> listDevices()
{
    LOWBIT_TRY(InstancePtr instance, createInstance(false));
    std::vector<DeviceInfo> out;
    std::uint32_t i = 0;
    for (VkPhysicalDevice d : physicalDevices(instance.get()))
        out.push_back(describe(d, i++));
    return out;
}

Result<std::unique_ptr<Context>> Context::create(const DeviceSelection &sel)
{
    LOWBIT_TRY(InstancePtr instance, createInstance(sel.validation));
    auto ctx = std::unique_ptr<Context>(new Context());
    const auto devs = physicalDevices(instance.get());
    if (devs.empty())
        return makeError(ErrorCode::Unsupported, "no Vulkan device found");
    std::vector<DeviceInfo> infos;
    for (std::uint32_t i = 0; i < devs.size(); ++i)
        infos.push_back(describe(devs[i], i));
    // what the machine has, for the errors below: "0: NVIDIA H100, 1: llvmpipe (...)"
    std::string have;
    for (const DeviceInfo &d : infos)
        have += (have.empty() ? "" : ", ") + std::to_string(d.index) + ": " + d.name;
    int chosen = -1;
    if (sel.index >= 0) {
        if (static_cast<std::size_t>(sel.index) >= devs.size())
            return makeError(ErrorCode::InvalidArgument,
                             "Vulkan device index " + std::to_string(sel.index) + " does not exist (this machine has " + have + ")");
        chosen = sel.index;
    } else if (!sel.nameContains.empty()) {
        for (std::size_t i = 0; i < infos.size() && chosen < 0; ++i)
            if (lower(infos[i].name).find(lower(sel.nameContains)) != std::string::npos)
                chosen = static_cast<int>(i);
        if (chosen < 0)
            return makeError(ErrorCode::InvalidArgument, "no Vulkan device name contains '" + sel.nameContains + "' (this machine has " + have + ")");
    } else {
        chosen = 0;
        for (std::size_t i = 1; i < infos.size(); ++i)
            if (typeRank(infos[i].type) < typeRank(infos[static_cast<std::size_t>(chosen)].type))
                chosen = static_cast<int>(i);
    }
    ctx->m_physical = devs[static_cast<std::size_t>(chosen)];
    ctx->m_info = infos[static_cast<std::size_t>(chosen)];
    vkGetPhysicalDeviceMemoryProperties(ctx->m_physical, &ctx->m_memProps);

    std::uint32_t nq = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->m_physical, &nq, nullptr);
    std::vector<VkQueueFamilyProperties> families(nq);
    vkGetPhysicalDeviceQueueFamilyProperties(ctx->m_physical, &nq, families.data());
    bool found = false;
    for (std::uint32_t i = 0; i < nq && !found; ++i)
        if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) {
            ctx->m_queueFamily = i;
            found = true;
        }
    if (!found)
        return makeError(ErrorCode::Unsupported, ctx->m_info.name + " has no compute queue");
    ctx->m_info.timestampValidBits = families[ctx->m_queueFamily].timestampValidBits;
    if (ctx->m_info.timestampValidBits == 0)
        ctx->m_info.timestampPeriodNs = 0;

    ctx->m_instance = instance.release();
    if (sel.validation) {
        auto createMessenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(ctx->m_instance, "vkCreateDebugUtilsMessengerEXT"));
        if (createMessenger) {
            VkDebugUtilsMessengerCreateInfoEXT mi{};
            mi.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
            mi.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
            mi.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;
            mi.pfnUserCallback = onValidationMessage;
            mi.pUserData = &ctx->m_messages;
            createMessenger(ctx->m_instance, &mi, nullptr, &ctx->m_messenger);
        }
    }

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo qi{};
    qi.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
    qi.queueFamilyIndex = ctx->m_queueFamily;
    qi.queueCount = 1;
    qi.pQueuePriorities = &priority;
    // 16-bit storage, where the device has it, for the fp16 KV cache's loads (attention_f16s);
    // without it those go through packed uints
    VkPhysicalDeviceVulkan11Features f11{};
    f11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    f11.storageBuffer16BitAccess = ctx->m_info.storage16Bit ? VK_TRUE : VK_FALSE;
    // the 4×8-bit integer dot product, where the device has it, for the int8-x tree GEMV
    // (matvec_packed_*_x8: OpSDot)
    VkPhysicalDeviceShaderIntegerDotProductFeatures dot{};
    dot.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES;
    dot.shaderIntegerDotProduct = VK_TRUE;
    const char *dotExtension = VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME;
    VkDeviceCreateInfo di{};
    di.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
    di.pNext = ctx->m_info.apiVersion >= VK_API_VERSION_1_2 ? &f11 : nullptr;
    if (ctx->m_info.integerDotProduct) {
        if (di.pNext)
            f11.pNext = &dot;
        else
            di.pNext = &dot;
        di.enabledExtensionCount = 1;
        di.ppEnabledExtensionNames = &dotExtension;
    }
    di.queueCreateInfoCount = 1;
    di.pQueueCreateInfos = &qi;
    LOWBIT_VK_CHECK(vkCreateDevice(ctx->m_physical, &di, nullptr, &ctx->m_device));
    vkGetDeviceQueue(ctx->m_device, ctx->m_queueFamily, 0, &ctx->m_queue);
    VkCommandPoolCreateInfo pi{};
    pi.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    pi.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pi.queueFamilyIndex = ctx->m_queueFamily;
    LOWBIT_VK_CHECK(vkCreateCommandPool(ctx->m_device, &pi, nullptr, &ctx->m_pool));
    return ctx;
}

Error Context::lostError() const
{
    return makeError(ErrorCode::Io, "the Vulkan device " + m_info.name
                                        + " was lost (a driver reset, a GPU fault or the device removed): its work and memory are gone");
}

Status Context::submitAndWait(VkCommandBuffer cmd, VkFence fence, bool *submitted) const
{
    if (submitted)
        *submitted = false;
    if (lost())
        return lostError();
    VkSubmitInfo si{};
    si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
    si.commandBufferCount = 1;
    si.pCommandBuffers = &cmd;
    VkResult r = m_simulateLoss.exchange(false) ? VK_ERROR_DEVICE_LOST : vkQueueSubmit(m_queue, 1, &si, fence);
    if (r == VK_SUCCESS) {
        if (submitted)
            *submitted = true;
        r = vkWaitForFences(m_device, 1, &fence, VK_TRUE, kFenceTimeoutNs);
    }
    if (r == VK_ERROR_DEVICE_LOST) {
        m_lost.store(true, std::memory_order_relaxed);
        return lostError();
    }
    if (r == VK_TIMEOUT)
        return makeError(ErrorCode::Io, "the Vulkan device " + m_info.name + " did not finish its work within "
                                            + std::to_string(kFenceTimeoutNs / 1000000000ull) + " s");
    if (r != VK_SUCCESS)
        return vkError(r, "vkQueueSubmit / vkWaitForFences", __FILE__, __LINE__);
    return {};
}

Context::~Context()
{
    if (m_device) {
        vkDeviceWaitIdle(m_device);
        if (m_pool)
            vkDestroyCommandPool(m_device, m_pool, nullptr);
        vkDestroyDevice(m_device, nullptr);
    }
    if (m_messenger) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(m_instance, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy)
            destroy(m_instance, m_messenger, nullptr);
    }
    if (m_instance)
        vkDestroyInstance(m_instance, nullptr);
}

} // namespace lowbit::gpu
