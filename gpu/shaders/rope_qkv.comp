// SPDX-License-Identifier: GPL-3.0-or-later
// A layer's merged q|k|v linear output (binding 0: rowStride floats a token, the token's queries,
// then keys, then values) into attention's inputs in one dispatch: the queries rotated into q
// (binding 2: tokens × heads × headDim), the keys rotated into k (binding 3, at kOffset:
// kvHeads × headDim a token, the cache or its fp32 staging) and the values copied into v
// (binding 4, at kOffset). The rotation is rope.comp's, in the same fp32 operations.
#version 450
layout(local_size_x = 64) in;

layout(push_constant) uniform Push {
    uint tokens;
    uint heads;
    uint headDim;
    uint pos0;
    uint interleaved;
    uint kvHeads;
    uint kOffset;   // first float of token 0's keys and values in k and v
    uint rowStride; // floats a token in the merged output: (heads + 2·kvHeads)·headDim
} pc;

layout(std430, binding = 0) readonly buffer QKV { float qkv[]; };
layout(std430, binding = 1) readonly buffer F { float invFreq[]; };
layout(std430, binding = 2) writeonly buffer Q { float q[]; };
layout(std430, binding = 3) writeonly buffer K { float k[]; };
layout(std430, binding = 4) writeonly buffer V { float v[]; };

/// Pair `id` of a tensor of `heads` heads a token: its token, and the two offsets (a, b) it rotates
/// within the token's heads, and its cosine and sine.
void pairOf(uint id, uint heads, out uint t, out uint a, out uint b, out float c, out float s)
{
    const uint half_ = pc.headDim / 2u;
    const uint i = id % half_;
    const uint th = id / half_; // token * heads + head
    t = th / heads;
    const uint base = (th % heads) * pc.headDim;
    a = pc.interleaved != 0u ? base + 2u * i : base + i;
    b = pc.interleaved != 0u ? base + 2u * i + 1u : base + i + half_;
    const float angle = float(pc.pos0 + t) * invFreq[i];
    c = cos(angle);
    s = sin(angle);
}

void main()
{
    const uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    const uint half_ = pc.headDim / 2u;
    const uint qPairs = pc.tokens * pc.heads * half_, kPairs = pc.tokens * pc.kvHeads * half_;
    const uint qd = pc.heads * pc.headDim, kvd = pc.kvHeads * pc.headDim;
    uint t, a, b;
    float c, s;
    if (id < qPairs) {
        pairOf(id, pc.heads, t, a, b, c, s);
        const float x0 = qkv[t * pc.rowStride + a], x1 = qkv[t * pc.rowStride + b];
        q[t * qd + a] = x0 * c - x1 * s;
        q[t * qd + b] = x0 * s + x1 * c;
    } else if (id - qPairs < kPairs) {
        pairOf(id - qPairs, pc.kvHeads, t, a, b, c, s);
        const uint src = t * pc.rowStride + qd;
        const float x0 = qkv[src + a], x1 = qkv[src + b];
        k[pc.kOffset + t * kvd + a] = x0 * c - x1 * s;
        k[pc.kOffset + t * kvd + b] = x0 * s + x1 * c;
    } else if (id - qPairs - kPairs < pc.tokens * kvd) {
        const uint e = id - qPairs - kPairs;
        t = e / kvd;
        v[pc.kOffset + e] = qkv[t * pc.rowStride + qd + kvd + e % kvd];
    }
}
