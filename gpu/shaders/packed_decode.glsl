// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding of a PackedTensor (core/quant/packed_tensor.h) straight from its storage layout: the
// device holds exactly the packed arrays (codes, raw scales, zero points, selectors) plus the
// members' value tables; nothing is expanded on the host. Bit-identical to the CPU's
// dequantizeRow: one fp32 multiply per rule, in the CPU's order.
//
// Bindings: 0 codes (uint words; for FP6 planes the low 4-bit plane then, at hiBase, the high
// 2-bit plane), 1 meta (uint words: raw scales, second scales, zero-point stream, selector
// stream, member kinds), 2 tables (float: 256 values per member, then 256 scale values for
// 1-byte scale storage).
//
// A "chunk" is 32 consecutive codes of a row: it spans exactly codeBits words of a dense row
// (4 low-plane + 2 high-plane words for FP6), so every chunk starts on a word boundary.
// CODE_BITS (when defined) makes the code width a compile-time constant, so the extraction of
// the 32 codes unrolls into constant shifts.

#define KIND_LUT 0u       // table[code] * s1 (INT, grids, IQ4_NL, MX)
#define KIND_TWO_SCALE 1u // v = table[code]; v * (v < 0 ? s2 : s1)
#define KIND_INT_ASYM 2u  // (code - z) * s1
#define KIND_NVFP4 3u     // (table[code] * s1) * tensorScale

#define SCALE_F32 0u
#define SCALE_F16 1u
#define SCALE_BF16 2u
#define SCALE_BYTE_LUT 3u // one byte: tables[scaleLutBase + byte]
#define SCALE_E8M0 4u     // one byte decoded by integer ops (byteScaleBits), no table read:
#define SCALE_E4M3 5u     //   the host uses these only where they equal the table bit for bit

#extension GL_EXT_control_flow_attributes : require

layout(push_constant) uniform Push {
    uint rows;         // rows of this slice
    uint cols;
    uint rowWords;     // words per row (low plane for FP6)
    uint codeBits;
    uint groupSize;    // columns per group (cols for per-channel and per-tensor)
    uint groupsPerRow; // 0 = per-tensor (one group)
    uint row0;         // first row of this slice in the whole tensor (group numbering)
    uint hiBase;       // FP6 planes: first word of the high plane in `codes`
    uint rowWordsHi;   // FP6 planes: words per row of the high plane
    uint scaleKind;
    uint scalesBase;   // first word of the scales in `meta`
    uint scales2Base;  // AFPQ second scales (same storage), or 0xFFFFFFFF
    uint zpBase;       // INT-asym zero-point stream, or unused when zpBits == 0
    uint zpBits;
    uint selBase;      // mixture selector stream, or unused when selBits == 0
    uint selBits;
    uint kindsBase;    // first word of the member kinds in `meta`
    uint scaleLutBase; // first float of the 1-byte scale table in `tables`
    float tensorScale;
    uint tokens;       // matmul: tokens; dequant of selected rows: number of ids
    uint yOffset;      // first output float
    uint yStride;      // floats between output rows of consecutive tokens
    uint tpr;          // invocations per row (power of two, ≤ workgroup size)
    uint mode;         // dequant: 0 all rows, 1 rows given by ids (embedding lookup)
    uint members;      // format members (value tables)
    float lin0;        // matvec_rows DECODE 1: a linear member's table is code + lin0
    uint mfMant;       // matvec_rows DECODE 3: mantissa bits of the member's minifloat grid,
    uint mfZero;       //   the code of 0,
    float mfUnit;      //   and its smallest step (table = ±mfUnit·integer)
    uint tiledRows;    // rows stored tiled (whole blocks of 64, codeWord), 0: all row-major
    uint insertPos;    // matvec_rows DECODE 5: the code of member m's inserted value, bits 4m..4m+3
    uint xBase;        // matvec_rows X_INT8: the first texel of the quantized x (quantize_x8.comp)
} pc;

// The tensor's scale kind, zero-point width and selector width as specialization constants
// (gpu/pipeline/pipelines.h Specialization, packedSpecialization in gpu/ops/packed_ops.h): where
// the host sets one, the kernel reads it as a constant and the driver's compiler drops the
// branches on it; left at ~0 (the default) the kernel reads the push constant. A CPU device runs
// both sides of a uniform branch, so the scale's decode was paid for every kind, each group, and
// the one-byte table's read (a loop over the lanes there) with it: specialized, lavapipe's int4
// g32 GEMV ran 1.7 times as fast, twice with int8 x (docs/gpu.md, "Specialized pipelines").
layout(constant_id = 0) const uint SPEC_SCALE_KIND = 0xFFFFFFFFu;
layout(constant_id = 1) const uint SPEC_ZP_BITS = 0xFFFFFFFFu;
layout(constant_id = 2) const uint SPEC_SEL_BITS = 0xFFFFFFFFu;
// ... and the group size, for the shared-tree layout's tensors only (a row kernel's pipeline does
// not depend on it): a piece's group is a division by it, which a GPU runs as a dozen
// instructions by a uniform divisor and as one or two by a constant
layout(constant_id = 3) const uint SPEC_GROUP_SIZE = 0xFFFFFFFFu;
#define SCALE_KIND (SPEC_SCALE_KIND != 0xFFFFFFFFu ? SPEC_SCALE_KIND : pc.scaleKind)
#define ZP_BITS (SPEC_ZP_BITS != 0xFFFFFFFFu ? SPEC_ZP_BITS : pc.zpBits)
#define SEL_BITS (SPEC_SEL_BITS != 0xFFFFFFFFu ? SPEC_SEL_BITS : pc.selBits)
#define GROUP_SIZE (SPEC_GROUP_SIZE != 0xFFFFFFFFu ? SPEC_GROUP_SIZE : pc.groupSize)

