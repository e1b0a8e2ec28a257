// SPDX-License-Identifier: GPL-3.0-or-later
// Rotary embedding, in place, on x[tokens, heads, headDim] (at `offset`) at positions pos0 + t.
// invFreq[i] (i < headDim/2) comes from the host so every rope scaling rule is handled there.
// interleaved = 1: pairs (2i, 2i+1) (llama2.c, GGUF); 0: pairs (i, i + headDim/2) (HF).
// PAIR: the same dispatch also rotates k[tokens, kvHeads, headDim] (binding 2, at `kOffset`):
// a layer's queries and keys in one dispatch.
#version 450
layout(local_size_x = 64) in;

layout(push_constant) uniform Push {
    uint tokens;
    uint heads;
    uint headDim;
    uint pos0;
    uint interleaved;
    uint offset; // first float of x[0, 0, 0] in the buffer (K lives inside the cache)
#ifdef PAIR
    uint kvHeads;
    uint kOffset;
#endif
} pc;

layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer F { float invFreq[]; };
#ifdef PAIR
layout(std430, binding = 2) buffer K { float k[]; };
#endif

/// The rotation of pair `id` of a tensor of `heads` heads at float `offset`: the two indices it
/// rotates (a, b), its cosine and sine.
void pairOf(uint id, uint heads, uint offset, out uint a, out uint b, out float c, out float s)
{
    const uint half_ = pc.headDim / 2;
    const uint i = id % half_;
    const uint th = id / half_; // token * heads + head
    const uint t = th / heads;
    const uint base = offset + th * pc.headDim;
    a = pc.interleaved != 0 ? base + 2 * i : base + i;
    b = pc.interleaved != 0 ? base + 2 * i + 1 : base + i + half_;
    const float angle = float(pc.pos0 + t) * invFreq[i];
    c = cos(angle);
    s = sin(angle);
}

void main()
{
    const uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    const uint qPairs = pc.tokens * pc.heads * (pc.headDim / 2);
    uint a, b;
    float c, s;
    if (id < qPairs) {
        pairOf(id, pc.heads, pc.offset, a, b, c, s);
        const float x0 = x[a], x1 = x[b];
        x[a] = x0 * c - x1 * s;
        x[b] = x0 * s + x1 * c;
    }
#ifdef PAIR
    else if (id - qPairs < pc.tokens * pc.kvHeads * (pc.headDim / 2)) {
        pairOf(id - qPairs, pc.kvHeads, pc.kOffset, a, b, c, s);
        const float x0 = k[a], x1 = k[b];
        k[a] = x0 * c - x1 * s;
        k[b] = x0 * s + x1 * c;
    }
#endif
}
