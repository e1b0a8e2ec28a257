// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// An inference engine on the device a user names, as the CLI (`--device`), the run panel and
/// the studio's evaluation spell it: "cpu", "vulkan" (the best Vulkan device), "vulkan:N" (by
/// index) or "vulkan:NAME" (a case-insensitive part of its name). One place loads both engines,
/// so every front end offers the same choices and the same fallback.

#include "core/infer/cpu_model.h"
#include "core/util/result.h"

#include <memory>
#include <string>

#ifdef LOWBIT_HAVE_VULKAN
namespace lowbit::gpu {
class Context;
}
#endif

namespace lowbit {

class Model;

struct DeviceEngineOptions {
    /// The CPU engine's options; the Vulkan engine takes their KV cache type and length.
    EngineOptions engine;
    bool int8Activations = false; ///< GpuModelOptions::int8Activations (the Vulkan engine only)
    /// The Vulkan engine creates its pipelines at load (GpuModel::warmUp), so the load time holds
    /// the shader compilation and the first prompt's speed is the engine's.
    bool warmUp = true;
};

struct DeviceEngine {
    DeviceEngine();
    DeviceEngine(DeviceEngine &&) noexcept;
    DeviceEngine &operator=(DeviceEngine &&) noexcept;
    ~DeviceEngine();

#ifdef LOWBIT_HAVE_VULKAN
    std::unique_ptr<gpu::Context> context; ///< the Vulkan device; outlives the engine below
#endif
    std::unique_ptr<InferenceModel> engine;
    std::string deviceName;         ///< "CPU" or the Vulkan device's name
    bool vulkan = false;
    /// Linears on integer kernels (int8Activations); 0 on the CPU.
    std::int64_t int8Tensors = 0;
};

/// True for "vulkan", "vulkan:N" and "vulkan:NAME".
bool isVulkanDevice(const std::string &device);

/// The engine for `model` (which must outlive it) on `device`. Errors: InvalidArgument for a
/// device string that is none of the above or int8 activations on the CPU; on a Vulkan device,
/// whatever the device or the engine's load reports (no such device, out of its memory, a build
/// without Vulkan): callers offer the CPU engine for those (isVulkanDevice(device)).
Result<DeviceEngine> loadEngineOn(const Model &model, const std::string &device, const DeviceEngineOptions &options);

} // namespace lowbit
