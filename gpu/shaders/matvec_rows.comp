// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × vector (decode) for CPU Vulkan implementations (lavapipe/llvmpipe), where the
// lanes of a subgroup are the SIMD lanes of one CPU core. What is cheap there decides the layout:
//  - a few rows per invocation (RPI): no shared memory, no barriers (a barrier splits the shader
//    into coroutines), and every invocation walks the columns in the same order;
//  - llvmpipe reads a storage buffer lane by lane in a branchy loop, one loop per load
//    instruction whatever its width, so the code words come in as uvec4/uvec2 loads (one loop for
//    16 bytes) and the group parameters once per group;
//  - a uniform-buffer read at a subgroup-uniform address is one scalar load and a broadcast, and
//    at per-lane addresses a plain gather: with X_UBO, x (≤ the uniform range) and the value
//    tables (with DECODE 2) are read from uniform buffers.
// Rows past the end compute row rows−1 again and are not stored, so no branch is divergent.
// Subgroups of exactly 8 lanes (the host checks), each full (64 = 8 subgroups).
//
// DECODE (compile time):
//   0 generic: decodeValue() per weight (mixtures, AFPQ two-scale);
//   1 linear:  value = (code − off)·s1 per group (INT-asym zero point, or a LUT member whose table
//              is exactly code + lin0): s1·Σ (code − off)·x per group, no table read (code − off
//              is exact; Σ code·x − off·Σ x would cancel badly when most codes sit at the zero);
//   2 lut:     value = table[code]·s1 (·tensorScale for NVFP4): s1·Σ table[code]·x per group.
// 1 and 2 factor the scale out of the group's sum: the result equals Σ dequant(W)·x up to fp32
// summation order, not bit for bit (the tests bound it like every other GEMV).
#version 450
#ifdef X_UBO
// binding 5: the value tables (a copy of binding 2), read by every decode path from here
layout(std140, binding = 5) uniform TU { vec4 tu[4096]; };
#define PACKED_TABLE(i) tu[(i) >> 2u][(i) & 3u]
#endif
#include "packed_decode.glsl"
#extension GL_KHR_shader_subgroup_ballot : require

layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer CodesV4 { uvec4 codes4[]; };
layout(std430, binding = 0) readonly buffer CodesV2 { uvec2 codes2[]; };
#ifdef X_UBO
// bindings 3 (x) and 5 (value tables, a copy of binding 2's first 256·members floats) are
// uniform buffers; the host uses this variant only when both fit the uniform range
layout(std140, binding = 3) uniform XU { vec4 xu[4096]; };
#define TABLE(i) tu[(i) >> 2u][(i) & 3u]
float xAt(uint i) { return xu[i >> 2u][i & 3u]; }
#else
// x larger than the uniform range: storage buffers (binding 5 is bound but unused)
layout(std430, binding = 3) readonly buffer X { float xs[]; };
#define TABLE(i) tables[i]
float xAt(uint i) { return xs[i]; }
#endif
layout(std430, binding = 4) buffer Y { float y[]; };

#ifndef DECODE
#define DECODE 0
#endif

/// The words of whole chunk `ch` of slice row `row` with as few load instructions as the
/// alignment allows (the caller checked that the row's words are a multiple of 4).
void loadChunkWide(uint row, uint ch, out uint w[8])
{
    [[unroll]] for (uint k = 0u; k < 8u; ++k)
        w[k] = 0u;
#ifdef FP6_PLANES
    const uvec4 lo = codes4[(row * pc.rowWords + ch * 4u) >> 2u];
    const uvec2 hi = codes2[(pc.hiBase + row * pc.rowWordsHi + ch * 2u) >> 1u];
    w[0] = lo.x; w[1] = lo.y; w[2] = lo.z; w[3] = lo.w;
    w[4] = hi.x; w[5] = hi.y;
#else
    const uint first = row * pc.rowWords + ch * CB;
    if (CB == 4u || CB == 8u) {
        const uvec4 a = codes4[first >> 2u];
        w[0] = a.x; w[1] = a.y; w[2] = a.z; w[3] = a.w;
        if (CB == 8u) {
            const uvec4 b = codes4[(first >> 2u) + 1u];
            w[4] = b.x; w[5] = b.y; w[6] = b.z; w[7] = b.w;
        }
    } else if (CB == 2u || CB == 6u) {
        [[unroll]] for (uint k = 0u; k < CB; k += 2u) {
            const uvec2 a = codes2[(first + k) >> 1u];
            w[k] = a.x;
            w[k + 1u] = a.y;
        }
    } else {
        [[unroll]] for (uint k = 0u; k < CB; ++k)
            w[k] = codes[first + k];
    }
#endif
}

// Each invocation takes RPI consecutive rows, so every x value loaded and broadcast serves RPI rows.
#define RPI 4u

#if DECODE == 1
#define VALK(k, i) (float(chunkCode(w[k], i)) - off[k]) // exact: small integers
#elif DECODE == 2
#define VALK(k, i) TABLE(p[k].base + chunkCode(w[k], i))
#else
#define VALK(k, i) decodeValue(p[k], chunkCode(w[k], i))
#endif
// x[c0 + b + K] from the lane that loaded it (K a literal, as subgroupBroadcast requires), for every row
#define XSTEP(K)                                                                                    \
    {                                                                                               \
        const float xb = subgroupBroadcast(xl, K);                                                  \
        [[unroll]] for (uint k = 0u; k < RPI; ++k)                                                  \
            s[k] += VALK(k, b + K) * xb;                                                            \
    }

