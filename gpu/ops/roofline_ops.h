// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The achievable-bandwidth reference for the fused kernels (bench_gpu): a shader that only reads
/// a buffer with the fused GEMV's access pattern and reduces what it read.

#include "core/util/result.h"
#include "gpu/pipeline/shader_registry.h"

#include <cstdint>

namespace lowbit::gpu {

class Recorder;
struct Buffer;

struct RooflinePush {
    std::uint32_t rows;       ///< rows of `rowWords` words
    std::uint32_t rowWords;
    std::uint32_t chunkWords; ///< consecutive words one invocation reads at a time
    std::uint32_t tpr;        ///< invocations per row (power of two ≤ 64)
};
static_assert(sizeof(RooflinePush) == shaderInfo(ShaderId::bandwidth_reduce).pushBytes, "roofline push constants drifted");

/// dst[r] = Σ src[r·rowWords + i] (uint, wrapping) for r < rows.
Status recordBandwidthReduce(Recorder &rec, const Buffer &src, const Buffer &dst, const RooflinePush &p);

/// How recordBandwidthReduceRows reads its source: uvec4 loads from a storage buffer, or the
/// buffer's RGBA32UI view as a uniform texel buffer (texelFetch) or a storage texel buffer (imageLoad).
enum class RowsRead { Storage, Texels, Image };

/// The same sums read as one invocation per row with uvec4 loads (the CPU-device GEMV layout);
/// rowWords must be a multiple of 4. Through the texel view, Unsupported when src has none or it
/// does not cover the rows.
Status recordBandwidthReduceRows(Recorder &rec, const Buffer &src, const Buffer &dst, std::uint32_t rows, std::uint32_t rowWords,
                                 RowsRead read = RowsRead::Storage);

} // namespace lowbit::gpu
