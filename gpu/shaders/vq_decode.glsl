// SPDX-License-Identifier: GPL-3.0-or-later
// Decoding of a "vq" tensor (core/methods/vq_tensor.h) from its storage layout: index bit-streams
// (main, residual, outlier; one code per (position, vector), position-major), the permutation,
// codebooks and per-column scale/bias as floats. Vector r of position p covers rows r·v … r·v+v−1
// of original column perm[p]; its value is c (+ r) (then · scale + bias), in core's order
// (vqDecodeVector) and without contraction into FMAs, so dequantization is bit-identical. The
// host orders the main and residual streams by vector row instead (rowStride ≠ 0, both layouts):
// code r·rowStride + p'; rowStride 0 (no main positions) leaves them position-major.

#include "vq_push.glsl"

layout(std430, binding = 0) readonly buffer Idx { uint idx[]; };
layout(std430, binding = 1) readonly buffer Vals { float vals[]; };

uint idxBits(uint base, uint i, uint bits)
{
    const uint bit = i * bits;
    const uint w = base + (bit >> 5), off = bit & 31u;
    uint x = idx[w] >> off;
    if (off + bits > 32u)
        x |= idx[w + 1u] << (32u - off);
    return x & ((1u << bits) - 1u);
}

uint columnAt(uint p) { return pc.permBase == NONE ? p : idx[pc.permBase + p]; }

/// Float offsets of the centroid (and residual, or NONE) of vector r at position p; `main` tells
/// whether the centroid comes from the main codebook (the one that may sit in shared memory).
void vectorOf(uint p, uint r, out uint c, out uint res, out bool main)
{
    if (p < pc.outlierCols) {
        c = pc.outCb + idxBits(pc.outBase, p * pc.R + r, pc.outBits) * pc.v;
        res = NONE;
        main = false;
        return;
    }
    const uint slot = pc.rowStride == 0u ? (p - pc.outlierCols) * pc.R + r : r * pc.rowStride + (p - pc.outlierCols);
    c = idxBits(pc.mainBase, slot, pc.mainBits) * pc.v; // relative to the main codebook
    res = pc.resBase == NONE ? NONE : pc.resCb + idxBits(pc.resBase, slot, pc.resBits) * pc.v;
    main = true;
}

float finish(float c, uint res, uint d, uint col)
{
    precise float y = c;
    if (res != NONE)
        y = y + vals[res + d];
    if (pc.scaleBase != NONE)
        y = y * vals[pc.scaleBase + col] + vals[pc.biasBase + col];
    return y;
}
