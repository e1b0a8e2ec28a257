// SPDX-License-Identifier: GPL-3.0-or-later
// The main codebook of the GPU VQ kernels (matvec_vq.comp, matmul_vq.comp) in shared memory when
// it fits: as fp16 pairs where every value is exact in fp16 (pc.sharedHalves: VPTQ's fp16
// codebooks, up to 8192 values; a centroid of 8 is one 16-byte read), else as floats
// (pc.sharedMain, up to 4096), else read from binding 1. Include after vq_decode.glsl, with WG,
// VN (floats a centroid is read as) and VLEN (4 or 8: centroids read as vec4; 0: any v) defined
// and binding 1 also declared as `vec4 vals4[]` (its codebooks start on whole vec4s).

#define SHARED_CB 4096u
shared uvec4 cb[SHARED_CB / 4u]; // 16 KiB

/// Copies the main codebook into shared memory (every invocation of the workgroup calls it).
void loadSharedCodebook(uint lid)
{
    if (pc.sharedHalves != 0u) { // sharedHalves ≤ 2·SHARED_CB, every value exact in fp16 (checked by the host)
        for (uint w = lid; w < (pc.sharedHalves + 1u) / 2u; w += WG) {
            const float hi = 2u * w + 1u < pc.sharedHalves ? vals[pc.mainCb + 2u * w + 1u] : 0.0;
            cb[w >> 2][w & 3u] = packHalf2x16(vec2(vals[pc.mainCb + 2u * w], hi));
        }
    } else {
        for (uint i = lid; i < pc.sharedMain; i += WG) // sharedMain ≤ SHARED_CB (checked by the host)
            cb[i >> 2][i & 3u] = floatBitsToUint(vals[pc.mainCb + i]);
    }
    barrier();
}

/// Value i of the main codebook (float i from its start).
float mainValue(uint i)
{
    if (pc.sharedHalves != 0u) {
        const uint w = i >> 1;
        const vec2 h = unpackHalf2x16(cb[w >> 2][w & 3u]);
        return (i & 1u) != 0u ? h.y : h.x;
    }
    if (pc.sharedMain != 0u)
        return uintBitsToFloat(cb[i >> 2][i & 3u]);
    return vals[pc.mainCb + i];
}

#if VLEN != 0
/// Values 4k … 4k + 3 of centroid `code` of the main codebook.
vec4 centroidPart(uint code, uint k)
{
    if (pc.sharedHalves != 0u) {
#if VLEN == 8
        const uvec4 q = cb[code];
        const uvec2 h = k == 0u ? q.xy : q.zw;
#else
        const uvec4 q = cb[code >> 1];
        const uvec2 h = (code & 1u) != 0u ? q.zw : q.xy;
#endif
        return vec4(unpackHalf2x16(h.x), unpackHalf2x16(h.y));
    }
    if (pc.sharedMain != 0u)
        return uintBitsToFloat(cb[code * (VN / 4u) + k]);
    return vals4[pc.mainCb / 4u + code * (VN / 4u) + k];
}

/// Values 4k … 4k + 3 of residual centroid `code`.
vec4 residualPart(uint code, uint k) { return vals4[pc.resCb / 4u + code * (VN / 4u) + k]; }
#endif

/// The GEMV/GEMM's input is vq_xprep's output (x·scale in position order, then the outliers' x,
/// then the bias term's partial sums; pc.xpStride floats a token): the host runs that pass where
/// the tensor has a permutation or a normalization.
bool xPrepared() { return pc.permBase != NONE || pc.scaleBase != NONE; }