/// Adds, for each of the RPI rows, Σ over codes [lo, lo + n) of its chunk (constants after
/// inlining, so the unpacking shifts are constants) of the value without the group scale times x.
/// The subgroup loads 8 consecutive x values at once, one per lane (a gather), and broadcasts each
/// to every lane: one load per x value instead of one per lane and row.
void partialSums(uint w[RPI][8], uint c0, GroupParams p[RPI], uint lo, uint n, inout float s[RPI])
{
#if DECODE == 1
    float off[RPI];
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        off[k] = p[k].kind == KIND_INT_ASYM ? p[k].s2 : -pc.lin0;
#endif
    const uint lane = gl_SubgroupInvocationID;
    [[unroll]] for (uint b = lo; b < lo + n; b += 8u) {
        const float xl = xAt(c0 + b + lane);
        XSTEP(0u) XSTEP(1u) XSTEP(2u) XSTEP(3u) XSTEP(4u) XSTEP(5u) XSTEP(6u) XSTEP(7u)
    }
}

/// The group parameters the linear and lut paths use, without the member-kind and selector reads
/// of loadGroup (one member: the kind follows from the push constants).
GroupParams loadGroupRows(uint g)
{
#if DECODE == 0
    return loadGroup(g);
#else
    GroupParams p;
    p.s1 = scaleAt(pc.scalesBase, g);
    p.s2 = 0.0;
    p.base = 0u;
    p.kind = KIND_LUT;
    if (pc.zpBits != 0u) {
        p.s2 = float(metaBits(pc.zpBase, g, pc.zpBits));
        p.kind = KIND_INT_ASYM;
    }
    if (pc.tensorScale != 1.0 || pc.scaleKind == SCALE_BYTE_LUT)
        p.kind = meta[pc.kindsBase]; // NVFP4 (and MX): the one member's kind
    return p;
#endif
}

/// What a group's partial sum is multiplied by (1 for the generic path, which decodes whole values).
float groupFactor(GroupParams p)
{
#if DECODE == 0
    return 1.0;
#elif DECODE == 2
    return p.kind == KIND_NVFP4 ? p.s1 * pc.tensorScale : p.s1;
#else
    return p.s1;
#endif
}

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint first = (wg * 64u + gl_LocalInvocationID.x) * RPI;
    uint row[RPI];
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        row[k] = min(first + k, pc.rows - 1u);
    const uint G = pc.groupsPerRow == 0u ? pc.cols : pc.groupSize; // columns per group
#ifdef FP6_PLANES
    const bool wide = (pc.rowWords & 3u) == 0u && (pc.rowWordsHi & 1u) == 0u && (pc.hiBase & 1u) == 0u;
#else
    const bool wide = (pc.rowWords & 3u) == 0u;
#endif
    uint done = 0u; // columns summed by a fast path
    float acc[RPI];
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        acc[k] = 0.0;
    if (wide && G % 32u == 0u) {
        const uint groups = pc.cols / G;
        for (uint g = 0u; g < groups; ++g) {
            const uint g0 = g * G;
            GroupParams p[RPI];
            float s[RPI];
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
                p[k] = loadGroupRows(groupOf(row[k], g0));
                s[k] = 0.0;
            }
            for (uint c0 = g0; c0 < g0 + G; c0 += 32u) {
                uint w[RPI][8];
                [[unroll]] for (uint k = 0u; k < RPI; ++k)
                    loadChunkWide(row[k], c0 >> 5u, w[k]);
                partialSums(w, c0, p, 0u, 32u, s);
            }
            [[unroll]] for (uint k = 0u; k < RPI; ++k)
                acc[k] += groupFactor(p[k]) * s[k];
        }
        done = groups * G;
    } else if (wide && G == 16u) { // NVFP4 and other 16-column groups: two groups per chunk
        const uint chunks = pc.cols / 32u;
        for (uint ch = 0u; ch < chunks; ++ch) {
            const uint c0 = ch * 32u;
            uint w[RPI][8];
            GroupParams p[RPI];
            float s[RPI];
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
                loadChunkWide(row[k], ch, w[k]);
                p[k] = loadGroupRows(groupOf(row[k], c0));
                s[k] = 0.0;
            }
            partialSums(w, c0, p, 0u, 16u, s);
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
                acc[k] += groupFactor(p[k]) * s[k];
                p[k] = loadGroupRows(groupOf(row[k], c0 + 16u));
                s[k] = 0.0;
            }
            partialSums(w, c0, p, 16u, 16u, s);
            [[unroll]] for (uint k = 0u; k < RPI; ++k)
                acc[k] += groupFactor(p[k]) * s[k];
        }
        done = chunks * 32u;
    }
    for (uint c = done; c < pc.cols; ++c) { // what no fast path took: weight by weight
        const float xc = xAt(c);
        [[unroll]] for (uint k = 0u; k < RPI; ++k)
            acc[k] += weightAt(row[k], c) * xc;
    }
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        if (first + k < pc.rows)
            y[pc.yOffset + first + k] = acc[k];
}
