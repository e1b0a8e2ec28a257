// SPDX-License-Identifier: GPL-3.0-or-later
// The roofline read in the layout of the CPU-device GEMVs (matvec_rows.comp): one invocation per
// row, walking it with uvec4 loads (rowWords a multiple of 4), no shared memory or barriers.
// TEXEL: the source is read through a uniform texel buffer of RGBA32UI texels (on llvmpipe a
// gather, where a storage-buffer load is a loop over the lanes); IMAGE: through a storage texel
// buffer (the same view) by imageLoad, which llvmpipe inlines where texelFetch is a function call.
#version 450

layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint rows;
    uint rowWords;
    uint chunkWords;
    uint tpr;
} pc;
#if defined(TEXEL)
layout(binding = 0) uniform usamplerBuffer srcTexels;
#define SRC(i) texelFetch(srcTexels, int(i))
#elif defined(IMAGE)
layout(binding = 0, rgba32ui) readonly uniform uimageBuffer srcTexels;
#define SRC(i) imageLoad(srcTexels, int(i))
#else
layout(std430, binding = 0) readonly buffer Src { uvec4 src[]; };
#define SRC(i) src[i]
#endif
layout(std430, binding = 1) writeonly buffer Dst { uint dst[]; };

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint outRow = wg * 64u + gl_LocalInvocationID.x;
    const uint row = min(outRow, pc.rows - 1u);
    const uint base = row * (pc.rowWords >> 2u);
    uvec4 acc = uvec4(0u);
    for (uint i = 0u; i < (pc.rowWords >> 2u); ++i)
        acc += SRC(base + i);
    if (outRow < pc.rows)
        dst[outRow] = acc.x + acc.y + acc.z + acc.w;
}
