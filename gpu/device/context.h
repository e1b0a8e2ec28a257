// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A Vulkan compute context: instance, the chosen physical device, a logical device with one
/// compute queue and a command pool. Owns its handles (RAII); not copyable.

#include "core/util/result.h"

#include <vulkan/vulkan.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lowbit::gpu {

struct DeviceInfo {
    std::uint32_t index = 0;          ///< position in the loader's enumeration
    std::string name;
    std::string type;                 ///< "discrete", "integrated", "virtual", "cpu", "other"
    std::uint32_t apiVersion = 0;
    std::uint64_t deviceLocalBytes = 0;
    std::uint32_t subgroupSize = 0;
    bool subgroupBallot = false;  ///< compute shaders have subgroupBroadcast & co.
    bool subgroupShuffle = false; ///< compute shaders have subgroupShuffle
    std::uint64_t maxStorageBufferRange = 0;
    std::uint32_t maxUniformBufferRange = 0;
    std::uint64_t minUniformOffsetAlignment = 256; ///< a uniform binding's offset is a multiple of this
    std::uint64_t minStorageOffsetAlignment = 256; ///< a storage binding's offset is a multiple of this
    std::uint32_t maxTexelBufferElements = 0; ///< 0: RGBA32UI uniform and storage texel buffers unsupported
    std::uint32_t maxComputeSharedMemory = 0;
    bool shaderFloat16 = false;
    bool storage16Bit = false;
    bool shaderInt8 = false;
    /// VK_KHR_shader_integer_dot_product (core in 1.3): shaders have OpSDot & co.; and whether the
    /// device runs the packed 4×8-bit forms (signed and mixed signedness) faster than the
    /// multiplies and adds they stand for. lavapipe has them emulated: its int8 GEMV keeps the
    /// two-codes-a-multiply form (docs/gpu.md, "Int8 activations")
    bool integerDotProduct = false;
    bool integerDot4x8Accelerated = false;
    /// Nanoseconds per timestamp tick on the compute queue, 0 where that queue writes no
    /// timestamps (Recorder::markTime).
    double timestampPeriodNs = 0;
    std::uint32_t timestampValidBits = 0;
};

/// "1.3.230"
std::string vulkanVersionString(std::uint32_t v);

/// Lists every physical device. Errors: Unsupported when no Vulkan loader/driver is usable.
Result<std::vector<DeviceInfo>> listDevices();

struct DeviceSelection {
    int index = -1;           ///< explicit device index, or -1
    std::string nameContains; ///< case-insensitive substring of the device name, or empty
    bool validation = false;  ///< enable VK_LAYER_KHRONOS_validation when installed
};

class Context {
public:
    /// Picks a device (explicit index or name, else discrete > integrated > virtual > cpu) and
    /// creates the logical device. Errors: Unsupported (no device / no compute queue / no match).
    static Result<std::unique_ptr<Context>> create(const DeviceSelection &selection = {});
    ~Context();
    Context(const Context &) = delete;
    Context &operator=(const Context &) = delete;

    VkDevice device() const { return m_device; }
    VkPhysicalDevice physicalDevice() const { return m_physical; }
    VkQueue queue() const { return m_queue; }
    VkCommandPool commandPool() const { return m_pool; }
    const DeviceInfo &info() const { return m_info; }
    const VkPhysicalDeviceMemoryProperties &memoryProperties() const { return m_memProps; }
    /// Messages reported by the validation layer (errors and warnings), for tests.
    const std::vector<std::string> &validationMessages() const { return m_messages; }
    /// True when the validation layer was requested, installed and hooked up.
    bool validationEnabled() const { return m_messenger != VK_NULL_HANDLE; }

    /// How long any wait for a submission's fence lasts before it fails: 600 s.
    static constexpr std::uint64_t kFenceTimeoutNs = 600ull * 1000 * 1000 * 1000;

    /// Submits one recorded command buffer to the queue and waits for its fence (kFenceTimeoutNs).
    /// Errors: Io when the device is lost (a driver reset, a GPU fault, the device removed): from
    /// then on every submission fails at once with the same message; Io when the work does not
    /// finish in time; others as vkError maps them. `submitted` (optional) tells whether the
    /// queue took the work, so that a caller knows whether its fence may still signal.
    Status submitAndWait(VkCommandBuffer cmd, VkFence fence, bool *submitted = nullptr) const;
    /// The device was lost: nothing more runs on it (the engine's owner offers the CPU).
    bool lost() const { return m_lost.load(std::memory_order_relaxed); }
    Error lostError() const;
    /// For tests of what follows a lost device: the next submission fails as a lost device's
    /// does, without submitting anything.
    void simulateDeviceLoss() const { m_simulateLoss.store(true, std::memory_order_relaxed); }

private:
    Context() = default;
    VkInstance m_instance = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT m_messenger = VK_NULL_HANDLE;
    VkPhysicalDevice m_physical = VK_NULL_HANDLE;
    VkDevice m_device = VK_NULL_HANDLE;
    VkQueue m_queue = VK_NULL_HANDLE;
    std::uint32_t m_queueFamily = 0;
    VkCommandPool m_pool = VK_NULL_HANDLE;
    DeviceInfo m_info;
    VkPhysicalDeviceMemoryProperties m_memProps{};
    std::vector<std::string> m_messages;
    mutable std::atomic<bool> m_lost{false};
    mutable std::atomic<bool> m_simulateLoss{false};
};

} // namespace lowbit::gpu
