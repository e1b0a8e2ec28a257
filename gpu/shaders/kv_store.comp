// SPDX-License-Identifier: GPL-3.0-or-later
// Stores new keys or values (fp32, after RoPE) into an fp16 KV cache: dst[dstOffset + i] =
// fp16(src[i]) for i < count. Each invocation takes a pair (count and dstOffset are even: the
// head dim is) and writes it as one uint, low half first: the layout of a float16_t array too,
// so one kernel serves both cache forms (STORAGE16 only names the variant the 16-bit-storage
// form binds). The halves are rounded to nearest, ties to even, by integer operations, bit for
// bit as the CPU engine rounds: a device's own conversion (float16_t(), packHalf2x16) may round
// another way, since Vulkan leaves that rounding open (NVIDIA's differs), and flush subnormals.
// PAIR: the keys and the values (bindings 2, 3) of the same positions in one dispatch.
#version 450
layout(local_size_x = 256) in;

layout(push_constant) uniform Push {
    uint count;     // elements, even
    uint dstOffset; // elements, even
} pc;

layout(std430, binding = 0) readonly buffer S { uint src[]; }; // fp32 bits
layout(std430, binding = 1) writeonly buffer D { uint dst[]; };
#ifdef PAIR
// the values of the same tokens into their own cache, in the same dispatch
layout(std430, binding = 2) readonly buffer S2 { uint src2[]; };
layout(std430, binding = 3) writeonly buffer D2 { uint dst2[]; };
#endif

/// The fp16 bits nearest to the fp32 with bits x (ties to even); NaN stays a quiet NaN, what
/// rounds past 65504 becomes infinity.
uint halfBits(uint x)
{
    const uint sign = (x >> 16) & 0x8000u;
    const uint absx = x & 0x7FFFFFFFu;
    if (absx > 0x7F800000u)
        return sign | 0x7E00u;
    if (absx >= 0x477FF000u)
        return sign | 0x7C00u;
    if (absx < 0x38800000u) { // below 2^-14: a subnormal half or zero, round(|x| · 2^24)
        const uint e = absx >> 23;
        const uint shift = 126u - e; // |x| · 2^24 = mantissa · 2^-shift, mantissa with its leading 1
        if (e == 0u || shift > 24u)
            return sign; // under half the smallest subnormal
        const uint man = (absx & 0x7FFFFFu) | 0x800000u;
        uint h = man >> shift;
        const uint rest = man & ((1u << shift) - 1u), halfway = 1u << (shift - 1u);
        if (rest > halfway || (rest == halfway && (h & 1u) != 0u))
            ++h;
        return sign | h;
    }
    uint h = (((absx >> 23) - 112u) << 10) | ((absx & 0x7FFFFFu) >> 13);
    const uint rest = absx & 0x1FFFu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) != 0u))
        ++h; // carries into the exponent correctly
    return sign | h;
}

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= pc.count / 2u)
        return;
    dst[pc.dstOffset / 2u + i] = halfBits(src[2u * i]) | (halfBits(src[2u * i + 1u]) << 16);
#ifdef PAIR
    dst2[pc.dstOffset / 2u + i] = halfBits(src2[2u * i]) | (halfBits(src2[2u * i + 1u]) << 16);
#endif
}
