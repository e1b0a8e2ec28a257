// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × vector (decode) for CPU Vulkan implementations (lavapipe/llvmpipe), where the
// lanes of a subgroup are the SIMD lanes of one CPU core. What is cheap there decides the layout:
//  - a few rows per invocation (RPI): no shared memory, no barriers (a barrier splits the shader
//    into coroutines), and every invocation walks the columns in the same order;
//  - llvmpipe reads a storage buffer lane by lane in a branchy loop, one loop per load
//    instruction whatever its width, but fetches texels of a texel buffer with SIMD gathers: the
//    code words come in as RGBA32UI texels (a 3.5x faster read of the same bytes on lavapipe), and
//    the group parameters of the linear, lut and minifloat paths as texels once per block of
//    groups (parameter windows, below);
//  - a uniform-buffer read at a subgroup-uniform address is one scalar load and a broadcast, and
//    at per-lane addresses a plain gather: with X_UBO, x (≤ the uniform range) and the value
//    tables (with DECODE 2) are read from uniform buffers.
// Rows past the end compute row rows−1 again and are not stored, so no branch is divergent.
// Subgroups of exactly 8 lanes (the host checks), each full (32 = 4 subgroups).
// The code is kept small: the CPU runs it from its instruction cache, and a body unrolled over
// more than one chunk of 32 columns (or a second copy for other group sizes) no longer fits
// there (a 118 KiB shader ran at 0.65–0.7 the speed of a 21 KiB one on the same work).
//
// DECODE (compile time):
//   0 generic: decodeValue() per weight (mixtures, AFPQ two-scale);
//   1 linear:  value = (code − off)·s1 per group (INT-asym zero point, or a LUT member whose table
//              is exactly code + lin0): s1·Σ (code − off)·x per group, no table read (code − off
//              is exact; Σ code·x − off·Σ x would cancel badly when most codes sit at the zero);
//   2 lut:     value = table[code]·s1 (·tensorScale for NVFP4): s1·Σ table[code]·x per group (a
//              table of ≤ 16 values, or the FP6 planes' 64, from registers: LANE_TABLES below);
//   3 minifloat: a table that is a symmetric minifloat grid (FP ExMy, MX, NVFP4 elements), decoded
//              by integer ops instead of a gathered table read: (s1·unit)·Σ ±I(code)·x per group;
//   4 tables:  ≤ 4 members of 3- or 4-bit tables picked per group by the selectors, from registers
//              (LANE_TABLES below): s1·Σ table_m[code]·x; with TWO_SCALE (AFPQ grids)
//              Σ v·(v < 0 ? s2 : s1)·x, each value scaled as the CPU does (one sum a token);
//   5 inserted: ≤ 4 members that are one base table with one value e_m inserted at code p_m each
//              (BitMoD): value = code == p_m ? e_m : base[code − (code > p_m)], the base table
//              from registers — two shuffles a weight instead of the tables path's 2·members.
// X_INT8 (DECODE 1, 2- to 4-bit codes): x quantized to int8 per 32 columns (quantize_x8.comp), two codes
// a 32-bit integer multiply, exact integer sums per chunk (partialSums below; docs/gpu.md).
// 1–3 factor the scale out of the group's sum: the result equals Σ dequant(W)·x up to fp32
// summation order, not bit for bit (the tests bound it like every other GEMV).
#version 450
#ifdef X_UBO
// binding 5: the value tables (a copy of binding 2), read by every decode path from here
layout(std140, binding = 5) uniform TU { vec4 tu[4096]; };
#define PACKED_TABLE(i) tu[(i) >> 2u][(i) & 3u]
#endif
#include "packed_decode.glsl"
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require

