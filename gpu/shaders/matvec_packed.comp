// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × vector (decode): y[yOffset + r] = Σ_c decode(W[r, c]) · x[c], reading the packed
// codes directly. `tpr` invocations share a row (64 / tpr rows per workgroup), each taking
// every tpr-th chunk of 32 weights; partial sums meet in a shared-memory tree (any subgroup size).
#version 450
#include "packed_decode.glsl"

#define WG 64u
layout(local_size_x = 64) in;
layout(std430, binding = 3) readonly buffer X { float x[]; };
layout(std430, binding = 4) buffer Y { float y[]; };

shared float partial[WG];

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint lid = gl_LocalInvocationID.x;
    const uint lane = lid % pc.tpr;
    const uint row = wg * (WG / pc.tpr) + lid / pc.tpr;
    const uint chunks = (pc.cols + 31u) / 32u;
    float acc = 0.0;
    if (row < pc.rows) {
        for (uint ch = lane; ch < chunks; ch += pc.tpr) {
            float v[32];
            decodeChunk(row, ch, v);
            const uint c0 = ch * 32u;
            const uint m = min(32u, pc.cols - c0);
            float s = 0.0;
            for (uint k = 0u; k < m; ++k)
                s += v[k] * x[c0 + k];
            acc += s;
        }
    }
    partial[lid] = acc;
    for (uint s = pc.tpr / 2u; s > 0u; s >>= 1) {
        barrier();
        if (lane < s)
            partial[lid] += partial[lid + s];
    }
    if (lane == 0u && row < pc.rows)
        y[pc.yOffset + row] = partial[lid];
}
