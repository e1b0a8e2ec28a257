// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/recorder.h"

#include "gpu/device/context.h"
#include "gpu/device/vk_check.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/descriptor_cache.h"
#include "gpu/pipeline/pipelines.h"

#include <algorithm>
#include <array>
#include <vector>

namespace lowbit::gpu {

std::array<std::uint32_t, 3> gridFor(std::uint64_t n, std::uint32_t maxX)
{
    if (n <= maxX)
        return {static_cast<std::uint32_t>(std::max<std::uint64_t>(n, 1)), 1, 1};
    const std::uint64_t y = (n + maxX - 1) / maxX;
    return {maxX, static_cast<std::uint32_t>(y), 1};
}

namespace {
void destroySubmissionObjects(const Context &ctx, VkFence fence, VkCommandBuffer cmd, VkQueryPool queries)
{
    if (fence)
        vkDestroyFence(ctx.device(), fence, nullptr);
    if (cmd)
        vkFreeCommandBuffers(ctx.device(), ctx.commandPool(), 1, &cmd);
    if (queries)
        vkDestroyQueryPool(ctx.device(), queries, nullptr);
}
} // namespace

RecorderResources::~RecorderResources()
{
    if (m_pending && m_fence && !m_ctx.lost())
        vkWaitForFences(m_ctx.device(), 1, &m_fence, VK_TRUE, Context::kFenceTimeoutNs);
    destroySubmissionObjects(m_ctx, m_fence, m_cmd, m_queries);
}

Result<std::unique_ptr<Recorder>> Recorder::begin(const Context &ctx, Pipelines &pipelines, std::uint32_t maxDispatches, DescriptorCache *cache,
                                                  RecorderResources *resources)
{
    if (ctx.lost())
        return ctx.lostError();
    auto r = std::unique_ptr<Recorder>(new Recorder(ctx, pipelines));
    r->m_maxDispatches = maxDispatches;
    r->m_cache = cache;
    if (resources) {
        if (resources->m_inUse)
            return makeError(ErrorCode::Internal, "recorder resources already in use");
        if (resources->m_pending) { // (a submission whose wait failed: it must be done before reuse)
            LOWBIT_VK_CHECK(vkWaitForFences(ctx.device(), 1, &resources->m_fence, VK_TRUE, Context::kFenceTimeoutNs));
            resources->m_pending = false;
        }
        if (resources->m_fence)
            LOWBIT_VK_CHECK(vkResetFences(ctx.device(), 1, &resources->m_fence));
        if (resources->m_cmd)
            LOWBIT_VK_CHECK(vkResetCommandBuffer(resources->m_cmd, 0));
    }
    VkCommandBuffer *cmd = resources ? &resources->m_cmd : &r->m_cmd;
    VkFence *fence = resources ? &resources->m_fence : &r->m_fence;
    if (!*cmd) {
        VkCommandBufferAllocateInfo ai{};
        ai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
        ai.commandPool = ctx.commandPool();
        ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        ai.commandBufferCount = 1;
        LOWBIT_VK_CHECK(vkAllocateCommandBuffers(ctx.device(), &ai, cmd));
    }
    if (!*fence) {
        VkFenceCreateInfo fi{};
        fi.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
        LOWBIT_VK_CHECK(vkCreateFence(ctx.device(), &fi, nullptr, fence));
    }
    if (resources) { // the recorder works on these handles; its destructor leaves them alone
        r->m_resources = resources;
        resources->m_inUse = true;
        r->m_cmd = resources->m_cmd;
        r->m_fence = resources->m_fence;
        r->m_queries = resources->m_queries;
    }
    VkCommandBufferBeginInfo bi{};
    bi.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    LOWBIT_VK_CHECK(vkBeginCommandBuffer(r->m_cmd, &bi));
    return r;
}

Recorder::~Recorder()
{
    if (m_pool)
        vkDestroyDescriptorPool(m_ctx.device(), m_pool, nullptr);
    if (m_resources) {
        m_resources->m_queries = m_queries; // (made by markTime, kept for the next recorder)
        m_resources->m_inUse = false;
        return;
    }
    destroySubmissionObjects(m_ctx, m_fence, m_cmd, m_queries);
}

Status Recorder::markTime()
{
    if (m_ctx.info().timestampPeriodNs <= 0)
        return makeError(ErrorCode::Unsupported, m_ctx.info().name + ": the compute queue writes no timestamps");
    if (m_submitted || m_marks >= kMaxMarks)
        return makeError(ErrorCode::Internal, m_submitted ? "mark after submit" : "too many timestamp marks");
    if (!m_queries) {
        VkQueryPoolCreateInfo qi{};
        qi.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO;
        qi.queryType = VK_QUERY_TYPE_TIMESTAMP;
        qi.queryCount = kMaxMarks;
        LOWBIT_VK_CHECK(vkCreateQueryPool(m_ctx.device(), &qi, nullptr, &m_queries));
    }
    if (m_marks == 0) // (a pool kept in RecorderResources was written by an earlier recorder)
        vkCmdResetQueryPool(m_cmd, m_queries, 0, kMaxMarks);
    // bottom of pipe: written once the dispatches before it (and their barriers) are done
    vkCmdWriteTimestamp(m_cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, m_queries, m_marks++);
    return {};
}

Result<std::vector<double>> Recorder::markIntervals() const
{
    if (!m_submitted)
        return makeError(ErrorCode::Internal, "timestamps read before submit");
    std::vector<double> out;
    if (m_marks < 2)
        return out;
    std::vector<std::uint64_t> ticks(m_marks);
    LOWBIT_VK_CHECK(vkGetQueryPoolResults(m_ctx.device(), m_queries, 0, m_marks, ticks.size() * sizeof(std::uint64_t), ticks.data(),
                                          sizeof(std::uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
    const std::uint32_t bits = m_ctx.info().timestampValidBits;
    const std::uint64_t mask = bits >= 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << bits) - 1;
    for (std::uint32_t i = 1; i < m_marks; ++i) // (modulo the valid bits: the counter may wrap)
        out.push_back(static_cast<double>((ticks[i] - ticks[i - 1]) & mask) * m_ctx.info().timestampPeriodNs * 1e-9);
    return out;
}

Status Recorder::dispatchRaw(ShaderId id, std::initializer_list<const Buffer *> buffers, const void *push, std::size_t pushBytes,
                             std::array<std::uint32_t, 3> groups, std::initializer_list<VkDeviceSize> offsets, const Specialization &spec)
{
    const ShaderInfo &info = shaderInfo(id);
    if (m_submitted)
        return makeError(ErrorCode::Internal, "dispatch after submit");
    if (buffers.size() != info.bindings)
        return makeError(ErrorCode::Internal, std::string(info.name) + ": " + std::to_string(buffers.size()) + " buffers bound, shader has "
                                                  + std::to_string(info.bindings) + " bindings");
    if (pushBytes != info.pushBytes)
        return makeError(ErrorCode::Internal, std::string(info.name) + ": push constants of " + std::to_string(pushBytes)
                                                  + " bytes, shader expects " + std::to_string(info.pushBytes));
    if (groups[0] == 0 || groups[1] == 0 || groups[2] == 0 || groups[0] > 65535 || groups[1] > 65535 || groups[2] > 65535)
        return makeError(ErrorCode::Internal, std::string(info.name) + ": workgroup count outside the guaranteed limit");
    if (m_dispatches >= m_maxDispatches)
        return makeError(ErrorCode::Internal, "recorder is full: submit before recording more dispatches");
    LOWBIT_TRY(const Pipeline *p, m_pipelines.get(id, spec));

    std::vector<VkDescriptorBufferInfo> infos;
    infos.reserve(buffers.size());
    for (const Buffer *b : buffers) {
        if (!b)
            return makeError(ErrorCode::Internal, std::string(info.name) + ": null buffer");
        const auto i = static_cast<std::uint32_t>(infos.size());
        const bool texel = bindingType(info, i) == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER || bindingType(info, i) == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
        if (texel && !b->texels)
            return makeError(ErrorCode::Internal, std::string(info.name) + ": binding " + std::to_string(i) + " needs a texel view the buffer does not have");
        const bool uniform = (info.uniformMask >> i) & 1u;
        const VkDeviceSize offset = i < offsets.size() ? offsets.begin()[i] : 0;
        const VkDeviceSize align = uniform ? m_ctx.info().minUniformOffsetAlignment : m_ctx.info().minStorageOffsetAlignment;
        if (offset && (texel || offset % align != 0 || offset >= b->size))
            return makeError(ErrorCode::Internal, std::string(info.name) + ": binding " + std::to_string(i) + " at offset " + std::to_string(offset)
                                                      + " (texel binding, misaligned or past the buffer)");
        // a uniform binding covers at most the device's uniform range (the kernels that take one
        // read only that far; their callers check it)
        const VkDeviceSize size = b->size - offset;
        infos.push_back({b->handle, offset, uniform ? std::min<VkDeviceSize>(size, m_ctx.info().maxUniformBufferRange) : size});
    }
    VkDescriptorSet set = VK_NULL_HANDLE;
    DescriptorCache::Key key;
    if (m_cache) { // the set this shader and these bindings had before, if any
        key.reserve(1 + 4 * infos.size());
        key.push_back(static_cast<std::uint64_t>(id));
        for (std::size_t i = 0; i < infos.size(); ++i) {
            key.push_back(reinterpret_cast<std::uint64_t>(infos[i].buffer));
            key.push_back(infos[i].offset);
            key.push_back(infos[i].range);
            key.push_back(reinterpret_cast<std::uint64_t>(buffers.begin()[i]->texels));
        }
        set = m_cache->find(key);
    }
    if (set == VK_NULL_HANDLE) {
        LOWBIT_TRY(set, newSet(p->setLayout, key));
        LOWBIT_CHECK(writeSet(set, info, buffers, infos));
    }
    // a barrier before this dispatch only where it reads or writes a buffer written since the
    // last one, or writes one read since then (whole buffers: offsets are not told apart)
    const auto touched = [](const std::vector<VkBuffer> &list, VkBuffer b) { return std::find(list.begin(), list.end(), b) != list.end(); };
    bool hazard = false;
    for (std::size_t i = 0; i < infos.size() && !hazard; ++i) {
        const bool writes = (p->writeMask >> i) & 1u;
        hazard = touched(m_writtenSinceBarrier, infos[i].buffer) || (writes && touched(m_readSinceBarrier, infos[i].buffer));
    }
    if (hazard)
        barrier();
    for (std::size_t i = 0; i < infos.size(); ++i)
        ((p->writeMask >> i) & 1u ? m_writtenSinceBarrier : m_readSinceBarrier).push_back(infos[i].buffer);
    bindAndDispatch(*p, set, push, pushBytes, groups);
    ++m_dispatches;
    return {};
}

void Recorder::barrier()
{
    VkMemoryBarrier b{};
    b.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER;
    b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(m_cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &b,
                         0, nullptr, 0, nullptr);
    m_writtenSinceBarrier.clear();
    m_readSinceBarrier.clear();
    ++m_barriers;
}

Result<VkDescriptorSet> Recorder::newSet(VkDescriptorSetLayout layout, const DescriptorCache::Key &key)
{
    if (m_cache)
        return m_cache->allocate(key, layout);
    if (!m_pool) {
        LOWBIT_TRY(m_pool, createDescriptorPool(m_ctx, m_maxDispatches));
    }
    VkDescriptorSetAllocateInfo ai{};
    ai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    ai.descriptorPool = m_pool;
    ai.descriptorSetCount = 1;
    ai.pSetLayouts = &layout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    LOWBIT_VK_CHECK(vkAllocateDescriptorSets(m_ctx.device(), &ai, &set));
    return set;
}

Status Recorder::writeSet(VkDescriptorSet set, const ShaderInfo &info, std::initializer_list<const Buffer *> buffers,
                          const std::vector<VkDescriptorBufferInfo> &infos)
{
    std::vector<VkWriteDescriptorSet> writes;
    for (std::uint32_t i = 0; i < infos.size(); ++i) {
        VkWriteDescriptorSet w{};
        w.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
        w.dstSet = set;
        w.dstBinding = i;
        w.descriptorCount = 1;
        w.descriptorType = bindingType(info, i);
        if (w.descriptorType == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER || w.descriptorType == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER)
            w.pTexelBufferView = &(buffers.begin()[i]->texels);
        else
            w.pBufferInfo = &infos[i];
        writes.push_back(w);
    }
    vkUpdateDescriptorSets(m_ctx.device(), static_cast<std::uint32_t>(writes.size()), writes.data(), 0, nullptr);
    return {};
}

void Recorder::bindAndDispatch(const Pipeline &p, VkDescriptorSet set, const void *push, std::size_t pushBytes, std::array<std::uint32_t, 3> groups)
{
    vkCmdBindPipeline(m_cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
    vkCmdBindDescriptorSets(m_cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, 1, &set, 0, nullptr);
    if (pushBytes)
        vkCmdPushConstants(m_cmd, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, static_cast<std::uint32_t>(pushBytes), push);
    vkCmdDispatch(m_cmd, groups[0], groups[1], groups[2]);
}

Status Recorder::submitAndWait()
{
    if (m_submitted)
        return makeError(ErrorCode::Internal, "submitted twice");
    m_submitted = true;
    if (!m_writtenSinceBarrier.empty()) // what the last dispatches wrote, for the host and the next submission
        barrier();
    LOWBIT_VK_CHECK(vkEndCommandBuffer(m_cmd));
    bool submitted = false;
    Status st = m_ctx.submitAndWait(m_cmd, m_fence, &submitted);
    if (m_resources) // (a submission whose wait failed: the next recorder waits for it)
        m_resources->m_pending = submitted && !st;
    return st;
}

} // namespace lowbit::gpu
