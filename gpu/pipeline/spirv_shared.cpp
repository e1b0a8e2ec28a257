// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/pipeline/spirv_shared.h"

#include "gpu/device/context.h"

#include <array>
#include <atomic>
#include <string>
#include <unordered_map>

namespace lowbit::gpu {

namespace {
// opcodes and storage classes of the SPIR-V specification
constexpr std::uint32_t kOpTypeBool = 20, kOpTypeInt = 21, kOpTypeFloat = 22, kOpTypeVector = 23, kOpTypeArray = 28, kOpTypeStruct = 30,
                        kOpTypePointer = 32, kOpConstant = 43, kOpVariable = 59;
constexpr std::uint32_t kWorkgroup = 4;
constexpr std::uint32_t kUnknown = ~std::uint32_t(0);
} // namespace

std::uint32_t workgroupMemoryBytes(std::span<const std::uint32_t> spirv)
{
    if (spirv.size() < 5 || spirv[0] != 0x07230203u)
        return kUnknown;
    std::unordered_map<std::uint32_t, std::uint64_t> size;     // type id → bytes
    std::unordered_map<std::uint32_t, std::uint32_t> constant; // 32-bit constant id → value
    std::unordered_map<std::uint32_t, std::uint32_t> pointee;  // Workgroup pointer type → pointee
    std::uint64_t total = 0;
    for (std::size_t i = 5; i < spirv.size();) {
        const std::uint32_t count = spirv[i] >> 16, op = spirv[i] & 0xFFFFu;
        if (count == 0 || i + count > spirv.size())
            return kUnknown;
        const std::uint32_t *w = &spirv[i];
        const auto known = [&](std::uint32_t id) { return size.count(id) != 0; };
        if (op == kOpTypeBool && count >= 2) {
            size[w[1]] = 4;
        } else if ((op == kOpTypeInt || op == kOpTypeFloat) && count >= 3) {
            size[w[1]] = w[2] / 8;
        } else if (op == kOpTypeVector && count >= 4 && known(w[2])) {
            size[w[1]] = size[w[2]] * w[3];
        } else if (op == kOpTypeArray && count >= 4 && known(w[2]) && constant.count(w[3])) {
            size[w[1]] = size[w[2]] * constant[w[3]];
        } else if (op == kOpTypeStruct && count >= 2) {
            std::uint64_t s = 0;
            bool all = true;
            for (std::uint32_t m = 2; m < count; ++m) {
                all = all && known(w[m]);
                s += all ? size[w[m]] : 0;
            }
            if (all)
                size[w[1]] = s;
        } else if (op == kOpConstant && count == 4) {
            constant[w[2]] = w[3];
        } else if (op == kOpTypePointer && count >= 4 && w[2] == kWorkgroup) {
            pointee[w[1]] = w[3];
        } else if (op == kOpVariable && count >= 4 && w[3] == kWorkgroup) {
            const auto p = pointee.find(w[1]);
            if (p == pointee.end() || !known(p->second))
                return kUnknown;
            total += size[p->second];
        }
        i += count;
    }
    return total >= kUnknown ? kUnknown : static_cast<std::uint32_t>(total);
}

std::uint32_t shaderWorkgroupBytes(ShaderId id)
{
    static std::array<std::atomic<std::uint32_t>, kShaderCount> cache{}; // 0: not read yet (then + 1)
    auto &slot = cache[static_cast<std::size_t>(id)];
    std::uint32_t v = slot.load(std::memory_order_relaxed);
    if (v == 0) {
        const std::uint32_t bytes = workgroupMemoryBytes(shaderSpirv(id));
        v = bytes == kUnknown ? kUnknown : bytes + 1;
        slot.store(v, std::memory_order_relaxed);
    }
    return v == kUnknown ? kUnknown : v - 1;
}

bool sharedMemoryFits(ShaderId id, const DeviceInfo &device)
{
    const std::uint32_t need = shaderWorkgroupBytes(id);
    // (a device that reports no limit, or SPIR-V this reader does not know: the driver decides)
    return device.maxComputeSharedMemory == 0 || need == kUnknown || need <= device.maxComputeSharedMemory;
}

Status checkSharedMemory(ShaderId id, const DeviceInfo &device)
{
    if (sharedMemoryFits(id, device))
        return {};
    const ShaderInfo &info = shaderInfo(id);
    return makeError(ErrorCode::Unsupported, "kernel " + std::string(info.name) + " needs " + std::to_string(shaderWorkgroupBytes(id))
                                                 + " bytes of workgroup memory; " + device.name + " has "
                                                 + std::to_string(device.maxComputeSharedMemory));
}

} // namespace lowbit::gpu
