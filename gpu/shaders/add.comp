// SPDX-License-Identifier: GPL-3.0-or-later
// y += x, elementwise (residual connections).
#version 450
layout(local_size_x = 256) in;
layout(push_constant) uniform Push { uint n; } pc;
layout(std430, binding = 0) buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i < pc.n)
        y[i] += x[i];
}