layout(std430, binding = 0) readonly buffer Codes { uint codes[]; };
layout(std430, binding = 1) readonly buffer Meta { uint meta[]; };
layout(std430, binding = 2) readonly buffer Tables { float tables[]; };

/// A value-table read; a kernel may define PACKED_TABLE before including this file to read a
/// uniform-buffer copy instead (matvec_rows.comp).
#ifndef PACKED_TABLE
#define PACKED_TABLE(i) tables[i]
#endif

#ifdef CODE_BITS
#define CB uint(CODE_BITS)
#else
#define CB pc.codeBits
#endif

/// Value `idx` of a k-bit LSB-first stream starting at meta word `base`.
uint metaBits(uint base, uint idx, uint bits)
{
    const uint bit = idx * bits;
    const uint w = base + (bit >> 5);
    const uint off = bit & 31u;
    uint v = meta[w] >> off;
    if (off + bits > 32u)
        v |= meta[w + 1u] << (32u - off);
    return v & ((1u << bits) - 1u);
}

/// Bits per stored scale: 32 (fp32), 16 (fp16, bf16) or 8 (one byte: E8M0, E4M3).
uint scaleBits()
{
    return SCALE_KIND == SCALE_F32 ? 32u : SCALE_KIND >= SCALE_BYTE_LUT ? 8u : 16u;
}

/// The bits of a one-byte E8M0 or E4M3 scale (mirrored by byteScaleBits in gpu/ops/packed_ops.cpp,
/// which checks it against the CPU's table): E8M0 2^(byte − 127), byte 0 the subnormal 2^−127,
/// 0xFF zero; E4M3 sign | (exponent + 120, mantissa) or, at exponent 0, mantissa·2^−9, and NaN at
/// magnitude 0x7F.
uint byteScaleBits(uint raw)
{
    const uint e8 = raw == 255u ? 0u : raw == 0u ? 0x00400000u : raw << 23;
    const uint mag = raw & 0x7Fu, e = mag >> 3, m = mag & 7u;
    const uint normal = ((e + 120u) << 23) | (m << 20);
    const uint sub = floatBitsToUint(float(m) * 0.001953125); // exact
    const uint e4 = ((raw & 0x80u) << 24) | (mag == 0x7Fu ? 0x7FC00000u : e == 0u ? sub : normal);
    return SCALE_KIND == SCALE_E8M0 ? e8 : e4;
}

/// The value of a stored scale from its raw bits.
float scaleValue(uint raw)
{
    if (SCALE_KIND == SCALE_F32)
        return uintBitsToFloat(raw);
    if (SCALE_KIND == SCALE_BYTE_LUT)
        return PACKED_TABLE(pc.scaleLutBase + raw);
    if (SCALE_KIND >= SCALE_E8M0)
        return uintBitsToFloat(byteScaleBits(raw));
    return SCALE_KIND == SCALE_F16 ? unpackHalf2x16(raw).x : uintBitsToFloat(raw << 16);
}

float scaleAt(uint base, uint g)
{
    const uint bits = scaleBits();
    const uint per = 32u / bits; // scales per word
    const uint raw = bits == 32u ? meta[base + g] : (meta[base + g / per] >> (bits * (g % per))) & ((1u << bits) - 1u);
    return scaleValue(raw);
}

struct GroupParams {
    float s1;  // scale (AFPQ: s_pos)
    float s2;  // AFPQ: s_neg; INT-asym: zero point
    uint base; // member * 256: the member's table
    uint kind;
};

/// Group number of column `col` of slice row `row`.
uint groupOf(uint row, uint col)
{
    return pc.groupsPerRow == 0u ? 0u : (pc.row0 + row) * pc.groupsPerRow + col / GROUP_SIZE;
}

GroupParams loadGroup(uint g)
{
    GroupParams p;
    p.s1 = scaleAt(pc.scalesBase, g);
    p.s2 = 0.0;
    if (pc.scales2Base != 0xFFFFFFFFu)
        p.s2 = scaleAt(pc.scales2Base, g);
    if (ZP_BITS != 0u)
        p.s2 = float(metaBits(pc.zpBase, g, ZP_BITS));
    const uint member = SEL_BITS != 0u ? metaBits(pc.selBase, g, SEL_BITS) : 0u;
    p.base = member * 256u;
    p.kind = meta[pc.kindsBase + member];
    return p;
}