layout(local_size_x = 32) in;
// bindings 6 and 7: the code and meta buffers (0, 1) again, as RGBA32UI storage texel buffers read
// by imageLoad. llvmpipe loads a texel for the 8 lanes as eight 16-byte loads and a transpose,
// where every storage-buffer load is a loop over the lanes, and inlines an image load, where a
// texelFetch from a uniform texel buffer of this format is a call that spills every live register
// around it (docs/gpu.md, "Image loads"): the hot loop's code words and the parameter windows come
// from here (the host pads both buffers so that the last texel a row touches exists).
layout(binding = 6, rgba32ui) readonly uniform uimageBuffer codesT;
layout(binding = 7, rgba32ui) readonly uniform uimageBuffer metaT;
#define CODES4(i) imageLoad(codesT, int(i))
#define META4(i) imageLoad(metaT, int(i))
#ifdef X_INT8
// binding 3: x quantized by quantize_x8.comp (5 texels a chunk of 32 columns, token by token
// from texel pc.xBase), the same way: the integer sums of 2- to 4-bit linear codes (DECODE 1),
// partialSums below; bindings 2 and 5 are storage buffers (the tables, read only by weightAt's tail)
layout(binding = 3, rgba32ui) readonly uniform uimageBuffer x8T;
#define X8(i) imageLoad(x8T, int(i))
#define TABLE(i) tables[i]
/// The first texel of chunk ch of token t's quantized x.
uint x8Chunk(uint t, uint ch) { return pc.xBase + (t * ((pc.cols + 31u) >> 5) + ch) * 5u; }
/// x[i] as the integer path sees it, q·d (i = t·cols + column; the weight-by-weight tail).
float xAt(uint i)
{
    const uint t = i / pc.cols, c = i - t * pc.cols, j = c & 31u;
    const uint base = x8Chunk(t, c >> 5);
    const uvec4 tx = X8(base + (j >> 3));
    const uint i4 = j & 3u;
    const int word = int(i4 == 0u ? tx.x : i4 == 1u ? tx.y : i4 == 2u ? tx.z : tx.w);
    const int low = (word << 16) >> 16; // q[j + 4] of the pair, sign-extended
    const int q = (j & 4u) != 0u ? low : (word - low) >> 16;
    return float(q) * uintBitsToFloat(X8(base + 4u).x);
}
#elif defined(X_UBO)
// bindings 3 (x) and 5 (value tables, a copy of binding 2's first 256·members floats) are
// uniform buffers; the host uses this variant only when both fit the uniform range
layout(std140, binding = 3) uniform XU { vec4 xu[4096]; };
#define TABLE(i) tu[(i) >> 2u][(i) & 3u]
float xAt(uint i) { return xu[i >> 2u][i & 3u]; }
#else
// x larger than the uniform range: storage buffers (binding 5 is bound but unused)
layout(std430, binding = 3) readonly buffer X { float xs[]; };
#define TABLE(i) tables[i]
float xAt(uint i) { return xs[i]; }
#endif
layout(std430, binding = 4) buffer Y { float y[]; };

#ifndef DECODE
#define DECODE 0
#endif

/// Word i (< 4) of v, by selects (no indexed vector, which llvmpipe keeps in memory).
uint word4(uvec4 v, uint i) { return i == 0u ? v.x : i == 1u ? v.y : i == 2u ? v.z : v.w; }
/// Word i (< 8) of the 256 bits a|b.
uint wordOf(uvec4 a, uvec4 b, uint i) { return word4(i < 4u ? a : b, i & 3u); }

/// Where slice row `row`'s (low) code plane starts, as texel tb and step ts between its texels
/// (the caller checked that its rows are whole texels): tiled rows (codeWord) step 64 texels, the
/// others 1. Once per row, so that the hot loop's address of a texel is one multiply-add (codeWord
/// per texel cost both its forms, a dozen operations a row and chunk on llvmpipe).
void rowTexels(uint row, out uint tb, out uint ts)
{
    const bool tiled = row < pc.tiledRows;
    tb = codeWord(row, 0u, pc.rowWords) >> 2;
    ts = tiled ? 64u : 1u;
}

/// Texel t of the row at texel tb, step ts (rowTexels): past the row's end a row-major row reads
/// the next one's (the host pads the buffer by two texels), a tiled row its own last texel; neither's
/// words are used.
uvec4 codeTexel(uint tb, uint ts, uint t)
{
    return CODES4(tb + min(t, (pc.rowWords >> 2) - 1u) * ts);
}

