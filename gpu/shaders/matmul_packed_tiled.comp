// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × matrix for prompts of many tokens on GPUs (the shared-tree layout):
// Y[yOffset + t·yStride + r] = Σ_c decode(W[r, c]) · X[t, c]. A workgroup computes a tile of BM
// rows × BN tokens. For each step of BK columns its invocations decode the tile's BM × BK weights
// once (a piece of 8 a time, packed_pieces.glsl: eight neighbouring invocations read one row's
// codes) and copy BN × BK of x into shared memory; then each invocation multiplies them for its
// 4 rows × 4 tokens from shared memory. So each weight is decoded once per BN tokens and each x
// value read from memory once per BM rows (matmul_packed.comp reads x once per 2 rows from the
// caches: BM / 2 times the traffic, which bounds it on a GPU). The columns no piece covers (the
// last cols mod 8) go one by one; the host takes this kernel only where groups do not straddle
// pieces (fastPieces() is every whole piece). TREE_LINEAR decodes INT and INT-asym codes without a
// table read. The host's grid: ceil(rows / BM) · ceil(tokens / BN) workgroups (kTiledRows,
// kTiledTokens in packed_ops.cpp), the token tiles of one row tile side by side.
#version 450
#include "packed_decode.glsl"
#include "packed_pieces.glsl"

#define WG 128u
#define BM 64u // rows a tile
#define BN 32u // tokens a tile
#define BK 64u // columns a step: 8 pieces
layout(local_size_x = 128) in;
layout(std430, binding = 4) buffer Y { float y[]; };

shared vec4 wTile[BK * BM / 4u]; // decoded weights, column-major: column k's rows 4i … 4i+3 at [k·BM/4 + i]
shared vec4 xTile[BK * BN / 4u]; // x, column-major: column k's tokens 4j … 4j+3 at [k·BN/4 + j]

void storeWeights(uint row, uint k, vec4 a, vec4 b)
{
    const uint i = row / 4u, e = row % 4u;
    wTile[(k + 0u) * (BM / 4u) + i][e] = a.x;
    wTile[(k + 1u) * (BM / 4u) + i][e] = a.y;
    wTile[(k + 2u) * (BM / 4u) + i][e] = a.z;
    wTile[(k + 3u) * (BM / 4u) + i][e] = a.w;
    wTile[(k + 4u) * (BM / 4u) + i][e] = b.x;
    wTile[(k + 5u) * (BM / 4u) + i][e] = b.y;
    wTile[(k + 6u) * (BM / 4u) + i][e] = b.z;
    wTile[(k + 7u) * (BM / 4u) + i][e] = b.w;
}

void storeX(uint token, uint k, vec4 a, vec4 b)
{
    const uint j = token / 4u, e = token % 4u;
    xTile[(k + 0u) * (BN / 4u) + j][e] = a.x;
    xTile[(k + 1u) * (BN / 4u) + j][e] = a.y;
    xTile[(k + 2u) * (BN / 4u) + j][e] = a.z;
    xTile[(k + 3u) * (BN / 4u) + j][e] = a.w;
    xTile[(k + 4u) * (BN / 4u) + j][e] = b.x;
    xTile[(k + 5u) * (BN / 4u) + j][e] = b.y;
    xTile[(k + 6u) * (BN / 4u) + j][e] = b.z;
    xTile[(k + 7u) * (BN / 4u) + j][e] = b.w;
}

void main()
{
    const uint tokenTiles = (pc.tokens + BN - 1u) / BN;
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint row0 = (wg / tokenTiles) * BM;
    const uint t0 = (wg % tokenTiles) * BN;
    if (row0 >= pc.rows) // a whole workgroup past the grid (uniform: no barrier is skipped by part of it)
        return;
    const uint lid = gl_LocalInvocationID.x;
    const uint tr = lid % (BM / 4u), tn = lid / (BM / 4u); // this invocation's rows 4tr … 4tr+3 and tokens 4tn … 4tn+3
    vec4 acc[4]; // acc[j][i]: row 4tr + i, token 4tn + j
    [[unroll]] for (uint j = 0u; j < 4u; ++j)
        acc[j] = vec4(0.0);
    const uint fast = fastPieces();
    for (uint q0 = 0u; q0 < fast; q0 += BK / 8u) {
        // the step's BM × BK weights: piece p of the tile is row p / 8, piece q0 + p % 8 (a row's
        // eight pieces by eight neighbouring invocations); rows past the last decode the last one
        // (never stored), pieces past the last are zeros
        [[unroll]] for (uint h = 0u; h < BM * BK / 8u / WG; ++h) {
            const uint p = h * WG + lid;
            const uint row = p / 8u, q = q0 + p % 8u;
            vec4 a = vec4(0.0), b = vec4(0.0);
            if (q < fast)
                decodePiece(min(row0 + row, pc.rows - 1u), q, a, b);
            storeWeights(row, (p % 8u) * 8u, a, b);
        }
        // the step's BN × BK of x: tokens past the last and pieces past the last are zeros
        [[unroll]] for (uint h = 0u; h < BN * BK / 8u / WG; ++h) {
            const uint p = h * WG + lid;
            const uint token = p / 8u, q = q0 + p % 8u;
            vec4 a = vec4(0.0), b = vec4(0.0);
            if (q < fast && t0 + token < pc.tokens)
                xPiece((t0 + token) * pc.cols + q * 8u, a, b);
            storeX(token, (p % 8u) * 8u, a, b);
        }
        barrier();
        for (uint k = 0u; k < BK; ++k) {
            const vec4 w = wTile[k * (BM / 4u) + tr];
            const vec4 xv = xTile[k * (BN / 4u) + tn];
            acc[0] += w * xv.x;
            acc[1] += w * xv.y;
            acc[2] += w * xv.z;
            acc[3] += w * xv.w;
        }
        barrier();
    }
    // the last cols mod 8 columns, weight by weight
    for (uint c = fast * 8u; c < pc.cols; ++c) {
        vec4 w;
        [[unroll]] for (uint i = 0u; i < 4u; ++i)
            w[i] = weightAt(min(row0 + 4u * tr + i, pc.rows - 1u), c);
        [[unroll]] for (uint j = 0u; j < 4u; ++j)
            if (t0 + 4u * tn + j < pc.tokens)
                acc[j] += w * x[(t0 + 4u * tn + j) * pc.cols + c];
    }
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
        const uint t = t0 + 4u * tn + j;
        if (t < pc.tokens)
            [[unroll]] for (uint i = 0u; i < 4u; ++i)
                if (row0 + 4u * tr + i < pc.rows)
                    y[pc.yOffset + t * pc.yStride + row0 + 4u * tr + i] = acc[j][i];
    }
}