/// Branch-free (selects only, so SIMD lanes never diverge); the same roundings as the CPU:
/// LUT t·s1, two-scale t·(t < 0 ? s2 : s1), INT-asym (code − z)·s1, NVFP4 (t·s1)·tensorScale.
float decodeValue(GroupParams p, uint code)
{
    const bool asym = p.kind == KIND_INT_ASYM;
    const float t = asym ? float(code) - p.s2 : PACKED_TABLE(p.base + code);
    const float s = (p.kind == KIND_TWO_SCALE && t < 0.0) ? p.s2 : p.s1;
    const float r = t * s;
    return p.kind == KIND_NVFP4 ? r * pc.tensorScale : r;
}

/// Code `i` (< 32) of the chunk whose words are in w[] (dense) — or w[0..3] low plane and
/// w[4..5] high plane (FP6).
#ifdef FP6_PLANES
#define CHUNK_WORDS 6
uint chunkCode(uint w[8], uint i)
{
    const uint lo = (w[i >> 3] >> ((i & 7u) * 4u)) & 15u;
    const uint hi = (w[4u + (i >> 4)] >> ((i & 15u) * 2u)) & 3u;
    return lo | (hi << 4);
}
#else
#define CHUNK_WORDS 8
uint chunkCode(uint w[8], uint i)
{
    const uint bit = i * CB;
    const uint k = bit >> 5, off = bit & 31u;
    uint v = w[k] >> off;
    if (off + CB > 32u)
        v |= w[k + 1u] << (32u - off);
    return v & ((1u << CB) - 1u);
}
#endif

/// Where word i of slice row `row` of a plane of `rowWords` words per row sits (from the plane's
/// start). Rows below tiledRows (whole blocks of 64; the host tiles only planes whose rows are
/// whole texels) are stored as matvec_rows reads them: texel t (words 4t..4t+3) of the block's
/// 64 rows side by side, row 8l + k at place 8k + l, so that the 8 lanes of a subgroup (lane l
/// taking rows 8l..8l+7) read 128 consecutive bytes for each k, and a subgroup walks one
/// contiguous stream instead of 64 rows apart (which the CPU's prefetchers cannot follow). The
/// rest (the last block's leftover rows, or every row) are row-major.
uint codeWord(uint row, uint i, uint rowWords)
{
    if (row >= pc.tiledRows)
        return row * rowWords + i;
    const uint texel = (((row >> 6) * (rowWords >> 2) + (i >> 2)) << 6) | ((row & 7u) << 3) | ((row >> 3) & 7u);
    return (texel << 2) | (i & 3u);
}

/// Loads the words of chunk `ch` of slice row `row` (words past the row end read as 0).
void loadChunk(uint row, uint ch, out uint w[8])
{
#ifdef FP6_PLANES
    [[unroll]] for (uint k = 0u; k < 4u; ++k)
        w[k] = ch * 4u + k < pc.rowWords ? codes[codeWord(row, ch * 4u + k, pc.rowWords)] : 0u;
    [[unroll]] for (uint k = 0u; k < 2u; ++k)
        w[4u + k] = ch * 2u + k < pc.rowWordsHi ? codes[pc.hiBase + codeWord(row, ch * 2u + k, pc.rowWordsHi)] : 0u;
    w[6] = 0u;
    w[7] = 0u;
#else
    [[unroll]] for (uint k = 0u; k < 8u; ++k)
        w[k] = (k < CB && ch * CB + k < pc.rowWords) ? codes[codeWord(row, ch * CB + k, pc.rowWords)] : 0u;
#endif
}

/// True when chunk starting at column c0 is whole and inside one group: the unrolled fast path
/// (constant shifts, parameters loaded once). Otherwise the per-weight path below.
bool chunkIsUniform(uint c0)
{
    return (pc.groupsPerRow == 0u || GROUP_SIZE % 32u == 0u) && c0 + 32u <= pc.cols;
}

/// k-bit LSB-first value at bit position `bit` of slice row `row` of the plane at word `base`.
uint codeBitsAt(uint base, uint row, uint rowWords, uint bit, uint bits)
{
    const uint i = bit >> 5, off = bit & 31u;
    uint v = codes[base + codeWord(row, i, rowWords)] >> off;
    if (off + bits > 32u)
        v |= codes[base + codeWord(row, i + 1u, rowWords)] << (32u - off);
    return v & ((1u << bits) - 1u);
}

/// The slow path: weight (row, c) on its own (tails, groups that straddle chunks).
float weightAt(uint row, uint c)
{
#ifdef FP6_PLANES
    const uint code = codeBitsAt(0u, row, pc.rowWords, c * 4u, 4u) | (codeBitsAt(pc.hiBase, row, pc.rowWordsHi, c * 2u, 2u) << 4);
#else
    const uint code = codeBitsAt(0u, row, pc.rowWords, c * CB, CB);
#endif
    return decodeValue(loadGroup(groupOf(row, c)), code);
}
