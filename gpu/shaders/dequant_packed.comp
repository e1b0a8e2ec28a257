// SPDX-License-Identifier: GPL-3.0-or-later
// Dequantizes a dense PackedTensor to fp32, one element per invocation.
#version 450
#include "packed_decode.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 4) writeonly buffer Out { float outv[]; };

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= pc.rows * pc.cols)
        return;
    outv[i] = decodeWeight(i / pc.cols, i % pc.cols);
}
