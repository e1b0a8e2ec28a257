// SPDX-License-Identifier: GPL-3.0-or-later
// Fused VQ dequant × vector (GPUs): a workgroup of WG invocations per vector row r (output rows
// r·v … r·v+v−1).
//  - The host stores the main and residual index streams by vector row (rowStride positions a
//    row, the codes' own width), so the lanes take consecutive positions and one load
//    instruction of a warp reads consecutive codes. Each lane loads U positions (WG apart)
//    before it uses any: U loads in flight where one would leave the lane waiting.
//  - x: where the tensor has a permutation or a normalization, vq_xprep.comp has first put
//    x·scale into position order (main positions, then the outliers, then the bias term's
//    partial sums), so x is read contiguously too, and the sum is Σ (c + r)·xp + Σ bias·x;
//    otherwise x itself (main position m is column outlierCols + m).
//  - The main codebook sits in shared memory when it fits: as fp16 pairs where every value is
//    exact in fp16 (sharedHalves: VPTQ's fp16 codebooks, up to 8192 values; a centroid of 8 is
//    one 16-byte read), else as floats (sharedMain, up to 4096). With VLEN 4 or 8 a centroid is
//    read as vec4s (from shared memory, or the codebooks in binding 1, which start on whole
//    vec4s). VLEN 0: any v ≤ 16 at run time.
// The outlier columns (position-major stream) run first, one position a lane. The partial sums
// meet by subgroup shuffles or in a shared-memory tree (tree_reduce.glsl). The result equals
// Σ dequant(W)·x up to the fp32 rounding order.
#version 450
#include "vq_decode.glsl"

#define WG 128u
#define U 8u
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

void main()
{
    const uint r = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint lid = treeIndex();
    loadSharedCodebook(lid);
    float acc[VN];
    [[unroll]] for (uint d = 0u; d < VN; ++d)
        acc[d] = 0.0;
    if (r < pc.R) {
        // outlier columns: codes position-major, x (or xp) after the main positions'
        const uint xo = pc.xOffset + (xPrepared() ? pc.rowStride : 0u);
        for (uint o = lid; o < pc.outlierCols; o += WG) {
            const uint c = pc.outCb + idxBits(pc.outBase, o * pc.R + r, pc.outBits) * pc.v;
            const float xv = x[xo + o];
            [[unroll]] for (uint d = 0u; d < VN; ++d)
                if (d < VCOUNT)
                    acc[d] += vals[c + d] * xv;
        }
        const uint mainN = pc.cols - pc.outlierCols;
        const uint xm = pc.xOffset + (xPrepared() ? 0u : pc.outlierCols);
        const uint slot0 = r * pc.rowStride;
        const bool residual = pc.resBase != NONE;
        for (uint m0 = 0u; m0 < mainN; m0 += WG * U) {
            uint code[U], rc[U];
            float xv[U];
            [[unroll]] for (uint j = 0u; j < U; ++j) {
                const uint m = m0 + j * WG + lid;
                const bool inside = m < mainN;
                code[j] = inside ? idxBits(pc.mainBase, slot0 + m, pc.mainBits) : 0u;
                rc[j] = inside && residual ? idxBits(pc.resBase, slot0 + m, pc.resBits) : 0u;
                xv[j] = inside ? x[xm + m] : 0.0;
            }
            [[unroll]] for (uint j = 0u; j < U; ++j) {
                if (m0 + j * WG + lid >= mainN)
                    continue;
#if VLEN == 0
                [[unroll]] for (uint d = 0u; d < VN; ++d)
                    if (d < VCOUNT) {
                        const uint i = code[j] * pc.v + d;
                        float w = mainValue(i);
                        if (residual)
                            w += vals[pc.resCb + rc[j] * pc.v + d];
                        acc[d] += w * xv[j];
                    }
#else
                [[unroll]] for (uint k = 0u; k < VN / 4u; ++k) {
                    vec4 w = centroidPart(code[j], k);
                    if (residual)
                        w += residualPart(rc[j], k);
                    acc[4u * k] += w.x * xv[j];
                    acc[4u * k + 1u] += w.y * xv[j];
                    acc[4u * k + 2u] += w.z * xv[j];
                    acc[4u * k + 3u] += w.w * xv[j];
                }
#endif
            }
        }
        // the bias term Σ bias·x: vq_xprep's partial sums (one per 64 of its positions), the same for every row
        if (pc.scaleBase != NONE) {
            const uint n = pc.rowStride + pc.outlierCols;
            float b = 0.0;
            for (uint k = lid; k < (n + 63u) / 64u; k += WG)
                b += x[pc.xOffset + n + k];
            [[unroll]] for (uint d = 0u; d < VN; ++d)
                acc[d] += b;
        }
    }
    treeReduce(acc, WG);
    if (lid == 0u && r < pc.R)
        [[unroll]] for (uint d = 0u; d < VN; ++d)
            if (d < VCOUNT && r * pc.v + d < pc.rows)
                y[pc.yOffset + r * pc.v + d] = acc[d];
}
