// SPDX-License-Identifier: GPL-3.0-or-later
// Fused VQ dequant × vector for CPU Vulkan implementations (see matvec_rows.comp): one invocation
// per vector row r (output rows r·v … r·v+v−1), walking every position in the same order, so the
// permutation, x[col] and the column scale/bias are subgroup-uniform loads; only the index read
// and the centroid values are per-lane gathers (the codebook is a few KiB and stays in cache; no
// shared-memory copy, no barriers). VLEN (compile time) is the vector length, or 0 for any
// v ≤ 16 at run time.
#version 450
#include "vq_decode.glsl"

#ifndef VLEN
#define VLEN 0
#endif
#if VLEN == 0
#define VMAX 16u
#define VN pc.v
#else
#define VMAX uint(VLEN)
#define VN uint(VLEN)
#endif

layout(local_size_x = 64) in;
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) buffer Y { float y[]; };

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint outR = wg * 64u + gl_LocalInvocationID.x;
    const uint r = min(outR, pc.R - 1u);
    float acc[VMAX];
    [[unroll]] for (uint d = 0u; d < VMAX; ++d)
        acc[d] = 0.0;
    for (uint p = 0u; p < pc.cols; ++p) {
        const uint col = columnAt(p);
        const float xv = x[pc.xOffset + col];
        uint c, res;
        bool main;
        vectorOf(p, r, c, res, main);
        if (main)
            c += pc.mainCb;
        [[unroll]] for (uint d = 0u; d < VMAX; ++d)
            if (d < VN)
                acc[d] += finish(vals[c + d], res, d, col) * xv;
    }
    if (outR < pc.R)
        [[unroll]] for (uint d = 0u; d < VMAX; ++d)
            if (d < VN && outR * VN + d < pc.rows)
                y[pc.yOffset + outR * VN + d] = acc[d];
}
