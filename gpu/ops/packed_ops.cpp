// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/ops/packed_ops.h"

#include "core/quant/bitstream.h"
#include "core/quant/packing_fp6.h"
#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/packed_rows.h"
#include "gpu/ops/recorder.h"
#include "gpu/pipeline/spirv_shared.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <span>
#include <string>

namespace lowbit::gpu {

namespace {

enum : std::uint32_t { kKindLut = 0, kKindTwoScale = 1, kKindIntAsym = 2, kKindNvfp4 = 3 };
constexpr std::uint32_t kNoScales2 = 0xFFFFFFFFu;
constexpr std::uint32_t kWorkgroup = 64;
constexpr std::uint32_t kTreeTokens = 8; ///< tokens per workgroup of matmul_packed (TT)

std::uint32_t kindOf(FastKind k)
{
    switch (k) {
    case FastKind::GridTwoScale: return kKindTwoScale;
    case FastKind::IntAsym: return kKindIntAsym;
    case FastKind::Nvfp4: return kKindNvfp4;
    default: return kKindLut;
    }
}

/// Whether the tree kernels' one-table decode fits a tensor (TreeForm::lut): one LUT or NVFP4
/// member, no zero points, selectors or second scales, and a tensor scale only where the member is
/// NVFP4's (the kernels multiply every piece's sum by push.tensorScale).
bool treeLutFits(const FastPlan &plan, const PackedPush &push)
{
    if (plan.members.size() != 1 || push.zpBits != 0 || push.selBits != 0 || push.scales2Base != kNoScales2)
        return false;
    const std::uint32_t kind = kindOf(plan.members[0].kind);
    return kind == kKindNvfp4 || (kind == kKindLut && push.tensorScale == 1.0f);
}

std::uint32_t scaleKindOf(FastScaleRound s)
{
    switch (s) {
    case FastScaleRound::F32: return kScaleF32;
    case FastScaleRound::F16: return kScaleF16;
    case FastScaleRound::BF16: return kScaleBf16;
    default: return kScaleByteLut;
    }
}

/// Mirrors byteScaleBits() in shaders/packed_decode.glsl.
std::uint32_t byteScaleBits(std::uint32_t kind, std::uint32_t raw)
{
    const std::uint32_t e8 = raw == 255u ? 0u : raw == 0u ? 0x00400000u : raw << 23;
    const std::uint32_t mag = raw & 0x7Fu, e = mag >> 3, m = mag & 7u;
    const std::uint32_t normal = ((e + 120u) << 23) | (m << 20);
    const std::uint32_t sub = std::bit_cast<std::uint32_t>(static_cast<float>(m) * 0.001953125f);
    const std::uint32_t e4 = ((raw & 0x80u) << 24) | (mag == 0x7Fu ? 0x7FC00000u : e == 0u ? sub : normal);
    return kind == kScaleE8m0 ? e8 : e4;
}

/// The scale kind of one-byte scales: E8M0 / E4M3 decoded by integer ops when that gives exactly
/// the CPU's value bits for every byte (NaN payloads included), else the table.
std::uint32_t byteScaleKind(FastScaleRound storage, std::span<const float> table)
{
    const std::uint32_t kind = storage == FastScaleRound::E8M0 ? kScaleE8m0 : storage == FastScaleRound::E4M3 ? kScaleE4m3 : kScaleByteLut;
    if (kind == kScaleByteLut)
        return kind;
    for (std::uint32_t b = 0; b < 256; ++b)
        if (byteScaleBits(kind, b) != std::bit_cast<std::uint32_t>(table[b]))
            return kScaleByteLut;
    return kind;
}

Error invalid(const std::string &what) { return makeError(ErrorCode::InvalidArgument, "packed tensor for the GPU: " + what); }

/// Every size and range the shaders rely on.
Status checkForDevice(const PackedTensor &p)
{
    if (p.rows < 0 || p.cols < 0 || p.rows > std::numeric_limits<std::int32_t>::max() || p.cols > std::numeric_limits<std::int32_t>::max())
        return invalid("shape " + std::to_string(p.rows) + " x " + std::to_string(p.cols) + " out of range");
    if (p.plan.members.empty())
        return invalid("no format members");
    if (p.plan.members.size() > 256)
        return makeError(ErrorCode::Unsupported, "packed tensor with " + std::to_string(p.plan.members.size()) + " members (at most 256)");
    if (p.codeBits < 1 || p.codeBits > 8)
        return invalid(std::to_string(p.codeBits) + "-bit codes");
    if (p.layout == CodeLayout::Fp6Planes) {
        if (p.codeBits != 6 || p.plan.members.size() != 1 || p.plan.members[0].fp6ExponentBits == 0 || p.rowWords != bitstreamWords(p.cols, 4)
            || p.rowWordsHi != bitstreamWords(p.cols, 2) || static_cast<std::int64_t>(p.codesHi.size()) != p.rows * p.rowWordsHi)
            return invalid("FP6 planes do not match the shape and format");
    } else if (p.rowWords != bitstreamWords(p.cols, p.codeBits) || !p.codesHi.empty()) {
        return invalid("row words do not match the shape");
    }
    if (static_cast<std::int64_t>(p.codes.size()) != p.rows * p.rowWords)
        return invalid("code array does not match the shape");
    const std::int64_t groups = p.groups();
    if (p.scaleBytes != scaleStorageBytes(p.plan.storage) || static_cast<std::int64_t>(p.scales.size()) != groups * p.scaleBytes
        || !(p.scales2.empty() || static_cast<std::int64_t>(p.scales2.size()) == groups * p.scaleBytes))
        return invalid("scale arrays do not match the groups");
    if (p.zeroPointBits > 16 || static_cast<std::int64_t>(p.zeroPoints.size()) != (p.zeroPointBits ? bitstreamWords(groups, p.zeroPointBits) : 0))
        return invalid("zero points do not match the groups");
    if (p.selectorBits > 8 || static_cast<std::int64_t>(p.selectors.size()) != (p.selectorBits ? bitstreamWords(groups, p.selectorBits) : 0))
        return invalid("selectors do not match the groups");
    if (p.selectorBits == 0 && p.plan.members.size() != 1)
        return invalid("a mixture without selectors");
    if (p.selectorBits)
        for (std::int64_t g = 0; g < groups; ++g)
            if (readBits(p.selectors.data(), g, p.selectorBits) >= p.plan.members.size())
                return invalid("selector of group " + std::to_string(g) + " out of range");
    return {};
}

/// FP6 planes hold minifloat bit patterns: the value table indexed by pattern (−0 reads as the
/// grid's 0, as core's unpacking does).
Result<std::array<float, 64>> fp6PatternTable(const FastMember &m)
{
    std::array<float, 64> t{};
    for (unsigned pat = 0; pat < 64; ++pat) {
        const float v = fp6ViaFp16(static_cast<std::uint8_t>(pat), m.fp6ExponentBits);
        bool found = false;
        for (unsigned c = 0; c <= m.maxCode && !found; ++c)
            if (m.table[c] == v) {
                t[pat] = m.table[c];
                found = true;
            }
        if (!found)
            return makeError(ErrorCode::Internal, "FP6 bit pattern " + std::to_string(pat) + " is not on the grid");
    }
    return t;
}

void appendBytes(std::vector<std::uint32_t> &words, const std::uint8_t *data, std::size_t n)
{
    const std::size_t at = words.size();
    words.resize(at + (n + 3) / 4, 0u);
    if (n)
        std::memcpy(words.data() + at, data, n);
}

std::uint32_t threadsPerRow(std::int64_t cols, std::uint32_t requested)
{
    if (requested)
        return std::clamp<std::uint32_t>(std::bit_floor(requested), 1, kWorkgroup);
    const auto pieces = static_cast<std::uint64_t>((cols + 7) / 8); // each invocation takes ≥ 8 pieces of 8 columns
    return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(std::bit_floor(std::max<std::uint64_t>(pieces / 8, 1)), 1, kWorkgroup));
}

void copyPlane(std::uint32_t *dst, const std::uint32_t *src, std::int64_t r0, std::int64_t n, std::uint32_t rowWords, bool tiled)
{
    const auto rows = static_cast<std::uint32_t>(n);
    const std::uint32_t tiledRows = tiled ? rows / 64u * 64u : 0u;
    std::memcpy(dst + static_cast<std::uint64_t>(tiledRows) * rowWords, src + (r0 + tiledRows) * rowWords,
                static_cast<std::size_t>(rows - tiledRows) * rowWords * 4);
    for (std::uint32_t r = 0; r < tiledRows; ++r)
        for (std::uint32_t i = 0; i < rowWords; i += 4)
            std::memcpy(dst + tiledCodeWord(r, i, rowWords, tiledRows), src + (r0 + r) * rowWords + i, 16);
}

} // namespace

