// SPDX-License-Identifier: GPL-3.0-or-later
// Fused VQ dequant × vector: a workgroup per vector row r (output rows r·v … r·v+v−1, v ≤ VMAX);
// its invocations stride over the positions, look each code up and accumulate centroid · x[col].
// The main codebook is copied to shared memory when it fits (sharedMain). Partial sums meet by
// subgroup shuffles or in a shared-memory tree (tree_reduce.glsl).
#version 450
#include "vq_decode.glsl"

#define WG 64u
#define VMAX 16u
#define SHARED_CB 4096u
#define TREE_N VMAX
#include "tree_reduce.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) buffer Y { float y[]; };

shared float cb[SHARED_CB];

void main()
{
    const uint r = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint lid = treeIndex();
    for (uint i = lid; i < pc.sharedMain; i += WG) // sharedMain ≤ SHARED_CB (checked by the host)
        cb[i] = vals[pc.mainCb + i];
    barrier();
    float acc[VMAX];
    [[unroll]] for (uint d = 0u; d < VMAX; ++d)
        acc[d] = 0.0;
    if (r < pc.R) {
        for (uint p = lid; p < pc.cols; p += WG) {
            const uint col = columnAt(p);
            const float xv = x[pc.xOffset + col];
            uint c, res;
            bool main;
            vectorOf(p, r, c, res, main);
            const bool fromShared = main && pc.sharedMain != 0u;
            if (main)
                c += pc.mainCb;
            [[unroll]] for (uint d = 0u; d < VMAX; ++d)
                if (d < pc.v) {
                    const float cv = fromShared ? cb[c - pc.mainCb + d] : vals[c + d];
                    acc[d] += finish(cv, res, d, col) * xv;
                }
        }
    }
    treeReduce(acc, WG);
    if (lid == 0u && r < pc.R)
        [[unroll]] for (uint d = 0u; d < VMAX; ++d)
            if (d < pc.v && r * pc.v + d < pc.rows)
                y[pc.yOffset + r * pc.v + d] = acc[d];
}