/// The words of whole chunk `ch` of slice row `row`, as texels (the caller checked that the row's
/// words are a multiple of 4, so 4- and 8-word chunks are whole texels). `carry`: for 3-bit codes
/// the texel the previous chunk ended in, replaced by the one this chunk ends in — every loop
/// below walks a row's chunks in order from chunk 0, whose words start a texel (carry unused).
void loadChunkWide(uint row, uint tb, uint ts, uint ch, inout uvec4 carry, out uint w[8])
{
    [[unroll]] for (uint k = 0u; k < 8u; ++k)
        w[k] = 0u;
#ifdef FP6_PLANES
    const uvec4 lo = codeTexel(tb, ts, ch);
    const uint hiWord = pc.hiBase + codeWord(row, ch * 2u, pc.rowWordsHi); // even
    const uvec4 hi = CODES4(hiWord >> 2u);
    w[0] = lo.x; w[1] = lo.y; w[2] = lo.z; w[3] = lo.w;
    w[4] = (hiWord & 2u) == 0u ? hi.x : hi.z;
    w[5] = (hiWord & 2u) == 0u ? hi.y : hi.w;
#else
    const uint first = ch * CB;
    if (CB == 3u) {
        // words 3ch … 3ch + 2 end in texel (3ch + 2)/4, and start there (o = 0) or in the texel
        // the previous chunk ended in: one fetch a chunk instead of two (4 per 4 chunks, not 8)
        const uint o = first & 3u;
        const uvec4 cur = codeTexel(tb, ts, (first + 2u) >> 2u);
        const uvec4 a = o == 0u ? cur : carry;
        carry = cur;
        [[unroll]] for (uint k = 0u; k < 3u; ++k)
            w[k] = wordOf(a, cur, o + k);
    } else if (CB == 4u || CB == 8u) {
        const uvec4 a = codeTexel(tb, ts, first >> 2u);
        w[0] = a.x; w[1] = a.y; w[2] = a.z; w[3] = a.w;
        if (CB == 8u) {
            const uvec4 b = codeTexel(tb, ts, (first >> 2u) + 1u);
            w[4] = b.x; w[5] = b.y; w[6] = b.z; w[7] = b.w;
        }
    } else {
        // CB words from word o = first & 3 on: one texel holds them for ≤ 2-bit codes (o + CB ≤ 4),
        // two for 5 and 6 bits, three only for 7 (o + CB ≤ 10); a texel fetch costs as much as
        // a few dozen ALU ops here, so none is fetched that cannot be used
        const uint o = first & 3u;
        const uvec4 a = codeTexel(tb, ts, first >> 2u);
        const uvec4 b = CB > 2u ? codeTexel(tb, ts, (first >> 2u) + 1u) : a;
        const uvec4 c = CB > 6u ? codeTexel(tb, ts, (first >> 2u) + 2u) : a;
        [[unroll]] for (uint k = 0u; k < CB; ++k)
            w[k] = o + k < 8u ? wordOf(a, b, o + k) : wordOf(c, c, o + k - 8u);
    }
#endif
}

// Each invocation takes RPI consecutive rows, so every x value loaded and broadcast serves RPI
// rows (packed_ops.cpp: kRowsPerInvocation).
#define RPI 8u

// TOKENS = NT (the rows GEMM of the prefill): NT tokens at once, each code decoded once for all
// of them. x of token t at t·cols (bound from the first token's row), y at yOffset + t·yStride;
// the first pc.tokens ≤ NT are real, the others read the last real token's x and are not stored.
// Without TOKENS, NT is 1 and the kernel is the GEMV.
#ifdef TOKENS
#define NT uint(TOKENS)
/// Where token t's x row starts.
uint xTok(uint t) { return min(t, pc.tokens - 1u); }
#else
#define NT 1u
uint xTok(uint t) { return 0u; }
#endif
uint xRow(uint t) { return xTok(t) * pc.cols; }


#include "rows_values.glsl"
// x[c0 + b + K] from the lane that loaded it, for every row: a shuffle by the constant index K is
// one permute on llvmpipe, where subgroupBroadcast runs a scalar loop over the lanes' mask first
// (the lab's int4 GEMV: +8–14 %)
#ifdef TWO_SCALE
// AFPQ: each value times its own side's scale (the CPU's one multiply per weight: a select and a
// multiply, where summing the two sides apart took a max, a min and a second multiply-add, and
// a second accumulator per row and token)
#define VALS(k, i) twoScaled(VALK(k, i), p[k])
float twoScaled(float v, GroupParams p) { return v * (v < 0.0 ? p.s2 : p.s1); }
#else
#define VALS(k, i) VALK(k, i)
#endif
#define XSTEP(K)                                                                                    \
    {                                                                                               \
        float xb[NT];                                                                               \
        [[unroll]] for (uint t = 0u; t < NT; ++t)                                                   \
            xb[t] = subgroupShuffle(xl[t], K);                                                      \
        [[unroll]] for (uint k = 0u; k < RPI; ++k) {                                                \
            const float v = VALS(k, b + K);                                                         \
            [[unroll]] for (uint t = 0u; t < NT; ++t)                                               \
                s[k][t] += v * xb[t];                                                               \
        }                                                                                           \
    }
