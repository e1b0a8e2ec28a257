// SPDX-License-Identifier: GPL-3.0-or-later
// out = silu(gate) * up, elementwise (the SwiGLU product).
#version 450
layout(local_size_x = 256) in;
layout(push_constant) uniform Push { uint n; } pc;
layout(std430, binding = 0) readonly buffer G { float gate[]; };
layout(std430, binding = 1) readonly buffer U { float up[]; };
layout(std430, binding = 2) writeonly buffer O { float o[]; };
void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= pc.n)
        return;
    const float g = gate[i];
    o[i] = g / (1.0 + exp(-g)) * up[i];
}
