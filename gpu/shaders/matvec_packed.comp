// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × vector (decode): y[yOffset + r] = Σ_c decode(W[r, c]) · x[c], reading the packed
// codes directly. `tpr` invocations share a slot of ROWS consecutive rows (64 / tpr slots per
// workgroup); invocation `lane` of a slot takes the pieces lane, lane + tpr, ... of 8 columns
// (packed_pieces.glsl: neighbouring lanes read neighbouring code words and x as vec4), reads each
// piece of x once for its ROWS rows, then the columns no piece covers one by one (a tail, or all
// of them where groups straddle pieces); the partial sums meet by subgroup shuffles or in a
// shared-memory tree (tree_reduce.glsl). TREE_LINEAR decodes INT and INT-asym codes without a
// table read (packed_pieces.glsl). The host's grid counts ROWS (kTreeRows in packed_ops.cpp).
#version 450
#include "packed_decode.glsl"
#include "packed_pieces.glsl"

#define WG 64u
#define ROWS 2u
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
        for (uint q = lane; q < fastPieces(); q += pc.tpr) {
            const uint c0 = q * 8u;
            vec4 xa, xb;
            xPiece(c0, xa, xb);
            [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
                if (row0 + r < pc.rows) {
                    vec4 a, b;
                    decodePiece(row0 + r, q, a, b);
                    acc[r] += dot(a, xa) + dot(b, xb);
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
