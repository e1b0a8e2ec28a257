// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Device memory arena: a few large VkDeviceMemory blocks, buffers suballocated from them
/// (never one allocation per tensor). Memory is host-visible and coherent, so uploads and
/// downloads are memcpy into the mapping. MemoryUse::Device prefers device-local memory (every
/// memory type on integrated GPUs and lavapipe, and the whole of a ReBAR GPU's memory): what the
/// kernels read and write. MemoryUse::Readback prefers host-cached memory: what the host reads
/// back (logits), since a CPU reads a discrete GPU's host-visible device memory uncached, a
/// fraction of a microsecond a cache line.

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
    std::byte *mapped = nullptr; ///< host pointer to the buffer's bytes; null in a MemoryUse::Staged arena
    VkMemoryPropertyFlags memory = 0; ///< the properties of the memory it lives in

    /// The mapped bytes as T; empty for a buffer the host cannot map (MemoryUse::Staged).
    template <class T>
    std::span<T> as() const { return mapped ? std::span<T>(reinterpret_cast<T *>(mapped), static_cast<std::size_t>(size / sizeof(T))) : std::span<T>(); }
};

enum class MemoryUse : std::uint8_t {
    Device,   ///< read and written by kernels: device-local where it is host-visible too
    Readback, ///< read by the host: host-cached where the device has it
    /// read and written by kernels alone: device-local memory that is never mapped (Buffer::mapped
    /// is null); upload() and write() copy through a staging buffer. For the weights and the KV
    /// cache of a discrete GPU whose host-visible device memory is a small BAR window.
    Staged,
};

/// Staged where the device's host-visible device-local memory is a window of less than half its
/// device-local memory (a discrete GPU without resizable BAR: 256 MiB), else Device.
MemoryUse bulkMemoryUse(const Context &ctx);

class Arena {
public:
    /// blockBytes: size of each device allocation (clamped to the device's limits).
    explicit Arena(const Context &ctx, VkDeviceSize blockBytes = VkDeviceSize(256) << 20, MemoryUse use = MemoryUse::Device);
    const Context &context() const { return m_ctx; }
    ~Arena();
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;

    /// A storage buffer of `bytes` bytes. Errors: Io when device memory is exhausted,
    /// InvalidArgument when bytes exceeds the device's storage-buffer range.
    Result<Buffer *> allocate(VkDeviceSize bytes);
    /// Allocates and fills a buffer.
    Result<Buffer *> upload(std::span<const std::byte> data);
    /// Fills `data.size()` bytes of `dst` (a buffer of this arena) from `offset` on: a memcpy into
    /// the mapping, or for an unmapped buffer copies through a staging buffer (a submission per
    /// kStagingBytes, waited for). Errors: InvalidArgument past the buffer's end, Io / device lost.
    Status write(const Buffer &dst, VkDeviceSize offset, std::span<const std::byte> data);
    static constexpr VkDeviceSize kStagingBytes = VkDeviceSize(16) << 20;
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
        int type = -1; ///< its memory type
        VkMemoryPropertyFlags flags = 0;
    };
    Result<std::size_t> blockFor(VkDeviceSize bytes, VkDeviceSize alignment, std::uint32_t typeBits);

    const Context &m_ctx;
    VkDeviceSize m_blockBytes;
    MemoryUse m_use;
    std::vector<Block> m_blocks;
    std::vector<std::unique_ptr<Buffer>> m_buffers;
};

} // namespace lowbit::gpu
