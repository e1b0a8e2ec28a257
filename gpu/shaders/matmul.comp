// SPDX-License-Identifier: GPL-3.0-or-later
// Y[t, r] = sum_c W[r, c] * X[t, c] for `tokens` rows of X (prefill): one workgroup per
// (output row, tile of 8 tokens), so each weight row is read once per tile.
// Y is written at yOffset + t * yStride + r (lets K/V land straight in the cache).
#version 450
#include "common.glsl"

#define WG 64
#define TT 8
layout(local_size_x = WG) in;

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    uint tokens;
    uint yOffset;
    uint yStride;
} pc;

layout(std430, binding = 0) readonly buffer W { float w[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) buffer Y { float y[]; };

shared float partial[WG / 1 + 1][TT];

void main()
{
    const uint tiles = (pc.tokens + TT - 1) / TT;
    const uint id = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (id >= pc.rows * tiles)
        return;
    const uint row = id / tiles;
    const uint t0 = (id % tiles) * TT;
    const uint nt = min(TT, pc.tokens - t0);
    float acc[TT];
    for (uint i = 0; i < TT; ++i)
        acc[i] = 0.0;
    const uint wBase = row * pc.cols;
    for (uint c = gl_LocalInvocationID.x; c < pc.cols; c += WG) {
        const float wv = w[wBase + c];
        for (uint i = 0; i < nt; ++i)
            acc[i] += wv * x[(t0 + i) * pc.cols + c];
    }
    for (uint i = 0; i < nt; ++i) {
        const float s = subgroupAdd(acc[i]);
        if (subgroupElect())
            partial[gl_SubgroupID][i] = s;
    }
    barrier();
    if (gl_LocalInvocationID.x < nt) {
        const uint i = gl_LocalInvocationID.x;
        float total = 0.0;
        for (uint s = 0; s < gl_NumSubgroups; ++s)
            total += partial[s][i];
        y[pc.yOffset + (t0 + i) * pc.yStride + row] = total;
    }
}
