// SPDX-License-Identifier: GPL-3.0-or-later
// The shared-tree GEMV/GEMM's unit of work (matvec_packed.comp, matmul_packed.comp): a "piece" is
// 8 consecutive codes of a row, and neighbouring invocations of a row take neighbouring pieces.
// So one load instruction of a warp reads consecutive code words (one word a lane for 4-bit
// codes) and consecutive x (two vec4 a lane: 1 KiB for 32 lanes, 8 cache lines, where one float
// a lane 32 columns apart touched 32 lines). Include after packed_decode.glsl.

// x (GEMM: one row of pc.cols floats per token) as floats, and again as vec4 for whole pieces
layout(std430, binding = 3) readonly buffer X { float x[]; };
layout(std430, binding = 3) readonly buffer X4 { vec4 x4[]; };

/// x[at .. at + 7] as two vec4: by vec4 reads where every piece starts on a vec4 (columns a
/// multiple of 4, so every token's row too), float by float otherwise.
void xPiece(uint at, out vec4 xa, out vec4 xb)
{
    if (pc.cols % 4u == 0u) {
        xa = x4[at / 4u];
        xb = x4[at / 4u + 1u];
    } else {
        xa = vec4(x[at], x[at + 1u], x[at + 2u], x[at + 3u]);
        xb = vec4(x[at + 4u], x[at + 5u], x[at + 6u], x[at + 7u]);
    }
}

/// Pieces 0 .. fastPieces() − 1 of every row are whole and each inside one group (decodePiece);
/// the columns after them go weight by weight (weightAt): the last cols mod 8, or every column
/// where groups straddle pieces. (Two loops rather than a branch per piece: CPU implementations
/// run both sides of a branch.)
uint fastPieces()
{
    return (pc.groupsPerRow <= 1u || GROUP_SIZE % 8u == 0u) ? pc.cols / 8u : 0u;
}

#ifndef FP6_PLANES
/// Words a piece of 8 codes may span: 8·CB bits from a bit offset of (8·CB·q) mod 32.
#define PIECE_WORDS (CB == 7u ? 3u : (CB == 1u || CB == 2u || CB == 4u) ? 1u : 2u)
#endif

/// The bits of piece q (codes 8q .. 8q + 7) of slice row `row`, from bit 0 of lo on into hi (FP6
/// planes: the low plane's 32 bits in lo, the high plane's 16 in hi). Words past the row end read
/// as 0.
void loadPiece(uint row, uint q, out uint lo, out uint hi)
{
#ifdef FP6_PLANES
    lo = q < pc.rowWords ? codes[codeWord(row, q, pc.rowWords)] : 0u;
    const uint h = (q >> 1) < pc.rowWordsHi ? codes[pc.hiBase + codeWord(row, q >> 1, pc.rowWordsHi)] : 0u;
    hi = h >> ((q & 1u) * 16u);
#else
    const uint bit = q * 8u * CB;
    const uint k = bit >> 5, off = bit & 31u;
    const uint w0 = k < pc.rowWords ? codes[codeWord(row, k, pc.rowWords)] : 0u;
    const uint w1 = (PIECE_WORDS > 1u && off + 8u * CB > 32u && k + 1u < pc.rowWords) ? codes[codeWord(row, k + 1u, pc.rowWords)] : 0u;
    const uint w2 = (PIECE_WORDS > 2u && off + 8u * CB > 64u && k + 2u < pc.rowWords) ? codes[codeWord(row, k + 2u, pc.rowWords)] : 0u;
    lo = off == 0u ? w0 : (w0 >> off) | (w1 << (32u - off));
    hi = off == 0u ? w1 : (w1 >> off) | (w2 << (32u - off));
#endif
}

/// Code j (< 8, a constant once unrolled) of a piece loaded by loadPiece.
uint pieceCode(uint lo, uint hi, uint j)
{
#ifdef FP6_PLANES
    return ((lo >> (j * 4u)) & 15u) | (((hi >> (j * 2u)) & 3u) << 4);
#else
    const uint bit = j * CB;
    uint v = bit < 32u ? lo >> bit : hi >> (bit - 32u);
    if (bit < 32u && bit + CB > 32u)
        v |= hi << (32u - bit);
    return v & ((1u << CB) - 1u);
#endif
}

