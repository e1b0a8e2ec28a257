// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Records compute dispatches into one command buffer and submits them with a fence. Every
/// dispatch is checked against the shader's binding count, push-constant size and the device's
/// workgroup-count limit. A compute→compute memory barrier goes before a dispatch only where it
/// depends on one since the last barrier (by the bindings each shader may write, read off its
/// SPIR-V), and one after the last dispatch, so independent dispatches (the q, k and v
/// projections of a layer) run without a barrier between them.

#include "core/util/result.h"
#include "gpu/pipeline/pipelines.h"
#include "gpu/pipeline/shader_registry.h"

#include <vulkan/vulkan.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

namespace lowbit::gpu {

class Context;
class DescriptorCache;
struct Buffer;

/// A command buffer, a fence and a timestamp pool kept for the recorders that take them, one
/// recorder at a time: on the H200 creating and freeing them cost the host about 0.3 ms a
/// submission, more than a small model's whole forward on the GPU.
class RecorderResources {
public:
    explicit RecorderResources(const Context &ctx) : m_ctx(ctx) {}
    ~RecorderResources();
    RecorderResources(const RecorderResources &) = delete;
    RecorderResources &operator=(const RecorderResources &) = delete;

private:
    friend class Recorder;
    const Context &m_ctx;
    VkCommandBuffer m_cmd = VK_NULL_HANDLE;
    VkFence m_fence = VK_NULL_HANDLE;
    VkQueryPool m_queries = VK_NULL_HANDLE;
    bool m_inUse = false;   ///< a recorder holds them
    bool m_pending = false; ///< submitted, and the fence not yet seen signalled
};

class Recorder {
public:
    const Context &context() const { return m_ctx; }
    /// maxDispatches bounds the descriptor sets this recorder can hand out. With a cache, a
    /// dispatch takes its set from there (allocated and written on the first use of its shader
    /// and bindings) instead of writing one of its own.
    /// With resources, it records into their command buffer and signals their fence (waiting
    /// first for a submission of theirs still running); they must outlive it. Errors: Internal when
    /// another recorder holds them.
    static Result<std::unique_ptr<Recorder>> begin(const Context &ctx, Pipelines &pipelines, std::uint32_t maxDispatches = 256,
                                                   DescriptorCache *cache = nullptr, RecorderResources *resources = nullptr);
    ~Recorder();
    Recorder(const Recorder &) = delete;
    Recorder &operator=(const Recorder &) = delete;

    /// `spec`: the shader's specialization (Pipelines::get), its pipeline created on first use.
    template <class Push>
    Status dispatch(ShaderId id, std::initializer_list<const Buffer *> buffers, const Push &push, std::array<std::uint32_t, 3> groups,
                    const Specialization &spec = {})
    {
        return dispatchRaw(id, buffers, &push, sizeof(Push), groups, {}, spec);
    }
    /// The same with binding i starting `offsets[i]` bytes into its buffer (bindings past the
    /// list at 0; a texel binding only at 0; an offset a multiple of the device's alignment for
    /// its binding type, DeviceInfo::min*OffsetAlignment).
    template <class Push>
    Status dispatchAt(ShaderId id, std::initializer_list<const Buffer *> buffers, std::initializer_list<VkDeviceSize> offsets,
                      const Push &push, std::array<std::uint32_t, 3> groups, const Specialization &spec = {})
    {
        return dispatchRaw(id, buffers, &push, sizeof(Push), groups, offsets, spec);
    }
    Status dispatchRaw(ShaderId id, std::initializer_list<const Buffer *> buffers, const void *push, std::size_t pushBytes,
                       std::array<std::uint32_t, 3> groups, std::initializer_list<VkDeviceSize> offsets = {}, const Specialization &spec = {});
    /// Ends recording, submits, waits for the fence. Errors: device lost, timeout.
    Status submitAndWait();

    /// Records a GPU timestamp taken once everything recorded so far has finished (at most
    /// kMaxMarks per recorder). Errors: Unsupported where the compute queue has no timestamps
    /// (DeviceInfo::timestampPeriodNs is 0), Internal after submit or past kMaxMarks.
    Status markTime();
    /// After submitAndWait(): the GPU's seconds between consecutive marks (one fewer than the
    /// marks). Errors: Internal before submit.
    Result<std::vector<double>> markIntervals() const;
    static constexpr std::uint32_t kMaxMarks = 32;
    /// Dispatches recorded, and barriers put between them (one only where a dispatch reads or
    /// writes what an earlier one since the last barrier wrote, or writes what it read).
    std::uint32_t dispatches() const { return m_dispatches; }
    std::uint32_t barriers() const { return m_barriers; }

private:
    Recorder(const Context &ctx, Pipelines &p) : m_ctx(ctx), m_pipelines(p) {}
    Result<VkDescriptorSet> newSet(VkDescriptorSetLayout layout, const std::vector<std::uint64_t> &cacheKey);
    Status writeSet(VkDescriptorSet set, const ShaderInfo &info, std::initializer_list<const Buffer *> buffers,
                    const std::vector<VkDescriptorBufferInfo> &infos);
    void barrier(); ///< compute writes before it visible to compute and host accesses after it
    void bindAndDispatch(const Pipeline &p, VkDescriptorSet set, const void *push, std::size_t pushBytes, std::array<std::uint32_t, 3> groups);
    const Context &m_ctx;
    Pipelines &m_pipelines;
    VkCommandBuffer m_cmd = VK_NULL_HANDLE;
    VkDescriptorPool m_pool = VK_NULL_HANDLE; ///< its own sets' pool, made at the first dispatch that needs one
    DescriptorCache *m_cache = nullptr;
    RecorderResources *m_resources = nullptr; ///< whose command buffer, fence and queries these are
    VkFence m_fence = VK_NULL_HANDLE;
    VkQueryPool m_queries = VK_NULL_HANDLE;
    std::uint32_t m_marks = 0;
    std::uint32_t m_dispatches = 0;
    std::uint32_t m_barriers = 0;
    std::vector<VkBuffer> m_writtenSinceBarrier, m_readSinceBarrier; ///< by the dispatches since the last barrier
    std::uint32_t m_maxDispatches = 0;
    bool m_submitted = false;
};

/// Splits `n` workgroups into an x·y grid within the device's limit on x (shaders compute the
/// linear id as x + y·numX and return when it is past the end).
std::array<std::uint32_t, 3> gridFor(std::uint64_t n, std::uint32_t maxX = 65535);

} // namespace lowbit::gpu