/// s[k][t] = 0 for every row and token.
#define ZERO_S(k)                                                                                   \
    [[unroll]] for (uint t = 0u; t < NT; ++t)                                                       \
        s[k][t] = 0.0;

#ifdef X_INT8
#include "rows_int8.glsl"
#else
/// Adds, for each of the RPI rows, Σ over codes [lo, lo + n) of its chunk (constants after
/// inlining, so the unpacking shifts are constants) of the value without the group scale times x.
/// The subgroup loads 8 consecutive x values at once, one per lane (a gather), and broadcasts each
/// to every lane: one load per x value instead of one per lane and row.
void partialSums(uint w[RPI][8], uint c0, GroupParams p[RPI], uint lo, uint n, inout float s[RPI][NT])
{
#if DECODE == 1
    float off[RPI];
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        off[k] = p[k].kind == KIND_INT_ASYM ? p[k].s2 : -pc.lin0;
#endif
    const uint lane = gl_SubgroupInvocationID;
    [[unroll]] for (uint b = lo; b < lo + n; b += 8u) {
        float xl[NT];
        [[unroll]] for (uint t = 0u; t < NT; ++t)
            xl[t] = xAt(xRow(t) + c0 + b + lane);
        XSTEP(0u) XSTEP(1u) XSTEP(2u) XSTEP(3u) XSTEP(4u) XSTEP(5u) XSTEP(6u) XSTEP(7u)
    }
}
#endif

// What is cheap on llvmpipe shapes the loops below: it runs the body of an `if` even when no lane
// takes it (masked), and every load instruction there is a loop over the lanes; a loop's body runs
// at least once the same way. So the hot loop holds no conditional loads: the group parameters
// come from registers, refilled once per block of groups.

#if DECODE != 0
/// The raw bits of a block of groups of the RPI rows (≤ 128 bits a row): a stream of `bits`-bit
/// values, each row's window aligned once per block so that the block's first value sits at bit 0.
/// Value j of every row is then at the same place, known once for all rows: scales of 8, 16 or 32
/// bits never straddle a word, and a word of four takes three selects (selecting the value's word
/// of 8 at a bit position known per row, each group, cost 20-odd operations a group and row on
/// llvmpipe: with the division below, 13-18 % of the int4 g32 GEMV).
/// The inserted path (DECODE 5) keeps the unaligned windows, the two texels as read and each row's
/// position: it ran 1.3 times as fast so on llvmpipe, and 0.85 times with aligned ones, where every
/// other path gained or broke even (docs/gpu.md, "Parameter windows, addresses and one flat loop").
#if DECODE == 5
#define UNALIGNED_WINDOWS
#endif
struct ParamWindow {
#ifdef UNALIGNED_WINDOWS
    uvec4 a[RPI], b[RPI];
    uint pos[RPI];
#else
    uvec4 v[RPI];
#endif
};

/// Bits pos … pos + 127 of the 256 bits a|b (pos < 128).
uvec4 alignWindow(uvec4 a, uvec4 b, uint pos)
{
    const uint i = pos >> 5, off = pos & 31u;
    const uvec4 lo = i == 0u ? a : i == 1u ? uvec4(a.yzw, b.x) : i == 2u ? uvec4(a.zw, b.xy) : uvec4(a.w, b.xyz);
    const uvec4 next = uvec4(lo.yzw, i == 0u ? b.x : i == 1u ? b.y : i == 2u ? b.z : b.w);
    return off == 0u ? lo : (lo >> off) | (next << (32u - off));
}

