// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit devices [--json]: the Vulkan devices the GPU engine can use.
#include "app/cli/args.h"
#include "app/cli/commands.h"

#include "core/util/json.h"

#ifdef LOWBIT_HAVE_VULKAN
#include "gpu/device/context.h"
#include "gpu/ops/packed_ops.h"
#endif

#include <ostream>

namespace lowbit::cli {

#ifdef LOWBIT_HAVE_VULKAN
namespace {
/// The fused GEMV layout large tensors get on this device (docs/gpu.md).
const char *gemvLayout(const gpu::DeviceInfo &d) { return gpu::rowLayoutDevice(d) ? "rows" : "tree"; }
} // namespace
#endif

int runDevices(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string parseError;
    const auto args = Args::parse(argv, {"json"}, {}, parseError);
    if (!args || !args->positionals().empty()) {
        err << "lowbit devices: " << (args ? "takes no positional arguments" : parseError) << "\nusage: lowbit devices [--json]\n";
        return 2;
    }
#ifndef LOWBIT_HAVE_VULKAN
    err << "lowbit devices: this build has no Vulkan backend (LOWBIT_WITH_VULKAN=OFF)\n";
    return 1;
#else
    auto devices = gpu::listDevices();
    if (!devices) {
        err << "lowbit devices: " << devices.error().message() << "\n";
        return 1;
    }
    if (args->flag("json")) {
        Json arr = Json::array();
        for (const auto &d : *devices) {
            Json j = Json::object();
            j["index"] = Json(d.index);
            j["name"] = Json(d.name);
            j["type"] = Json(d.type);
            j["api_version"] = Json(gpu::vulkanVersionString(d.apiVersion));
            j["device_local_bytes"] = Json(static_cast<unsigned long long>(d.deviceLocalBytes));
            j["subgroup_size"] = Json(d.subgroupSize);
            j["subgroup_ballot"] = Json(d.subgroupBallot);
            j["subgroup_shuffle"] = Json(d.subgroupShuffle);
            j["max_storage_buffer_range"] = Json(static_cast<unsigned long long>(d.maxStorageBufferRange));
            j["max_uniform_buffer_range"] = Json(static_cast<unsigned long long>(d.maxUniformBufferRange));
            j["max_texel_buffer_elements"] = Json(static_cast<unsigned long long>(d.maxTexelBufferElements));
            j["max_compute_shared_memory"] = Json(static_cast<unsigned long long>(d.maxComputeSharedMemory));
            j["gemv_layout"] = Json(std::string(gemvLayout(d)));
            j["shader_float16"] = Json(d.shaderFloat16);
            j["storage_16bit"] = Json(d.storage16Bit);
            j["shader_int8"] = Json(d.shaderInt8);
            j["integer_dot_product"] = Json(d.integerDotProduct);
            j["integer_dot_4x8_accelerated"] = Json(d.integerDot4x8Accelerated);
            arr.push(std::move(j));
        }
        out << arr.dump(2) << "\n";
        return 0;
    }
    if (devices->empty())
        out << "no Vulkan devices\n";
    for (const auto &d : *devices) {
        out << "[" << d.index << "] " << d.name << " (" << d.type << ", Vulkan " << gpu::vulkanVersionString(d.apiVersion) << ")\n"
            << "    memory " << d.deviceLocalBytes / (1024 * 1024) << " MiB device-local, subgroup " << d.subgroupSize
            << (d.subgroupBallot && d.subgroupShuffle ? " (ballot, shuffle)" : d.subgroupBallot ? " (ballot)" : d.subgroupShuffle ? " (shuffle)" : "")
            << ", storage-buffer range " << d.maxStorageBufferRange / (1024 * 1024) << " MiB, uniform-buffer range "
            << d.maxUniformBufferRange / 1024 << " KiB, texel buffers " << d.maxTexelBufferElements / (1024 * 1024) << " Mi texels, workgroup memory " << d.maxComputeSharedMemory / 1024 << " KiB, GEMV layout "
            << gemvLayout(d)
            << (d.shaderFloat16 ? ", fp16" : "") << (d.storage16Bit ? ", 16-bit storage" : "") << (d.shaderInt8 ? ", int8" : "")
            << (d.integerDot4x8Accelerated ? ", int8 dot product" : d.integerDotProduct ? ", int8 dot product (emulated)" : "") << "\n";
    }
    return 0;
#endif
}

} // namespace lowbit::cli
