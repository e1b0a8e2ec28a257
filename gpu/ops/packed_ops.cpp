// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/packed_ops.h"

#include "core/quant/bitstream.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/recorder.h"

#include <vector>

namespace lowbit::gpu {

namespace {
struct GroupParams {
    float s1, s2;
    std::uint32_t member, pad;
};
static_assert(sizeof(GroupParams) == 16, "mirrors GroupParams in packed_decode.glsl");

enum : std::uint32_t { kKindLut = 0, kKindTwoScale = 1, kKindIntAsym = 2, kKindNvfp4 = 3 };

std::uint32_t kindOf(FastKind k)
{
    switch (k) {
    case FastKind::GridTwoScale: return kKindTwoScale;
    case FastKind::IntAsym: return kKindIntAsym;
    case FastKind::Nvfp4: return kKindNvfp4;
    default: return kKindLut;
    }
}
} // namespace

Result<GpuPackedTensor> uploadPacked(Arena &arena, const PackedTensor &p)
{
    if (p.layout != CodeLayout::Dense)
        return makeError(ErrorCode::Unsupported, "the FP6 4+2 plane layout has no Vulkan kernel yet");
    if (p.plan.members.empty() || p.plan.members.size() > 256)
        return makeError(ErrorCode::Unsupported, "packed tensor with " + std::to_string(p.plan.members.size()) + " members");
    const std::int64_t groups = p.groups();
    std::vector<GroupParams> params(static_cast<std::size_t>(groups));
    for (std::int64_t g = 0; g < groups; ++g) {
        GroupParams &gp = params[static_cast<std::size_t>(g)];
        gp.s1 = decodeScale(p.scales.data() + g * p.scaleBytes, p.plan.storage);
        if (!p.scales2.empty())
            gp.s2 = decodeScale(p.scales2.data() + g * p.scaleBytes, p.plan.storage);
        if (p.zeroPointBits)
            gp.s2 = static_cast<float>(readBits(p.zeroPoints.data(), g, p.zeroPointBits));
        gp.member = p.selectorBits ? readBits(p.selectors.data(), g, p.selectorBits) : 0u;
        gp.pad = 0;
    }
    std::vector<float> tables(p.plan.members.size() * 256, 0.0f);
    std::vector<std::uint32_t> kinds;
    for (std::size_t m = 0; m < p.plan.members.size(); ++m) {
        std::copy(p.plan.members[m].table.begin(), p.plan.members[m].table.end(), tables.begin() + static_cast<std::ptrdiff_t>(m * 256));
        kinds.push_back(kindOf(p.plan.members[m].kind));
    }
    GpuPackedTensor t;
    LOWBIT_TRY(t.codes, arena.upload(std::span<const std::uint32_t>(p.codes)));
    LOWBIT_TRY(t.groups, arena.upload(std::span<const GroupParams>(params)));
    LOWBIT_TRY(t.tables, arena.upload(std::span<const float>(tables)));
    LOWBIT_TRY(t.kinds, arena.upload(std::span<const std::uint32_t>(kinds)));
    const bool perTensor = p.plan.groupSize < 0;
    const std::int64_t groupCols = p.plan.groupSize > 0 ? p.plan.groupSize : p.cols;
    t.push = PackedPush{static_cast<std::uint32_t>(p.rows),
                        static_cast<std::uint32_t>(p.cols),
                        static_cast<std::uint32_t>(p.rowWords),
                        p.codeBits,
                        static_cast<std::uint32_t>(groupCols),
                        perTensor ? 0u : static_cast<std::uint32_t>((p.cols + groupCols - 1) / groupCols),
                        p.hasTensorScale ? p.tensorScale : 1.0f,
                        0u};
    return t;
}

Status recordDequantPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &out)
{
    const std::uint64_t n = std::uint64_t(w.push.rows) * w.push.cols;
    if (out.size < n * 4)
        return makeError(ErrorCode::Internal, "dequant output buffer too small");
    return rec.dispatch(ShaderId::dequant_packed_f32, {w.codes, w.groups, w.tables, w.kinds, &out}, w.push, gridFor((n + 255) / 256));
}

Status recordMatvecPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y)
{
    if (x.size < std::uint64_t(w.push.cols) * 4 || y.size < std::uint64_t(w.push.rows) * 4)
        return makeError(ErrorCode::Internal, "matvec buffers too small");
    return rec.dispatch(ShaderId::matvec_packed_f32, {w.codes, w.groups, w.tables, w.kinds, &x, &y}, w.push, gridFor(w.push.rows));
}

} // namespace lowbit::gpu
