// SPDX-License-Identifier: GPL-3.0-or-later
// Fused VQ dequant × vector for CPU Vulkan implementations (see matvec_rows.comp): one invocation
// per vector row r (output rows r·v … r·v+v−1), no shared memory and no barriers, every invocation
// walking the positions in the same order. Positions go in blocks of 8: each lane of the 8-lane
// subgroup reads the column, x and the column scale/bias of one position of the block (a gather)
// and broadcasts them, so those cost one read per position rather than one per lane. With X_UBO,
// x and the codebooks/scales (binding 4, a copy of binding 1) come from uniform buffers, whose
// per-lane reads are plain gathers; the index reads stay per lane. VLEN (compile time) is the
// vector length, or 0 for any v ≤ 16 at run time.
#version 450
#include "vq_decode.glsl"
#extension GL_KHR_shader_subgroup_ballot : require

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
#ifdef X_UBO
layout(std140, binding = 2) uniform XU { vec4 xu[4096]; };
layout(std140, binding = 4) uniform VU { vec4 vu[4096]; };
float xAt(uint i) { return xu[i >> 2u][i & 3u]; }
#define VAL(i) vu[(i) >> 2u][(i) & 3u]
#else
layout(std430, binding = 2) readonly buffer X { float x[]; };
float xAt(uint i) { return x[i]; }
#define VAL(i) vals[i]
#endif
layout(std430, binding = 3) buffer Y { float y[]; };

/// finish() with the column's scale and bias given (broadcast by the block's lanes).
float finishWith(float c, uint res, uint d, float sc, float bi)
{
    precise float v = c;
    if (res != NONE)
        v = v + VAL(res + d);
    if (pc.scaleBase != NONE)
        v = v * sc + bi;
    return v;
}

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint outR = wg * 64u + gl_LocalInvocationID.x;
    const uint r = min(outR, pc.R - 1u);
    const uint lane = gl_SubgroupInvocationID;
    const bool normalized = pc.scaleBase != NONE;
    float acc[VMAX];
    [[unroll]] for (uint d = 0u; d < VMAX; ++d)
        acc[d] = 0.0;
    const uint blocks = pc.cols / 8u;
    for (uint b = 0u; b < blocks; ++b) {
        const uint p0 = b * 8u;
        const uint colL = columnAt(p0 + lane);
        const float xL = xAt(pc.xOffset + colL);
        const float scL = normalized ? VAL(pc.scaleBase + colL) : 1.0;
        const float biL = normalized ? VAL(pc.biasBase + colL) : 0.0;
// one position of the block (K a literal: subgroupBroadcast needs a constant lane)
#define POS(K)                                                                                      \
        {                                                                                           \
            const float xv = subgroupBroadcast(xL, K);                                              \
            const float sc = subgroupBroadcast(scL, K), bi = subgroupBroadcast(biL, K);             \
            uint c, res;                                                                            \
            bool main;                                                                              \
            vectorOf(p0 + K, r, c, res, main);                                                      \
            if (main)                                                                               \
                c += pc.mainCb;                                                                     \
            [[unroll]] for (uint d = 0u; d < VMAX; ++d)                                             \
                if (d < VN)                                                                         \
                    acc[d] += finishWith(VAL(c + d), res, d, sc, bi) * xv;                          \
        }
        POS(0u) POS(1u) POS(2u) POS(3u) POS(4u) POS(5u) POS(6u) POS(7u)
    }
    for (uint p = blocks * 8u; p < pc.cols; ++p) { // the last positions one by one
        const uint col = columnAt(p);
        const float xv = xAt(pc.xOffset + col);
        const float sc = normalized ? VAL(pc.scaleBase + col) : 1.0;
        const float bi = normalized ? VAL(pc.biasBase + col) : 0.0;
        uint c, res;
        bool main;
        vectorOf(p, r, c, res, main);
        if (main)
            c += pc.mainCb;
        [[unroll]] for (uint d = 0u; d < VMAX; ++d)
            if (d < VN)
                acc[d] += finishWith(VAL(c + d), res, d, sc, bi) * xv;
    }
    if (outR < pc.R)
        [[unroll]] for (uint d = 0u; d < VMAX; ++d)
            if (d < VN && outR * VN + d < pc.rows)
                y[pc.yOffset + outR * VN + d] = acc[d];
}
