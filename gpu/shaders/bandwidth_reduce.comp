// SPDX-License-Identifier: GPL-3.0-or-later
// The achievable-bandwidth roofline for the fused GEMV: reads `rows` rows of `rowWords` words
// with the same access pattern as matvec_packed (tpr invocations per row, a chunk of `chunkWords`
// consecutive words each) and reduces them, so the only work is the read itself.
#version 450

#define WG 64u
layout(local_size_x = 64) in;
layout(push_constant) uniform Push {
    uint rows;
    uint rowWords;
    uint chunkWords;
    uint tpr;
} pc;
layout(std430, binding = 0) readonly buffer Src { uint src[]; };
layout(std430, binding = 1) writeonly buffer Dst { uint dst[]; };

shared uint partial[WG];

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint lid = gl_LocalInvocationID.x;
    const uint lane = lid % pc.tpr;
    const uint row = wg * (WG / pc.tpr) + lid / pc.tpr;
    uint acc = 0u;
    if (row < pc.rows) {
        const uint base = row * pc.rowWords;
        for (uint w0 = lane * pc.chunkWords; w0 < pc.rowWords; w0 += pc.tpr * pc.chunkWords)
            for (uint k = 0u; k < pc.chunkWords && w0 + k < pc.rowWords; ++k)
                acc += src[base + w0 + k];
    }
    partial[lid] = acc;
    for (uint s = pc.tpr / 2u; s > 0u; s >>= 1) {
        barrier();
        if (lane < s)
            partial[lid] += partial[lid + s];
    }
    if (lane == 0u && row < pc.rows)
        dst[row] = partial[lid];
}
