// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/pipeline/pipelines.h"

#include "gpu/device/context.h"
#include "gpu/device/vk_check.h"
#include "gpu/pipeline/spirv_shared.h"
#include "gpu/pipeline/spirv_writes.h"

#include <tuple>
#include <vector>

namespace lowbit::gpu {

Pipelines::~Pipelines()
{
    for (auto &e : m_cache) {
        if (!e)
            continue;
        for (auto &p : e->pipelines)
            vkDestroyPipeline(m_ctx.device(), p->pipeline, nullptr);
        vkDestroyPipelineLayout(m_ctx.device(), e->layout, nullptr);
        vkDestroyDescriptorSetLayout(m_ctx.device(), e->setLayout, nullptr);
    }
}

std::size_t Pipelines::size() const
{
    std::size_t n = 0;
    for (const auto &e : m_cache)
        n += e ? e->pipelines.size() : 0;
    return n;
}

Status Pipelines::createLayouts(ShaderId id, Entry &e)
{
    const ShaderInfo &info = shaderInfo(id);
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
    LOWBIT_VK_CHECK(vkCreateDescriptorSetLayout(dev, &dl, nullptr, &e.setLayout));

    VkPushConstantRange range{};
    range.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    range.size = info.pushBytes;
    VkPipelineLayoutCreateInfo pl{};
    pl.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    pl.setLayoutCount = 1;
    pl.pSetLayouts = &e.setLayout;
    pl.pushConstantRangeCount = info.pushBytes ? 1 : 0;
    pl.pPushConstantRanges = &range;
    if (const VkResult r = vkCreatePipelineLayout(dev, &pl, nullptr, &e.layout); r != VK_SUCCESS) {
        vkDestroyDescriptorSetLayout(dev, e.setLayout, nullptr);
        e.setLayout = VK_NULL_HANDLE;
        return vkError(r, "vkCreatePipelineLayout", __FILE__, __LINE__);
    }
    e.writeMask = writtenBindings(shaderSpirv(id));
    return {};
}

Result<const Pipeline *> Pipelines::get(ShaderId id, const Specialization &spec)
{
    auto &slot = m_cache[static_cast<std::size_t>(id)];
    if (slot)
        for (const auto &p : slot->pipelines)
            if (p->spec == spec)
                return p.get();
    if (!slot) {
        LOWBIT_CHECK(checkSharedMemory(id, m_ctx.info()));
        auto e = std::make_unique<Entry>();
        LOWBIT_CHECK(createLayouts(id, *e));
        slot = std::move(e);
    }
    const ShaderInfo &info = shaderInfo(id);
    VkDevice dev = m_ctx.device();
    auto p = std::make_unique<Pipeline>();
    p->id = id;
    p->spec = spec;
    p->setLayout = slot->setLayout;
    p->layout = slot->layout;
    p->writeMask = slot->writeMask;

    const auto words = shaderSpirv(id);
    VkShaderModuleCreateInfo sm{};
    sm.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    sm.codeSize = words.size() * sizeof(std::uint32_t);
    sm.pCode = words.data();
    VkShaderModule module = VK_NULL_HANDLE;
    VkResult r = vkCreateShaderModule(dev, &sm, nullptr, &module);
    if (r == VK_SUCCESS) {
        // the constants left at kAny keep the shader's defaults
        std::array<VkSpecializationMapEntry, std::tuple_size_v<decltype(spec.values)>> entries{};
        std::uint32_t n = 0;
        for (std::uint32_t i = 0; i < spec.values.size(); ++i)
            if (spec.values[i] != Specialization::kAny)
                entries[n++] = {i, static_cast<std::uint32_t>(i * sizeof(std::uint32_t)), sizeof(std::uint32_t)};
        VkSpecializationInfo si{};
        si.mapEntryCount = n;
        si.pMapEntries = entries.data();
        si.dataSize = sizeof(spec.values);
        si.pData = spec.values.data();
        VkComputePipelineCreateInfo ci{};
        ci.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO;
        ci.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        ci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
        ci.stage.module = module;
        ci.stage.pName = "main";
        ci.stage.pSpecializationInfo = n ? &si : nullptr;
        ci.layout = p->layout;
        r = vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &ci, nullptr, &p->pipeline);
        vkDestroyShaderModule(dev, module, nullptr);
    }
    if (r != VK_SUCCESS)
        return makeError(ErrorCode::Internal, "cannot create the pipeline for shader " + std::string(info.name) + ": " + vkResultName(r));
    slot->pipelines.push_back(std::move(p));
    return slot->pipelines.back().get();
}

} // namespace lowbit::gpu
