// SPDX-License-Identifier: GPL-3.0-or-later
// out[t, :] = table[tokens[t] − row0, :] for ids inside this table slice [row0, row0 + vocab).
// Ids outside the slice give zeros when writeMissing is set (the first slice, or the only one;
// the host validates ids first) and are left alone otherwise (a later slice writes them).
#version 450
layout(local_size_x = 256) in;
layout(push_constant) uniform Push {
    uint tokens;
    uint dim;
    uint vocab;        // rows of this slice
    uint row0;         // first vocabulary row of this slice
    uint writeMissing;
} pc;
layout(std430, binding = 0) readonly buffer E { float table[]; };
layout(std430, binding = 1) readonly buffer T { uint ids[]; };
layout(std430, binding = 2) writeonly buffer O { float o[]; };
void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= pc.tokens * pc.dim)
        return;
    const uint t = i / pc.dim, c = i % pc.dim;
    const uint id = ids[t];
    if (id >= pc.row0 && id - pc.row0 < pc.vocab)
        o[i] = table[(id - pc.row0) * pc.dim + c];
    else if (pc.writeMissing != 0u)
        o[i] = 0.0;
}
