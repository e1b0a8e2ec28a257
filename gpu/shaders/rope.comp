// SPDX-License-Identifier: GPL-3.0-or-later
// Rotary embedding, in place, on x[tokens, heads, headDim] (at `offset`) at positions pos0 + t.
// invFreq[i] (i < headDim/2) comes from the host so every rope scaling rule is handled there.
// interleaved = 1: pairs (2i, 2i+1) (llama2.c, GGUF); 0: pairs (i, i + headDim/2) (HF).
#version 450
layout(local_size_x = 64) in;

layout(push_constant) uniform Push {
    uint tokens;
    uint heads;
    uint headDim;
    uint pos0;
    uint interleaved;
    uint offset; // first float of x[0, 0, 0] in the buffer (K lives inside the cache)
} pc;

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer F { float invFreq[]; };

void main()
{
    const uint half_ = pc.headDim / 2;
    const uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (id >= pc.tokens * pc.heads * half_)
        return;
    const uint i = id % half_;
    const uint th = id / half_; // token * heads + head
    const uint t = th / pc.heads;
    const uint base = pc.offset + th * pc.headDim;
    const uint a = pc.interleaved != 0 ? base + 2 * i : base + i;
    const uint b = pc.interleaved != 0 ? base + 2 * i + 1 : base + i + half_;
    const float angle = float(pc.pos0 + t) * invFreq[i];
    const float c = cos(angle), s = sin(angle);
    const float x0 = x[a], x1 = x[b];
    x[a] = x0 * c - x1 * s;
    x[b] = x0 * s + x1 * c;
}
