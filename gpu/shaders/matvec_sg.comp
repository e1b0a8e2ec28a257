// SPDX-License-Identifier: GPL-3.0-or-later
// Y[yOffset + t·yStride + r] = Σ_c W[r, c] · X[t, c] with fp32 weights, a subgroup per row: the
// decode GEMV on GPUs (MatmulF32Kernel::Subgroup; matmul.comp gave a row a workgroup of 64 and
// read it float by float). A workgroup takes 4 rows, its subgroups row after row (one each with
// 32 lanes, two each with 64); the lanes read the row as vec4s where rows are whole vec4s, 4
// apart in flight per lane, and sum by subgroupAdd: no shared memory, no barrier. Other tokens
// (a few; prompts take matmul_tiled.comp) read the row again.
#version 450
#include "common.glsl"
#extension GL_EXT_control_flow_attributes : require

#define ROWS_PER_GROUP 4u
#define UNROLL 4u
layout(local_size_x = 128) in;

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    uint tokens;
    uint yOffset;
    uint yStride;
} pc;

layout(std430, binding = 0) readonly buffer W { float w[]; };
layout(std430, binding = 0) readonly buffer W4 { vec4 w4[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 2) buffer Y { float y[]; };

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint lane = gl_SubgroupInvocationID, n = gl_SubgroupSize;
    for (uint k = gl_SubgroupID; k < ROWS_PER_GROUP; k += gl_NumSubgroups) {
        const uint row = wg * ROWS_PER_GROUP + k;
        if (row >= pc.rows) // uniform in the subgroup
            break;
        for (uint t = 0u; t < pc.tokens; ++t) {
            float acc = 0.0;
            uint done = 0u;
            if (pc.cols % 4u == 0u) {
                const uint wq = row * pc.cols / 4u, xq = t * pc.cols / 4u, quads = pc.cols / 4u;
                // UNROLL loads of each lane in flight before any is used
                vec4 part = vec4(0.0);
                for (uint q0 = 0u; q0 < quads; q0 += UNROLL * n) {
                    vec4 wv[UNROLL], xv[UNROLL];
                    [[unroll]] for (uint j = 0u; j < UNROLL; ++j) {
                        const uint q = min(q0 + j * n + lane, quads - 1u);
                        wv[j] = w4[wq + q];
                        xv[j] = x4[xq + q];
                    }
                    [[unroll]] for (uint j = 0u; j < UNROLL; ++j)
                        if (q0 + j * n + lane < quads) // the clamped re-reads are not summed
                            part += wv[j] * xv[j];
                }
                acc = part.x + part.y + part.z + part.w;
                done = pc.cols;
            }
            for (uint c = done + lane; c < pc.cols; c += n)
                acc += w[row * pc.cols + c] * x[t * pc.cols + c];
            acc = subgroupAdd(acc);
            if (subgroupElect())
                y[pc.yOffset + t * pc.yStride + row] = acc;
        }
    }
}
