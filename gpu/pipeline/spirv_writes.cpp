// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/pipeline/spirv_writes.h"

#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace lowbit::gpu {

namespace {
// opcodes, decorations and storage classes of the SPIR-V specification
constexpr std::uint32_t kOpTypeImage = 25, kOpTypeSampledImage = 27, kOpTypeStruct = 30, kOpTypePointer = 32, kOpVariable = 59, kOpDecorate = 71,
                        kOpMemberDecorate = 72;
constexpr std::uint32_t kDecBufferBlock = 3, kDecNonWritable = 24, kDecBinding = 33, kDecDescriptorSet = 34;
constexpr std::uint32_t kUniformConstant = 0, kUniform = 2, kStorageBuffer = 12;
constexpr std::uint32_t kAll = ~std::uint32_t(0);
} // namespace

std::uint32_t writtenBindings(std::span<const std::uint32_t> spirv)
{
    if (spirv.size() < 5 || spirv[0] != 0x07230203u)
        return kAll;
    std::unordered_map<std::uint32_t, std::uint32_t> binding, set;        // id → decoration value
    std::unordered_set<std::uint32_t> nonWritable, bufferBlock;           // variables / struct types
    std::unordered_map<std::uint32_t, std::uint32_t> nonWritableMembers; // struct type → members marked
    std::unordered_map<std::uint32_t, std::uint32_t> structMembers;      // struct type → member count
    std::unordered_map<std::uint32_t, std::uint32_t> pointee, imageSampled;
    std::unordered_set<std::uint32_t> sampledImages; // (usamplerBuffer: read by texelFetch only)
    struct Variable {
        std::uint32_t id, type, storage;
    };
    std::vector<Variable> variables;
    for (std::size_t i = 5; i < spirv.size();) {
        const std::uint32_t count = spirv[i] >> 16, op = spirv[i] & 0xFFFFu;
        if (count == 0 || i + count > spirv.size())
            return kAll;
        const std::uint32_t *w = &spirv[i];
        if (op == kOpDecorate && count >= 3) {
            if (w[2] == kDecBinding && count >= 4)
                binding[w[1]] = w[3];
            else if (w[2] == kDecDescriptorSet && count >= 4)
                set[w[1]] = w[3];
            else if (w[2] == kDecNonWritable)
                nonWritable.insert(w[1]);
            else if (w[2] == kDecBufferBlock)
                bufferBlock.insert(w[1]);
        } else if (op == kOpMemberDecorate && count >= 4 && w[3] == kDecNonWritable) {
            ++nonWritableMembers[w[1]];
        } else if (op == kOpTypeStruct && count >= 2) {
            structMembers[w[1]] = count - 2;
        } else if (op == kOpTypePointer && count >= 4) {
            pointee[w[1]] = w[3];
        } else if (op == kOpTypeImage && count >= 8) {
            imageSampled[w[1]] = w[7]; // 1: sampled (a uniform texel buffer), 2: storage
        } else if (op == kOpTypeSampledImage && count >= 3) {
            sampledImages.insert(w[1]);
        } else if (op == kOpVariable && count >= 4) {
            variables.push_back({w[2], w[1], w[3]});
        }
        i += count;
    }
    std::uint32_t mask = 0;
    for (const Variable &v : variables) {
        if (!binding.count(v.id) || set.count(v.id) == 0 || set[v.id] != 0)
            continue;
        const std::uint32_t b = binding[v.id];
        if (b >= 32)
            return kAll;
        const auto p = pointee.find(v.type);
        if (p == pointee.end())
            return kAll;
        const std::uint32_t type = p->second;
        bool writable = false;
        if (const auto s = structMembers.find(type); s != structMembers.end()) {
            const bool storage = v.storage == kStorageBuffer || (v.storage == kUniform && bufferBlock.count(type));
            const auto marked = nonWritableMembers.find(type);
            const bool allReadOnly = marked != nonWritableMembers.end() && marked->second >= s->second;
            writable = storage && !allReadOnly && !nonWritable.count(v.id);
        } else if (const auto img = imageSampled.find(type); img != imageSampled.end()) {
            writable = v.storage == kUniformConstant && img->second == 2 && !nonWritable.count(v.id);
        } else if (sampledImages.count(type)) {
            writable = false;
        } else {
            return kAll; // a binding of a kind this reader does not know
        }
        if (writable)
            mask |= 1u << b;
    }
    return mask;
}

} // namespace lowbit::gpu
