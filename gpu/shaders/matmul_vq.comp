// SPDX-License-Identifier: GPL-3.0-or-later
// Fused VQ dequant × matrix (the prefill; GPUs): a workgroup per vector row r and tile of TT
// tokens; its invocations stride over the positions, decode each weight once and multiply it with
// the tile's x rows (pc.cols floats apart from xOffset): Y[yOffset + t·yStride + r·v + d]. The
// main codebook sits in shared memory when it fits (sharedMain), as in matvec_vq.comp; the partial
// sums meet by subgroup shuffles or in a shared-memory tree (tree_reduce.glsl), one token after
// the other.
#version 450
#include "vq_decode.glsl"

#define WG 64u
#define VMAX 16u
#define TT 4u
#define SHARED_CB 4096u
layout(local_size_x = 64) in;
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) buffer Y { float y[]; };

shared float cb[SHARED_CB];
#define TREE_N VMAX
#include "tree_reduce.glsl"

// token T (a constant, so that acc is never indexed by a variable) through the tree to y
#define REDUCE_TOKEN(T)                                                                              \
    {                                                                                                \
        float part[VMAX];                                                                            \
        [[unroll]] for (uint d = 0u; d < VMAX; ++d)                                                  \
            part[d] = acc[(T) * VMAX + d];                                                           \
        treeReduce(part, WG);                                                                        \
        if (lid == 0u && r < pc.R && (T) < nt)                                                       \
            [[unroll]] for (uint d = 0u; d < VMAX; ++d)                                              \
                if (d < pc.v && r * pc.v + d < pc.rows)                                              \
                    y[pc.yOffset + (t0 + (T)) * pc.yStride + r * pc.v + d] = part[d];                \
        barrier();                                                                                   \
    }

void main()
{
    const uint tiles = (pc.tokens + TT - 1u) / TT;
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint r = wg / tiles;
    const uint t0 = (wg % tiles) * TT;
    const uint nt = min(TT, pc.tokens - t0);
    const uint lid = treeIndex();
    for (uint i = lid; i < pc.sharedMain; i += WG) // sharedMain ≤ SHARED_CB (checked by the host)
        cb[i] = vals[pc.mainCb + i];
    barrier();
    float acc[TT * VMAX];
    [[unroll]] for (uint i = 0u; i < TT * VMAX; ++i)
        acc[i] = 0.0;
    if (r < pc.R) {
        for (uint p = lid; p < pc.cols; p += WG) {
            const uint col = columnAt(p);
            float xv[TT];
            [[unroll]] for (uint t = 0u; t < TT; ++t)
                xv[t] = t < nt ? x[pc.xOffset + (t0 + t) * pc.cols + col] : 0.0;
            uint c, res;
            bool main;
            vectorOf(p, r, c, res, main);
            const bool fromShared = main && pc.sharedMain != 0u;
            if (main)
                c += pc.mainCb;
            [[unroll]] for (uint d = 0u; d < VMAX; ++d)
                if (d < pc.v) {
                    const float w = finish(fromShared ? cb[c - pc.mainCb + d] : vals[c + d], res, d, col);
                    [[unroll]] for (uint t = 0u; t < TT; ++t)
                        acc[t * VMAX + d] += w * xv[t];
                }
        }
    }
    REDUCE_TOKEN(0u)
    REDUCE_TOKEN(1u)
    REDUCE_TOKEN(2u)
    REDUCE_TOKEN(3u)
}
