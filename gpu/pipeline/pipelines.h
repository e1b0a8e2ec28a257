// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Compute pipelines, created lazily from the embedded SPIR-V on first use and cached.

#include "core/util/result.h"
#include "gpu/pipeline/shader_registry.h"

#include <vulkan/vulkan.h>

#include <array>
#include <memory>
#include <vector>

namespace lowbit::gpu {

class Context;

/// The descriptor type of a shader's binding i.
inline VkDescriptorType bindingType(const ShaderInfo &info, std::uint32_t i)
{
    if ((info.texelMask >> i) & 1u)
        return VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    if ((info.imageMask >> i) & 1u)
        return VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER;
    return (info.uniformMask >> i) & 1u ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

/// Values for a shader's specialization constants, constant_id i taking values[i]; kAny leaves
/// one at the shader's default. The packed kernels (shaders/packed_decode.glsl) read a push
/// constant where theirs is left at kAny, and take the value as a constant otherwise, so that the
/// driver's compiler drops the branches on it (a CPU device runs both sides of a uniform branch)
/// and divides by it as by a constant (the group size).
struct Specialization {
    static constexpr std::uint32_t kAny = 0xFFFFFFFFu;
    std::array<std::uint32_t, 4> values{kAny, kAny, kAny, kAny};
    bool any() const { return values == decltype(values){kAny, kAny, kAny, kAny}; }
    friend bool operator==(const Specialization &, const Specialization &) = default;
};

struct Pipeline {
    ShaderId id{};
    Specialization spec{};
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE; ///< shared by the shader's specializations
    VkPipelineLayout layout = VK_NULL_HANDLE;         ///< shared by the shader's specializations
    VkPipeline pipeline = VK_NULL_HANDLE;
    std::uint32_t writeMask = ~0u; ///< the bindings the shader may write (writtenBindings)
};

class Pipelines {
public:
    explicit Pipelines(const Context &ctx) : m_ctx(ctx) {}
    ~Pipelines();
    Pipelines(const Pipelines &) = delete;
    Pipelines &operator=(const Pipelines &) = delete;

    /// The pipeline for a shader and specialization, created on first call (the shader's layouts
    /// once, shared by its specializations). Errors come from the driver.
    Result<const Pipeline *> get(ShaderId id, const Specialization &spec = {});
    /// Pipelines created so far (every specialization counts).
    std::size_t size() const;

private:
    /// A shader's layouts and its pipelines, one per specialization used.
    struct Entry {
        VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
        VkPipelineLayout layout = VK_NULL_HANDLE;
        std::uint32_t writeMask = ~0u;
        std::vector<std::unique_ptr<Pipeline>> pipelines;
    };
    Status createLayouts(ShaderId id, Entry &e);

    const Context &m_ctx;
    std::array<std::unique_ptr<Entry>, kShaderCount> m_cache{};
};

} // namespace lowbit::gpu
