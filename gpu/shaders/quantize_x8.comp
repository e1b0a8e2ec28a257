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
#version 450

layout(local_size_x = 64) in;
layout(push_constant) uniform P {
    uint cols;
    uint tokens;
    uint xOffset; // first float of token 0's x
} pc;
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Q { uint xq[]; };

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
