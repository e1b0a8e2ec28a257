// SPDX-License-Identifier: GPL-3.0-or-later
// y[r] = sum_c W[r, c] * x[c]: one workgroup per row, a strided partial sum per invocation,
// reduced with subgroupAdd then through shared memory (works for any subgroup size).
#version 450
#include "common.glsl"

layout(local_size_x = 64) in;

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
} pc;

layout(std430, binding = 0) readonly buffer W { float w[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

shared float partial[64];

void main()
{
    const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= pc.rows)
        return;
    float acc = 0.0;
    const uint base = row * pc.cols;
    for (uint c = gl_LocalInvocationID.x; c < pc.cols; c += gl_WorkGroupSize.x)
        acc += w[base + c] * x[c];
    acc = subgroupAdd(acc);
    if (subgroupElect())
        partial[gl_SubgroupID] = acc;
    barrier();
    if (gl_LocalInvocationID.x == 0) {
        float total = 0.0;
        for (uint s = 0; s < gl_NumSubgroups; ++s)
            total += partial[s];
        y[row] = total;
    }
}
