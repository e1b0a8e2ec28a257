// SPDX-License-Identifier: GPL-3.0-or-later
// out = silu(gate) * up, elementwise (the SwiGLU product). PAIR: gate and up are the two halves
// of each token's row of one buffer (the merged gate/up linear's output, 2·ff floats a token:
// gate then up), out[t·ff + i] = silu(gu[t·2ff + i]) · gu[t·2ff + ff + i].
#version 450
layout(local_size_x = 256) in;
#ifdef PAIR
layout(push_constant) uniform Push { uint n; uint ff; } pc;
#else
layout(push_constant) uniform Push { uint n; } pc;
#endif
layout(std430, binding = 0) readonly buffer G { float gate[]; };
layout(std430, binding = 1) readonly buffer U { float up[]; };
layout(std430, binding = 2) writeonly buffer O { float o[]; };
void main()
{
    const uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
    if (i >= pc.n)
        return;
#ifdef PAIR
    const uint t = i / pc.ff, at = i + t * pc.ff; // t·2ff + (i − t·ff)
    const float g = gate[at], u = up[at + pc.ff];
#else
    const float g = gate[i], u = up[i];
#endif
    o[i] = g / (1.0 + exp(-g)) * u;
}
