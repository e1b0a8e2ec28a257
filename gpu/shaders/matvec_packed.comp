// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × vector (decode): y[yOffset + r] = Σ_c decode(W[r, c]) · x[c], reading the packed
// codes directly. `tpr` invocations share a slot of ROWS consecutive rows (64 / tpr slots per
// workgroup); invocation `lane` of a slot takes the pieces lane, lane + tpr, ... of 8 columns
// (packed_pieces.glsl: neighbouring lanes read neighbouring code words and x as vec4), reads each
// piece of x once for its ROWS rows, then the columns no piece covers one by one (a tail, or all
// of them where groups straddle pieces); the partial sums meet by subgroup shuffles or in a
// shared-memory tree (tree_reduce.glsl). A lane loads the code words, group parameters and x of
// AHEAD pieces before it decodes any, so that AHEAD times as many loads are in flight (a GPU's
// compiler does not pipeline a loop this long by itself). A piece's values are summed unscaled and
// the sum scaled once (pieceValues, pieceScale); TREE_LINEAR decodes INT and INT-asym codes without
// a table read or a conversion, TREE_LUT one table's codes by one read a weight
// (packed_pieces.glsl). The host's grid counts ROWS (kTreeRows in packed_ops.cpp).
#version 450
#include "packed_decode.glsl"
#include "packed_pieces.glsl"

#define WG 64u
#define ROWS 2u
#ifndef AHEAD
#define AHEAD 4u // pieces a lane loads before it decodes any (the `_a1` variants: 1, as before)
#endif
#define TREE_N ROWS
#include "tree_reduce.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 4) buffer Y { float y[]; };

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint lid = treeIndex();
    const uint lane = lid % pc.tpr;
    const uint row0 = (wg * (WG / pc.tpr) + lid / pc.tpr) * ROWS;
    float acc[ROWS];
    [[unroll]] for (uint r = 0u; r < ROWS; ++r)
        acc[r] = 0.0;
    if (row0 < pc.rows) {
        const uint fast = fastPieces();
        for (uint q0 = lane; q0 < fast; q0 += AHEAD * pc.tpr) {
            // everything AHEAD pieces (tpr apart) of every row need is loaded before any is
            // decoded: AHEAD·ROWS loads of each kind in flight. A piece past the last re-reads
            // the last (in bounds, never summed); a row past the last re-reads the last (never stored).
            uint lo[AHEAD * ROWS], hi[AHEAD * ROWS];
            PieceParams gp[AHEAD * ROWS];
            vec4 xa[AHEAD], xb[AHEAD];
            [[unroll]] for (uint j = 0u; j < AHEAD; ++j) {
                const uint q = min(q0 + j * pc.tpr, fast - 1u);
                xPiece(q * 8u, xa[j], xb[j]);
                [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
                    const uint row = min(row0 + r, pc.rows - 1u);
                    loadPiece(row, q, lo[j * ROWS + r], hi[j * ROWS + r]);
                    gp[j * ROWS + r] = pieceParams(row, q);
                }
            }
            [[unroll]] for (uint j = 0u; j < AHEAD; ++j) {
                const bool inside = q0 + j * pc.tpr < fast;
                [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
                    vec4 a, b;
                    pieceValues(gp[j * ROWS + r], lo[j * ROWS + r], hi[j * ROWS + r], a, b);
                    const float part = pieceScale(gp[j * ROWS + r]) * (dot(a, xa[j]) + dot(b, xb[j]));
                    acc[r] += inside ? part : 0.0;
                }
            }
        }
        for (uint c = fastPieces() * 8u + lane; c < pc.cols; c += pc.tpr) {
            const float xc = x[c];
            [[unroll]] for (uint r = 0u; r < ROWS; ++r)
                if (row0 + r < pc.rows)
                    acc[r] += weightAt(row0 + r, c) * xc;
        }
    }
    treeReduce(acc, pc.tpr);
    if (lane == 0u)
        [[unroll]] for (uint r = 0u; r < ROWS; ++r)
            if (row0 + r < pc.rows)
                y[pc.yOffset + row0 + r] = acc[r];
}
