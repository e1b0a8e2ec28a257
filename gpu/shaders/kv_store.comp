// SPDX-License-Identifier: GPL-3.0-or-later
// Stores new keys or values (fp32, after RoPE) into an fp16 KV cache: dst[dstOffset + i] =
// fp16(src[i]) for i < count. Each invocation takes a pair (count and dstOffset are even: the
// head dim is). STORAGE16: the cache is a float16_t array (16-bit storage); otherwise pairs of
// halves packed in uints (packHalf2x16), which every device can read and write.
#version 450
#ifdef STORAGE16
#extension GL_EXT_shader_16bit_storage : require
#endif
layout(local_size_x = 256) in;

layout(push_constant) uniform Push {
    uint count;     // elements, even
    uint dstOffset; // elements, even
} pc;

layout(std430, binding = 0) readonly buffer S { float src[]; };
#ifdef STORAGE16
layout(std430, binding = 1) writeonly buffer D { float16_t dst[]; };
#else
layout(std430, binding = 1) writeonly buffer D { uint dst[]; };
#endif

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= pc.count / 2u)
        return;
#ifdef STORAGE16
    dst[pc.dstOffset + 2u * i] = float16_t(src[2u * i]);
    dst[pc.dstOffset + 2u * i + 1u] = float16_t(src[2u * i + 1u]);
#else
    dst[pc.dstOffset / 2u + i] = packHalf2x16(vec2(src[2u * i], src[2u * i + 1u]));
#endif
}
