// SPDX-License-Identifier: GPL-3.0-or-later
// Fused VQ dequant × matrix (the prefill; GPUs), matvec_vq.comp for a tile of TT tokens: a
// workgroup of WG invocations per vector row r (output rows r·v … r·v+v−1) and tile; each
// weight is decoded once for the tile's tokens. Y[yOffset + t·yStride + r·v + d].
//  - The main and residual index streams are stored by vector row, so the lanes take
//    consecutive positions; each lane loads U positions' codes and x (WG apart) before it uses any.
//  - x: where the tensor has a permutation or a normalization the host has first run vq_xprep for
//    the dispatch's tokens (x·scale in position order, the outliers' x, the bias term's partial
//    sums; xpStride floats a token), so x is read contiguously and the sum is Σ (c + r)·xp +
//    Σ bias·x; otherwise x itself (pc.cols floats a token from xOffset; main position m is column
//    outlierCols + m).
//  - The main codebook in shared memory where it fits (vq_shared_codebook.glsl); with VLEN 4 or 8
//    a centroid is read as vec4s, VLEN 0 takes any v ≤ 16.
// The outlier columns (position-major stream) run first, one position a lane. The partial sums
// meet by subgroup shuffles or in a shared-memory tree (tree_reduce.glsl), one token after the
// other. The result equals Σ dequant(W)·x up to the fp32 rounding order.
#version 450
#include "vq_decode.glsl"

#define WG 128u
#define U 4u
#define TT 4u
#if VLEN == 0
#define VN 16u
#define VCOUNT pc.v
#else
#define VN uint(VLEN)
#define VCOUNT uint(VLEN)
#endif
#define TREE_N VN
#include "tree_reduce.glsl"
layout(local_size_x = 128) in;
layout(std430, binding = 1) readonly buffer Vals4 { vec4 vals4[]; };
layout(std430, binding = 2) readonly buffer X { float x[]; };
layout(std430, binding = 3) buffer Y { float y[]; };

#include "vq_shared_codebook.glsl"

// token T (a constant, so that acc is never indexed by a variable) through the tree to y
#define REDUCE_TOKEN(T)                                                                              \
    {                                                                                                \
        float part[VN];                                                                              \
        [[unroll]] for (uint d = 0u; d < VN; ++d)                                                    \
            part[d] = acc[(T) * VN + d];                                                             \
        treeReduce(part, WG);                                                                        \
        if (lid == 0u && r < pc.R && (T) < nt)                                                       \
            [[unroll]] for (uint d = 0u; d < VN; ++d)                                                \
                if (d < VCOUNT && r * pc.v + d < pc.rows)                                            \
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
    loadSharedCodebook(lid);
    float acc[TT * VN];
    [[unroll]] for (uint i = 0u; i < TT * VN; ++i)
        acc[i] = 0.0;
    if (r < pc.R) {
        const uint xs = xPrepared() ? pc.xpStride : pc.cols; // floats from one token's x to the next
        const uint xt = pc.xOffset + t0 * xs;
        // outlier columns: codes position-major, x (or xp) after the main positions'
        const uint xo = xt + (xPrepared() ? pc.rowStride : 0u);
        for (uint o = lid; o < pc.outlierCols; o += WG) {
            const uint c = pc.outCb + idxBits(pc.outBase, o * pc.R + r, pc.outBits) * pc.v;
            float xv[TT];
            [[unroll]] for (uint t = 0u; t < TT; ++t)
                xv[t] = t < nt ? x[xo + t * xs + o] : 0.0;
            [[unroll]] for (uint d = 0u; d < VN; ++d)
                if (d < VCOUNT) {
                    const float w = vals[c + d];
                    [[unroll]] for (uint t = 0u; t < TT; ++t)
                        acc[t * VN + d] += w * xv[t];
                }
        }
        const uint mainN = pc.cols - pc.outlierCols;
        const uint xm = xt + (xPrepared() ? 0u : pc.outlierCols);
        const uint slot0 = r * pc.rowStride;
        const bool residual = pc.resBase != NONE;
        for (uint m0 = 0u; m0 < mainN; m0 += WG * U) {
            uint code[U], rc[U];
            float xv[U * TT];
            [[unroll]] for (uint j = 0u; j < U; ++j) {
                const uint m = m0 + j * WG + lid;
                const bool inside = m < mainN;
                code[j] = inside ? idxBits(pc.mainBase, slot0 + m, pc.mainBits) : 0u;
                rc[j] = inside && residual ? idxBits(pc.resBase, slot0 + m, pc.resBits) : 0u;
                [[unroll]] for (uint t = 0u; t < TT; ++t)
                    xv[j * TT + t] = inside && t < nt ? x[xm + t * xs + m] : 0.0;
            }
            [[unroll]] for (uint j = 0u; j < U; ++j) {
                if (m0 + j * WG + lid >= mainN)
                    continue;
#if VLEN == 0
                [[unroll]] for (uint d = 0u; d < VN; ++d)
                    if (d < VCOUNT) {
                        float w = mainValue(code[j] * pc.v + d);
                        if (residual)
                            w += vals[pc.resCb + rc[j] * pc.v + d];
                        [[unroll]] for (uint t = 0u; t < TT; ++t)
                            acc[t * VN + d] += w * xv[j * TT + t];
                    }
#else
                [[unroll]] for (uint k = 0u; k < VN / 4u; ++k) {
                    vec4 w = centroidPart(code[j], k);
                    if (residual)
                        w += residualPart(rc[j], k);
                    [[unroll]] for (uint t = 0u; t < TT; ++t) {
                        const float xj = xv[j * TT + t];
                        acc[t * VN + 4u * k] += w.x * xj;
                        acc[t * VN + 4u * k + 1u] += w.y * xj;
                        acc[t * VN + 4u * k + 2u] += w.z * xj;
                        acc[t * VN + 4u * k + 3u] += w.w * xj;
                    }
                }
#endif
            }
        }
        // the bias term Σ bias·x of each token: vq_xprep's partial sums (one per 64 of its
        // positions), the same for every row
        if (pc.scaleBase != NONE) {
            const uint n = pc.rowStride + pc.outlierCols;
            [[unroll]] for (uint t = 0u; t < TT; ++t) {
                float b = 0.0;
                if (t < nt)
                    for (uint k = lid; k < (n + 63u) / 64u; k += WG)
                        b += x[xt + t * xs + n + k];
                [[unroll]] for (uint d = 0u; d < VN; ++d)
                    acc[t * VN + d] += b;
            }
        }
    }
    REDUCE_TOKEN(0u)
    REDUCE_TOKEN(1u)
    REDUCE_TOKEN(2u)
    REDUCE_TOKEN(3u)
}
