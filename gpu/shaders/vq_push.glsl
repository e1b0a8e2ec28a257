// SPDX-License-Identifier: GPL-3.0-or-later
// The push constants of every vq kernel (VqPush, gpu/ops/vq_ops.h).
#extension GL_EXT_control_flow_attributes : require

#define NONE 0xFFFFFFFFu

layout(push_constant) uniform Push {
    uint rows;
    uint cols;
    uint v;           // vector length
    uint R;           // vectors per column, ceil(rows / v)
    uint outlierCols; // positions [0, outlierCols) use the outlier codebook
    uint mainBits;
    uint resBits;
    uint outBits;
    uint mainBase;    // index words (binding 0)
    uint resBase;     // NONE: no residual
    uint outBase;
    uint permBase;    // NONE: identity
    uint mainCb;      // codebook floats (binding 1)
    uint resCb;
    uint outCb;
    uint scaleBase;   // NONE: not normalized
    uint biasBase;
    uint yOffset;
    uint xOffset;
    uint sharedMain;  // matvec: floats of the main codebook copied to shared memory (0: read it from the buffer)
    // the streams by vector row (vq_decode.glsl), the x pass (vq_xprep.comp) and the CPU-device layout (matvec_vq_rows.comp)
    uint rowStride;   // main positions per vector row, padded to a multiple of 32 (0: position-major streams)
    uint cbStride;    // floats per centroid in the texel copies of the codebooks (v rounded up to 4)
    uint cbBase;      // the main codebook at cbStride (binding 1, a multiple of 4)
    uint rcbBase;     // the residual codebook at cbStride
    // GEMM (the prefill): tokens in this dispatch, floats between output rows of consecutive
    // tokens, and (row layout) floats between the tokens' position-ordered x in the xp buffer
    uint tokens;
    uint yStride;
    uint xpStride;
    // the GPU GEMV (matvec_vq.comp): values of the main codebook held in shared memory as fp16
    // pairs (0: not; the host sets it where every value is an fp16 normal or zero, so exactly)
    uint sharedHalves;
} pc;