/// The windows of the block of groups from group gcol of each row on (the caller counts it: a
/// division c / groupSize per row and block runs lane by lane on llvmpipe).
ParamWindow loadWindow(uint base, uint row[RPI], uint gcol, uint bits)
{
    ParamWindow win;
    [[unroll]] for (uint k = 0u; k < RPI; ++k) {
        const uint g = pc.groupsPerRow == 0u ? 0u : (pc.row0 + row[k]) * pc.groupsPerRow + gcol;
        const uint bit = (base << 5) + g * bits;
#ifdef UNALIGNED_WINDOWS
        win.pos[k] = bit & 127u;
        win.a[k] = META4(bit >> 7);
        win.b[k] = META4((bit >> 7) + 1u);
#else
        win.v[k] = alignWindow(META4(bit >> 7), META4((bit >> 7) + 1u), bit & 127u);
#endif
    }
    return win;
}

/// Value j (`bits` bits, ≤ 32; 0 gives 0) of row k's window (j·bits + bits ≤ 128).
uint windowBits(ParamWindow w, uint k, uint j, uint bits)
{
#ifdef UNALIGNED_WINDOWS
    const uint pos = w.pos[k] + j * bits;
    const uint i = pos >> 5, off = pos & 31u;
    const uint hi = wordOf(w.a[k], w.b[k], min(i + 1u, 7u));
    const uint r = (wordOf(w.a[k], w.b[k], i) >> off) | (off + bits > 32u ? hi << (32u - off) : 0u);
#else
    const uint pos = j * bits, i = pos >> 5, off = pos & 31u;
    uint r = word4(w.v[k], i) >> off;
    if ((bits & (bits - 1u)) != 0u && off + bits > 32u) // (powers of two never straddle)
        r |= word4(w.v[k], min(i + 1u, 3u)) << (32u - off);
#endif
    return bits == 32u ? r : r & ((1u << bits) - 1u);
}

/// The parameters of group j of the block in the windows (linear, lut and minifloat paths: one
/// member; zw: the zero points, or with DECODE 4 the selectors, whose member goes to `base`; s2w:
/// the second scales of TWO_SCALE).
GroupParams paramsOf(ParamWindow sw, ParamWindow zw, ParamWindow s2w, uint k, uint j, uint sBits, uint kind0)
{
    GroupParams p;
    p.s1 = scaleValue(windowBits(sw, k, j, sBits));
    p.s2 = 0.0;
    p.base = 0u;
    p.kind = kind0 == KIND_NVFP4 ? KIND_NVFP4 : KIND_LUT;
#if DECODE == 1
    if (ZP_BITS != 0u) {
        p.s2 = float(windowBits(zw, k, j, ZP_BITS));
        p.kind = KIND_INT_ASYM;
    }
#elif DECODE == 4 || DECODE == 5
    p.kind = KIND_LUT;
    if (SEL_BITS != 0u)
        p.base = windowBits(zw, k, j, SEL_BITS);
#if DECODE == 5
    // the member's inserted code (base) and value (s2)
    const uint m = p.base;
    p.s2 = m == 0u ? insVal[0] : m == 1u ? insVal[1] : m == 2u ? insVal[2] : insVal[3];
    p.base = (pc.insertPos >> (4u * m)) & 15u;
#endif
#ifdef TWO_SCALE
    p.s2 = scaleValue(windowBits(s2w, k, j, sBits));
    p.kind = KIND_TWO_SCALE;
#endif
#endif
    return p;
}

/// What a group's partial sum is multiplied by: its scale (and NVFP4's tensor scale).
float groupFactor(GroupParams p)
{
#if DECODE == 3
    const float s = p.s1 * pc.mfUnit;
#else
    const float s = p.s1;
#endif
    return p.kind == KIND_NVFP4 ? s * pc.tensorScale : s;
}

/// What a group adds to its row: the scaled sum (TWO_SCALE: the sum, its values already scaled).
float groupSum(GroupParams p, float s)
{
#ifdef TWO_SCALE
    return s;
#else
    return groupFactor(p) * s;
#endif
}
#endif

/// acc[k][t] += row k's group sums (scaled) / its plain sums (the generic path), every token.
#define ADD_GROUP(k)                                                                                \
    [[unroll]] for (uint t = 0u; t < NT; ++t)                                                       \
        acc[k][t] += groupSum(p[k], s[k][t]);
#define ADD_SUMS(k)                                                                                 \
    [[unroll]] for (uint t = 0u; t < NT; ++t)                                                       \
        acc[k][t] += s[k][t];

