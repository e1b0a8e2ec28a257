// SPDX-License-Identifier: GPL-3.0-or-later
// y = x / sqrt(mean(x^2) + eps) * weight, one workgroup per row of `cols` values.
// RESIDUAL: first x += r (the residual connection that precedes every norm of a LLaMA layer),
// written back, then the norm of the sum: one dispatch and one barrier where the add and the norm
// took two of each. The same fp32 sum and the same sum of squares as the two kernels.
#version 450
#include "common.glsl"

layout(local_size_x = 64) in;

layout(push_constant) uniform Push {
    uint cols;
    float eps;
} pc;

#ifdef RESIDUAL
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 3) readonly buffer R { float r[]; };
#else
layout(std430, binding = 0) readonly buffer X { float x[]; };
#endif
layout(std430, binding = 1) readonly buffer G { float g[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

shared float partial[64];
shared float scale;

void main()
{
    const uint base = gl_WorkGroupID.x * pc.cols;
    float acc = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < pc.cols; c += gl_WorkGroupSize.x) {
#ifdef RESIDUAL
        const float v = x[base + c] + r[base + c];
        x[base + c] = v; // read back below by this invocation only
#else
        const float v = x[base + c];
#endif
        acc += v * v;
    }
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
