// SPDX-License-Identifier: GPL-3.0-or-later
// x quantized to int8 per chunk of 32 columns for the integer GEMV of 2- to 4-bit linear codes
// (matvec_rows.comp with X_INT8, which spreads 2- and 3-bit codes to 4-bit fields; llama.cpp's
// q8_1 activations): d = max|x| / 127 over the chunk,
// q = roundEven(x · (127 / max|x|)) in [−127, 127] (0 for an all-zero chunk), x ≈ q·d.
//
// A chunk is 5 RGBA32UI texels (20 words) from xq[(t·chunks + ch)·20] for token t (x rows
// pc.cols apart, from pc.xOffset floats): words 0–15 pair the codes that sit 16 bits apart in
// a 4-bit code word — word 4w + i holds q[8w + i + 4] + q[8w + i]·2^16 (signed 32-bit arithmetic),
// so that ((codeWord >> 4i) & 0x000F000F) times it sums c[8w+i]·q[8w+i] + c[8w+i+4]·q[8w+i+4] in
// bits 16–31 —, word 16 is d (fp32 bits), 17 and 18 Σq of the chunk's columns 0–15 and 16–31
// (the zero point's term), 19 is 0. Columns past pc.cols are 0.
//
// With PIECES (quantize_x8_pieces: the shared-tree integer GEMV of 2- to 4-bit linear codes on
// GPUs, matvec_packed.comp with X8_DOT) the chunk is a piece of 8 columns, one invocation each:
// d = max|x| / 127 over the piece, q as above, and the piece is one uvec4 at xq[(t·pieces + p)·4]:
// .x the q of its even columns (byte b: column 2b), .y of its odd ones (column 2b + 1) — the
// order of a 4-bit code word's even and odd nibbles (2- and 3-bit codes are spread to nibbles
// first), so that two 4×8-bit dot products take a piece of a row —, .z d (fp32 bits), .w Σq
// (the zero point's term).
#version 450

layout(local_size_x = 64) in;
layout(push_constant) uniform P {
    uint cols;
    uint tokens;
    uint xOffset; // first float of token 0's x
} pc;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Q { uint xq[]; };

#ifdef PIECES
void main()
{
    const uint pieces = (pc.cols + 7u) >> 3;
    const uint id = gl_GlobalInvocationID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x * 64u;
    if (id >= pieces * pc.tokens)
        return;
    const uint t = id / pieces, p = id - t * pieces;
    const uint c0 = p * 8u, n = min(8u, pc.cols - c0);
    const uint x0 = pc.xOffset + t * pc.cols + c0;
    float amax = 0.0;
    for (uint j = 0u; j < n; ++j)
        amax = max(amax, abs(x[x0 + j]));
    const float inv = amax > 0.0 ? 127.0 / amax : 0.0;
    uint even = 0u, odd = 0u;
    int sum = 0;
    for (uint j = 0u; j < 8u; ++j) {
        const int q = j < n ? clamp(int(roundEven(x[x0 + j] * inv)), -127, 127) : 0;
        sum += q;
        const uint byte = uint(q) & 0xFFu;
        if ((j & 1u) == 0u)
            even |= byte << (8u * (j >> 1));
        else
            odd |= byte << (8u * (j >> 1));
    }
    const uint o = id * 4u;
    xq[o] = even;
    xq[o + 1u] = odd;
    xq[o + 2u] = floatBitsToUint(amax / 127.0);
    xq[o + 3u] = uint(sum);
}
#else
void main()
{
    const uint chunks = (pc.cols + 31u) >> 5;
    const uint id = gl_GlobalInvocationID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x * 64u;
    if (id >= chunks * pc.tokens)
        return;
    const uint t = id / chunks, ch = id - t * chunks;
    const uint c0 = ch * 32u, n = min(32u, pc.cols - c0);
    const uint x0 = pc.xOffset + t * pc.cols + c0;
    float amax = 0.0;
    for (uint j = 0u; j < n; ++j)
        amax = max(amax, abs(x[x0 + j]));
    const float inv = amax > 0.0 ? 127.0 / amax : 0.0;
    int q[32];
    int sum0 = 0, sum1 = 0;
    for (uint j = 0u; j < 32u; ++j) {
        q[j] = j < n ? clamp(int(roundEven(x[x0 + j] * inv)), -127, 127) : 0;
        if (j < 16u)
            sum0 += q[j];
        else
            sum1 += q[j];
    }
    const uint o = id * 20u;
    for (uint w = 0u; w < 4u; ++w)
        for (uint i = 0u; i < 4u; ++i)
            xq[o + 4u * w + i] = uint(q[8u * w + i + 4u] + q[8u * w + i] * 65536);
    xq[o + 16u] = floatBitsToUint(amax / 127.0);
    xq[o + 17u] = uint(sum0);
    xq[o + 18u] = uint(sum1);
    xq[o + 19u] = 0u;
}
#endif