void main()
{
    const uint wg = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    const uint first = (wg * 32u + gl_LocalInvocationID.x) * RPI;
    uint row[RPI];
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        row[k] = min(first + k, pc.rows - 1u);
    // columns per group (per-tensor: one group, a multiple of 32 wider than any row)
    const uint G = pc.groupsPerRow == 0u ? 0x7FFFFFE0u : pc.groupSize;
#ifdef FP6_PLANES
    const bool wide = (pc.rowWords & 3u) == 0u && (pc.rowWordsHi & 1u) == 0u && (pc.hiBase & 1u) == 0u;
#else
    const bool wide = (pc.rowWords & 3u) == 0u;
#endif
    const uint full = wide ? pc.cols / 32u * 32u : 0u; // columns in whole chunks
    float acc[RPI][NT];
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        [[unroll]] for (uint t = 0u; t < NT; ++t)
            acc[k][t] = 0.0;
    uint done = 0u; // columns summed by a fast path
    uint tb[RPI], ts[RPI]; // each row's first code texel and step (rowTexels)
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        rowTexels(row[k], tb[k], ts[k]);
    uvec4 carry[RPI]; // 3-bit codes: each row's last code texel (loadChunkWide)
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        carry[k] = uvec4(0u);
#ifdef LANE_TABLES
    [[unroll]] for (uint r = 0u; r < uint(LUT_N); ++r) {
#if defined(FP6_PLANES)
        lut[r] = TABLE(r * 8u + gl_SubgroupInvocationID);
#elif DECODE == 5
        // the base table: member 0's without its inserted code (past the end: member 0's zero padding)
        const uint j = r * 8u + gl_SubgroupInvocationID;
        lut[r] = TABLE(j < (pc.insertPos & 15u) ? j : j + 1u);
#elif CODE_BITS == 4
        lut[r] = TABLE(min(r >> 1, pc.members - 1u) * 256u + (r & 1u) * 8u + gl_SubgroupInvocationID);
#else
        lut[r] = TABLE(min(r, pc.members - 1u) * 256u + gl_SubgroupInvocationID);
#endif
    }
#if DECODE == 5
    [[unroll]] for (uint m = 0u; m < 4u; ++m) {
        const uint mm = min(m, pc.members - 1u);
        insVal[m] = TABLE(mm * 256u + ((pc.insertPos >> (4u * mm)) & 15u));
    }
#endif
#endif
#if DECODE != 0
    const uint kind0 = meta[pc.kindsBase];
    const uint sBits = scaleBits();
#ifdef ROWS_G16
    const bool fast = G == 16u;
#else
    const bool fast = G % 32u == 0u;
#endif
    const uint blockGroups = 128u / sBits;
    const uint blockCols = fast ? blockGroups * G : 0u; // columns of a block of groups
    uint gcol = 0u; // c / G
    for (uint c = 0u; c < full && fast; c += blockCols, gcol += blockGroups) {
        const ParamWindow sw = loadWindow(pc.scalesBase, row, gcol, sBits);
#if DECODE == 1
        // (no zero points: zpBits 0 keeps the unused window at the stream's start, inside the buffer)
        const ParamWindow zw = loadWindow(pc.zpBase, row, gcol, ZP_BITS);
#elif DECODE == 4 || DECODE == 5
        // (one member: selBits 0 keeps the unused window at the stream's start, inside the buffer)
        const ParamWindow zw = loadWindow(pc.selBase, row, gcol, SEL_BITS);
#else
        const ParamWindow zw = sw;
#endif
#ifdef TWO_SCALE
        const ParamWindow s2w = loadWindow(pc.scales2Base, row, gcol, sBits);
#else
        const ParamWindow s2w = sw;
#endif
        const uint end = min(c + blockCols, full);
#ifdef ROWS_G16
        // groups of 16 columns (NVFP4): two per chunk
        [[dont_unroll]] for (uint c0 = c; c0 < end; c0 += 32u) {
            const uint j = (c0 - c) >> 4;
            uint w[RPI][8];
            [[unroll]] for (uint k = 0u; k < RPI; ++k)
                loadChunkWide(row[k], tb[k], ts[k], c0 >> 5, carry[k], w[k]);
            GroupParams p[RPI];
            float s[RPI][NT];
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
                p[k] = paramsOf(sw, zw, s2w, k, j, sBits, kind0);
                ZERO_S(k)
            }
            partialSums(w, c0, p, 0u, 16u, s);
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
                ADD_GROUP(k)
                p[k] = paramsOf(sw, zw, s2w, k, j + 1u, sBits, kind0);
                ZERO_S(k)
            }
            partialSums(w, c0, p, 16u, 16u, s);
            [[unroll]] for (uint k = 0u; k < RPI; ++k)
                ADD_GROUP(k)
        }
