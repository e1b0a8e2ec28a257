// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/fast_quantize.h"

#include "core/dtypes/scalar_convert.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <string>

namespace lowbit {

namespace {

struct Params {
    float s1 = 0.0f; ///< scale (s_pos for AFPQ, the effective 2^e for MX, the E4M3 scale for NVFP4)
    float s2 = 0.0f; ///< AFPQ s_neg, INT-asym zero point
};

inline float clipped(float v, float clip) { return clip == 1.0f ? v : v * clip; }

/// Member-independent statistics of a group, computed once (NaN ignored).
struct GroupStats {
    float mn = 0.0f, mx = 0.0f, absMax = 0.0f;
    bool any = false; ///< at least one number
};

GroupStats groupStats(const float *x, std::int64_t n)
{
    GroupStats st;
    simd::minMax(x, n, st.mn, st.mx);
    st.any = st.mx >= st.mn;
    st.absMax = st.any ? std::max(std::fabs(st.mn), std::fabs(st.mx)) : 0.0f; // = max |x| exactly
    return st;
}

Params chooseParams(const FastMember &m, const FastPlan &plan, const float *x, std::int64_t n, float tensorScale, const GroupStats &st)
{
    Params p;
    switch (m.kind) {
    case FastKind::IntSym:
    case FastKind::Grid: {
        const float am = clipped(st.absMax, plan.clip);
        p.s1 = roundScaleToStorage(am / m.qmax, plan.storage);
        break;
    }
    case FastKind::IntAsym: {
        if (!st.any) // no number in the group
            return p;
        const float mn = clipped(st.mn, plan.clip);
        const float mx = clipped(st.mx, plan.clip);
        p.s1 = roundScaleToStorage((mx - mn) / m.qmax, plan.storage);
        if (p.s1 == 0.0f)
            p.s1 = 0.0f; // +0 whatever the signs of zero at the extremes
        if (p.s1 > 0.0f && std::isfinite(p.s1)) {
            float z = std::round(-mn / p.s1);
            z = z < 0.0f ? 0.0f : (z > m.qmax ? m.qmax : z);
            p.s2 = std::isnan(z) || z == 0.0f ? 0.0f : z; // an integer, never −0
        }
        break;
    }
    case FastKind::GridTwoScale: {
        // explicit comparisons: a ±0 extreme gives +0 whatever order the SIMD reduction saw
        const float xmax = clipped(st.any && st.mx > 0.0f ? st.mx : 0.0f, plan.clip);
        const float xmin = clipped(st.any && st.mn < 0.0f ? st.mn : 0.0f, plan.clip);
        p.s1 = roundScaleToStorage(xmax / m.qmax, plan.storage);
        p.s2 = roundScaleToStorage(std::fabs(xmin) / m.qmax, plan.storage);
        break;
    }
    case FastKind::Iq4nl: {
        float best = 0.0f, bestAbs = 0.0f;
        for (std::int64_t i = 0; i < n; ++i) {
            const float a = std::fabs(x[i]);
            if (a > bestAbs) {
                bestAbs = a;
                best = x[i];
            }
        }
        p.s1 = roundScaleToStorage(clipped(best, plan.clip) / -127.0f, plan.storage);
        break;
    }
    case FastKind::Mx: {
        const float am = st.absMax;
        int e = -127;
        if (am > 0.0f) {
            int ex = 0;
            (void)std::frexp(am, &ex); // am = f·2^ex, f in [0.5, 1): floor(log2 am) = ex − 1
            e = std::isinf(am) ? 127 : std::clamp(ex - 1 - plan.mxEmax, -127, 127);
        }
        p.s1 = std::ldexp(1.0f, e);
        break;
    }
    case FastKind::Nvfp4: {
        const float am = st.absMax;
        p.s1 = tensorScale > 0.0f ? fp8e4m3ToFloat(floatToFp8e4m3((am / 6.0f) / tensorScale)) : 0.0f;
        break;
    }
    case FastKind::Mixture:
        break;
    }
    return p;
}

void encode(const FastMember &m, const Params &p, const float *x, std::int64_t n, float tensorScale, std::uint8_t *codes)
{
    switch (m.kind) {
    case FastKind::IntSym:
        if (p.s1 == 0.0f)
            std::fill(codes, codes + n, m.zeroCode);
        else
            simd::intIndices(x, n, p.s1, m.qmax, m.qmax * 2.0f, m.zeroCode, codes);
        return;
    case FastKind::IntAsym:
        if (p.s1 == 0.0f)
            std::fill(codes, codes + n, std::uint8_t{0});
        else
            simd::intIndices(x, n, p.s1, p.s2, m.qmax, static_cast<std::uint8_t>(p.s2), codes);
        return;
    case FastKind::GridTwoScale:
        simd::gridIndicesTwoScale(x, n, p.s1, p.s2, m.lut, m.zeroCode, codes);
        return;
    case FastKind::Nvfp4: {
        const float s = p.s1 * tensorScale;
        if (s == 0.0f)
            std::fill(codes, codes + n, m.zeroCode);
        else
            simd::gridIndices(x, n, s, m.lut, m.zeroCode, codes);
        return;
    }
    case FastKind::Grid:
    case FastKind::Iq4nl:
    case FastKind::Mx:
        if (p.s1 == 0.0f)
            std::fill(codes, codes + n, m.zeroCode);
        else
            simd::gridIndices(x, n, p.s1, m.lut, m.zeroCode, codes);
        return;
    case FastKind::Mixture:
        return;
    }
}

void decode(const FastMember &m, const Params &p, const std::uint8_t *codes, std::int64_t n, float tensorScale, float *out)
{
    switch (m.kind) {
    case FastKind::IntAsym:
        simd::intDequant(codes, n, p.s1, p.s2, out);
        return;
    case FastKind::GridTwoScale:
        simd::gridDequantTwoScale(codes, n, p.s1, p.s2, m.table.data(), out);
        return;
    case FastKind::Nvfp4:
        simd::gridDequant(codes, n, p.s1, m.table.data(), out);
        for (std::int64_t i = 0; i < n; ++i)
            out[i] = out[i] * tensorScale;
        return;
    default:
        simd::gridDequant(codes, n, p.s1, m.table.data(), out, static_cast<int>(m.maxCode) + 1);
        return;
    }
}

/// Scratch of one thread for mixtures: codes and dequantized values of every member.
struct Scratch {
    std::vector<std::uint8_t> codes;
    std::vector<float> deq;
    std::vector<float> y; ///< x / s of the last scale, shared by members with the same scale
};

/// One group to quantize: input, importance, outputs.
struct GroupJob {
    const float *x = nullptr;
    const float *imp = nullptr;
    std::int64_t n = 0;
    std::uint8_t *codes = nullptr;
    float *s1 = nullptr;
    float *s2 = nullptr;           ///< null when the plan has no second scales
    std::uint8_t *sel = nullptr;   ///< null unless a mixture
};

/// Up to 4 groups of a mixture: every member's codes and dequantized values, then the squared
/// errors of 4 groups × 4 members per pass, the lowest error per group (ties: the earlier member).
void quantizeMixtureGroups(const FastPlan &plan, const GroupJob *jobs, int count, float tensorScale, Scratch &scratch)
{
    const std::size_t members = plan.members.size();
    std::int64_t maxN = 0;
    for (int q = 0; q < count; ++q)
        maxN = std::max(maxN, jobs[q].n);
    const std::size_t len = static_cast<std::size_t>(maxN);
    scratch.codes.resize(4 * members * len);
    scratch.deq.resize(4 * members * len);
    std::vector<Params> params(4 * members);
    auto slot = [&](int q, std::size_t k) { return (static_cast<std::size_t>(q) * members + k) * len; };
    scratch.y.resize(len);
    for (int q = 0; q < count; ++q) {
        const GroupJob &j = jobs[q];
        const GroupStats st = groupStats(j.x, j.n);
        bool haveY = false;
        float yScale = 0.0f;
        for (std::size_t k = 0; k < members; ++k) {
            const FastMember &m = plan.members[k];
            Params &p = params[static_cast<std::size_t>(q) * members + k];
            p = chooseParams(m, plan, j.x, j.n, tensorScale, st);
            std::uint8_t *c = scratch.codes.data() + slot(q, k);
            float *d = scratch.deq.data() + slot(q, k);
            if ((m.kind == FastKind::Grid || m.kind == FastKind::Mx) && p.s1 != 0.0f) {
                // encode + decode in one pass; members with the same scale share the quotients x / s
                if (!haveY || std::bit_cast<std::uint32_t>(yScale) != std::bit_cast<std::uint32_t>(p.s1)) {
                    simd::divide(j.x, j.n, p.s1, scratch.y.data());
                    haveY = true;
                    yScale = p.s1;
                }
                simd::gridIndicesDequantY(scratch.y.data(), j.n, p.s1, m.lut, m.zeroCode, c, d);
                continue;
            }
            encode(m, p, j.x, j.n, tensorScale, c);
            decode(m, p, c, j.n, tensorScale, d);
        }
    }
    double bestErr[4] = {};
    std::size_t best[4] = {};
    for (std::size_t k0 = 0; k0 < members; k0 += 4) {
        const std::size_t batch = std::min<std::size_t>(4, members - k0);
        const float *xs[4] = {}, *imps[4] = {};
        const float *xh[4][4] = {};
        std::int64_t ns[4] = {};
        for (int q = 0; q < count; ++q) {
            xs[q] = jobs[q].x;
            imps[q] = jobs[q].imp;
            ns[q] = jobs[q].n;
            for (std::size_t b = 0; b < 4; ++b) // padding lanes repeat the first candidate, ignored
                xh[q][b] = scratch.deq.data() + slot(q, k0 + (b < batch ? b : 0));
        }
        double err[4][4] = {};
        simd::squaredErrors4x4(count, xs, xh, imps, ns, err);
        for (int q = 0; q < count; ++q)
            for (std::size_t b = 0; b < batch; ++b) {
                const std::size_t k = k0 + b;
                if (k == 0 || err[q][b] < bestErr[q]) { // strict: ties keep the earlier member
                    bestErr[q] = err[q][b];
                    best[q] = k;
                }
            }
    }
    for (int q = 0; q < count; ++q) {
        const GroupJob &j = jobs[q];
        const std::uint8_t *c = scratch.codes.data() + slot(q, best[q]);
        std::copy(c, c + j.n, j.codes);
        const Params &p = params[static_cast<std::size_t>(q) * members + best[q]];
        *j.s1 = p.s1;
        if (j.s2)
            *j.s2 = p.s2;
        *j.sel = static_cast<std::uint8_t>(best[q]);
    }
}

/// One group: parameters, codes, selector.
void quantizeGroup(const FastPlan &plan, const GroupJob &j, float tensorScale, Scratch &scratch)
{
    if (plan.kind == FastKind::Mixture) {
        quantizeMixtureGroups(plan, &j, 1, tensorScale, scratch);
        return;
    }
    const GroupStats st = groupStats(j.x, j.n);
    const Params p = chooseParams(plan.members[0], plan, j.x, j.n, tensorScale, st);
    encode(plan.members[0], p, j.x, j.n, tensorScale, j.codes);
    *j.s1 = p.s1;
    if (j.s2)
        *j.s2 = p.s2;
}

/// Statistics of a whole matrix, in parallel chunks (min/max are order-independent).
void parallelStats(const float *w, std::int64_t n, unsigned threads, GroupStats &out)
{
    const std::int64_t chunks = std::max<std::int64_t>(1, std::min<std::int64_t>(64, n / 65536));
    std::vector<GroupStats> part(static_cast<std::size_t>(chunks));
    const std::int64_t per = (n + chunks - 1) / chunks;
    parallelFor(
        chunks,
        [&](std::int64_t c0, std::int64_t c1) {
            for (std::int64_t c = c0; c < c1; ++c) {
                const std::int64_t b = c * per, e = std::min(n, b + per);
                part[static_cast<std::size_t>(c)] = b < e ? groupStats(w + b, e - b) : GroupStats{};
            }
        },
        threads);
    GroupStats st;
    st.mn = std::numeric_limits<float>::infinity();
    st.mx = -std::numeric_limits<float>::infinity();
    for (const auto &p : part)
        if (p.any) {
            st.mn = std::min(st.mn, p.mn);
            st.mx = std::max(st.mx, p.mx);
            st.any = true;
        }
    st.absMax = st.any ? std::max(std::fabs(st.mn), std::fabs(st.mx)) : 0.0f;
    out = st;
}

bool usesScales2(const FastPlan &plan)
{
    for (const auto &m : plan.members)
        if (m.kind == FastKind::IntAsym || m.kind == FastKind::GridTwoScale)
            return true;
    return false;
}

} // namespace

void dequantizeGroup(const FastMember &m, float s1, float s2, const std::uint8_t *codes, std::int64_t n, float tensorScale, float *out)
{
    Params p;
    p.s1 = s1;
    p.s2 = s2;
    decode(m, p, codes, n, tensorScale, out);
}

void encodeGroup(const FastMember &m, float s1, float s2, const float *x, std::int64_t n, float tensorScale, std::uint8_t *codes)
{
    Params p;
    p.s1 = s1;
    p.s2 = s2;
    encode(m, p, x, n, tensorScale, codes);
}

float roundScaleToStorage(float s, FastScaleRound storage)
{
    switch (storage) {
    case FastScaleRound::F32:
        return s;
    case FastScaleRound::F16:
        return fp16ToFloat(floatToFp16(s));
    case FastScaleRound::BF16:
        return bf16ToFloat(floatToBf16(s));
    case FastScaleRound::E4M3:
        return fp8e4m3ToFloat(floatToFp8e4m3(s));
    case FastScaleRound::E8M0: {
        if (!(s > 0.0f) || std::isinf(s))
            return s;
        int ex = 0;
        (void)std::frexp(s, &ex);
        return std::ldexp(1.0f, std::clamp(ex - 1, -127, 127));
    }
    }
    return s;
}

std::int64_t fastGroupsPerRow(const FastPlan &plan, std::int64_t cols)
{
    if (plan.groupSize <= 0)
        return 1;
    return (cols + plan.groupSize - 1) / plan.groupSize;
}

std::int64_t fastGroupCount(const FastPlan &plan, std::int64_t rows, std::int64_t cols)
{
    if (plan.groupSize < 0)
        return rows > 0 && cols > 0 ? 1 : 0;
    return rows * fastGroupsPerRow(plan, cols);
}

Result<FastQuantized> quantizeWithPlan(const float *w, std::int64_t rows, std::int64_t cols, const FastPlan &plan,
                                       const float *importance, unsigned threads)
{
    std::int64_t n = 0;
    if (rows < 0 || cols < 0 || __builtin_mul_overflow(rows, cols, &n))
        return makeError(ErrorCode::InvalidArgument, "fast quantize: impossible shape " + std::to_string(rows) + " x " + std::to_string(cols));
    if (plan.members.empty() || (plan.kind != FastKind::Mixture && plan.members.size() != 1) || plan.members.size() > 256)
        return makeError(ErrorCode::InvalidArgument, "fast quantize: the plan has " + std::to_string(plan.members.size()) + " members");
    FastQuantized q;
    q.rows = rows;
    q.cols = cols;
    q.codes.assign(static_cast<std::size_t>(n), 0);
    const std::int64_t groups = fastGroupCount(plan, rows, cols);
    q.scales.assign(static_cast<std::size_t>(groups), 0.0f);
    if (usesScales2(plan))
        q.scales2.assign(static_cast<std::size_t>(groups), 0.0f);
    if (plan.kind == FastKind::Mixture)
        q.selectors.assign(static_cast<std::size_t>(groups), 0);
    if (n == 0)
        return q;
    if (plan.kind == FastKind::Nvfp4)
    {
        // t from the finite weights only: one Inf weight must not turn every group into NaN
        const std::int64_t chunks = std::max<std::int64_t>(1, std::min<std::int64_t>(64, n / 65536));
        const std::int64_t per = (n + chunks - 1) / chunks;
        std::vector<float> part(static_cast<std::size_t>(chunks), 0.0f);
        parallelFor(
            chunks,
            [&](std::int64_t c0, std::int64_t c1) {
                for (std::int64_t c = c0; c < c1; ++c) {
                    float amax = 0.0f;
                    for (std::int64_t i = c * per, e = std::min(n, i + per); i < e; ++i)
                        if (std::isfinite(w[i]))
                            amax = std::max(amax, std::fabs(w[i]));
                    part[static_cast<std::size_t>(c)] = amax;
                }
            },
            threads);
        float amax = 0.0f;
        for (float a : part)
            amax = std::max(amax, a); // max is order-independent
        q.tensorScale = amax / (448.0f * 6.0f);
    }
    float *s2 = q.scales2.empty() ? nullptr : q.scales2.data();
    std::uint8_t *sel = q.selectors.empty() ? nullptr : q.selectors.data();

    if (plan.groupSize < 0) { // per-tensor: one group over the whole matrix
        if (plan.kind == FastKind::Mixture) {
            Scratch scratch;
            const GroupJob job{w, importance, n, q.codes.data(), q.scales.data(), s2, sel};
            quantizeGroup(plan, job, q.tensorScale, scratch);
            return q;
        }
        const FastMember &m = plan.members[0];
        GroupStats st;
        parallelStats(w, n, threads, st);
        const Params p = chooseParams(m, plan, w, n, q.tensorScale, st);
        q.scales[0] = p.s1;
        if (s2)
            *s2 = p.s2;
        parallelFor(
            rows, [&](std::int64_t r0, std::int64_t r1) { encode(m, p, w + r0 * cols, (r1 - r0) * cols, q.tensorScale, q.codes.data() + r0 * cols); },
            threads, std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, cols)));
        return q;
    }
    const std::int64_t g = plan.groupSize == 0 ? cols : plan.groupSize;
    const std::int64_t gpr = fastGroupsPerRow(plan, cols);
    parallelFor(
        rows,
        [&](std::int64_t r0, std::int64_t r1) {
            Scratch scratch;
            GroupJob batch[4];
            int pending = 0;
            const bool nvfp4Fast = plan.kind == FastKind::Nvfp4 && g == 16;
            for (std::int64_t r = r0; r < r1; ++r)
                for (std::int64_t j = 0; j < gpr; ++j) {
                    if (nvfp4Fast && j == 0 && cols >= 16) { // the row's whole groups in one kernel call
                        const std::int64_t whole = cols / 16;
                        simd::nvfp4Groups16(w + r * cols, whole, q.tensorScale, plan.members[0].lut, plan.members[0].zeroCode,
                                            q.codes.data() + r * cols, q.scales.data() + r * gpr);
                        j = whole - 1;
                        continue;
                    }
                    const std::int64_t start = j * g, len = std::min(g, cols - start);
                    const std::int64_t off = r * cols + start, gi = r * gpr + j;
                    const GroupJob job{w + off, importance ? importance + off : nullptr, len, q.codes.data() + off,
                                       q.scales.data() + gi, s2 ? s2 + gi : nullptr, sel ? sel + gi : nullptr};
                    if (plan.kind != FastKind::Mixture) {
                        quantizeGroup(plan, job, q.tensorScale, scratch);
                        continue;
                    }
                    batch[pending++] = job;
                    if (pending == 4) {
                        quantizeMixtureGroups(plan, batch, pending, q.tensorScale, scratch);
                        pending = 0;
                    }
                }
            if (pending > 0)
                quantizeMixtureGroups(plan, batch, pending, q.tensorScale, scratch);
        },
        threads, std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, cols)));
    return q;
}

