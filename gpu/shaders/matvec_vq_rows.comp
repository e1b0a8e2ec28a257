// SPDX-License-Identifier: GPL-3.0-or-later
// Fused VQ dequant × vector for CPU Vulkan implementations (llvmpipe's cost model: see
// matvec_rows.comp): one invocation per vector row r (output rows r·v … r·v+v−1), no shared
// memory, no barriers, and every read an image load from a storage texel buffer of RGBA32UI
// texels (SIMD gathers on llvmpipe, where a storage-buffer load is a loop over the lanes; and
// inlined, where llvmpipe 22.3 calls a function for each texelFetch of a non-RGBA8 format, which
// spills every live register around it: +5–10 % on VQ, whose every position fetches a centroid).
//  - The host lays the main and residual index streams out by vector row: rowStride positions
//    each, IBITS-bit codes (8, 12 or 16), so a block of 32 positions is IBITS/4 whole texels and
//    every code's shifts are constants.
//  - vq_xprep.comp has gathered xp = x·scale into position order, then the outliers' xp, then
//    the partial sums of the bias term Σ bias·x (the same for every output row).
//  - Per position the hot loop extracts a code, fetches the centroid's texels (stride cbStride,
//    a multiple of 4 floats) and does v multiply-adds; x comes one texel per lane per block and
//    is broadcast. The outlier positions (position-major stream, any width) run first.
// The result, Σ (c + r)·xp + Σ bias·x, equals Σ dequant(W)·x up to fp32 rounding order (the
// tests bound it like every other GEMV). VLEN: 4 or 8, or 0 for any v ≤ 16 at run time.
// TOKENS = NT (the GEMM of the prefill): NT tokens' xp rows (xpStride apart) at once, each
// centroid fetched once for all of them; the first pc.tokens ≤ NT are real, the others read the
// last real token's xp and are not stored. Without TOKENS the kernel is the GEMV.
#version 450
#include "vq_push.glsl"
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require

#if VLEN == 0
#define VMAX 16u
#define VN pc.v
#define CB_STRIDE pc.cbStride
#else
#define VMAX uint(VLEN)
#define VN uint(VLEN)
#define CB_STRIDE uint(VLEN)
#endif
#ifdef TOKENS
#define NT uint(TOKENS)
#else
#define NT 1u
#endif
// the xp row that GEMM token t reads
#define TOK(t) (NT == 1u ? 0u : min((t), pc.tokens - 1u))
#define CBT (VMAX / 4u)         // texels per centroid
#define IB uint(IBITS)
#define TPB (IB / 4u)           // texels per block of 32 positions

layout(local_size_x = 32) in;
layout(binding = 0, rgba32ui) readonly uniform uimageBuffer idxT;  // index words (VqPush's *Base in words)
layout(binding = 1, rgba32ui) readonly uniform uimageBuffer valsT; // codebooks, scales (floats)
layout(binding = 2, rgba32ui) readonly uniform uimageBuffer xpT;   // vq_xprep.comp's output
// (texelFetch as elsewhere, an image load here)
#define texelFetch(b, i) imageLoad(b, int(i))
layout(std430, binding = 3) writeonly buffer Y { float y[]; };

uint pick(uvec4 t, uint q) { return q == 0u ? t.x : q == 1u ? t.y : q == 2u ? t.z : t.w; }
uint wordAt(uint i) { return pick(texelFetch(idxT, int(i >> 2u)), i & 3u); }
float floatAt(uint i) { return uintBitsToFloat(pick(texelFetch(valsT, int(i >> 2u)), i & 3u)); }
float xpAt(uint i) { return uintBitsToFloat(pick(texelFetch(xpT, int(i >> 2u)), i & 3u)); }

/// Code i of a position-major `bits`-wide stream at word `base` (the outliers).
uint streamCode(uint base, uint i, uint bits)
{
    const uint bit = i * bits;
    const uint w = base + (bit >> 5), off = bit & 31u;
    const uint hi = off + bits > 32u ? wordAt(w + 1u) << ((32u - off) & 31u) : 0u;
    return ((wordAt(w) >> off) | hi) & ((1u << bits) - 1u);
}

/// acc[t·VMAX + d] += centroid[d]·xv[t] for the centroid at float `base` of valsT (a multiple of 4).
void addCentroid(inout float acc[NT * VMAX], uint base, float xv[NT])
{
    [[unroll]] for (uint j = 0u; j < CBT; ++j) {
        const vec4 c = uintBitsToFloat(texelFetch(valsT, int((base >> 2u) + j)));
        [[unroll]] for (uint t = 0u; t < NT; ++t)
            [[unroll]] for (uint q = 0u; q < 4u; ++q)
                if (j * 4u + q < VN)
                    acc[t * VMAX + j * 4u + q] += c[q] * xv[t];
    }
}

