// SPDX-License-Identifier: GPL-3.0-or-later
// Causal grouped-query attention over a KV cache, one workgroup per (query token, head).
// q[tokens, heads, hd]; k/v cache [ctx, kvHeads, hd] (fp32 or fp16, below) holding positions 0 .. pos0+tokens-1;
// query t sits at position pos0 + t and sees keys 0 .. pos0 + t. Keys are processed in tiles
// with an online softmax (running max and sum), so any context length fits in shared memory.
#version 450
#include "common.glsl"

#define WG 64
#define TILE 1024
layout(local_size_x = WG) in;

layout(push_constant) uniform Push {
    uint tokens;
    uint heads;
    uint kvHeads;
    uint headDim;
    uint pos0;
    uint kvStride; // floats between consecutive positions in the cache (= kvHeads * headDim)
    float scale;   // 1 / sqrt(headDim)
} pc;

layout(std430, binding = 0) readonly buffer Q { float q[]; };
// The cache: fp32, or fp16 (KV_F16: halves packed in uints, two a word; KV_F16S: float16_t
// arrays, where the device has 16-bit storage). KAT/VAT read element i as a float.
#if defined(KV_F16S)
#extension GL_EXT_shader_16bit_storage : require
layout(std430, binding = 1) readonly buffer K { float16_t k[]; };
layout(std430, binding = 2) readonly buffer V { float16_t v[]; };
#define KAT(i) float(k[i])
#define VAT(i) float(v[i])
#elif defined(KV_F16)
layout(std430, binding = 1) readonly buffer K { uint k[]; };
layout(std430, binding = 2) readonly buffer V { uint v[]; };
float halfAt(uint w, uint i) { return unpackHalf2x16(w)[i & 1u]; }
#define KAT(i) halfAt(k[(i) >> 1u], i)
#define VAT(i) halfAt(v[(i) >> 1u], i)
#else
layout(std430, binding = 1) readonly buffer K { float k[]; };
layout(std430, binding = 2) readonly buffer V { float v[]; };
#define KAT(i) k[i]
#define VAT(i) v[i]
#endif
layout(std430, binding = 3) writeonly buffer O { float o[]; };

shared float scores[TILE];
shared float red[WG];

float workgroupMax(float x)
{
    x = subgroupMax(x);
    if (subgroupElect())
        red[gl_SubgroupID] = x;
    barrier();
    float m = red[0];
    for (uint s = 1; s < gl_NumSubgroups; ++s)
        m = max(m, red[s]);
    barrier();
    return m;
}

float workgroupSum(float x)
{
    x = subgroupAdd(x);
    if (subgroupElect())
        red[gl_SubgroupID] = x;
    barrier();
    float m = 0.0;
    for (uint s = 0; s < gl_NumSubgroups; ++s)
        m += red[s];
    barrier();
    return m;
}

void main()
{
    const uint id = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (id >= pc.tokens * pc.heads)
        return; // uniform across the workgroup
    const uint t = id / pc.heads, h = id % pc.heads;
    const uint kvh = h / (pc.heads / pc.kvHeads);
    const uint qBase = id * pc.headDim;
    const uint nKeys = pc.pos0 + t + 1;
    const uint lid = gl_LocalInvocationID.x;

    // each invocation owns output dims lid, lid+WG, ... (headDim <= 4*WG)
    float acc[4] = float[4](0.0, 0.0, 0.0, 0.0);
    float runMax = -1.0 / 0.0;
    float runSum = 0.0;
    for (uint j0 = 0; j0 < nKeys; j0 += TILE) {
        const uint n = min(TILE, nKeys - j0);
        float tileMax = -1.0 / 0.0;
        for (uint j = lid; j < n; j += WG) {
            const uint kBase = (j0 + j) * pc.kvStride + kvh * pc.headDim;
            float s = 0.0;
            for (uint d = 0; d < pc.headDim; ++d)
                s += q[qBase + d] * KAT(kBase + d);
            s *= pc.scale;
            scores[j] = s;
            tileMax = max(tileMax, s);
        }
        tileMax = workgroupMax(tileMax); // also a barrier: scores[] complete
        const float newMax = max(runMax, tileMax);
        const float rescale = exp(runMax - newMax);
        float part = 0.0;
        for (uint j = lid; j < n; j += WG) {
            const float p = exp(scores[j] - newMax);
            scores[j] = p;
            part += p;
        }
        runSum = runSum * rescale + workgroupSum(part); // barrier: probabilities complete
        for (uint r = 0; r < 4; ++r) {
            const uint d = lid + r * WG;
            if (d >= pc.headDim)
                break;
            float a = acc[r] * rescale;
            for (uint j = 0; j < n; ++j)
                a += scores[j] * VAT((j0 + j) * pc.kvStride + kvh * pc.headDim + d);
            acc[r] = a;
        }
        runMax = newMax;
        barrier(); // scores[] reused by the next tile
    }
    for (uint r = 0; r < 4; ++r) {
        const uint d = lid + r * WG;
        if (d < pc.headDim)
            o[qBase + d] = acc[r] / runSum;
    }
}
