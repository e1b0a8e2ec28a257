// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × matrix (prefill): Y[yOffset + t·yStride + r] = Σ_c decode(W[r, c]) · X[t, c] for
// tokens t. A workgroup takes 64 / tpr slots of ROWS consecutive rows and a tile of TT tokens;
// the lanes of a slot take neighbouring pieces of 8 columns (packed_pieces.glsl). Every piece is
// decoded once per tile, each token's piece of x is read once (as two vec4) for the ROWS rows;
// the columns no piece covers go one by one; the partial sums meet by subgroup shuffles or in a
// shared-memory tree (tree_reduce.glsl). TREE_LINEAR decodes INT and INT-asym codes without a
// table read. The host's grid counts ROWS and TT (kTreeRows, kTreeTokens in packed_ops.cpp).
#version 450
#include "packed_decode.glsl"
#include "packed_pieces.glsl"

#define WG 64u
#define TT 8u
#define ROWS 2u
#define TREE_N (ROWS * TT)
#include "tree_reduce.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 4) buffer Y { float y[]; };

void main()
{
    const uint tiles = (pc.tokens + TT - 1u) / TT;
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint slotGroup = wg / tiles;
    const uint t0 = (wg % tiles) * TT;
    const uint nt = min(TT, pc.tokens - t0);
    const uint lid = treeIndex();
    const uint lane = lid % pc.tpr;
    const uint row0 = (slotGroup * (WG / pc.tpr) + lid / pc.tpr) * ROWS;
    float acc[ROWS * TT];
    [[unroll]] for (uint i = 0u; i < ROWS * TT; ++i)
        acc[i] = 0.0;
    if (row0 < pc.rows) {
        for (uint q = lane; q < fastPieces(); q += pc.tpr) {
            const uint c0 = q * 8u;
            vec4 a[ROWS], b[ROWS];
            [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
                a[r] = vec4(0.0);
                b[r] = vec4(0.0);
                if (row0 + r < pc.rows)
                    decodePiece(row0 + r, q, a[r], b[r]);
            }
            [[unroll]] for (uint t = 0u; t < TT; ++t) {
                if (t < nt) {
                    vec4 xa, xb;
                    xPiece((t0 + t) * pc.cols + c0, xa, xb);
                    [[unroll]] for (uint r = 0u; r < ROWS; ++r)
                        acc[r * TT + t] += dot(a[r], xa) + dot(b[r], xb);
                }
            }
        }
        for (uint c = fastPieces() * 8u + lane; c < pc.cols; c += pc.tpr) {
            float v[ROWS];
            [[unroll]] for (uint r = 0u; r < ROWS; ++r)
                v[r] = row0 + r < pc.rows ? weightAt(row0 + r, c) : 0.0;
            [[unroll]] for (uint t = 0u; t < TT; ++t)
                if (t < nt) {
                    const float xc = x[(t0 + t) * pc.cols + c];
                    [[unroll]] for (uint r = 0u; r < ROWS; ++r)
                        acc[r * TT + t] += v[r] * xc;
                }
        }
    }
    treeReduce(acc, pc.tpr);
    if (lane == 0u)
        [[unroll]] for (uint r = 0u; r < ROWS; ++r)
            if (row0 + r < pc.rows)
                [[unroll]] for (uint t = 0u; t < TT; ++t)
                    if (t < nt)
                        y[pc.yOffset + (t0 + t) * pc.yStride + row0 + r] = acc[r * TT + t];
}
