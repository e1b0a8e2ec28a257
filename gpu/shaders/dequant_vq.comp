// SPDX-License-Identifier: GPL-3.0-or-later
// Dequantizes a vq tensor: one invocation per (position, vector), out[yOffset + row·cols + col].
#version 450
#include "vq_decode.glsl"

layout(local_size_x = 64) in;
layout(std430, binding = 2) readonly buffer X { float unused[]; };
layout(std430, binding = 3) writeonly buffer Out { float outv[]; };

void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= pc.cols * pc.R)
        return;
    const uint p = i / pc.R, r = i % pc.R;
    const uint col = columnAt(p);
    uint c, res;
    bool main;
    vectorOf(p, r, c, res, main);
    if (main)
        c += pc.mainCb;
    for (uint d = 0u; d < pc.v && r * pc.v + d < pc.rows; ++d)
        outv[pc.yOffset + (r * pc.v + d) * pc.cols + col] = finish(vals[c + d], res, d, col);
}
