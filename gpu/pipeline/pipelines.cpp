// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/pipeline/pipelines.h"

#include "gpu/device/context.h"
#include "gpu/device/vk_check.h"
#include "gpu/pipeline/spirv_shared.h"
#include "gpu/pipeline/spirv_writes.h"

#include <vector>

namespace lowbit::gpu {

Pipelines::~Pipelines()
{
    for (auto &p : m_cache) {
        if (!p)
            continue;
        vkDestroyPipeline(m_ctx.device(), p->pipeline, nullptr);
        vkDestroyPipelineLayout(m_ctx.device(), p->layout, nullptr);
        vkDestroyDescriptorSetLayout(m_ctx.device(), p->setLayout, nullptr);
    }
}

Result<const Pipeline *> Pipelines::get(ShaderId id)
{
    auto &slot = m_cache[static_cast<std::size_t>(id)];
    if (slot)
        return slot.get();
    LOWBIT_CHECK(checkSharedMemory(id, m_ctx.info()));
    const ShaderInfo &info = shaderInfo(id);
    auto p = std::make_unique<Pipeline>();
    p->id = id;
    VkDevice dev = m_ctx.device();

    std::vector<VkDescriptorSetLayoutBinding> bindings(info.bindings);
    for (std::uint32_t i = 0; i < info.bindings; ++i) {
        bindings[i] = {};
        bindings[i].binding = i;
        bindings[i].descriptorType = bindingType(info, i);
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo dl{};
    dl.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    dl.bindingCount = info.bindings;
    dl.pBindings = bindings.data();
    LOWBIT_VK_CHECK(vkCreateDescriptorSetLayout(dev, &dl, nullptr, &p->setLayout));

    VkPushConstantRange range{};
    range.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    range.size = info.pushBytes;
    VkPipelineLayoutCreateInfo pl{};
    pl.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    pl.setLayoutCount = 1;
    pl.pSetLayouts = &p->setLayout;
    pl.pushConstantRangeCount = info.pushBytes ? 1 : 0;
    pl.pPushConstantRanges = &range;
    if (const VkResult r = vkCreatePipelineLayout(dev, &pl, nullptr, &p->layout); r != VK_SUCCESS) {
        vkDestroyDescriptorSetLayout(dev, p->setLayout, nullptr);
        return vkError(r, "vkCreatePipelineLayout", __FILE__, __LINE__);
    }

    const auto words = shaderSpirv(id);
    p->writeMask = writtenBindings(words);
    VkShaderModuleCreateInfo sm{};
    sm.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    sm.codeSize = words.size() * sizeof(std::uint32_t);
    sm.pCode = words.data();
    VkShaderModule module = VK_NULL_HANDLE;
    VkResult r = vkCreateShaderModule(dev, &sm, nullptr, &module);
    if (r == VK_SUCCESS) {
        VkComputePipelineCreateInfo ci{};
        ci.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
        ci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
        ci.stage.module = module;
        ci.stage.pName = "main";
        ci.layout = p->layout;
        r = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &ci, nullptr, &p->pipeline);
        vkDestroyShaderModule(dev, module, nullptr);
    }
    if (r != VK_SUCCESS) {
        vkDestroyPipelineLayout(dev, p->layout, nullptr);
        vkDestroyDescriptorSetLayout(dev, p->setLayout, nullptr);
        return makeError(ErrorCode::Internal, "cannot create the pipeline for shader " + std::string(info.name) + ": " + vkResultName(r));
    }
    slot = std::move(p);
    return slot.get();
}

} // namespace lowbit::gpu
