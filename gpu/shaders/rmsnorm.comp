// SPDX-License-Identifier: GPL-3.0-or-later
// y = x / sqrt(mean(x^2) + eps) * weight, one workgroup per row of `cols` values.
#version 450
#include "common.glsl"

layout(local_size_x = 64) in;

layout(push_constant) uniform Push {
    uint cols;
    float eps;
} pc;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer G { float g[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

shared float partial[64];
shared float scale;

void main()
{
    const uint base = gl_WorkGroupID.x * pc.cols;
    float acc = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < pc.cols; c += gl_WorkGroupSize.x)
        acc += x[base + c] * x[base + c];
    acc = subgroupAdd(acc);
    if (subgroupElect())
        partial[gl_SubgroupID] = acc;
    barrier();
    if (gl_LocalInvocationID.x == 0) {
        float total = 0.0;
        for (uint s = 0; s < gl_NumSubgroups; ++s)
            total += partial[s];
        scale = inversesqrt(total / float(pc.cols) + pc.eps);
    }
    barrier();
    for (uint c = gl_LocalInvocationID.x; c < pc.cols; c += gl_WorkGroupSize.x)
        y[base + c] = x[base + c] * scale * g[c];
}
