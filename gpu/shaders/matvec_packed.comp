// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × vector: y[r] = Σ_c decode(W[r, c]) · x[c], reading the packed codes directly;
// one workgroup per row, strided partial sums, subgroup then shared-memory reduction.
#version 450
#include "common.glsl"
#include "packed_decode.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 4) readonly buffer X { float x[]; };
layout(std430, binding = 5) writeonly buffer Y { float y[]; };

shared float partial[64];

void main()
{
    const uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (row >= pc.rows)
        return;
    float acc = 0.0;
    for (uint c = gl_LocalInvocationID.x; c < pc.cols; c += gl_WorkGroupSize.x)
        acc += decodeWeight(row, c) * x[c];
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
