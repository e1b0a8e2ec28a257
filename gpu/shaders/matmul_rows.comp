// SPDX-License-Identifier: GPL-3.0-or-later
// Y[t, r] = sum_c W[r, c] * X[t, c], fp32, for CPU Vulkan devices (lavapipe): one invocation per
// (output row, tile of TT tokens), the row summed in order as vec4s, no shared memory and no
// barrier, which llvmpipe runs far faster than a workgroup per row (docs/gpu.md). cols % 4 == 0.
// Y is written at yOffset + t * yStride + r (lets K/V land straight in the cache).
#version 450

#define TT 4
layout(local_size_x = 64) in;

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    uint tokens;
    uint yOffset;
    uint yStride;
} pc;

layout(std430, binding = 0) readonly buffer W { vec4 w[]; };
layout(std430, binding = 1) readonly buffer X { vec4 x[]; };
layout(std430, binding = 2) buffer Y { float y[]; };

void main()
{
    const uint tiles = (pc.tokens + TT - 1) / TT;
    const uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (id >= pc.rows * tiles)
        return;
    // neighbouring invocations take neighbouring rows of the same tile
    const uint row = id % pc.rows;
    const uint t0 = (id / pc.rows) * TT;
    const uint nt = min(TT, pc.tokens - t0);
    const uint quads = pc.cols / 4;
    vec4 acc[TT];
    for (uint i = 0; i < TT; ++i)
        acc[i] = vec4(0.0);
    const uint wBase = row * quads;
    for (uint c = 0; c < quads; ++c) {
        const vec4 wv = w[wBase + c];
        for (uint i = 0; i < nt; ++i)
            acc[i] += wv * x[(t0 + i) * quads + c];
    }
    for (uint i = 0; i < nt; ++i)
        y[pc.yOffset + (t0 + i) * pc.yStride + row] = (acc[i].x + acc[i].y) + (acc[i].z + acc[i].w);
}
