// SPDX-License-Identifier: GPL-3.0-or-later
// out[t, :] = table[tokens[t], :]; out-of-range ids give zeros (the host validates ids first).
#version 450
layout(local_size_x = 256) in;
layout(push_constant) uniform Push {
    uint tokens;
    uint dim;
    uint vocab;
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
    o[i] = id < pc.vocab ? table[id * pc.dim + c] : 0.0;
}
