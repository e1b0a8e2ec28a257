// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Device memory arena: a few large VkDeviceMemory blocks, buffers suballocated from them
/// (never one allocation per tensor). Memory is host-visible and coherent (preferring
/// device-local, which is every memory type on integrated GPUs, lavapipe and ReBAR GPUs), so
/// uploads and downloads are memcpy into the mapping.

#include "core/util/result.h"

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace lowbit::gpu {

class Context;

/// A storage buffer inside an arena block. Owned by the Arena; valid until the arena is reset
/// or destroyed.
struct Buffer {
    VkBuffer handle = VK_NULL_HANDLE;
    VkDeviceSize size = 0;
    /// An RGBA32UI view of the first size/16 texels, bound as a uniform or a storage texel buffer
    /// (the CPU-device kernels read their bulk data through it); null when the buffer is smaller
    /// than one texel or the device has no such texel buffers or not that many elements.
    VkBufferView texels = VK_NULL_HANDLE;
    VkDeviceSize texelCount = 0;
    std::byte *mapped = nullptr; ///< host pointer to the buffer's bytes

    template <class T>
    std::span<T> as() const { return {reinterpret_cast<T *>(mapped), static_cast<std::size_t>(size / sizeof(T))}; }
};

class Arena {
public:
    /// blockBytes: size of each device allocation (clamped to the device's limits).
    explicit Arena(const Context &ctx, VkDeviceSize blockBytes = VkDeviceSize(256) << 20);
    const Context &context() const { return m_ctx; }
    ~Arena();
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;

    /// A storage buffer of `bytes` bytes. Errors: Io when device memory is exhausted,
    /// InvalidArgument when bytes exceeds the device's storage-buffer range.
    Result<Buffer *> allocate(VkDeviceSize bytes);
    /// Allocates and fills a buffer.
    Result<Buffer *> upload(std::span<const std::byte> data);
    template <class T>
    Result<Buffer *> upload(std::span<const T> data) { return upload(std::as_bytes(data)); }

    /// The largest buffer allocate() accepts (the device's storage-buffer range).
    VkDeviceSize maxBufferBytes() const;

    /// Destroys every buffer; keeps the blocks for reuse.
    void reset();
    VkDeviceSize bytesInUse() const;

private:
    struct Block {
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkDeviceSize size = 0, used = 0;
        std::byte *mapped = nullptr;
    };
    Result<std::size_t> blockFor(VkDeviceSize bytes, VkDeviceSize alignment, std::uint32_t typeBits);

    const Context &m_ctx;
    VkDeviceSize m_blockBytes;
    std::vector<Block> m_blocks;
    std::vector<std::unique_ptr<Buffer>> m_buffers;
};

} // namespace lowbit::gpu
