// SPDX-License-Identifier: GPL-3.0-or-later
// Causal grouped-query attention over a KV cache for CPU Vulkan implementations (lavapipe), where
// the 8 lanes of a subgroup are the SIMD lanes of one core: one subgroup per (query token, run of
// ≤ GM query heads sharing a KV head — GQA: each K and V texel read once for the run),
// no shared memory and no barriers (a barrier splits llvmpipe's shader into coroutines, and a
// storage-buffer load is a loop over the lanes there), q, K and V read as RGBA32UI texels by
// image loads (SIMD gathers, inlined by llvmpipe).
// Keys go eight at a time, one a lane, with an online softmax (running max and sum, as
// attention.comp). Lane l holds the texels t = 8c + l (c < NQ) of the head's q and of its output
// accumulators; a key's score reads every texel of the key's row, taking q's texel t from lane
// t % 8 by a constant-index shuffle (a permute); each key's value row is then read by all lanes,
// texel t by lane t % 8, and weighted by the key's probability (a shuffle of that lane's p).
// q[tokens, heads, hd] and o are fp32; the cache [ctx, kvHeads, hd] fp32, or with KV_F16 fp16
// (8 halves a texel: the bytes of either fp16 form). The host uses this kernel only where hd and
// the cache stride are whole texels (4 floats, or 8 halves) and hd ≤ 32·NQ.
#version 450
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_KHR_shader_subgroup_shuffle : require

layout(local_size_x = 8) in;

layout(push_constant) uniform Push {
    uint tokens;
    uint heads;
    uint kvHeads;
    uint headDim;
    uint pos0;
    uint kvStride; // elements between consecutive positions in the cache (= kvHeads * headDim)
    float scale;   // 1 / sqrt(headDim)
} pc;

layout(binding = 0, rgba32ui) uniform readonly uimageBuffer qT;
layout(binding = 1, rgba32ui) uniform readonly uimageBuffer kT;
layout(binding = 2, rgba32ui) uniform readonly uimageBuffer vT;
layout(std430, binding = 3) writeonly buffer O { vec4 o[]; };

#ifndef NQ
#define NQ 2 // q texels per lane: head dims ≤ 32·NQ
#endif
#ifndef GM
#define GM 1 // query heads of one KV head a subgroup takes at most (GQA): K and V read once for them
#endif
#ifdef KV_F16
#define PER 2u // q texels (4 floats) per cache texel (8 halves)
vec4 halves(uvec2 w) { return vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y)); }
#else
#define PER 1u
#endif

void main()
{
    // the query heads of a KV head go in `chunks` runs of ≤ GM (the host picks GM ≥ the run)
    const uint group = pc.heads / pc.kvHeads;
    const uint chunks = (group + GM - 1u) / GM;
    const uint run = (group + chunks - 1u) / chunks;
    const uint id = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
    if (id >= pc.tokens * pc.kvHeads * chunks)
        return; // uniform across the subgroup
    const uint lane = gl_SubgroupInvocationID;
    const uint t = id / (pc.kvHeads * chunks), rest = id % (pc.kvHeads * chunks);
    const uint kvh = rest / chunks, first = (rest % chunks) * run;
    const uint h0 = kvh * group + first;    // the run's first query head
    const uint nh = min(run, group - first); // its heads (≤ GM)
    const uint qTexels = pc.headDim / 4u;            // q texels of a head
    const uint qBase = (t * pc.heads + h0) * qTexels; // the first head's first q texel (= its first output vec4)
    const uint rowTexels = pc.kvStride / (4u * PER); // cache texels between positions
    const uint headTexel = kvh * (pc.headDim / (4u * PER));
    const uint nKeys = pc.pos0 + t + 1u;

    vec4 q[GM][NQ];
    vec4 acc[GM][NQ];
    float runMax[GM], runSum[GM];
    for (uint g = 0u; g < GM; ++g) {
        for (uint c = 0u; c < NQ; ++c) {
            const uint tq = 8u * c + lane;
            q[g][c] = g < nh && tq < qTexels ? uintBitsToFloat(imageLoad(qT, int(qBase + g * qTexels + tq))) : vec4(0.0);
            acc[g][c] = vec4(0.0);
        }
        runMax[g] = -1.0 / 0.0;
        runSum[g] = 0.0;
    }
    for (uint j0 = 0u; j0 < nKeys; j0 += 8u) {
        // this lane's key (the last one again past the end, with probability 0)
        const uint key = min(j0 + lane, nKeys - 1u);
        const uint kRow = key * rowTexels + headTexel;
        float s[GM];
        for (uint g = 0u; g < GM; ++g)
            s[g] = 0.0;
        for (uint c = 0u; c < NQ; ++c) {
#ifdef KV_F16
            for (uint l = 0u; l < 8u; l += 2u) {
                const uint tq = 8u * c + l;
                if (tq < qTexels) {
                    const uvec4 w = imageLoad(kT, int(kRow + tq / 2u));
                    const vec4 k0 = halves(w.xy), k1 = halves(w.zw);
                    for (uint g = 0u; g < GM; ++g)
                        s[g] += dot(subgroupShuffle(q[g][c], l), k0) + dot(subgroupShuffle(q[g][c], l + 1u), k1);
                }
            }
#else
            for (uint l = 0u; l < 8u; ++l) {
                const uint tq = 8u * c + l;
                if (tq < qTexels) {
                    const vec4 k = uintBitsToFloat(imageLoad(kT, int(kRow + tq)));
                    for (uint g = 0u; g < GM; ++g)
                        s[g] += dot(subgroupShuffle(q[g][c], l), k);
                }
            }
#endif
        }
        float p[GM];
        for (uint g = 0u; g < GM; ++g) {
            const float sg = j0 + lane < nKeys ? s[g] * pc.scale : -1.0 / 0.0;
            const float newMax = max(runMax[g], subgroupMax(sg));
            p[g] = exp(sg - newMax);
            const float rescale = exp(runMax[g] - newMax);
            runSum[g] = runSum[g] * rescale + subgroupAdd(p[g]);
            runMax[g] = newMax;
            for (uint c = 0u; c < NQ; ++c)
                acc[g][c] *= rescale;
        }
        for (uint i = 0u; i < 8u; ++i) {
            float pi[GM]; // key j0 + i's probabilities (shuffled in uniform control flow)
            for (uint g = 0u; g < GM; ++g)
                pi[g] = subgroupShuffle(p[g], i);
            const uint vRow = min(j0 + i, nKeys - 1u) * rowTexels + headTexel;
            for (uint c = 0u; c < NQ; ++c) {
                const uint tq = 8u * c + lane;
                if (tq < qTexels) {
#ifdef KV_F16
                    const uvec4 w = imageLoad(vT, int(vRow + tq / 2u));
                    const vec4 v = halves((tq & 1u) != 0u ? w.zw : w.xy);
#else
                    const vec4 v = uintBitsToFloat(imageLoad(vT, int(vRow + tq)));
#endif
                    for (uint g = 0u; g < GM; ++g)
                        acc[g][c] += pi[g] * v;
                }
            }
        }
    }
    for (uint g = 0u; g < GM; ++g)
        for (uint c = 0u; c < NQ; ++c) {
            const uint tq = 8u * c + lane;
            if (g < nh && tq < qTexels)
                o[qBase + g * qTexels + tq] = acc[g][c] / runSum[g];
        }
}
