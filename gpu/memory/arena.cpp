// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/memory/arena.h"

#include "gpu/device/context.h"
#include "gpu/device/vk_check.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace lowbit::gpu {

namespace {
int pickMemoryType(const VkPhysicalDeviceMemoryProperties &mp, std::uint32_t typeBits)
{
    const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    int fallback = -1;
    for (std::uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
        if (!(typeBits & (1u << i)) || (mp.memoryTypes[i].propertyFlags & host) != host)
            continue;
        if (mp.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
            return static_cast<int>(i);
        if (fallback < 0)
            fallback = static_cast<int>(i);
    }
    return fallback;
}
} // namespace

Arena::Arena(const Context &ctx, VkDeviceSize blockBytes) : m_ctx(ctx), m_blockBytes(blockBytes) {}

Arena::~Arena()
{
    reset();
    for (auto &b : m_blocks) {
        if (b.mapped)
            vkUnmapMemory(m_ctx.device(), b.memory);
        vkFreeMemory(m_ctx.device(), b.memory, nullptr);
    }
}

void Arena::reset()
{
    for (auto &buf : m_buffers) {
        if (buf->texels)
            vkDestroyBufferView(m_ctx.device(), buf->texels, nullptr);
        vkDestroyBuffer(m_ctx.device(), buf->handle, nullptr);
    }
    m_buffers.clear();
    for (auto &b : m_blocks)
        b.used = 0;
}

VkDeviceSize Arena::maxBufferBytes() const { return m_ctx.info().maxStorageBufferRange; }

VkDeviceSize Arena::bytesInUse() const
{
    VkDeviceSize n = 0;
    for (const auto &b : m_blocks)
        n += b.used;
    return n;
}

Result<std::size_t> Arena::blockFor(VkDeviceSize bytes, VkDeviceSize alignment, std::uint32_t typeBits)
{
    for (std::size_t i = 0; i < m_blocks.size(); ++i) {
        const VkDeviceSize start = (m_blocks[i].used + alignment - 1) / alignment * alignment;
        if (start + bytes <= m_blocks[i].size)
            return i;
    }
    const int type = pickMemoryType(m_ctx.memoryProperties(), typeBits);
    if (type < 0)
        return makeError(ErrorCode::Unsupported, m_ctx.info().name + ": no host-visible memory type for storage buffers");
    Block b;
    b.size = std::max(m_blockBytes, bytes);
    VkMemoryAllocateInfo ai{};
    ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    ai.allocationSize = b.size;
    ai.memoryTypeIndex = static_cast<std::uint32_t>(type);
    LOWBIT_VK_CHECK(vkAllocateMemory(m_ctx.device(), &ai, nullptr, &b.memory));
    void *p = nullptr;
    if (const VkResult r = vkMapMemory(m_ctx.device(), b.memory, 0, VK_WHOLE_SIZE, 0, &p); r != VK_SUCCESS) {
        vkFreeMemory(m_ctx.device(), b.memory, nullptr);
        return vkError(r, "vkMapMemory", __FILE__, __LINE__);
    }
    b.mapped = static_cast<std::byte *>(p);
    m_blocks.push_back(b);
    return m_blocks.size() - 1;
}

Result<Buffer *> Arena::allocate(VkDeviceSize bytes)
{
    if (bytes == 0)
        bytes = 4; // Vulkan forbids empty buffers
    if (bytes > m_ctx.info().maxStorageBufferRange)
        return makeError(ErrorCode::InvalidArgument, "buffer of " + std::to_string(bytes) + " bytes exceeds " + m_ctx.info().name
                                                         + "'s storage-buffer range (" + std::to_string(m_ctx.info().maxStorageBufferRange) + ")");
    VkBufferCreateInfo bi{};
    bi.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
    bi.size = bytes;
    // any buffer may be bound as a uniform buffer (x of the CPU-device GEMVs) or read as texels
    const std::uint64_t texelCount = m_ctx.info().maxTexelBufferElements ? std::min<std::uint64_t>(bytes / 16, m_ctx.info().maxTexelBufferElements) : 0;
    bi.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT
               | VK_BUFFER_USAGE_TRANSFER_DST_BIT | (texelCount ? VkBufferUsageFlags(VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT) : VkBufferUsageFlags(0));
    bi.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    auto buf = std::make_unique<Buffer>();
    LOWBIT_VK_CHECK(vkCreateBuffer(m_ctx.device(), &bi, nullptr, &buf->handle));
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(m_ctx.device(), buf->handle, &req);
    auto block = blockFor(req.size, req.alignment, req.memoryTypeBits);
    if (!block) {
        vkDestroyBuffer(m_ctx.device(), buf->handle, nullptr);
        return block.error();
    }
    Block &b = m_blocks[*block];
    const VkDeviceSize offset = (b.used + req.alignment - 1) / req.alignment * req.alignment;
    if (const VkResult r = vkBindBufferMemory(m_ctx.device(), buf->handle, b.memory, offset); r != VK_SUCCESS) {
        vkDestroyBuffer(m_ctx.device(), buf->handle, nullptr);
        return vkError(r, "vkBindBufferMemory", __FILE__, __LINE__);
    }
    if (texelCount) {
        VkBufferViewCreateInfo vi{};
        vi.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO;
        vi.buffer = buf->handle;
        vi.format = VK_FORMAT_R32G32B32A32_UINT;
        vi.range = texelCount * 16;
        if (const VkResult r = vkCreateBufferView(m_ctx.device(), &vi, nullptr, &buf->texels); r != VK_SUCCESS) {
            vkDestroyBuffer(m_ctx.device(), buf->handle, nullptr);
            return vkError(r, "vkCreateBufferView", __FILE__, __LINE__);
        }
        buf->texelCount = texelCount;
    }
    b.used = offset + req.size;
    buf->size = bytes;
    buf->mapped = b.mapped + offset;
    m_buffers.push_back(std::move(buf));
    return m_buffers.back().get();
}

Result<Buffer *> Arena::upload(std::span<const std::byte> data)
{
    LOWBIT_TRY(Buffer * b, allocate(data.size()));
    if (!data.empty())
        std::memcpy(b->mapped, data.data(), data.size());
    return b;
}

} // namespace lowbit::gpu