// word i of a block's texels t, and its code K (K, IB constants after expansion: the shifts fold)
#define WORD(t, i) t[(i) >> 2u][(i) & 3u]
#define LO(K) (((K) * IB) >> 5u)
#define OFF(K) (((K) * IB) & 31u)
#define CODE(t, K)                                                                                   \
    (((WORD(t, LO(K)) >> OFF(K))                                                                     \
      | (OFF(K) + IB > 32u ? WORD(t, min(LO(K) + 1u, TPB * 4u - 1u)) << ((32u - OFF(K)) & 31u) : 0u)) \
     & ((1u << IB) - 1u))
#if RES
#define RES_ADD(K) addCentroid(acc, pc.rcbBase + CODE(u, K) * CB_STRIDE, xv);
#else
#define RES_ADD(K)
#endif
// position K of the block: each token's x from lane K/4's texel, the centroid (and residual)
#define POS(K)                                                                                       \
    {                                                                                                \
        float xv[NT];                                                                                \
        [[unroll]] for (uint tk = 0u; tk < NT; ++tk)                                                 \
            xv[tk] = subgroupShuffle(xl[tk][(K) & 3u], (K) >> 2u);                                   \
        addCentroid(acc, pc.cbBase + CODE(t, K) * CB_STRIDE, xv);                                    \
        RES_ADD(K)                                                                                   \
    }
#define POS4(K) POS(K) POS((K) + 1u) POS((K) + 2u) POS((K) + 3u)
#define POS16(K) POS4(K) POS4((K) + 4u) POS4((K) + 8u) POS4((K) + 12u)

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint outR = wg * 32u + gl_LocalInvocationID.x;
    const uint r = min(outR, pc.R - 1u);
    const uint lane = gl_SubgroupInvocationID;
    float acc[NT * VMAX];
    [[unroll]] for (uint d = 0u; d < NT * VMAX; ++d)
        acc[d] = 0.0;
    for (uint o = 0u; o < pc.outlierCols; ++o) { // the outlier positions, one by one
        const uint c = pc.outCb + streamCode(pc.outBase, o * pc.R + r, pc.outBits) * pc.v;
        [[unroll]] for (uint tk = 0u; tk < NT; ++tk) {
            const float xv = xpAt(TOK(tk) * pc.xpStride + pc.rowStride + o);
            [[unroll]] for (uint d = 0u; d < VMAX; ++d)
                if (d < VN)
                    acc[tk * VMAX + d] += floatAt(c + d) * xv;
        }
    }
    const uint blocks = pc.rowStride / 32u;
    const uint mainT = (pc.mainBase >> 2u) + r * blocks * TPB;
#if RES
    const uint resT = (pc.resBase >> 2u) + r * blocks * TPB;
#endif
    for (uint b = 0u; b < blocks; ++b) {
        uvec4 t[TPB];
        [[unroll]] for (uint j = 0u; j < TPB; ++j)
            t[j] = texelFetch(idxT, int(mainT + b * TPB + j));
#if RES
        uvec4 u[TPB];
        [[unroll]] for (uint j = 0u; j < TPB; ++j)
            u[j] = texelFetch(idxT, int(resT + b * TPB + j));
#endif
        vec4 xl[NT];
        [[unroll]] for (uint tk = 0u; tk < NT; ++tk)
            xl[tk] = uintBitsToFloat(texelFetch(xpT, int(TOK(tk) * (pc.xpStride >> 2u) + b * 8u + lane)));
        POS16(0u) POS16(16u)
    }
    // (every loop over the tokens innermost, so that it unrolls: a token loop around another loop
    // stays a loop, acc would be indexed by a variable and live in memory — 10 times slower)
    const uint n = pc.rowStride + pc.outlierCols;
    float bias[NT];
    [[unroll]] for (uint tk = 0u; tk < NT; ++tk)
        bias[tk] = 0.0;
    if (pc.scaleBase != NONE)
        for (uint i = 0u; i < (n + 63u) / 64u; ++i)
            [[unroll]] for (uint tk = 0u; tk < NT; ++tk)
                bias[tk] += xpAt(TOK(tk) * pc.xpStride + n + i);
    if (outR < pc.R)
        [[unroll]] for (uint tk = 0u; tk < NT; ++tk)
            [[unroll]] for (uint d = 0u; d < VMAX; ++d)
                if (tk < pc.tokens && d < VN && outR * VN + d < pc.rows)
                    y[pc.yOffset + tk * pc.yStride + outR * VN + d] = acc[tk * VMAX + d] + bias[tk];
}
