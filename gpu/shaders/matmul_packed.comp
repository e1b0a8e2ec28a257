// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × matrix (prefill): Y[yOffset + t·yStride + r] = Σ_c decode(W[r, c]) · X[t, c] for
// tokens t. A workgroup takes 64 / tpr rows and a tile of TT tokens: every weight is decoded once
// per tile and multiplied with the TT token rows; partial sums meet in a shared-memory tree.
#version 450
#include "packed_decode.glsl"

#define WG 64u
#define TT 8u
layout(local_size_x = 64) in;
layout(std430, binding = 3) readonly buffer X { float x[]; };
layout(std430, binding = 4) buffer Y { float y[]; };

shared float partial[WG * TT];

void main()
{
    const uint tiles = (pc.tokens + TT - 1u) / TT;
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint rowGroup = wg / tiles;
    const uint t0 = (wg % tiles) * TT;
    const uint nt = min(TT, pc.tokens - t0);
    const uint lid = gl_LocalInvocationID.x;
    const uint lane = lid % pc.tpr;
    const uint row = rowGroup * (WG / pc.tpr) + lid / pc.tpr;
    const uint chunks = (pc.cols + 31u) / 32u;
    float acc[TT];
    [[unroll]] for (uint t = 0u; t < TT; ++t)
        acc[t] = 0.0;
    if (row < pc.rows) {
        for (uint ch = lane; ch < chunks; ch += pc.tpr) {
            const uint c0 = ch * 32u;
            if (chunkIsUniform(c0)) {
                uint w[8];
                loadChunk(row, ch, w);
                const GroupParams p = loadGroup(groupOf(row, c0));
                [[unroll]] for (uint i = 0u; i < 32u; ++i) {
                    const float v = decodeValue(p, chunkCode(w, i));
                    [[unroll]] for (uint t = 0u; t < TT; ++t)
                        if (t < nt)
                            acc[t] += v * x[(t0 + t) * pc.cols + c0 + i];
                }
            } else {
                for (uint c = c0; c < min(c0 + 32u, pc.cols); ++c) {
                    const float v = weightAt(row, c);
                    [[unroll]] for (uint t = 0u; t < TT; ++t)
                        if (t < nt)
                            acc[t] += v * x[(t0 + t) * pc.cols + c];
                }
            }
        }
    }
    [[unroll]] for (uint t = 0u; t < TT; ++t)
        partial[lid * TT + t] = acc[t];
    for (uint s = pc.tpr / 2u; s > 0u; s >>= 1) {
        barrier();
        if (lane < s)
            [[unroll]] for (uint t = 0u; t < TT; ++t)
                partial[lid * TT + t] += partial[(lid + s) * TT + t];
    }
    if (lane == 0u && row < pc.rows)
        [[unroll]] for (uint t = 0u; t < TT; ++t)
            if (t < nt)
                y[pc.yOffset + (t0 + t) * pc.yStride + row] = partial[lid * TT + t];
}