#else
        // groups of a multiple of 32 columns: one flat loop over the chunks, each chunk's sums
        // scaled and added to the row on their own (nested loops over groups and their chunks
        // cost as much again per group on llvmpipe: the int4 g128 GEMV ran 1.13-1.3 times as fast
        // flat); j counts the chunk's group in the block, `left` the group's chunks still to come
        uint j = 0u, left = G >> 5;
        [[dont_unroll]] for (uint c0 = c; c0 < end; c0 += 32u) {
            uint w[RPI][8];
            [[unroll]] for (uint k = 0u; k < RPI; ++k)
                loadChunkWide(row[k], tb[k], ts[k], c0 >> 5, carry[k], w[k]);
            GroupParams p[RPI];
            float s[RPI][NT];
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
                p[k] = paramsOf(sw, zw, s2w, k, j, sBits, kind0);
                ZERO_S(k)
            }
            partialSums(w, c0, p, 0u, 32u, s);
            [[unroll]] for (uint k = 0u; k < RPI; ++k)
                ADD_GROUP(k)
            left -= 1u;
            j += left == 0u ? 1u : 0u;
            left = left == 0u ? G >> 5 : left;
        }
#endif
        done = end;
    }
#else
    // generic path (mixtures, AFPQ): whole values, the parameters loaded per group
    for (uint g0 = 0u; g0 < full && G % 32u == 0u; g0 += G) {
        GroupParams p[RPI];
        float s[RPI][NT];
        [[unroll]] for (uint k = 0u; k < RPI; ++k) {
            p[k] = loadGroup(groupOf(row[k], g0));
            ZERO_S(k)
        }
        const uint gEnd = min(g0 + G, full);
        [[dont_unroll]] for (uint c0 = g0; c0 < gEnd; c0 += 32u) {
            uint w[RPI][8];
            [[unroll]] for (uint k = 0u; k < RPI; ++k)
                loadChunkWide(row[k], tb[k], ts[k], c0 >> 5, carry[k], w[k]);
            partialSums(w, c0, p, 0u, 32u, s);
        }
        [[unroll]] for (uint k = 0u; k < RPI; ++k)
            ADD_SUMS(k)
        done = gEnd;
    }
    for (uint c0 = 0u; c0 < full && G == 16u; c0 += 32u) { // groups of 16: two per chunk
        uint w[RPI][8];
        GroupParams p[RPI];
        float s[RPI][NT];
        [[unroll]] for (uint k = 0u; k < RPI; ++k) {
            loadChunkWide(row[k], tb[k], ts[k], c0 >> 5, carry[k], w[k]);
            p[k] = loadGroup(groupOf(row[k], c0));
            ZERO_S(k)
        }
        partialSums(w, c0, p, 0u, 16u, s);
        [[unroll]] for (uint k = 0u; k < RPI; ++k) {
            ADD_SUMS(k)
            p[k] = loadGroup(groupOf(row[k], c0 + 16u));
            ZERO_S(k)
        }
        partialSums(w, c0, p, 16u, 16u, s);
        [[unroll]] for (uint k = 0u; k < RPI; ++k)
            ADD_SUMS(k)
        done = c0 + 32u;
    }
#endif
    for (uint c = done; c < pc.cols; ++c) { // what no fast path took: weight by weight
        float xc[NT];
        [[unroll]] for (uint t = 0u; t < NT; ++t)
            xc[t] = xAt(xRow(t) + c);
        [[unroll]] for (uint k = 0u; k < RPI; ++k) {
            const float wv = weightAt(row[k], c);
            [[unroll]] for (uint t = 0u; t < NT; ++t)
                acc[k][t] += wv * xc[t];
        }
    }
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        if (first + k < pc.rows)
            [[unroll]] for (uint t = 0u; t < NT; ++t)
#ifdef TOKENS
                if (t < pc.tokens)
#endif
                    y[pc.yOffset + t * pc.yStride + first + k] = acc[k][t];
}
