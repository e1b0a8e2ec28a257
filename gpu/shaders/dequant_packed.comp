// SPDX-License-Identifier: GPL-3.0-or-later
// Dequantizes a PackedTensor slice to fp32, one chunk of 32 weights per invocation.
// mode 0: every row, out[yOffset + row·cols + c]; mode 1: the rows named by ids[t] (global row
// numbers; ids outside this slice are left to the other slices), out[yOffset + t·yStride + c]
// — the embedding lookup of a quantized table.
#version 450
#include "packed_decode.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 3) readonly buffer Ids { uint ids[]; };
layout(std430, binding = 4) writeonly buffer Out { float outv[]; };

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    const uint chunks = (pc.cols + 31u) / 32u;
    const uint n = pc.mode == 0u ? pc.rows : pc.tokens;
    if (i >= n * chunks)
        return;
    const uint r = i / chunks, ch = i % chunks;
    uint row = r;
    uint dst = pc.yOffset + r * pc.cols;
    if (pc.mode != 0u) {
        const uint id = ids[r];
        if (id < pc.row0 || id - pc.row0 >= pc.rows)
            return;
        row = id - pc.row0;
        dst = pc.yOffset + r * pc.yStride;
    }
    const uint c0 = ch * 32u;
    if (chunkIsUniform(c0)) {
        uint w[8];
        loadChunk(row, ch, w);
        const GroupParams p = loadGroup(groupOf(row, c0));
        [[unroll]] for (uint k = 0u; k < 32u; ++k)
            outv[dst + c0 + k] = decodeValue(p, chunkCode(w, k));
    } else {
        for (uint c = c0; c < min(c0 + 32u, pc.cols); ++c)
            outv[dst + c] = weightAt(row, c);
    }
}
