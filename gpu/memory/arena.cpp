// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/memory/arena.h"

#include "gpu/device/context.h"
#include "gpu/device/vk_check.h"
#include "gpu/memory/staging.h"

#include <algorithm>
#include <cstring>
#include <memory>

namespace lowbit::gpu {

namespace {
/// A host-visible, coherent memory type for `use`: the first with the wanted property
/// (DEVICE_LOCAL for Device, HOST_CACHED for Readback), else the first host-visible one. Staged:
/// the first device-local type that is not host-visible (so that it takes none of a BAR window),
/// else the first device-local one, else any.
int pickMemoryType(const VkPhysicalDeviceMemoryProperties &mp, std::uint32_t typeBits, MemoryUse use)
{
    const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    const auto allowed = [&](std::uint32_t i) { return (typeBits & (1u << i)) != 0; };
    const auto flags = [&](std::uint32_t i) { return mp.memoryTypes[i].propertyFlags; };
    if (use == MemoryUse::Staged) {
        int deviceLocal = -1, any = -1;
        for (std::uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
            if (!allowed(i))
                continue;
            if ((flags(i) & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && !(flags(i) & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
                return static_cast<int>(i);
            if (deviceLocal < 0 && (flags(i) & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT))
                deviceLocal = static_cast<int>(i);
            if (any < 0)
                any = static_cast<int>(i);
        }
        return deviceLocal >= 0 ? deviceLocal : any;
    }
    const VkMemoryPropertyFlags wanted = use == MemoryUse::Device ? VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT : VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
    int fallback = -1;
    for (std::uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
        if (!allowed(i) || (flags(i) & host) != host)
            continue;
        if (flags(i) & wanted)
            return static_cast<int>(i);
        if (fallback < 0)
            fallback = static_cast<int>(i);
    }
    return fallback;
}
} // namespace

MemoryUse bulkMemoryUse(const Context &ctx)
{
    const VkPhysicalDeviceMemoryProperties &mp = ctx.memoryProperties();
    const VkMemoryPropertyFlags mapped = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT | VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    VkDeviceSize window = 0, device = 0;
    for (std::uint32_t h = 0; h < mp.memoryHeapCount; ++h)
        if (mp.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            device = std::max(device, mp.memoryHeaps[h].size);
    for (std::uint32_t i = 0; i < mp.memoryTypeCount; ++i)
        if ((mp.memoryTypes[i].propertyFlags & mapped) == mapped)
            window = std::max(window, mp.memoryHeaps[mp.memoryTypes[i].heapIndex].size);
    return window * 2 >= device ? MemoryUse::Device : MemoryUse::Staged;
}

Arena::Arena(const Context &ctx, VkDeviceSize blockBytes, MemoryUse use) : m_ctx(ctx), m_blockBytes(blockBytes), m_use(use) {}

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
    const int type = pickMemoryType(m_ctx.memoryProperties(), typeBits, m_use);
    for (std::size_t i = 0; i < m_blocks.size(); ++i) {
        const VkDeviceSize start = (m_blocks[i].used + alignment - 1) / alignment * alignment;
        if (m_blocks[i].type == type && start + bytes <= m_blocks[i].size)
            return i;
    }
    if (type < 0)
        return makeError(ErrorCode::Unsupported, m_ctx.info().name + ": no host-visible memory type for storage buffers");
    Block b;
    b.size = std::max(m_blockBytes, bytes);
    VkMemoryAllocateInfo ai{};
    ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
    ai.allocationSize = b.size;
    ai.memoryTypeIndex = static_cast<std::uint32_t>(type);
    LOWBIT_VK_CHECK(vkAllocateMemory(m_ctx.device(), &ai, nullptr, &b.memory));
    if (m_use != MemoryUse::Staged) {
        void *p = nullptr;
        if (const VkResult r = vkMapMemory(m_ctx.device(), b.memory, 0, VK_WHOLE_SIZE, 0, &p); r != VK_SUCCESS) {
            vkFreeMemory(m_ctx.device(), b.memory, nullptr);
            return vkError(r, "vkMapMemory", __FILE__, __LINE__);
        }
        b.mapped = static_cast<std::byte *>(p);
    }
    b.type = type;
    b.flags = m_ctx.memoryProperties().memoryTypes[type].propertyFlags;
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
    buf->mapped = b.mapped ? b.mapped + offset : nullptr;
    buf->memory = b.flags;
    m_buffers.push_back(std::move(buf));
    return m_buffers.back().get();
}

Result<Buffer *> Arena::upload(std::span<const std::byte> data)
{
    LOWBIT_TRY(Buffer * b, allocate(data.size()));
    LOWBIT_CHECK(write(*b, 0, data));
    return b;
}

Status Arena::write(const Buffer &dst, VkDeviceSize offset, std::span<const std::byte> data)
{
    if (offset > dst.size || data.size() > dst.size - offset)
        return makeError(ErrorCode::InvalidArgument, "write of " + std::to_string(data.size()) + " bytes at " + std::to_string(offset)
                                                         + " past the end of a buffer of " + std::to_string(dst.size));
    if (data.empty())
        return {};
    if (dst.mapped) {
        std::memcpy(dst.mapped + offset, data.data(), data.size());
        return {};
    }
    return stagedCopy(m_ctx, dst, offset, data, kStagingBytes);
}

} // namespace lowbit::gpu
