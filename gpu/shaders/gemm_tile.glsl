// SPDX-License-Identifier: GPL-3.0-or-later
// The tiled GEMM for prompts of many tokens (matmul_packed_tiled.comp: packed weights;
// matmul_tiled.comp: fp32): Y[yOffset + t·yStride + r] = Σ_c W[r, c] · X[t, c]. A workgroup of
// TILE_WG invocations computes a tile of BM rows × BN tokens. For each step of BK columns its
// invocations fetch (decode) the tile's BM × BK weights once, a piece of 8 columns a time with
// eight neighbouring invocations on one row, and copy BN × BK of x into shared memory; then each
// multiplies them for its 4 rows × 4 tokens from shared memory. So each weight is fetched once per
// BN tokens and each x value read from memory once per BM rows (a GEMM of a workgroup per row or
// two reads x from the caches once per row or two, which bounds it on a GPU). The columns after
// the whole pieces go weight by weight.
//
// Define before including (y is the output buffer):
//   void tileWeights(uint row, uint q, out vec4 a, out vec4 b)  columns 8q … 8q+7 of row `row`
//   float tileWeightAt(uint row, uint c)
//   void tileX(uint at, out vec4 a, out vec4 b)                 x[at … at+7]
// and call gemmTile(rows, cols, tokens, pieces, yOffset, yStride) from main: pieces whole pieces
// of 8 columns take the tiles, the columns after them go one by one. The grid is
// ceil(rows / BM) · ceil(tokens / BN) workgroups, the token tiles of one row tile side by side
// (kTiledRows, kTiledTokens on the host).

#extension GL_EXT_control_flow_attributes : require

#define TILE_WG 128u
#define BM 64u // rows a tile
#define BN 32u // tokens a tile
#define BK 64u // columns a step: 8 pieces
layout(local_size_x = 128) in;

shared vec4 wTile[BK * BM / 4u]; // weights, column-major: column k's rows 4i … 4i+3 at [k·BM/4 + i]
shared vec4 xTile[BK * BN / 4u]; // x, column-major: column k's tokens 4j … 4j+3 at [k·BN/4 + j]

/// Writes a piece of 8 columns (from column k of the step) of tile row or token `at` into a
/// column-major tile of `height` rows.
#define TILE_STORE(tile, height, at, k, a, b)                                                        \
    {                                                                                                \
        const uint i_ = (at) / 4u, e_ = (at) % 4u;                                                   \
        [[unroll]] for (uint j_ = 0u; j_ < 4u; ++j_) {                                               \
            tile[((k) + j_) * ((height) / 4u) + i_][e_] = (a)[j_];                                   \
            tile[((k) + 4u + j_) * ((height) / 4u) + i_][e_] = (b)[j_];                              \
        }                                                                                            \
    }

void gemmTile(uint rows, uint cols, uint tokens, uint pieces, uint yOffset, uint yStride)
{
    const uint tokenTiles = (tokens + BN - 1u) / BN;
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint row0 = (wg / tokenTiles) * BM;
    const uint t0 = (wg % tokenTiles) * BN;
    if (row0 >= rows) // a whole workgroup past the grid (uniform: no barrier is skipped by part of it)
        return;
    const uint lid = gl_LocalInvocationID.x;
    const uint tr = lid % (BM / 4u), tn = lid / (BM / 4u); // this invocation's rows 4tr … 4tr+3 and tokens 4tn … 4tn+3
    vec4 acc[4]; // acc[j][i]: row 4tr + i, token 4tn + j
    [[unroll]] for (uint j = 0u; j < 4u; ++j)
        acc[j] = vec4(0.0);
    for (uint q0 = 0u; q0 < pieces; q0 += BK / 8u) {
        // the step's BM × BK weights: piece p of the tile is row p / 8, piece q0 + p % 8 (a row's
        // eight pieces by eight neighbouring invocations); rows past the last fetch the last one
        // (never stored), pieces past the last are zeros
        [[unroll]] for (uint h = 0u; h < BM * BK / 8u / TILE_WG; ++h) {
            const uint p = h * TILE_WG + lid;
            const uint q = q0 + p % 8u;
            vec4 a = vec4(0.0), b = vec4(0.0);
            if (q < pieces)
                tileWeights(min(row0 + p / 8u, rows - 1u), q, a, b);
            TILE_STORE(wTile, BM, p / 8u, (p % 8u) * 8u, a, b)
        }
        // the step's BN × BK of x: tokens past the last and pieces past the last are zeros
        [[unroll]] for (uint h = 0u; h < BN * BK / 8u / TILE_WG; ++h) {
            const uint p = h * TILE_WG + lid;
            const uint token = p / 8u, q = q0 + p % 8u;
            vec4 a = vec4(0.0), b = vec4(0.0);
            if (q < pieces && t0 + token < tokens)
                tileX((t0 + token) * cols + q * 8u, a, b);
            TILE_STORE(xTile, BN, token, (p % 8u) * 8u, a, b)
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
    // the columns after the whole pieces, weight by weight
    for (uint c = pieces * 8u; c < cols; ++c) {
        vec4 w;
        [[unroll]] for (uint i = 0u; i < 4u; ++i)
            w[i] = tileWeightAt(min(row0 + 4u * tr + i, rows - 1u), c);
        [[unroll]] for (uint j = 0u; j < 4u; ++j)
            if (t0 + 4u * tn + j < tokens)
                acc[j] += w * x[(t0 + 4u * tn + j) * cols + c];
    }
    [[unroll]] for (uint j = 0u; j < 4u; ++j) {
        const uint t = t0 + 4u * tn + j;
        if (t < tokens)
            [[unroll]] for (uint i = 0u; i < 4u; ++i)
                if (row0 + 4u * tr + i < rows)
                    y[yOffset + t * yStride + row0 + 4u * tr + i] = acc[j][i];
    }
}