Status dequantizeWithPlan(const FastQuantized &q, const FastPlan &plan, float *out, unsigned threads)
{
    std::int64_t n = 0;
    if (q.rows < 0 || q.cols < 0 || __builtin_mul_overflow(q.rows, q.cols, &n) || static_cast<std::int64_t>(q.codes.size()) != n)
        return makeError(ErrorCode::InvalidArgument, "fast dequantize: codes do not match the shape");
    const std::int64_t groups = fastGroupCount(plan, q.rows, q.cols);
    const bool two = usesScales2(plan), mix = plan.kind == FastKind::Mixture;
    if (plan.members.empty() || static_cast<std::int64_t>(q.scales.size()) != groups ||
        (two && static_cast<std::int64_t>(q.scales2.size()) != groups) || (mix && static_cast<std::int64_t>(q.selectors.size()) != groups))
        return makeError(ErrorCode::InvalidArgument, "fast dequantize: " + std::to_string(q.scales.size()) + " scales for " +
                                                         std::to_string(groups) + " groups (or missing second scales / selectors)");
    for (std::uint8_t s : q.selectors)
        if (s >= plan.members.size())
            return makeError(ErrorCode::InvalidArgument, "fast dequantize: selector " + std::to_string(s) + " out of range");
    std::uint8_t maxCode = 0;
    for (const auto &m : plan.members)
        maxCode = std::max(maxCode, m.maxCode);
    for (std::uint8_t c : q.codes)
        if (c > maxCode)
            return makeError(ErrorCode::InvalidArgument, "fast dequantize: code " + std::to_string(c) + " out of range");
    if (n == 0)
        return {};
    auto groupDecode = [&](std::int64_t gi, std::int64_t off, std::int64_t len) {
        const FastMember &m = plan.members[mix ? q.selectors[static_cast<std::size_t>(gi)] : 0];
        Params p;
        p.s1 = q.scales[static_cast<std::size_t>(gi)];
        p.s2 = two ? q.scales2[static_cast<std::size_t>(gi)] : 0.0f;
        decode(m, p, q.codes.data() + off, len, q.tensorScale, out + off);
    };
    const std::int64_t minRows = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, q.cols));
    if (plan.groupSize < 0) {
        parallelFor(q.rows, [&](std::int64_t r0, std::int64_t r1) { groupDecode(0, r0 * q.cols, (r1 - r0) * q.cols); }, threads, minRows);
        return {};
    }
    const std::int64_t g = plan.groupSize == 0 ? q.cols : plan.groupSize;
    const std::int64_t gpr = fastGroupsPerRow(plan, q.cols);
    parallelFor(
        q.rows,
        [&](std::int64_t r0, std::int64_t r1) {
            for (std::int64_t r = r0; r < r1; ++r)
                for (std::int64_t j = 0; j < gpr; ++j) {
                    const std::int64_t start = j * g;
                    groupDecode(r * gpr + j, r * q.cols + start, std::min(g, q.cols - start));
                }
        },
        threads, minRows);
    return {};
}

} // namespace lowbit
