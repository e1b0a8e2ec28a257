// SPDX-License-Identifier: GPL-3.0-or-later
// The vector the CPU-device VQ GEMV/GEMM (matvec_vq_rows.comp) multiplies by, in its position
// order, for each of pc.tokens tokens t (x rows pc.cols apart from xOffset; xp rows xpStride
// apart): xp[i] = x[col]·scale[col] for the main positions (i < rowStride; 0 past the last) and
// then the outliers (i = rowStride + o), col = perm[position]. With normalization the bias term
// Σ bias[col]·x[col], the same for every output row, follows as one partial sum per workgroup:
// xp[rowStride + outlierCols + block]. The grid is (n + 63) / 64 workgroups per token.
#version 450
#include "vq_decode.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) writeonly buffer XP { float xp[]; };

shared float part[64];

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint lid = gl_LocalInvocationID.x;
    const uint n = pc.rowStride + pc.outlierCols;
    const uint blocks = (n + 63u) / 64u;
    const uint t = wg / blocks, block = wg % blocks;
    if (t >= pc.tokens) // a whole workgroup past the grid (uniform: no barrier is skipped by part of it)
        return;
    const uint i = block * 64u + lid;
    const uint out0 = t * pc.xpStride;
    const uint p = i < pc.rowStride ? pc.outlierCols + i : i - pc.rowStride;
    float xv = 0.0, bx = 0.0;
    if (i < n && p < pc.cols) {
        const uint col = columnAt(p);
        const float x0 = x[pc.xOffset + t * pc.cols + col];
        xv = x0;
        if (pc.scaleBase != NONE) {
            xv = x0 * vals[pc.scaleBase + col];
            bx = x0 * vals[pc.biasBase + col];
        }
    }
    if (i < n)
        xp[out0 + i] = xv;
    part[lid] = bx;
    for (uint s = 32u; s > 0u; s >>= 1) {
        barrier();
        if (lid < s)
            part[lid] += part[lid + s];
    }
    if (lid == 0u && pc.scaleBase != NONE)
        xp[out0 + n + block] = part[0];
}
