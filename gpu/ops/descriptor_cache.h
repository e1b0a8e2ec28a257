// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Descriptor sets kept across recorders. A dispatch whose shader and bindings (buffer, offset,
/// range, texel view) were seen before reuses its set instead of allocating and writing a new
/// one: a decode step of the engine binds the same buffers every token, and on a discrete GPU
/// writing the sets cost the host more per token than the GPU's work on a small model.

#include "core/util/result.h"

#include <vulkan/vulkan.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace lowbit::gpu {

class Context;

/// A descriptor pool for `sets` sets of any of the shaders' layouts (room for the widest
/// bindings in each).
Result<VkDescriptorPool> createDescriptorPool(const Context &ctx, std::uint32_t sets);

class DescriptorCache {
public:
    /// What identifies a set: the shader, then per binding its buffer, offset, range and texel view.
    using Key = std::vector<std::uint64_t>;

    explicit DescriptorCache(const Context &ctx) : m_ctx(ctx) {}
    ~DescriptorCache();
    DescriptorCache(const DescriptorCache &) = delete;
    DescriptorCache &operator=(const DescriptorCache &) = delete;

    /// The set cached under `key`, or VK_NULL_HANDLE.
    VkDescriptorSet find(const Key &key) const;
    /// A new set of `layout` from the cache's pools, cached under `key`; the caller writes it
    /// once, before any command buffer uses it.
    Result<VkDescriptorSet> allocate(const Key &key, VkDescriptorSetLayout layout);
    /// Forgets every set (and frees the pools): call it before destroying a buffer a set names.
    void clear();
    std::size_t size() const { return m_sets.size(); }

private:
    struct Hash {
        std::size_t operator()(const Key &k) const;
    };
    Status addPool();

    const Context &m_ctx;
    std::vector<VkDescriptorPool> m_pools;
    std::uint32_t m_leftInPool = 0;
    std::unordered_map<Key, VkDescriptorSet, Hash> m_sets;
};

} // namespace lowbit::gpu
