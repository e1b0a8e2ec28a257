// SPDX-License-Identifier: GPL-3.0-or-later
// y[offset + t·width + i] += b[i] for every row t < rows (the q/k/v biases of qwen2).
#version 450
layout(local_size_x = 256) in;
layout(push_constant) uniform Push {
    uint rows;
    uint width;
    uint offset; // first float of row 0 in y (keys and values may sit inside the cache)
} pc;
layout(std430, binding = 0) buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i < pc.rows * pc.width)
        y[pc.offset + i] += b[i % pc.width];
}
