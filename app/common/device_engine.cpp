// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/common/device_engine.h"

#include "core/model/model.h"

#ifdef LOWBIT_HAVE_VULKAN
#include "gpu/device/context.h"
#include "gpu/engine/gpu_model.h"
#endif

#include <charconv>

namespace lowbit {

DeviceEngine::DeviceEngine() = default;
DeviceEngine::DeviceEngine(DeviceEngine &&) noexcept = default;
DeviceEngine &DeviceEngine::operator=(DeviceEngine &&) noexcept = default;
DeviceEngine::~DeviceEngine()
{
    engine.reset(); // before the device it runs on
}

bool isVulkanDevice(const std::string &device) { return device == "vulkan" || device.rfind("vulkan:", 0) == 0; }

Result<DeviceEngine> loadEngineOn(const Model &model, const std::string &device, const DeviceEngineOptions &options)
{
    DeviceEngine out;
    if (device == "cpu") {
        if (options.int8Activations)
            return makeError(ErrorCode::InvalidArgument, "int8 activations run on the Vulkan engine's integer kernels, not on the CPU");
        auto e = CpuModel::load(model, options.engine);
        if (!e)
            return e.error();
        out.engine = std::move(*e);
        out.deviceName = "CPU";
        return out;
    }
    if (!isVulkanDevice(device))
        return makeError(ErrorCode::InvalidArgument, "unknown device '" + device + "' (cpu, vulkan, vulkan:INDEX or vulkan:NAME)");
#ifdef LOWBIT_HAVE_VULKAN
    gpu::DeviceSelection sel;
    if (device.size() > 7) {
        const std::string what = device.substr(7);
        int index = -1;
        const auto [end, ec] = std::from_chars(what.data(), what.data() + what.size(), index);
        if (ec == std::errc() && end == what.data() + what.size() && index >= 0)
            sel.index = index;
        else
            sel.nameContains = what;
    }
    auto ctx = gpu::Context::create(sel);
    if (!ctx)
        return ctx.error();
    gpu::GpuModelOptions go;
    go.kvCache = options.engine.kvCache;
    go.maxContext = options.engine.maxContext;
    go.int8Activations = options.int8Activations;
    auto g = gpu::GpuModel::load(**ctx, model, go);
    if (!g)
        return g.error();
    if (options.warmUp)
        LOWBIT_CHECK((*g)->warmUp());
    out.deviceName = (*ctx)->info().name;
    out.int8Tensors = (*g)->int8Tensors();
    out.context = std::move(*ctx);
    out.engine = std::move(*g);
    out.vulkan = true;
    return out;
#else
    return makeError(ErrorCode::Unsupported, "this build has no Vulkan backend");
#endif
}

} // namespace lowbit
