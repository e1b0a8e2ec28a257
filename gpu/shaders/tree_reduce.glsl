// SPDX-License-Identifier: GPL-3.0-or-later
// The end of the shared-tree kernels (matvec_packed.comp, matmul_packed.comp: slots of tpr
// lanes; matvec_vq.comp, matmul_vq.comp: one slot of the whole workgroup): each slot's lanes sum
// their TREE_N accumulators, and the slot's lane 0 holds the totals. Include after defining WG
// (the workgroup size) and TREE_N; the kernel numbers its slots and lanes by treeIndex().
//
// With SG_REDUCE (devices with subgroup shuffles) and a workgroup of full subgroups, the lanes of
// a slot are numbered within subgroups, so a slot of ≤ gl_SubgroupSize lanes lies in one
// subgroup and sums by log2(lanes) shuffle-xor steps, no shared memory and no barrier; a wider
// slot then adds its subgroups' totals after one barrier. Otherwise the partial sums meet in a
// shared-memory tree, log2(lanes) barriers (any subgroup size). A kernel that reduces again
// calls barrier() in between (treePartial is reused).
#ifdef SG_REDUCE
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_shuffle : require
#endif

shared float treePartial[WG * TREE_N];

/// Whether the subgroups tile the workgroup exactly (uniform): then slots are numbered by subgroup.
bool treeBySubgroup()
{
#ifdef SG_REDUCE
    return gl_NumSubgroups * gl_SubgroupSize == WG;
#else
    return false;
#endif
}

/// The invocation's place in the workgroup from which its slot (/ tpr) and lane (% tpr) follow.
uint treeIndex()
{
#ifdef SG_REDUCE
    if (treeBySubgroup())
        return gl_SubgroupID * gl_SubgroupSize + gl_SubgroupInvocationID;
#endif
    return gl_LocalInvocationID.x;
}

/// Sums acc over the `lanes` lanes of each slot (a power of two ≤ WG, uniform); the totals are
/// valid in lane 0 (lane = treeIndex() % lanes). Called by every invocation of the workgroup
/// (uniform control flow).
void treeReduce(inout float acc[TREE_N], uint lanes)
{
    const uint f = treeIndex();
    const uint lane = f % lanes;
#ifdef SG_REDUCE
    if (treeBySubgroup()) {
        const uint sg = gl_SubgroupSize;
        for (uint s = min(lanes, sg) / 2u; s > 0u; s >>= 1)
            [[unroll]] for (uint i = 0u; i < TREE_N; ++i)
                acc[i] += subgroupShuffleXor(acc[i], s);
        if (lanes > sg) { // a slot spans lanes / sg whole subgroups: their lane 0s hold the parts
            if (gl_SubgroupInvocationID == 0u)
                [[unroll]] for (uint i = 0u; i < TREE_N; ++i)
                    treePartial[gl_SubgroupID * TREE_N + i] = acc[i];
            barrier();
            if (lane == 0u)
                for (uint k = 1u; k < lanes / sg; ++k)
                    [[unroll]] for (uint i = 0u; i < TREE_N; ++i)
                        acc[i] += treePartial[(gl_SubgroupID + k) * TREE_N + i];
        }
        return;
    }
#endif
    [[unroll]] for (uint i = 0u; i < TREE_N; ++i)
        treePartial[f * TREE_N + i] = acc[i];
    for (uint s = lanes / 2u; s > 0u; s >>= 1) {
        barrier();
        if (lane < s)
            [[unroll]] for (uint i = 0u; i < TREE_N; ++i)
                treePartial[f * TREE_N + i] += treePartial[(f + s) * TREE_N + i];
    }
    [[unroll]] for (uint i = 0u; i < TREE_N; ++i)
        acc[i] = treePartial[f * TREE_N + i];
}