/// What decoding a piece of codes needs besides its bits, and how: the group's scale and offset
/// (TREE_LINEAR: INT, one member whose table is exactly code + lin0, and INT-asym, code − zero
/// point), its scale (TREE_LUT: one LUT or NVFP4 member, no zero points or second scale: value
/// table[code]), or its GroupParams (every other format: decodeValue per weight).
/// The GEMV sums a piece's values unscaled (pieceValues) and multiplies the sum by pieceScale once,
/// so that a weight costs its extraction, at most one add or table read, and a multiply-add: by
/// the H200's figures the decode, not the memory, bounds the tree GEMV on a GPU (its int8 GEMV read
/// 0.55 of the roofline where int4, twice the weights a byte, read 0.33–0.41, and the linear form,
/// fewer instructions a weight, had gained 30 %; docs/gpu-devices.md). The GEMMs decode each
/// weight bit for bit (decodeLoaded), since it serves many tokens there.
/// TREE_LINEAR makes a code's float by the 2^23 trick — uintBitsToFloat(0x4B000000 | code) is
/// 2^23 + code exactly — and subtracts 2^23 + offset, exact too (the offset is an integer: a zero
/// point, or −lin0, which the host takes only when it is an integer below 2^16), so no
/// integer-to-float conversion, which NVIDIA GPUs run at 1/8 of the multiply-add rate.
#if defined(TREE_LINEAR)
struct PieceParams {
    float s;
    float k; // 2^23 + offset
};
PieceParams pieceParams(uint row, uint q)
{
    const uint g = groupOf(row, q * 8u);
    PieceParams p;
    p.s = scaleAt(pc.scalesBase, g);
    p.k = 8388608.0 + (ZP_BITS != 0u ? float(metaBits(pc.zpBase, g, ZP_BITS)) : -pc.lin0);
    return p;
}
float pieceScale(PieceParams p) { return p.s; }
float pieceValue(PieceParams p, uint code) { return uintBitsToFloat(code | 0x4B000000u) - p.k; }
#elif defined(TREE_LUT)
struct PieceParams {
    float s;
};
PieceParams pieceParams(uint row, uint q)
{
    PieceParams p;
    p.s = scaleAt(pc.scalesBase, groupOf(row, q * 8u));
    return p;
}
// (the host takes this form only where pc.tensorScale is NVFP4's or 1)
float pieceScale(PieceParams p) { return p.s * pc.tensorScale; }
float pieceValue(PieceParams p, uint code) { return PACKED_TABLE(code); }
#else
#define PieceParams GroupParams
PieceParams pieceParams(uint row, uint q) { return loadGroup(groupOf(row, q * 8u)); }
float pieceScale(PieceParams p) { return 1.0; }
float pieceValue(PieceParams p, uint code) { return decodeValue(p, code); }
#endif

/// The 8 values of a piece loaded by loadPiece, before pieceScale (the generic path: the weights
/// themselves), as two vec4 (columns c0 .. c0 + 3 and c0 + 4 .. c0 + 7).
void pieceValues(PieceParams p, uint lo, uint hi, out vec4 a, out vec4 b)
{
    a = vec4(pieceValue(p, pieceCode(lo, hi, 0u)), pieceValue(p, pieceCode(lo, hi, 1u)), pieceValue(p, pieceCode(lo, hi, 2u)),
             pieceValue(p, pieceCode(lo, hi, 3u)));
    b = vec4(pieceValue(p, pieceCode(lo, hi, 4u)), pieceValue(p, pieceCode(lo, hi, 5u)), pieceValue(p, pieceCode(lo, hi, 6u)),
             pieceValue(p, pieceCode(lo, hi, 7u)));
}

/// The 8 weights of a piece loaded by loadPiece, bit for bit the CPU's: value·scale in one rounding
/// (table[code] is exactly code − offset for TREE_LINEAR), NVFP4's (t·s)·tensorScale in two.
void decodeLoaded(PieceParams p, uint lo, uint hi, out vec4 a, out vec4 b)
{
    pieceValues(p, lo, hi, a, b);
#if defined(TREE_LINEAR)
    a *= p.s;
    b *= p.s;
#elif defined(TREE_LUT)
    a = (a * p.s) * pc.tensorScale;
    b = (b * p.s) * pc.tensorScale;
#endif
}

/// The 8 decoded weights of piece q of slice row `row`, as two vec4.
void decodePiece(uint row, uint q, out vec4 a, out vec4 b)
{
    uint lo, hi;
    loadPiece(row, q, lo, hi);
    decodeLoaded(pieceParams(row, q), lo, hi, a, b);
}
