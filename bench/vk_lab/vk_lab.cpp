// SPDX-License-Identifier: GPL-3.0-or-later
// Kernel lab: times one compute shader (SPIR-V file) on the first Vulkan device, with raw Vulkan so
// that a variant is one glslc call away (see run.sh). Bindings: 0 codes, 1 scales (storage), 2 x
// (uniform), 3 y; push constants rows, cols; a dispatch per product of ceil(rows / rowsPerWG)
// workgroups. S16=1: fp16 scales; CHECK=1: compare y with an fp64 int4 reference (layout of
// gemv_lab.comp without NOLOAD). Prints the best time of the repetitions as GB/s of code words.

#include <vulkan/vulkan.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>
#include <cmath>
#include <immintrin.h>
#define CK(x) do { VkResult r_ = (x); if (r_ != VK_SUCCESS) { std::printf("fail %s = %d\n", #x, r_); std::exit(1);} } while (0)
struct Buf { VkBuffer b; VkDeviceMemory m; void* p; VkDeviceSize size; };
VkDevice dev; VkPhysicalDevice phys;
Buf mk(VkDeviceSize size, VkBufferUsageFlags u) {
  Buf r{}; r.size = size;
  VkBufferCreateInfo bi{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO}; bi.size = size; bi.usage = u;
  CK(vkCreateBuffer(dev, &bi, nullptr, &r.b));
  VkMemoryRequirements mr; vkGetBufferMemoryRequirements(dev, r.b, &mr);
  VkPhysicalDeviceMemoryProperties mp; vkGetPhysicalDeviceMemoryProperties(phys, &mp);
  uint32_t ti = 0; for (; ti < mp.memoryTypeCount; ++ti) if ((mr.memoryTypeBits >> ti & 1) && (mp.memoryTypes[ti].propertyFlags & 6) == 6) break;
  VkMemoryAllocateInfo ai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO}; ai.allocationSize = mr.size; ai.memoryTypeIndex = ti;
  CK(vkAllocateMemory(dev, &ai, nullptr, &r.m)); CK(vkBindBufferMemory(dev, r.b, r.m, 0));
  CK(vkMapMemory(dev, r.m, 0, size, 0, &r.p)); return r;
}
int main(int argc, char** argv) {
  if (argc < 5) { std::printf("lab shader.spv rows cols rowsPerWG [reps] [products]\n"); return 1; }
  const uint32_t rows = atoi(argv[2]), cols = atoi(argv[3]), rpw = atoi(argv[4]);
  const int reps = argc > 5 ? atoi(argv[5]) : 5, products = argc > 6 ? atoi(argv[6]) : 4;
  const bool xssbo = getenv("XSSBO") != nullptr;
  const bool texel = getenv("TEXEL") != nullptr; // binding 0 as a uniform texel buffer (RGBA32UI)
  const bool image = getenv("IMAGE") != nullptr; // ... as a storage texel buffer instead (with TEXEL)
  const double bitsPerW = getenv("BITS") ? atof(getenv("BITS")) : 4.0;
  const uint32_t tok = getenv("TOK") ? atoi(getenv("TOK")) : 1; // tokens of the GEMM form (x and y per token)
  // PAIRT=1: binding 2 is an R32F texel buffer of the pair table T[p·256 + byte] =
  // x[2p]·(lo − 8) + x[2p+1]·(hi − 8), built on the host from x (the table pass not timed)
  const bool pairt = getenv("PAIRT") != nullptr;
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO}; app.apiVersion = VK_API_VERSION_1_3;
  VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO}; ici.pApplicationInfo = &app;
  VkInstance inst; CK(vkCreateInstance(&ici, nullptr, &inst));
  uint32_t n = 8; VkPhysicalDevice pds[8]; CK(vkEnumeratePhysicalDevices(inst, &n, pds)); phys = pds[0];
  float prio = 1; VkDeviceQueueCreateInfo qi{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO}; qi.queueCount = 1; qi.pQueuePriorities = &prio;
  VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO}; dci.queueCreateInfoCount = 1; dci.pQueueCreateInfos = &qi;
  // the DOT kernel's OpSUDot (core in 1.3; every 1.3 device has the feature)
  VkPhysicalDeviceShaderIntegerDotProductFeatures dot{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES}; dot.shaderIntegerDotProduct = VK_TRUE;
  if (getenv("DOT")) dci.pNext = &dot;
  // the PMADD kernel's 16-bit integers
  VkPhysicalDeviceFeatures feat{}; feat.shaderInt16 = VK_TRUE;
  if (getenv("INT16")) dci.pEnabledFeatures = &feat;
  CK(vkCreateDevice(phys, &dci, nullptr, &dev)); VkQueue q; vkGetDeviceQueue(dev, 0, 0, &q);
  const uint64_t codeWords = (uint64_t)rows * cols * bitsPerW / 32;
  Buf codes = mk(codeWords * 4 + 64, texel ? (image ? VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT : VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT) : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  Buf scales = mk((uint64_t)rows * cols / 32 * 4 + 64, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  Buf x = mk((uint64_t)cols * 4 * tok, xssbo ? VK_BUFFER_USAGE_STORAGE_BUFFER_BIT : VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT);
  Buf pt = mk(pairt ? (uint64_t)cols / 2 * 256 * 4 + 64 : 64, VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT);
  Buf y = mk((uint64_t)rows * 4 * tok + 64, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
  uint32_t s = 12345; auto rnd = [&] { s = s * 1664525u + 1013904223u; return s; };
  for (uint64_t i = 0; i < codeWords; ++i) ((uint32_t*)codes.p)[i] = rnd();
  const bool s16 = getenv("S16") != nullptr;
  std::vector<float> scv((uint64_t)rows * cols / 32);
  for (auto& v : scv) { float f = 0.01f + (rnd() % 100) * 1e-4f; if (s16) { uint16_t h = _cvtss_sh(f, 0); f = _cvtsh_ss(h); } v = f; }
  for (uint64_t i = 0; i < scv.size(); ++i) { if (s16) ((uint16_t*)scales.p)[i] = _cvtss_sh(scv[i], 0); else ((float*)scales.p)[i] = scv[i]; }
  for (uint32_t i = 0; i < cols; ++i) ((float*)x.p)[i] = ((int)(rnd() % 2001) - 1000) * 1e-3f;
  if (pairt)
    for (uint32_t p = 0; p < cols / 2; ++p)
      for (int v = 0; v < 256; ++v)
        ((float*)pt.p)[p * 256 + v] = ((float*)x.p)[2 * p] * ((v & 15) - 8) + ((float*)x.p)[2 * p + 1] * ((v >> 4) - 8);
  std::ifstream f(argv[1], std::ios::binary | std::ios::ate); size_t sz = f.tellg(); f.seekg(0);
  std::vector<uint32_t> spv(sz / 4); f.read((char*)spv.data(), sz);
  VkShaderModuleCreateInfo smi{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO}; smi.codeSize = sz; smi.pCode = spv.data();
  VkShaderModule sm; CK(vkCreateShaderModule(dev, &smi, nullptr, &sm));
  VkDescriptorSetLayoutBinding b[4]{};
  for (int i = 0; i < 4; ++i) { b[i].binding = i; b[i].descriptorCount = 1; b[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    b[i].descriptorType = (i == 2 && !xssbo) ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    if (i == 0 && texel) b[i].descriptorType = image ? VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
    if (i == 2 && pairt) b[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER; }
  VkDescriptorSetLayoutCreateInfo dli{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO}; dli.bindingCount = 4; dli.pBindings = b;
  VkDescriptorSetLayout dl; CK(vkCreateDescriptorSetLayout(dev, &dli, nullptr, &dl));
  VkPushConstantRange pcr{VK_SHADER_STAGE_COMPUTE_BIT, 0, 16};
  VkPipelineLayoutCreateInfo pli{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO}; pli.setLayoutCount = 1; pli.pSetLayouts = &dl; pli.pushConstantRangeCount = 1; pli.pPushConstantRanges = &pcr;
  VkPipelineLayout pl; CK(vkCreatePipelineLayout(dev, &pli, nullptr, &pl));
  VkComputePipelineCreateInfo cpi{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO}; cpi.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  cpi.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT; cpi.stage.module = sm; cpi.stage.pName = "main"; cpi.layout = pl;
  VkPipeline pipe; CK(vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &cpi, nullptr, &pipe));
  VkDescriptorPoolSize ps[4]{{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4}, {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1}, {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 2}, {VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER, 1}};
  VkDescriptorPoolCreateInfo dpi{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO}; dpi.maxSets = 1; dpi.poolSizeCount = 4; dpi.pPoolSizes = ps;
  VkDescriptorPool dp; CK(vkCreateDescriptorPool(dev, &dpi, nullptr, &dp));
  VkDescriptorSetAllocateInfo dsi{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO}; dsi.descriptorPool = dp; dsi.descriptorSetCount = 1; dsi.pSetLayouts = &dl;
  VkDescriptorSet ds; CK(vkAllocateDescriptorSets(dev, &dsi, &ds));
  Buf* bb[4] = {&codes, &scales, &x, &y}; VkDescriptorBufferInfo dbi[4]; VkWriteDescriptorSet w[4]{};
  for (int i = 0; i < 4; ++i) { dbi[i] = {bb[i]->b, 0, VK_WHOLE_SIZE}; w[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET; w[i].dstSet = ds; w[i].dstBinding = i; w[i].descriptorCount = 1; w[i].descriptorType = b[i].descriptorType; w[i].pBufferInfo = &dbi[i]; }
  VkBufferView view{};
  if (texel) { VkBufferViewCreateInfo vi{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO}; vi.buffer = codes.b; vi.format = VK_FORMAT_R32G32B32A32_UINT; vi.range = VK_WHOLE_SIZE;
    CK(vkCreateBufferView(dev, &vi, nullptr, &view)); w[0].pBufferInfo = nullptr; w[0].pTexelBufferView = &view; }
  VkBufferView ptView{};
  if (pairt) { VkBufferViewCreateInfo vi{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO}; vi.buffer = pt.b; vi.format = VK_FORMAT_R32_SFLOAT; vi.range = VK_WHOLE_SIZE;
    CK(vkCreateBufferView(dev, &vi, nullptr, &ptView)); w[2].pBufferInfo = nullptr; w[2].pTexelBufferView = &ptView; }
  vkUpdateDescriptorSets(dev, 4, w, 0, nullptr);
  VkCommandPoolCreateInfo cpci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO}; VkCommandPool cp; CK(vkCreateCommandPool(dev, &cpci, nullptr, &cp));
  VkCommandBufferAllocateInfo cbai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO}; cbai.commandPool = cp; cbai.commandBufferCount = 1;
  VkCommandBuffer cb; CK(vkAllocateCommandBuffers(dev, &cbai, &cb));
  VkCommandBufferBeginInfo cbi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  CK(vkBeginCommandBuffer(cb, &cbi)); vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
  vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl, 0, 1, &ds, 0, nullptr);
  uint32_t push[4] = {rows, cols, 0, 0}; vkCmdPushConstants(cb, pl, VK_SHADER_STAGE_COMPUTE_BIT, 0, 16, push);
  for (int p = 0; p < products; ++p) { vkCmdDispatch(cb, (rows + rpw - 1) / rpw, 1, 1);
    VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER}; mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT; mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr); }
  CK(vkEndCommandBuffer(cb));
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO}; VkFence fe; CK(vkCreateFence(dev, &fci, nullptr, &fe));
  double best = 1e30;
  for (int r = 0; r < reps + 1; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO}; si.commandBufferCount = 1; si.pCommandBuffers = &cb;
    CK(vkQueueSubmit(q, 1, &si, fe)); CK(vkWaitForFences(dev, 1, &fe, VK_TRUE, ~0ull)); CK(vkResetFences(dev, 1, &fe));
    double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0 && t < best) best = t;
  }
  // reference check for y (int4 sym, off 8, scale per 32)
  double err = 0, ref2 = 0;
  if (getenv("CHECK")) {
    const uint32_t* c = (const uint32_t*)codes.p; const float* sc = scv.data(); const float* xv = (const float*)x.p;
    for (uint32_t r = 0; r < rows; ++r) { double acc = 0;
      for (uint32_t k = 0; k < cols; ++k) { uint64_t wi = ((uint64_t)r * cols + k); uint32_t code = (c[wi / 8] >> (4 * (wi % 8))) & 15;
        acc += (double)sc[wi / 32] * ((int)code - 8) * xv[k]; }
      double d = acc - ((float*)y.p)[r]; err += d * d; ref2 += acc * acc; }
    std::printf("rel err %.3e\n", std::sqrt(err / ref2));
  }
  const double bytes = codeWords * 4.0 * products;
  std::printf("%s: %.4f s  %.3f GB/s (packed)\n", argv[1], best, bytes / best * 1e-9);
}