std::uint64_t tiledCodeWord(std::uint32_t row, std::uint32_t i, std::uint32_t rowWords, std::uint32_t tiledRows)
{
    if (row >= tiledRows)
        return static_cast<std::uint64_t>(row) * rowWords + i;
    const std::uint64_t texel = ((static_cast<std::uint64_t>(row >> 6) * (rowWords >> 2) + (i >> 2)) << 6) | ((row & 7u) << 3) | ((row >> 3) & 7u);
    return (texel << 2) | (i & 3u);
}

PackedPush slicePush(const GpuPackedTensor &w, const GpuPackedSlice &s)
{
    PackedPush p = w.push;
    p.rows = s.rows;
    p.row0 = s.row0;
    p.hiBase = w.layout == CodeLayout::Fp6Planes ? s.rows * p.rowWords : 0u;
    p.tiledRows = w.tiled ? s.rows / 64u * 64u : 0u;
    return p;
}

ShaderId packedShader(PackedKernel kernel, unsigned codeBits, CodeLayout layout, TreeForm form)
{
    // per code width b1..b8 and the FP6 planes; the tree kernels' decodes: the table path, _lin
    // (no FP6 form: the table path stands in) and _lut
    using S = ShaderId;
    using Widths = std::array<S, 9>;
#define LOWBIT_WIDTHS(f, form)                                                                                                    \
    Widths { S::f##_b1##form, S::f##_b2##form, S::f##_b3##form, S::f##_b4##form, S::f##_b5##form, S::f##_b6##form, S::f##_b7##form, \
             S::f##_b8##form, S::f##_fp6##form }
#define LOWBIT_WIDTHS_LIN(f, form)                                                                                                \
    Widths { S::f##_b1_lin##form, S::f##_b2_lin##form, S::f##_b3_lin##form, S::f##_b4_lin##form, S::f##_b5_lin##form,             \
             S::f##_b6_lin##form, S::f##_b7_lin##form, S::f##_b8_lin##form, S::f##_fp6##form }
    static const Widths kDequant = LOWBIT_WIDTHS(dequant_packed, );
    // [decode: table, linear, lut][kernel: GEMV, GEMM][reduce: tree, subgroup]
    static const std::array<std::array<std::array<Widths, 2>, 2>, 3> kTree = {{
        {{{LOWBIT_WIDTHS(matvec_packed, ), LOWBIT_WIDTHS(matvec_packed, _sg)},
          {LOWBIT_WIDTHS(matmul_packed, ), LOWBIT_WIDTHS(matmul_packed, _sg)}}},
        {{{LOWBIT_WIDTHS_LIN(matvec_packed, ), LOWBIT_WIDTHS_LIN(matvec_packed, _sg)},
          {LOWBIT_WIDTHS_LIN(matmul_packed, ), LOWBIT_WIDTHS_LIN(matmul_packed, _sg)}}},
        {{{LOWBIT_WIDTHS(matvec_packed, _lut), LOWBIT_WIDTHS(matvec_packed, _lut_sg)},
          {LOWBIT_WIDTHS(matmul_packed, _lut), LOWBIT_WIDTHS(matmul_packed, _lut_sg)}}},
    }};
    // the GEMV one piece at a time (subgroup sums only)
    static const std::array<Widths, 3> kSgA1 = {
        LOWBIT_WIDTHS(matvec_packed, _sg_a1), LOWBIT_WIDTHS_LIN(matvec_packed, _sg_a1), LOWBIT_WIDTHS(matvec_packed, _lut_sg_a1)};
    static const std::array<Widths, 3> kTiled = {
        LOWBIT_WIDTHS(matmul_packed_tiled, ), LOWBIT_WIDTHS_LIN(matmul_packed_tiled, ), LOWBIT_WIDTHS(matmul_packed_tiled, _lut)};
#undef LOWBIT_WIDTHS
#undef LOWBIT_WIDTHS_LIN
    const bool fp6 = layout == CodeLayout::Fp6Planes;
    const std::size_t v = fp6 ? 8 : std::clamp<std::size_t>(codeBits, 1, 8) - 1;
    const std::size_t d = form.linear && !fp6 ? 1 : form.lut ? 2 : 0;
    switch (kernel) {
    case PackedKernel::Dequant:
        return kDequant[v];
    case PackedKernel::MatmulTiled:
        return kTiled[d][v];
    case PackedKernel::Matvec:
        if (form.subgroupReduce && !form.loadAhead)
            return kSgA1[d][v];
        return kTree[d][0][form.subgroupReduce ? 1 : 0][v];
    case PackedKernel::Matmul:
        return kTree[d][1][form.subgroupReduce ? 1 : 0][v];
    }
    return kDequant[v];
}

bool rowKernelsRun(const DeviceInfo &device)
{
    // they broadcast and shuffle within subgroups of exactly 8 lanes (lavapipe/llvmpipe's 256-bit
    // default) and read their bulk data as texels (a view must cover any storage buffer)
    return device.subgroupSize == 8 && device.subgroupBallot && device.subgroupShuffle &&
           static_cast<std::uint64_t>(device.maxTexelBufferElements) * 16 >= device.maxStorageBufferRange;
}

bool rowLayoutDevice(const DeviceInfo &device) { return device.type == "cpu" && rowKernelsRun(device); }

RowsDecode rowsDecodeFor(const FastPlan &plan, CodeLayout layout, PackedPush &push)
{
    float &lin0 = push.lin0;
    lin0 = 0.0f;
    // ≤ 4 members of 3- or 4-bit tables (a mixture, or AFPQ grids): from registers
    const bool tables = layout == CodeLayout::Dense && (push.codeBits == 3 || push.codeBits == 4) && plan.members.size() <= 4;
    const auto all = [&](std::uint32_t kind) {
        return std::all_of(plan.members.begin(), plan.members.end(), [&](const FastMember &m) { return kindOf(m.kind) == kind; });
    };
    if (tables && plan.members.size() == 1 && all(kKindTwoScale))
        return RowsDecode::TablesTwoScale;
    if (plan.members.size() != 1) {
        if (!tables || !all(kKindLut))
            return RowsDecode::Generic;
        return insertedTables(plan, push.codeBits, push) ? RowsDecode::TablesInserted : RowsDecode::Tables;
    }
    const FastMember &m = plan.members[0];
    // a table of ≤ 16 values is read from registers (subgroup shuffles), cheaper than decoding a
    // minifloat by integer ops
    const bool laneTable = layout == CodeLayout::Dense && push.codeBits <= 4;
    switch (kindOf(m.kind)) {
    case kKindIntAsym: {
        // the linear path reads a block's zero points in the 128 bits its scales take
        const unsigned scaleBits = push.scaleKind >= kScaleByteLut ? 8u : push.scaleKind == kScaleF32 ? 32u : 16u;
        return layout == CodeLayout::Dense && push.zpBits <= scaleBits ? RowsDecode::Linear : RowsDecode::Generic;
    }
    case kKindNvfp4: return layout == CodeLayout::Dense && !laneTable && minifloatGrid(m, push) ? RowsDecode::Minifloat : RowsDecode::Lut;
    case kKindTwoScale: return RowsDecode::Generic;
    default: break;
    }
    if (layout == CodeLayout::Dense) {
        // linear when table[c] == c + t0 exactly for every code (then float(c) + t0 is exact too)
        const float t0 = m.table[0];
        bool linear = std::isfinite(t0) && t0 == std::trunc(t0) && std::fabs(t0) < 65536.0f;
        for (unsigned c = 0; c <= m.maxCode && linear; ++c)
            linear = static_cast<double>(m.table[c]) == static_cast<double>(c) + static_cast<double>(t0);
        if (linear) {
            lin0 = t0;
            return RowsDecode::Linear;
        }
    }
    return layout == CodeLayout::Dense && !laneTable && minifloatGrid(m, push) ? RowsDecode::Minifloat : RowsDecode::Lut;
}

bool insertedTables(const FastPlan &plan, unsigned codeBits, PackedPush &push)
{
    push.insertPos = 0;
    if ((codeBits != 3 && codeBits != 4) || plan.members.empty() || plan.members.size() > 4)
        return false;
    const unsigned n = 1u << codeBits;
    for (const FastMember &m : plan.members)
        if (m.maxCode != n - 1)
            return false;
    const auto bits = [](float v) { return std::bit_cast<std::uint32_t>(v); };
    // the table without code p
    const auto without = [&](const FastMember &m, unsigned p) {
        std::array<std::uint32_t, 16> b{};
        for (unsigned c = 0, i = 0; c < n; ++c)
            if (c != p)
                b[i++] = bits(m.table[c]);
        return b;
    };
    for (unsigned p0 = 0; p0 < n; ++p0) {
        const auto base = without(plan.members[0], p0);
        std::uint32_t pos = 0;
        bool all = true;
        for (std::size_t m = 0; m < plan.members.size() && all; ++m) {
            bool found = false;
            for (unsigned p = 0; p < n && !found; ++p)
                if (without(plan.members[m], p) == base) {
                    pos |= p << (4 * m);
                    found = true;
                }
            all = found;
        }
        if (all) {
            push.insertPos = pos;
            return true;
        }
    }
    return false;
}

bool minifloatGrid(const FastMember &m, PackedPush &push)
{
    const unsigned zero = m.zeroCode;
    if (zero + 1 > m.maxCode || m.table[zero] != 0.0f)
        return false;
    const float unit = m.table[zero + 1];
    if (!(unit > 0.0f) || !std::isfinite(unit))
        return false;
    for (unsigned mant = 0; mant <= 7; ++mant) {
        bool ok = true;
        for (unsigned c = 0; c <= m.maxCode && ok; ++c) {
            const int d = static_cast<int>(c) - static_cast<int>(zero);
            const unsigned i = static_cast<unsigned>(std::abs(d)), e = i >> mant, f = i & ((1u << mant) - 1u);
            // the shader's integer (f | 2^mant) << (e − 1) must be exact in fp32: below 2^24
            const double mag = e == 0 ? double(f) : std::ldexp(double(f | (1u << mant)), static_cast<int>(e) - 1);
            ok = mag < 16777216.0 && static_cast<double>(m.table[c]) == (d < 0 ? -mag : mag) * static_cast<double>(unit);
        }
        if (ok) {
            push.mfMant = mant;
            push.mfZero = zero;
            push.mfUnit = unit;
            return true;
        }
    }
    return false;
}

Result<GpuPackedTensor> uploadPacked(Arena &arena, const PackedTensor &p, const PackedUploadOptions &options)
{
    LOWBIT_CHECK(checkForDevice(p));
    GpuPackedTensor t;
    t.rows = p.rows;
    t.cols = p.cols;
    t.codeBits = p.codeBits;
    t.layout = p.layout;

    // meta: raw scales | second scales | zero points | selectors | member kinds (word aligned)
    std::vector<std::uint32_t> meta;
    PackedPush &push = t.push;
    push.scaleKind = scaleKindOf(p.plan.storage);
    push.scalesBase = 0;
    appendBytes(meta, p.scales.data(), p.scales.size());
    push.scales2Base = kNoScales2;
    if (!p.scales2.empty()) {
        push.scales2Base = static_cast<std::uint32_t>(meta.size());
        appendBytes(meta, p.scales2.data(), p.scales2.size());
    }
    push.zpBits = p.zeroPointBits;
    meta.resize((meta.size() + 3) / 4 * 4, 0u); // uvec4-aligned: matvec_rows loads zero points 128 bits at a time
    push.zpBase = static_cast<std::uint32_t>(meta.size());
    meta.insert(meta.end(), p.zeroPoints.begin(), p.zeroPoints.end());
    meta.push_back(0u); // a k-bit read may touch the word after the last value
    push.selBits = p.selectorBits;
    push.selBase = static_cast<std::uint32_t>(meta.size());
    meta.insert(meta.end(), p.selectors.begin(), p.selectors.end());
    meta.push_back(0u);
    push.kindsBase = static_cast<std::uint32_t>(meta.size());
    for (const FastMember &m : p.plan.members)
        meta.push_back(kindOf(m.kind));
    // matvec_rows reads a stream's values as the two uvec4s (texels) that hold them
    meta.resize((meta.size() + 8 + 3) / 4 * 4, 0u);

    // tables: 256 values per member (FP6 planes: indexed by bit pattern), then the 1-byte scale table
    const std::size_t members = p.plan.members.size();
    std::vector<float> tables(members * 256 + 256, 0.0f);
    if (p.layout == CodeLayout::Fp6Planes) {
        LOWBIT_TRY(const auto pat, fp6PatternTable(p.plan.members[0]));
        std::copy(pat.begin(), pat.end(), tables.begin());
    } else {
        for (std::size_t m = 0; m < members; ++m)
            std::copy(p.plan.members[m].table.begin(), p.plan.members[m].table.end(), tables.begin() + static_cast<std::ptrdiff_t>(m * 256));
    }
    push.scaleLutBase = static_cast<std::uint32_t>(members * 256);
    push.members = static_cast<std::uint32_t>(members);
    if (push.scaleKind == kScaleByteLut) {
        for (unsigned b = 0; b < 256; ++b) {
            const auto byte = static_cast<std::uint8_t>(b);
            tables[members * 256 + b] = decodeScale(&byte, p.plan.storage);
        }
        // E8M0 / E4M3 by integer ops where they give the table's bits for every byte (the table
        // is still uploaded: 1 KiB, read only when the formula differs)
        push.scaleKind = byteScaleKind(p.plan.storage, std::span<const float>(tables).subspan(members * 256, 256));
    }

    const bool perTensor = p.plan.groupSize < 0;
    const std::int64_t groupCols = p.plan.groupSize > 0 ? p.plan.groupSize : std::max<std::int64_t>(p.cols, 1);
    push.cols = static_cast<std::uint32_t>(p.cols);
    push.rowWords = static_cast<std::uint32_t>(p.rowWords);
    push.rowWordsHi = static_cast<std::uint32_t>(p.rowWordsHi);
    push.codeBits = p.codeBits;
    push.groupSize = static_cast<std::uint32_t>(groupCols);
    push.groupsPerRow = perTensor ? 0u : static_cast<std::uint32_t>((p.cols + groupCols - 1) / groupCols);
    push.tensorScale = p.hasTensorScale ? p.tensorScale : 1.0f;
    push.tpr = threadsPerRow(p.cols, options.threadsPerRow);
    // the row kernels broadcast within subgroups of exactly 8 lanes (lavapipe/llvmpipe's 256-bit default)
    const DeviceInfo &dev = arena.context().info();
    // — for tensors of ≥ 64 Ki weights: GQA's K and V projections of 256 × 2048 took the tree until
    // 2026-12-03, and the TinyLlama-width model decoded at 40–64 tok/s with them there against
    // 70–101 on rows. Below that a dispatch costs more than its work and the rows dispatches cost
    // more (stories260K, ≤ 32 Ki weights a tensor, all on rows: decode 106–110 tok/s against
    // 234 on the tree, prefill 395–413 against 1668–1705: its three-token GEMM is 22 dispatches
    // for 64 tokens where the tree's is one).
    const bool bigEnough = static_cast<std::uint64_t>(p.rows) * static_cast<std::uint64_t>(p.cols) >= kRowsMinWeights;
    t.matvec = options.matvec.value_or(rowLayoutDevice(dev) && bigEnough ? MatvecLayout::Rows : MatvecLayout::SharedTree);
    if (!rowKernelsRun(dev))
        t.matvec = MatvecLayout::SharedTree;
    t.rowsDecode = rowsDecodeFor(p.plan, p.layout, push);
    const bool intAsym = p.plan.members.size() == 1 && kindOf(p.plan.members[0].kind) == kKindIntAsym;
    t.tree.linear = options.treeLinear && p.layout == CodeLayout::Dense && (t.rowsDecode == RowsDecode::Linear || intAsym);
    t.tree.lut = !t.tree.linear && options.treeLut && treeLutFits(p.plan, push);
    t.tree.subgroupReduce = options.subgroupReduce.value_or(true) && dev.subgroupShuffle;
    t.tree.loadAhead = options.treeAhead.value_or(dev.type != "cpu");
    // (the tiled GEMM holds 24 KiB of tiles in workgroup memory; a device with less keeps the slots')
    t.tree.tiledGemm = options.treeTiledGemm && sharedMemoryFits(ShaderId::matmul_packed_tiled_b4, dev);
    // (whole pieces only: the integer GEMV has no weight-by-weight tail)
    const bool wholePieces = p.cols % 8 == 0 && (push.groupsPerRow <= 1 || push.groupSize % 8 == 0);
    t.tree.int8Dot = t.tree.linear && t.tree.subgroupReduce && p.codeBits >= 2 && p.codeBits <= 4 && wholePieces && dev.integerDotProduct
                     && options.treeInt8.value_or(dev.integerDot4x8Accelerated);
    t.specialized = options.specialize
                    && (t.matvec == MatvecLayout::Rows || options.specializeTree.value_or(dev.type != "cpu"));
    t.tiled = options.tileRows && t.matvec == MatvecLayout::Rows && p.rowWords % 4 == 0 && p.rowWordsHi % 4 == 0;

    // row slices within the storage-buffer range
    const std::uint64_t limit = options.maxSliceBytes ? options.maxSliceBytes : arena.maxBufferBytes();
    const std::uint64_t rowBytes = 4 * static_cast<std::uint64_t>(p.rowWords + p.rowWordsHi);
    if (meta.size() * 4 > arena.maxBufferBytes() || (rowBytes > limit))
        return invalid("a row or the scales of " + std::to_string(p.rows) + " x " + std::to_string(p.cols)
                       + " do not fit one storage buffer of this device");
    LOWBIT_TRY(t.meta, arena.upload(std::span<const std::uint32_t>(meta)));
    LOWBIT_TRY(t.tables, arena.upload(std::span<const float>(tables)));
    t.deviceBytes = meta.size() * 4 + tables.size() * 4;
    const std::int64_t rowsPerSlice = std::max<std::int64_t>(1, static_cast<std::int64_t>(limit / std::max<std::uint64_t>(rowBytes, 1)));
    for (std::int64_t r0 = 0; r0 < p.rows; r0 += rowsPerSlice) {
        const std::int64_t n = std::min(rowsPerSlice, p.rows - r0);
        const auto lo = static_cast<std::size_t>(n * p.rowWords), hi = static_cast<std::size_t>(n * p.rowWordsHi);
        // whole texels, and two more: matvec_rows reads a chunk's words as the three texels that hold them
        LOWBIT_TRY(Buffer * b, arena.allocate(((lo + hi + 3) / 4 + 2) * 16));
        // straight into the mapping, or through a host copy where the arena stages its uploads
        std::vector<std::uint32_t> staged(b->mapped ? 0 : lo + hi);
        std::uint32_t *words = b->mapped ? b->as<std::uint32_t>().data() : staged.data();
        copyPlane(words, p.codes.data(), r0, n, static_cast<std::uint32_t>(p.rowWords), t.tiled);
        if (hi)
            copyPlane(words + lo, p.codesHi.data(), r0, n, static_cast<std::uint32_t>(p.rowWordsHi), t.tiled);
        if (!b->mapped)
            LOWBIT_CHECK(arena.write(*b, 0, std::as_bytes(std::span<const std::uint32_t>(staged))));
        t.slices.push_back({b, static_cast<std::uint32_t>(r0), static_cast<std::uint32_t>(n)});
        t.deviceBytes += b->size;
    }
    return t;
}

Specialization packedSpecialization(const GpuPackedTensor &w, const PackedPush &p)
{
    Specialization s;
    // (the group size only for the tree layout's tensors, whose kernels divide by it per piece: a
    // row kernel's pipeline does not depend on it, so one serves every group size)
    if (w.specialized)
        s.values = {p.scaleKind, p.zpBits, p.selBits, w.matvec == MatvecLayout::SharedTree ? p.groupSize : Specialization::kAny};
    return s;
}

Status recordDequantPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &out, std::uint32_t yOffset)
{
    if (out.size < (yOffset + static_cast<std::uint64_t>(w.rows) * static_cast<std::uint64_t>(w.cols)) * 4)
        return makeError(ErrorCode::Internal, "dequant output buffer too small");
    const ShaderId id = packedShader(PackedKernel::Dequant, w.codeBits, w.layout);
    const std::uint64_t chunks = (static_cast<std::uint64_t>(w.cols) + 31) / 32;
    for (const GpuPackedSlice &s : w.slices) {
        PackedPush p = slicePush(w, s);
        p.mode = 0;
        p.yOffset = yOffset + s.row0 * p.cols;
        LOWBIT_CHECK(rec.dispatch(id, {s.codes, w.meta, w.tables, w.meta, &out}, p, gridFor((s.rows * chunks + kWorkgroup - 1) / kWorkgroup), packedSpecialization(w, p)));
    }
    return {};
}

Status recordDequantRowsPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &ids, std::uint32_t n, const Buffer &out)
{
    if (out.size < static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(w.cols) * 4 || ids.size < std::uint64_t(n) * 4)
        return makeError(ErrorCode::Internal, "dequant-rows buffers too small");
    if (n == 0)
        return {};
    const ShaderId id = packedShader(PackedKernel::Dequant, w.codeBits, w.layout);
    const std::uint64_t chunks = (static_cast<std::uint64_t>(w.cols) + 31) / 32;
    for (const GpuPackedSlice &s : w.slices) {
        PackedPush p = slicePush(w, s);
        p.mode = 1;
        p.tokens = n;
        p.yOffset = 0;
        p.yStride = p.cols;
        LOWBIT_CHECK(rec.dispatch(id, {s.codes, w.meta, w.tables, &ids, &out}, p, gridFor((n * chunks + kWorkgroup - 1) / kWorkgroup), packedSpecialization(w, p)));
    }
    return {};
}

