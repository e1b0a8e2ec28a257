// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding of a dense PackedTensor (core/quant/packed_tensor.h) straight from its code words:
// per-row LSB-first bit-streams on 32-bit word boundaries; per-group parameters expanded by the
// host (s1, s2, member); per-member value tables and decoding rules. Bit-identical to the CPU's
// dequantizeRow: one fp32 multiply per rule, in the CPU's order.

struct GroupParams {
    float s1;     // scale (AFPQ: s_pos)
    float s2;     // AFPQ: s_neg; INT-asym: zero point
    uint member;  // mixture member (0 otherwise)
    uint pad;
};

#define KIND_LUT 0u       // table[code] * s1 (INT, grids, IQ4_NL, MX)
#define KIND_TWO_SCALE 1u // v = table[code]; v * (v < 0 ? s2 : s1)
#define KIND_INT_ASYM 2u  // (code - z) * s1
#define KIND_NVFP4 3u     // (table[code] * s1) * tensorScale

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    uint rowWords;
    uint codeBits;
    uint groupSize;    // columns per group (cols for per-channel)
    uint groupsPerRow; // 0 = per-tensor (one group)
    float tensorScale;
    uint pad;
} pc;

layout(std430, binding = 0) readonly buffer Codes { uint codes[]; };
layout(std430, binding = 1) readonly buffer Groups { GroupParams groups[]; };
layout(std430, binding = 2) readonly buffer Tables { float tables[]; };
layout(std430, binding = 3) readonly buffer Kinds { uint kinds[]; };

uint readCode(uint row, uint col)
{
    const uint bit = col * pc.codeBits;
    const uint w = row * pc.rowWords + (bit >> 5);
    const uint off = bit & 31u;
    uint v = codes[w] >> off;
    if (off + pc.codeBits > 32u)
        v |= codes[w + 1u] << (32u - off);
    return v & ((1u << pc.codeBits) - 1u);
}

float decodeWeight(uint row, uint col)
{
    const uint g = pc.groupsPerRow == 0u ? 0u : row * pc.groupsPerRow + col / pc.groupSize;
    const GroupParams p = groups[g];
    const uint code = readCode(row, col);
    const uint kind = kinds[p.member];
    if (kind == KIND_INT_ASYM)
        return (float(code) - p.s2) * p.s1;
    const float v = tables[p.member * 256u + code];
    if (kind == KIND_TWO_SCALE)
        return v * (v < 0.0 ? p.s2 : p.s1);
    if (kind == KIND_NVFP4)
        return (v * p.s1) * pc.tensorScale;
    return v * p.s1;
}
