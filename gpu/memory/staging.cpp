// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/memory/staging.h"

#include "gpu/device/context.h"
#include "gpu/device/vk_check.h"
#include "gpu/memory/arena.h"

#include <algorithm>
#include <cstring>

namespace lowbit::gpu {

namespace {

/// The staging buffer, its memory, a command buffer and a fence, freed on every path out.
struct Staging {
    const Context &ctx;
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkFence fence = VK_NULL_HANDLE;
    std::byte *mapped = nullptr;

    explicit Staging(const Context &c) : ctx(c) {}
    Staging(const Staging &) = delete;
    Staging &operator=(const Staging &) = delete;
    ~Staging()
    {
        VkDevice dev = ctx.device();
        if (fence)
            vkDestroyFence(dev, fence, nullptr);
        if (cmd)
            vkFreeCommandBuffers(dev, ctx.commandPool(), 1, &cmd);
        if (buffer)
            vkDestroyBuffer(dev, buffer, nullptr);
        if (memory)
            vkFreeMemory(dev, memory, nullptr); // (unmaps it)
    }
};

/// Host-visible coherent memory for the staging buffer, preferring system memory (not device-local:
/// a BAR window is small, and the copy engine reads system memory at bus speed anyway).
int stagingMemoryType(const VkPhysicalDeviceMemoryProperties &mp, std::uint32_t typeBits)
{
    const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    int fallback = -1;
    for (std::uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
        const VkMemoryPropertyFlags f = mp.memoryTypes[i].propertyFlags;
        if (!(typeBits & (1u << i)) || (f & host) != host)
            continue;
        if (!(f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT))
            return static_cast<int>(i);
        if (fallback < 0)
            fallback = static_cast<int>(i);
    }
    return fallback;
}

} // namespace

Status stagedCopy(const Context &ctx, const Buffer &dst, VkDeviceSize offset, std::span<const std::byte> data, VkDeviceSize chunkBytes)
{
    if (data.empty())
        return {};
    VkDevice dev = ctx.device();
    Staging s(ctx);
    const VkDeviceSize chunk = std::min<VkDeviceSize>(data.size(), std::max<VkDeviceSize>(chunkBytes, 4));
    VkBufferCreateInfo bi{};
    bi.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    bi.size = chunk;
    bi.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT;
    bi.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    LOWBIT_VK_CHECK(vkCreateBuffer(dev, &bi, nullptr, &s.buffer));
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(dev, s.buffer, &req);
    const int type = stagingMemoryType(ctx.memoryProperties(), req.memoryTypeBits);
    if (type < 0)
        return makeError(ErrorCode::Io, ctx.info().name + ": no host-visible memory for a staging buffer");
    VkMemoryAllocateInfo ai{};
    ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    ai.allocationSize = req.size;
    ai.memoryTypeIndex = static_cast<std::uint32_t>(type);
    LOWBIT_VK_CHECK(vkAllocateMemory(dev, &ai, nullptr, &s.memory));
    LOWBIT_VK_CHECK(vkBindBufferMemory(dev, s.buffer, s.memory, 0));
    void *p = nullptr;
    LOWBIT_VK_CHECK(vkMapMemory(dev, s.memory, 0, VK_WHOLE_SIZE, 0, &p));
    s.mapped = static_cast<std::byte *>(p);
    VkCommandBufferAllocateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
    ci.commandPool = ctx.commandPool();
    ci.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ci.commandBufferCount = 1;
    LOWBIT_VK_CHECK(vkAllocateCommandBuffers(dev, &ci, &s.cmd));
    VkFenceCreateInfo fi{};
    fi.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
    LOWBIT_VK_CHECK(vkCreateFence(dev, &fi, nullptr, &s.fence));

    for (VkDeviceSize done = 0; done < data.size(); done += chunk) {
        const VkDeviceSize n = std::min<VkDeviceSize>(chunk, data.size() - done);
        std::memcpy(s.mapped, data.data() + done, n);
        LOWBIT_VK_CHECK(vkResetCommandBuffer(s.cmd, 0));
        VkCommandBufferBeginInfo begin{};
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        LOWBIT_VK_CHECK(vkBeginCommandBuffer(s.cmd, &begin));
        const VkBufferCopy region{0, offset + done, n};
        vkCmdCopyBuffer(s.cmd, s.buffer, dst.handle, 1, &region);
        // the copy is made available to, and visible for, whatever later submissions run on it
        VkMemoryBarrier barrier{};
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
        barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
        vkCmdPipelineBarrier(s.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1,
                             &barrier, 0, nullptr, 0, nullptr);
        LOWBIT_VK_CHECK(vkEndCommandBuffer(s.cmd));
        LOWBIT_CHECK(ctx.submitAndWait(s.cmd, s.fence));
        LOWBIT_VK_CHECK(vkResetFences(dev, 1, &s.fence));
    }
    return {};
}

} // namespace lowbit::gpu
