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
// X8_DOT (with TREE_LINEAR, 2- to 4-bit codes; GPUs that accelerate VK_KHR_shader_integer_dot_product):
// x quantized to int8 per piece (quantize_x8.comp with PIECES, one uvec4 a piece), and a piece of
// a row summed exactly in integers by two 4×8-bit dot products, its even and its odd nibbles
// against the piece's even and odd q: s·d·(Σ c·q − off·Σq), one conversion a piece instead of
// the fp32 decode and multiply-add of each of its 8 weights (2- and 3-bit codes are first spread
// to nibbles). The host takes it only where every piece is whole and inside one group (no
// weight-by-weight tail: treeInt8Runs).
#version 450
#include "packed_decode.glsl"
#include "packed_pieces.glsl"
#ifdef X8_DOT
#if CODE_BITS < 2 || CODE_BITS > 4 || !defined(TREE_LINEAR)
#error X8_DOT takes 2- to 4-bit codes on the linear decode
#endif
#extension GL_EXT_spirv_intrinsics : require
// OpSDot (4450) with PackedVectorFormat4x8Bit (0): capabilities DotProductInput4x8BitPacked
// (6018) and DotProduct (6019); this glslang has no GL_EXT_integer_dot_product
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6018, 6019], id = 4450)
int sDot4x8(uint a, uint b, spirv_literal int packedFormat);
// binding 3 again: x by pieces of 8 columns, token by token from uvec4 pc.xBase
layout(std430, binding = 3) readonly buffer XQ { uvec4 xq[]; };

/// The 8 codes of a piece (from bit 0 of lo, as loadPiece leaves them) as 4-bit fields, code j
/// at bit 4j: 4-bit codes as they are, 2- and 3-bit ones spread by three mask-and-shift steps.
uint pieceNibbles(uint lo)
{
#if CODE_BITS == 4
    return lo;
#elif CODE_BITS == 2
    uint v = lo & 0xFFFFu;
    v = (v | (v << 8)) & 0x00FF00FFu; // codes 0-3 in byte 0, 4-7 in byte 2
    v = (v | (v << 4)) & 0x0F0F0F0Fu; // two codes a byte
    return (v | (v << 2)) & 0x33333333u;
#else
    uint v = lo & 0xFFFFFFu;
    v = (v & 0xFFFu) | ((v & 0xFFF000u) << 4);          // two 12-bit halves at bits 0 and 16
    v = (v & 0x003F003Fu) | ((v & 0x0FC00FC0u) << 2);   // four 6-bit quarters at bytes
    return (v & 0x07070707u) | ((v & 0x38383838u) << 1); // eight 3-bit codes at nibbles
#endif
}
#endif

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
#ifdef X8_DOT
            uvec4 xv[AHEAD];
#else
            vec4 xa[AHEAD], xb[AHEAD];
#endif
            [[unroll]] for (uint j = 0u; j < AHEAD; ++j) {
                const uint q = min(q0 + j * pc.tpr, fast - 1u);
#ifdef X8_DOT
                xv[j] = xq[pc.xBase + q];
#else
                xPiece(q * 8u, xa[j], xb[j]);
#endif
                [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
                    const uint row = min(row0 + r, pc.rows - 1u);
                    loadPiece(row, q, lo[j * ROWS + r], hi[j * ROWS + r]);
                    gp[j * ROWS + r] = pieceParams(row, q);
                }
            }
            [[unroll]] for (uint j = 0u; j < AHEAD; ++j) {
                const bool inside = q0 + j * pc.tpr < fast;
                [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
#ifdef X8_DOT
                    // Σ (c − off)·q = Σ c·q − off·Σq, exact in integers (|Σ c·q| ≤ 8·15·127); the
                    // offset (a zero point, or −lin0) is an integer: 2^23 + off is exact in gp.k
                    const uint wd = pieceNibbles(lo[j * ROWS + r]);
                    const int cq = sDot4x8(wd & 0x0F0F0F0Fu, xv[j].x, 0) + sDot4x8((wd >> 4u) & 0x0F0F0F0Fu, xv[j].y, 0);
                    const int off = int(gp[j * ROWS + r].k - 8388608.0);
                    const float part = (gp[j * ROWS + r].s * uintBitsToFloat(xv[j].z)) * float(cq - off * int(xv[j].w));
#else
                    vec4 a, b;
                    pieceValues(gp[j * ROWS + r], lo[j * ROWS + r], hi[j * ROWS + r], a, b);
                    const float part = pieceScale(gp[j * ROWS + r]) * (dot(a, xa[j]) + dot(b, xb[j]));
#endif
                    acc[r] += inside ? part : 0.0;
                }
            }
        }
#ifndef X8_DOT
        for (uint c = fastPieces() * 8u + lane; c < pc.cols; c += pc.tpr) {
            const float xc = x[c];
            [[unroll]] for (uint r = 0u; r < ROWS; ++r)
                if (row0 + r < pc.rows)
                    acc[r] += weightAt(row0 + r, c) * xc;
        }
#endif
    }
    treeReduce(acc, pc.tpr);
    if (lane == 0u)
        [[unroll]] for (uint r = 0u; r < ROWS; ++r)
            if (row0 + r < pc.rows)
                y[pc.yOffset + row0 + r] = acc[r];
}