Status recordMatvecPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y, std::uint32_t yOffset)
{
    if (x.size < static_cast<std::uint64_t>(w.cols) * 4 || y.size < (yOffset + static_cast<std::uint64_t>(w.rows)) * 4)
        return makeError(ErrorCode::Internal, "matvec buffers too small");
    if (w.matvec == MatvecLayout::Rows)
        return recordRowsMatvec(rec, w, x, 0, y, yOffset);
    const ShaderId id = packedShader(PackedKernel::Matvec, w.codeBits, w.layout, w.tree);
    for (const GpuPackedSlice &s : w.slices) {
        PackedPush p = slicePush(w, s);
        p.yOffset = yOffset + s.row0;
        const std::uint32_t rowsPerGroup = kWorkgroup / p.tpr * kTreeRows;
        LOWBIT_CHECK(rec.dispatch(id, {s.codes, w.meta, w.tables, &x, &y}, p, gridFor((s.rows + rowsPerGroup - 1) / rowsPerGroup), packedSpecialization(w, p)));
    }
    return {};
}

Status recordMatmulPacked(Recorder &rec, const GpuPackedTensor &w, const Buffer &x, const Buffer &y, std::uint32_t tokens,
                          std::uint32_t yOffset, std::uint32_t yStride)
{
    if (tokens == 0)
        return {};
    if (yStride < w.rows)
        return makeError(ErrorCode::Internal, "packed matmul: output stride smaller than the row count");
    if (x.size < static_cast<std::uint64_t>(tokens) * static_cast<std::uint64_t>(w.cols) * 4
        || y.size < (yOffset + static_cast<std::uint64_t>(tokens - 1) * yStride + static_cast<std::uint64_t>(w.rows)) * 4)
        return makeError(ErrorCode::Internal, "packed matmul buffers too small");
    if (w.matvec == MatvecLayout::Rows && rowsXAligned(rec, w, x, tokens))
        return recordRowsMatmul(rec, w, x, y, tokens, yOffset, yStride);
    // the tiled GEMM for prompts where groups do not straddle pieces, else the slots' GEMM
    const bool tiled = w.tree.tiledGemm && tokens >= kTiledGemmMinTokens && (w.push.groupsPerRow <= 1 || w.push.groupSize % 8 == 0);
    const ShaderId id = packedShader(tiled ? PackedKernel::MatmulTiled : PackedKernel::Matmul, w.codeBits, w.layout, w.tree);
    for (const GpuPackedSlice &s : w.slices) {
        PackedPush p = slicePush(w, s);
        p.tokens = tokens;
        p.yOffset = yOffset + s.row0;
        p.yStride = yStride;
        const std::uint32_t rowsPerGroup = tiled ? kTiledRows : kWorkgroup / p.tpr * kTreeRows;
        const std::uint64_t tokenTiles = tiled ? (tokens + kTiledTokens - 1) / kTiledTokens : (tokens + kTreeTokens - 1) / kTreeTokens;
        LOWBIT_CHECK(rec.dispatch(id, {s.codes, w.meta, w.tables, &x, &y}, p, gridFor((s.rows + rowsPerGroup - 1) / rowsPerGroup * tokenTiles), packedSpecialization(w, p)));
    }
    return {};
}

} // namespace lowbit::gpu
