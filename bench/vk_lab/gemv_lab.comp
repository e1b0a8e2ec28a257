// SPDX-License-Identifier: GPL-3.0-or-later
// The lab int4 GEMV (symmetric, groups of 32, fp16 scales; the layout of matvec_rows.comp, 8 rows
// per invocation), with switches that remove one cost at a time:
//   NOLOAD  codes made up from the indices (no code loads; x and scales still read)
//   NOX     no x (decode and sum only)
//   UNROLL  the loop over the 8 chunks of a scale block unrolled (a 118 KiB shader instead of 21)
//   TEXEL   codes read through a uniform texel buffer (vk_lab with TEXEL=1) instead of a storage buffer;
//           with IMAGE too, through a storage texel buffer by imageLoad (vk_lab with IMAGE=1)
//   TOK=T   the GEMM form for T tokens (with TEXEL, interleaved codes, x by shuffles, values by
//           shuffles): each code decoded once for the T tokens' x rows (vk_lab with TOK=T)
//   PAIRT   x·value read from a pair table, one fetch per byte of codes (two weights) instead of
//           two decodes and two multiply-adds (vk_lab with PAIRT=1 builds the table)
//   INTERLEAVE  the codes (and scales) of each subgroup's 64 rows stored texel by texel side by
//           side (row 8l + k at 8k + l), so a subgroup reads one contiguous stream instead of 64
//           (packed_ops.h: tiledCodeWord); the timing does not depend on the values
//   XSHUF   each x value handed to the lanes by subgroupShuffle (constant index) instead of
//           subgroupBroadcast; XUNI: read by every lane at a subgroup-uniform address instead
//   SIGNX   code − 8 as the signed nibble of code ^ 8 (one XOR per word; a shift left and an
//           arithmetic shift right per code instead of shift, mask and subtract)
//   SWAR    x quantized to int8 (as llama.cpp's q8 activations), pairs of x packed as q_{j+4} +
//           q_j·2^16: ((w >> 4i) & 0x000F000F)·pair puts c_i·q_i + c_{i+4}·q_{i+4} in bits 16..31 of
//           one 32-bit product, eight products summed per accumulator before the field is taken
//           out (|low field| ≤ 8·15·127 < 2^15, |sum| ≤ 8·2·15·127 < 2^15); timing only (x's bits
//           are whatever the float buffer holds)
//   DOT     x quantized to int8, four a word in the order of the codes' even and odd nibbles, and
//           each word of 8 codes summed by two OpSUDot (VK_KHR_shader_integer_dot_product's
//           4×8-bit packed dot product, signed x by unsigned codes); timing only, as SWAR
//   PMADD   x quantized to int8, pairs packed as q_j + q_{j+4}·2^16, and each 32-bit lane's two
//           products as 16-bit halves, int(a.x)·int(b.x) + int(a.y)·int(b.y) (the form of x86's
//           pmaddwd; vk_lab with INT16=1); PMADDSH: the same by shifts; timing only, as SWAR
//   LUTSH   the value of a code looked up in a 16-entry table held one entry per lane in two
//           registers (subgroupShuffle of each, a select on bit 3), as a LUT format (NF4) would
#version 450
#ifdef DOT
#extension GL_EXT_spirv_intrinsics : require
// OpSUDot (4452), PackedVectorFormat4x8Bit (0): capabilities DotProductInput4x8BitPacked (6018), DotProduct (6019)
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6018, 6019], id = 4452)
int suDot4x8(uint x, uint codes, spirv_literal int packedFormat);
#endif
#extension GL_KHR_shader_subgroup_ballot : require
#extension GL_KHR_shader_subgroup_shuffle : require
#extension GL_EXT_control_flow_attributes : require
#ifdef PMADD
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
#endif
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
layout(std430, binding = 1) readonly buffer S4 { uvec4 sw4[]; }; // fp16 scales, 8 per uvec4
#ifdef PAIRT
layout(binding = 2) uniform samplerBuffer pt;
#else
layout(std140, binding = 2) uniform XU { vec4 xu[4096]; };
#endif
layout(std430, binding = 3) buffer Y { float y[]; };
#ifndef RPI
#define RPI 8u
#endif
#ifdef UNROLL
#define CHUNK_LOOP [[unroll]]
#else
#define CHUNK_LOOP [[dont_unroll]]
#endif
#ifndef PAIRT
float xAt(uint i) { return xu[i >> 2u][i & 3u]; }
#endif
#ifdef TOK
// TOK tokens at once (x of token t at t·cols, y at t·rows): each code decoded once for all tokens
void main() {
  const uint first = gl_GlobalInvocationID.x * RPI;
  const uint n = pc.cols / 32u;
  const uint lane = gl_SubgroupInvocationID;
  float acc[RPI][TOK];
  [[unroll]] for (uint k = 0u; k < RPI; ++k) [[unroll]] for (uint t = 0u; t < TOK; ++t) acc[k][t] = 0.0;
  const float tlo = float(int(lane) - 8), thi = float(lane);
  for (uint c8 = 0u; c8 < n; c8 += 8u) {
    uvec4 sv[RPI];
    [[unroll]] for (uint k = 0u; k < RPI; ++k) sv[k] = sw4[((((first >> 6u) * n + c8) >> 3u) * RPI + k) * 8u + lane];
    [[dont_unroll]] for (uint cc = 0u; cc < 8u; ++cc) {
      const uint ch = c8 + cc;
      uvec4 w[RPI];
      [[unroll]] for (uint k = 0u; k < RPI; ++k) w[k] = C4((((first >> 6u) * n + ch) * RPI + k) * 8u + lane);
      float s[RPI][TOK];
      [[unroll]] for (uint k = 0u; k < RPI; ++k) [[unroll]] for (uint t = 0u; t < TOK; ++t) s[k][t] = 0.0;
      [[unroll]] for (uint b = 0u; b < 32u; b += 8u) {
        float xl[TOK];
        [[unroll]] for (uint t = 0u; t < TOK; ++t) xl[t] = xAt(t * pc.cols + ch * 32u + b + lane);
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
          float xb[TOK];
          [[unroll]] for (uint t = 0u; t < TOK; ++t) xb[t] = subgroupShuffle(xl[t], j);
          [[unroll]] for (uint k = 0u; k < RPI; ++k) {
            const uint c = (w[k][b >> 3u] >> (4u * j)) & 15u;
            const float lo = subgroupShuffle(tlo, c & 7u), hi = subgroupShuffle(thi, c & 7u);
            const float v = (c & 8u) != 0u ? hi : lo;
            [[unroll]] for (uint t = 0u; t < TOK; ++t) s[k][t] += v * xb[t];
          }
        }
      }
      [[unroll]] for (uint k = 0u; k < RPI; ++k) {
        const float sc = unpackHalf2x16(sv[k][cc >> 1u])[cc & 1u];
        [[unroll]] for (uint t = 0u; t < TOK; ++t) acc[k][t] += sc * s[k][t];
      }
    }
  }
  [[unroll]] for (uint k = 0u; k < RPI; ++k) if (first + k < pc.rows) [[unroll]] for (uint t = 0u; t < TOK; ++t) y[t * pc.rows + first + k] = acc[k][t];
}
#else
void main() {
  const uint first = gl_GlobalInvocationID.x * RPI;
  uint row[RPI];
  [[unroll]] for (uint k = 0u; k < RPI; ++k) row[k] = min(first + k, pc.rows - 1u);
  const uint n = pc.cols / 32u;
  const uint lane = gl_SubgroupInvocationID;
  float acc[RPI];
  [[unroll]] for (uint k = 0u; k < RPI; ++k) acc[k] = 0.0;
#ifdef LUTSH
  const float tlo = float(int(lane) - 8), thi = float(lane); // table[c] = c − 8
#endif
  for (uint c8 = 0u; c8 < n; c8 += 8u) {
    uvec4 sv[RPI];
#ifdef INTERLEAVE
    [[unroll]] for (uint k = 0u; k < RPI; ++k) sv[k] = sw4[((((first >> 6u) * n + c8) >> 3u) * RPI + k) * 8u + lane];
#else
    [[unroll]] for (uint k = 0u; k < RPI; ++k) sv[k] = sw4[(row[k] * n + c8) >> 3u];
#endif
    CHUNK_LOOP for (uint cc = 0u; cc < 8u; ++cc) {
      const uint ch = c8 + cc;
      uvec4 w[RPI];
#ifdef NOLOAD
      [[unroll]] for (uint k = 0u; k < RPI; ++k) w[k] = uvec4(row[k] * 0x9E3779B9u + ch, row[k] ^ ch, ch * 747796405u, row[k] + ch * 3u);
#else
#ifdef INTERLEAVE
      [[unroll]] for (uint k = 0u; k < RPI; ++k) w[k] = C4((((first >> 6u) * n + ch) * RPI + k) * 8u + lane);
#else
      [[unroll]] for (uint k = 0u; k < RPI; ++k) w[k] = C4(row[k] * n + ch);
#endif
#endif
      float s[RPI];
      [[unroll]] for (uint k = 0u; k < RPI; ++k) s[k] = 0.0;
#ifdef SWAR
      {
        // int8 x (pairs packed as q[j+4] + q[j]·2^16 per word position), codes two a 32-bit lane:
        // ((w >> 4i) & 0x000F000F)·B puts c_i·q_i + c_{i+4}·q_{i+4} in bits 16..31
        const uint xl0 = floatBitsToUint(xAt(ch * 16u + lane)), xl1 = floatBitsToUint(xAt(ch * 16u + 8u + lane));
        int t0[RPI], t1[RPI];
        [[unroll]] for (uint k = 0u; k < RPI; ++k) { t0[k] = 0; t1[k] = 0; }
        [[unroll]] for (uint q = 0u; q < 4u; ++q) {
          [[unroll]] for (uint i = 0u; i < 4u; ++i) {
            const int bq = int(subgroupShuffle(q < 2u ? xl0 : xl1, (q & 1u) * 4u + i));
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
              const int a = int((w[k][q] >> (4u * i)) & 0x000F000Fu);
              if ((q & 1u) == 0u) t0[k] += a * bq; else t1[k] += a * bq;
            }
          }
        }
        const float dx = xAt(ch);
        [[unroll]] for (uint k = 0u; k < RPI; ++k)
          s[k] = float(((t0[k] + 0x8000) >> 16) + ((t1[k] + 0x8000) >> 16)) * dx;
      }
#elif defined(PMADD) || defined(PMADDSH)
      {
        // int8 x, pairs packed as q_j + q_{j+4}·2^16; each 32-bit lane's two products summed as
        // one 16×16 multiply-add pair (x86's pmaddwd, if the JIT's LLVM finds it): PMADD through
        // 16-bit types, PMADDSH through shifts
        const uint xl0 = floatBitsToUint(xAt(ch * 16u + lane)), xl1 = floatBitsToUint(xAt(ch * 16u + 8u + lane));
        int t0[RPI];
        [[unroll]] for (uint k = 0u; k < RPI; ++k) t0[k] = 0;
        [[unroll]] for (uint q = 0u; q < 4u; ++q) {
          [[unroll]] for (uint i = 0u; i < 4u; ++i) {
            const int bq = int(subgroupShuffle(q < 2u ? xl0 : xl1, (q & 1u) * 4u + i));
#ifdef PMADD
            const i16vec2 bv = unpack16(bq);
#endif
            [[unroll]] for (uint k = 0u; k < RPI; ++k) {
              const int a = int((w[k][q] >> (4u * i)) & 0x000F000Fu);
#ifdef PMADD
              const i16vec2 av = unpack16(a);
              t0[k] += int(av.x) * int(bv.x) + int(av.y) * int(bv.y);
#else
              t0[k] += (a & 0xFFFF) * ((bq << 16) >> 16) + (a >> 16) * (bq >> 16);
#endif
            }
          }
        }
        const float dx = xAt(ch);
        [[unroll]] for (uint k = 0u; k < RPI; ++k)
          s[k] = float(t0[k]) * dx;
      }
#elif defined(DOT)
      {
        // int8 x, four a word: word 2q + e holds x of codes 8q + e, 8q + e + 2, … (e = 0 even, 1 odd nibbles)
        const uint xl = floatBitsToUint(xAt(ch * 8u + lane));
        int t[RPI];
        [[unroll]] for (uint k = 0u; k < RPI; ++k) t[k] = 0;
        [[unroll]] for (uint q = 0u; q < 4u; ++q) {
          const uint xe = subgroupShuffle(xl, 2u * q), xo = subgroupShuffle(xl, 2u * q + 1u);
          [[unroll]] for (uint k = 0u; k < RPI; ++k)
            t[k] += suDot4x8(xe, w[k][q] & 0x0F0F0F0Fu, 0) + suDot4x8(xo, (w[k][q] >> 4u) & 0x0F0F0F0Fu, 0);
        }
        const float dx = xAt(ch);
        [[unroll]] for (uint k = 0u; k < RPI; ++k) s[k] = float(t[k]) * dx;
      }
#elif defined(PAIRT)
      [[unroll]] for (uint q = 0u; q < 16u; ++q) { // byte q of the chunk: columns ch·32 + 2q, +1
        const uint base = (ch * 16u + q) << 8u;
        [[unroll]] for (uint k = 0u; k < RPI; ++k)
          s[k] += texelFetch(pt, int(base | ((w[k][q >> 2u] >> (8u * (q & 3u))) & 255u))).r;
      }
#else
      [[unroll]] for (uint b = 0u; b < 32u; b += 8u) {
#ifndef NOX
        const float xl = xAt(ch * 32u + b + lane);
#endif
        [[unroll]] for (uint j = 0u; j < 8u; ++j) {
#ifdef NOX
          const float xb = 1.0;
#else
#ifdef XSHUF
          const float xb = subgroupShuffle(xl, j);
#elif defined(XUNI)
          const float xb = xAt(ch * 32u + b + j); // a subgroup-uniform address
#else
          const float xb = subgroupBroadcast(xl, j);
#endif
#endif
#ifdef LUTSH
          [[unroll]] for (uint k = 0u; k < RPI; ++k) {
            const uint c = (w[k][b >> 3u] >> (4u * j)) & 15u;
            const float lo = subgroupShuffle(tlo, c & 7u), hi = subgroupShuffle(thi, c & 7u);
            s[k] += ((c & 8u) != 0u ? hi : lo) * xb;
          }
#else
#ifdef SIGNX
          // code − 8 as the signed nibble of code ^ 8: a shift left and an arithmetic shift right
          [[unroll]] for (uint k = 0u; k < RPI; ++k)
            s[k] += float(int((w[k][b >> 3u] ^ 0x88888888u) << (28u - 4u * j)) >> 28) * xb;
#else
          [[unroll]] for (uint k = 0u; k < RPI; ++k)
            s[k] += float(int((w[k][b >> 3u] >> (4u * j)) & 15u) - 8) * xb;
#endif
#endif
        }
      }
#endif
      [[unroll]] for (uint k = 0u; k < RPI; ++k) acc[k] += unpackHalf2x16(sv[k][cc >> 1u])[cc & 1u] * s[k];
    }
  }
  [[unroll]] for (uint k = 0u; k < RPI; ++k) if (first + k < pc.rows) y[first + k] = acc[k];
}
#endif
