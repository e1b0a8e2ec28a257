// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × vector (decode): y[yOffset + r] = Σ_c decode(W[r, c]) · x[c], reading the packed
// codes directly. `tpr` invocations share a row (64 / tpr rows per workgroup), each taking
// every tpr-th chunk of 32 weights; partial sums meet in a shared-memory tree (any subgroup size).
// No private array is indexed dynamically (it would live in memory on CPU implementations).
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
            const uint c0 = ch * 32u;
            float s = 0.0;
            if (chunkIsUniform(c0)) {
                uint w[8];
                loadChunk(row, ch, w);
                const GroupParams p = loadGroup(groupOf(row, c0));
                [[unroll]] for (uint i = 0u; i < 32u; ++i)
                    s += decodeValue(p, chunkCode(w, i)) * x[c0 + i];
            } else {
                for (uint c = c0; c < min(c0 + 32u, pc.cols); ++c)
                    s += weightAt(row, c) * x[c];
            }
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
