// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/descriptor_cache.h"

#include "gpu/device/context.h"
#include "gpu/device/vk_check.h"

#include <array>

namespace lowbit::gpu {

namespace {
constexpr std::uint32_t kSetsPerPool = 256;
} // namespace

DescriptorCache::~DescriptorCache() { clear(); }

std::size_t DescriptorCache::Hash::operator()(const Key &k) const
{
    std::uint64_t h = 0xcbf29ce484222325ull; // FNV-1a over the words
    for (std::uint64_t w : k) {
        h ^= w;
        h *= 0x100000001b3ull;
    }
    return static_cast<std::size_t>(h ^ (h >> 32));
}

VkDescriptorSet DescriptorCache::find(const Key &key) const
{
    const auto it = m_sets.find(key);
    return it == m_sets.end() ? VK_NULL_HANDLE : it->second;
}

Result<VkDescriptorPool> createDescriptorPool(const Context &ctx, std::uint32_t sets)
{
    const std::array<VkDescriptorPoolSize, 4> sizes = {{{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, sets * 8},
                                                        {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, sets * 2},
                                                        {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, sets * 3},
                                                        {VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, sets * 3}}};
    VkDescriptorPoolCreateInfo pi{};
    pi.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pi.maxSets = sets;
    pi.poolSizeCount = static_cast<std::uint32_t>(sizes.size());
    pi.pPoolSizes = sizes.data();
    VkDescriptorPool pool = VK_NULL_HANDLE;
    LOWBIT_VK_CHECK(vkCreateDescriptorPool(ctx.device(), &pi, nullptr, &pool));
    return pool;
}

Status DescriptorCache::addPool()
{
    LOWBIT_TRY(VkDescriptorPool pool, createDescriptorPool(m_ctx, kSetsPerPool));
    m_pools.push_back(pool);
    m_leftInPool = kSetsPerPool;
    return {};
}

Result<VkDescriptorSet> DescriptorCache::allocate(const Key &key, VkDescriptorSetLayout layout)
{
    if (m_leftInPool == 0)
        LOWBIT_CHECK(addPool());
    VkDescriptorSetAllocateInfo ai{};
    ai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    ai.descriptorPool = m_pools.back();
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &layout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    LOWBIT_VK_CHECK(vkAllocateDescriptorSets(m_ctx.device(), &ai, &set));
    --m_leftInPool;
    m_sets.emplace(key, set);
    return set;
}

void DescriptorCache::clear()
{
    for (VkDescriptorPool pool : m_pools)
        vkDestroyDescriptorPool(m_ctx.device(), pool, nullptr);
    m_pools.clear();
    m_leftInPool = 0;
    m_sets.clear();
}

} // namespace lowbit::gpu
