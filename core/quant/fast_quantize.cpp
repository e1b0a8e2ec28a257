// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/fast_quantize.h"

#include "core/dtypes/scalar_convert.h"
#include "core/util/parallel.h"

#include <algorithm>
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
        simd::gridDequant(codes, n, p.s1, m.table.data(), out);
        return;
    }
}

/// Scratch of one thread for mixtures: codes and dequantized values of every member.
struct Scratch {
    std::vector<std::uint8_t> codes;
    std::vector<float> deq;
};

/// One group: parameters, codes, selector.
void quantizeGroup(const FastPlan &plan, const float *x, const float *imp, std::int64_t n, float tensorScale, std::uint8_t *codes,
                   float &s1, float *s2, std::uint8_t *sel, Scratch &scratch)
{
    const GroupStats st = groupStats(x, n);
    if (plan.kind != FastKind::Mixture) {
        const Params p = chooseParams(plan.members[0], plan, x, n, tensorScale, st);
        encode(plan.members[0], p, x, n, tensorScale, codes);
        s1 = p.s1;
        if (s2)
            *s2 = p.s2;
        return;
    }
    const std::size_t count = plan.members.size(), len = static_cast<std::size_t>(n);
    scratch.codes.resize(count * len);
    scratch.deq.resize(count * len);
    double bestErr = 0.0;
    std::size_t best = 0;
    Params bestParams;
    for (std::size_t k0 = 0; k0 < count; k0 += 4) {
        const int batch = static_cast<int>(std::min<std::size_t>(4, count - k0));
        Params params[4];
        const float *deq[4] = {};
        for (int b = 0; b < batch; ++b) {
            const FastMember &m = plan.members[k0 + static_cast<std::size_t>(b)];
            std::uint8_t *c = scratch.codes.data() + (k0 + static_cast<std::size_t>(b)) * len;
            float *d = scratch.deq.data() + (k0 + static_cast<std::size_t>(b)) * len;
            params[b] = chooseParams(m, plan, x, n, tensorScale, st);
            encode(m, params[b], x, n, tensorScale, c);
            decode(m, params[b], c, n, tensorScale, d);
            deq[b] = d;
        }
        for (int b = batch; b < 4; ++b)
            deq[b] = deq[0]; // padding lanes, ignored
        double err[4] = {};
        simd::squaredErrors4(x, deq, imp, n, err);
        for (int b = 0; b < batch; ++b) {
            const std::size_t k = k0 + static_cast<std::size_t>(b);
            if (k == 0 || err[b] < bestErr) { // strict: ties keep the earlier member
                bestErr = err[b];
                best = k;
                bestParams = params[b];
            }
        }
    }
    const std::uint8_t *c = scratch.codes.data() + best * len;
    std::copy(c, c + n, codes);
    s1 = bestParams.s1;
    if (s2)
        *s2 = bestParams.s2;
    *sel = static_cast<std::uint8_t>(best);
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
        GroupStats st;
        parallelStats(w, n, threads, st);
        q.tensorScale = st.absMax / (448.0f * 6.0f);
    }
    float *s2 = q.scales2.empty() ? nullptr : q.scales2.data();
    std::uint8_t *sel = q.selectors.empty() ? nullptr : q.selectors.data();

    if (plan.groupSize < 0) { // per-tensor: one group over the whole matrix
        if (plan.kind == FastKind::Mixture) {
            Scratch scratch;
            std::uint8_t dummy = 0;
            quantizeGroup(plan, w, importance, n, q.tensorScale, q.codes.data(), q.scales[0], s2, sel ? sel : &dummy, scratch);
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
            std::uint8_t dummy = 0;
            for (std::int64_t r = r0; r < r1; ++r)
                for (std::int64_t j = 0; j < gpr; ++j) {
                    const std::int64_t start = j * g, len = std::min(g, cols - start);
                    const std::int64_t off = r * cols + start, gi = r * gpr + j;
                    quantizeGroup(plan, w + off, importance ? importance + off : nullptr, len, q.tensorScale, q.codes.data() + off,
                                  q.scales[static_cast<std::size_t>(gi)], s2 ? s2 + gi : nullptr, sel ? sel + gi : &dummy, scratch);
                }
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
