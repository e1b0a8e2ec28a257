// SPDX-License-Identifier: GPL-3.0-or-later
// Fused dequant × matrix for prompts of many tokens (the shared-tree layout): the tiled GEMM of
// gemm_tile.glsl, each piece of 8 weights decoded straight from the packed codes
// (packed_pieces.glsl, every decode path; TREE_LINEAR decodes INT and INT-asym codes without a
// table read). The host takes it only where groups do not straddle pieces (fastPieces() is every
// whole piece) and from kTiledGemmMinTokens tokens; matmul_packed.comp otherwise.
#version 450
#include "packed_decode.glsl"
#include "packed_pieces.glsl"

layout(std430, binding = 4) buffer Y { float y[]; };

void tileWeights(uint row, uint q, out vec4 a, out vec4 b) { decodePiece(row, q, a, b); }
float tileWeightAt(uint row, uint c) { return weightAt(row, c); }
void tileX(uint at, out vec4 a, out vec4 b) { xPiece(at, a, b); }

#include "gemm_tile.glsl"

void main() { gemmTile(pc.rows, pc.cols, pc.tokens, fastPieces(), pc.yOffset, pc.yStride); }
