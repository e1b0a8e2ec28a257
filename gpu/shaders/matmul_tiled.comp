// SPDX-License-Identifier: GPL-3.0-or-later
// Y[yOffset + t·yStride + r] = Σ_c W[r, c] · X[t, c] with fp32 weights, for prompts of many tokens
// on GPUs: the tiled GEMM of gemm_tile.glsl (matmul.comp reads x once per row).
#version 450

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    uint tokens;
    uint yOffset;
    uint yStride;
} pc;

layout(std430, binding = 0) readonly buffer W { float w[]; };
layout(std430, binding = 0) readonly buffer W4 { vec4 w4[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer X4 { vec4 x4[]; };
layout(std430, binding = 2) buffer Y { float y[]; };

/// 8 floats from `at` of a buffer: by vec4 reads where rows are whole vec4s (then so is every piece).
#define EIGHT(buf, buf4, at, a, b)                                                                   \
    if (pc.cols % 4u == 0u) {                                                                        \
        a = buf4[(at) / 4u];                                                                         \
        b = buf4[(at) / 4u + 1u];                                                                    \
    } else {                                                                                         \
        a = vec4(buf[(at)], buf[(at) + 1u], buf[(at) + 2u], buf[(at) + 3u]);                         \
        b = vec4(buf[(at) + 4u], buf[(at) + 5u], buf[(at) + 6u], buf[(at) + 7u]);                    \
    }

void tileWeights(uint row, uint q, out vec4 a, out vec4 b) { EIGHT(w, w4, row * pc.cols + q * 8u, a, b) }
float tileWeightAt(uint row, uint c) { return w[row * pc.cols + c]; }
void tileX(uint at, out vec4 a, out vec4 b) { EIGHT(x, x4, at, a, b) }

#include "gemm_tile.glsl"

void main() { gemmTile(pc.rows, pc.cols, pc.tokens, pc.cols / 8u, pc.yOffset, pc.yStride); }
