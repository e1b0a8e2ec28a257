// SPDX-License-Identifier: GPL-3.0-or-later
// The lab roofline: one invocation per row, uvec4 loads (as bandwidth_reduce_rows.comp); TEXEL:
// read as RGBA32UI texels (with IMAGE: by imageLoad from a storage texel buffer).
#version 450
layout(local_size_x = 64) in;
layout(push_constant) uniform P { uint rows; uint cols; } pc;
#ifdef TEXEL
#ifdef IMAGE
layout(binding = 0, rgba32ui) readonly uniform uimageBuffer ct;
#define C4(i) imageLoad(ct, int(i))
#else
layout(binding = 0) uniform usamplerBuffer ct;
#define C4(i) texelFetch(ct, int(i))
#endif
#else
layout(std430, binding = 0) readonly buffer C { uvec4 c4[]; };
#define C4(i) c4[i]
#endif
layout(std430, binding = 3) buffer Y { uint y[]; };
void main() {
  const uint row = min(gl_GlobalInvocationID.x, pc.rows - 1u);
  const uint n = pc.cols / 32u;
  uvec4 acc = uvec4(0u);
  for (uint i = 0u; i < n; ++i) acc += C4(row * n + i);
  y[gl_GlobalInvocationID.x] = acc.x + acc.y + acc.z + acc.w;
}
