// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Compute pipelines, created lazily from the embedded SPIR-V on first use and cached.

#include "core/util/result.h"
#include "gpu/pipeline/shader_registry.h"

#include <vulkan/vulkan.h>

#include <array>
#include <memory>

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

struct Pipeline {
    ShaderId id{};
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkPipeline pipeline = VK_NULL_HANDLE;
    std::uint32_t writeMask = ~0u; ///< the bindings the shader may write (writtenBindings)
};

class Pipelines {
public:
    explicit Pipelines(const Context &ctx) : m_ctx(ctx) {}
    ~Pipelines();
    Pipelines(const Pipelines &) = delete;
    Pipelines &operator=(const Pipelines &) = delete;

    /// The pipeline for a shader, created on first call. Errors come from the driver.
    Result<const Pipeline *> get(ShaderId id);

private:
    const Context &m_ctx;
    std::array<std::unique_ptr<Pipeline>, kShaderCount> m_cache{};
};

} // namespace lowbit::gpu
