// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Packed low-bit weights on the device: the code words exactly as core's PackedTensor stores
/// them, per-group parameters (scales decoded from their storage precision, zero points and
/// mixture selectors unpacked) and per-member value tables; dequant and fused dequant × vector.

#include "core/quant/packed_tensor.h"
#include "core/util/result.h"
#include "gpu/pipeline/shader_registry.h"

#include <cstdint>

namespace lowbit::gpu {

class Arena;
class Recorder;
struct Buffer;

struct PackedPush {
    std::uint32_t rows, cols, rowWords, codeBits, groupSize, groupsPerRow;
    float tensorScale;
    std::uint32_t pad = 0;
};
static_assert(sizeof(PackedPush) == shaderInfo(ShaderId::dequant_packed_f32).pushBytes, "packed push constants drifted");
static_assert(sizeof(PackedPush) == shaderInfo(ShaderId::matvec_packed_f32).pushBytes, "packed push constants drifted");

struct GpuPackedTensor {
    Buffer *codes = nullptr, *groups = nullptr, *tables = nullptr, *kinds = nullptr;
    PackedPush push{};
};

/// Uploads a PackedTensor. Errors: Unsupported for the FP6 4+2 plane layout (its kernel comes
/// next) and for more than 256 mixture members; device memory errors.
Result<GpuPackedTensor> uploadPacked(Arena &arena, const PackedTensor &p);

/// out[rows·cols] = dequant(W).
Status recordDequantPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &out);
/// y[rows] = dequant(W) · x[cols].
Status recordMatvecPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y);

} // namespace lowbit::gpu
