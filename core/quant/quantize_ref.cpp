// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/quantize_ref.h"

#include "core/dtypes/scalar_convert.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lowbit {

namespace {

bool isIntFamily(FormatFamily f) { return f == FormatFamily::Int || f == FormatFamily::IntAsym; }

float clipped(float v, float clip) { return clip == 1.0f ? v : v * clip; }

/// The scale rounded to its storage precision (exact widening back to fp32).
float roundScale(float s, ScaleStorage storage)
{
    switch (storage) {
    case ScaleStorage::F32: return s;
    case ScaleStorage::F16: return fp16ToFloat(floatToFp16(s));
    case ScaleStorage::BF16: return bf16ToFloat(floatToBf16(s));
    case ScaleStorage::E4M3: return fp8e4m3ToFloat(floatToFp8e4m3(s));
    case ScaleStorage::E8M0:
        if (!(s > 0.0f) || std::isinf(s))
            return s;
        {
            int ex = 0;
            (void)std::frexp(s, &ex); // s = f·2^ex, f in [0.5, 1)
            return std::ldexp(1.0f, std::clamp(ex - 1, -127, 127));
        }
    }
    return s;
}

/// Statistics ignoring NaN.
struct Stats {
    float mn = std::numeric_limits<float>::infinity();
    float mx = -std::numeric_limits<float>::infinity();
    float absMax = 0.0f;
    bool any = false;
};

Stats stats(const float *x, std::int64_t n)
{
    Stats st;
    for (std::int64_t i = 0; i < n; ++i) {
        if (std::isnan(x[i]))
            continue;
        st.any = true;
        st.mn = std::min(st.mn, x[i]);
        st.mx = std::max(st.mx, x[i]);
        st.absMax = std::max(st.absMax, std::fabs(x[i]));
    }
    return st;
}

/// Everything about one scalar member needed per element.
struct Member {
    const Format *format = nullptr;
    std::vector<float> values; ///< what a code indexes
    std::uint8_t zeroCode = 0; ///< code of the value nearest to 0
    float qmax = 1.0f;         ///< the scale divisor
};

Member describe(const Format &f)
{
    Member m;
    m.format = &f;
    m.values = codeValues(f);
    m.zeroCode = nearestGridIndex(m.values, 0.0f);
    if (f.family == FormatFamily::Int)
        m.qmax = static_cast<float>((1 << (f.bits - 1)) - 1);
    else if (f.family == FormatFamily::IntAsym) {
        m.qmax = static_cast<float>((1 << f.bits) - 1);
        m.zeroCode = 0;
    } else if (f.family == FormatFamily::Nvfp4)
        m.qmax = 6.0f;
    else if (f.family == FormatFamily::Iq4nl)
        m.qmax = -127.0f;
    else if (f.twoScale)
        m.qmax = m.values.back();
    else if (!m.values.empty())
        m.qmax = std::max(std::fabs(m.values.front()), std::fabs(m.values.back()));
    return m;
}

GroupParams memberParams(const Member &m, const FormatSpec &spec, const float *x, std::int64_t n, float tensorScale)
{
    GroupParams p;
    const Format &f = *m.format;
    const Stats st = stats(x, n);
    switch (f.family) {
    case FormatFamily::IntAsym: {
        if (!st.any)
            return p;
        const float mn = clipped(st.mn, spec.clip), mx = clipped(st.mx, spec.clip);
        p.scale = roundScale((mx - mn) / m.qmax, spec.scaleStorage);
        if (p.scale == 0.0f)
            p.scale = 0.0f; // +0
        if (p.scale > 0.0f && std::isfinite(p.scale)) {
            const float z = std::round(-mn / p.scale);
            if (z > 0.0f) // NaN and negatives stay 0
                p.scale2 = std::min(z, m.qmax);
        }
        return p;
    }
    case FormatFamily::Mx: {
        int e = -127;
        if (st.absMax > 0.0f) {
            int ex = 0;
            (void)std::frexp(st.absMax, &ex); // floor(log2 absmax) = ex − 1
            e = std::isinf(st.absMax) ? 127 : std::clamp(ex - 1 - f.mxEmax, -127, 127);
        }
        p.scale = std::ldexp(1.0f, e);
        return p;
    }
    case FormatFamily::Nvfp4:
        p.scale = tensorScale > 0.0f ? fp8e4m3ToFloat(floatToFp8e4m3((st.absMax / 6.0f) / tensorScale)) : 0.0f;
        return p;
    case FormatFamily::Q4_0: { // ggml's quantize_row_q4_0_ref
        float amax = 0.0f, max = 0.0f;
        for (std::int64_t i = 0; i < n; ++i)
            if (amax < std::fabs(x[i])) {
                amax = std::fabs(x[i]);
                max = x[i];
            }
        p.codingScale = max / -8.0f;
        p.scale = roundScale(p.codingScale, ScaleStorage::F16);
        return p;
    }
    case FormatFamily::Iq4nl: {
        float best = 0.0f, bestAbs = 0.0f;
        for (std::int64_t i = 0; i < n; ++i)
            if (std::fabs(x[i]) > bestAbs) { // NaN never wins; the first of equal magnitudes does
                bestAbs = std::fabs(x[i]);
                best = x[i];
            }
        p.scale = roundScale(clipped(best, spec.clip) / m.qmax, spec.scaleStorage);
        return p;
    }
    default:
        break;
    }
    if (f.twoScale) {
        const float xmax = clipped(st.any && st.mx > 0.0f ? st.mx : 0.0f, spec.clip);
        const float xmin = clipped(st.any && st.mn < 0.0f ? st.mn : 0.0f, spec.clip);
        p.scale = roundScale(xmax / m.qmax, spec.scaleStorage);
        p.scale2 = roundScale(std::fabs(xmin) / m.qmax, spec.scaleStorage);
        return p;
    }
    p.scale = roundScale(clipped(st.absMax, spec.clip) / m.qmax, spec.scaleStorage); // INT and symmetric grids
    return p;
}

std::uint8_t encodeOne(const Member &m, const GroupParams &p, float x, float tensorScale)
{
    const Format &f = *m.format;
    if (f.family == FormatFamily::Q4_0) {
        const float d = p.codingScale != 0.0f ? p.codingScale : p.scale;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        const float v = x * id + 8.5f;
        if (std::isnan(v))
            return 8; // NaN weights (and Inf · 0) take the code of 0
        return static_cast<std::uint8_t>(std::clamp(v, 0.0f, 15.0f)); // trunc, as ggml's int8 cast
    }
    if (std::isnan(x))
        return f.family == FormatFamily::IntAsym ? static_cast<std::uint8_t>(p.scale2) : m.zeroCode;
    if (f.family == FormatFamily::Int || f.family == FormatFamily::IntAsym) {
        if (p.scale == 0.0f)
            return f.family == FormatFamily::Int ? m.zeroCode : std::uint8_t{0};
        const float offset = f.family == FormatFamily::Int ? m.qmax : p.scale2;
        const float top = f.family == FormatFamily::Int ? 2.0f * m.qmax : m.qmax;
        const float y = x / p.scale;
        if (std::isnan(y))
            return f.family == FormatFamily::Int ? m.zeroCode : static_cast<std::uint8_t>(p.scale2);
        const float q = std::round(y) + offset; // std::round: half away from zero
        return static_cast<std::uint8_t>(std::clamp(q, 0.0f, top));
    }
    if (f.twoScale) {
        if (x == 0.0f)
            return m.zeroCode;
        const float y = x / (x > 0.0f ? p.scale : p.scale2);
        return std::isnan(y) ? m.zeroCode : nearestGridIndex(m.values, y);
    }
    const float s = f.family == FormatFamily::Nvfp4 ? p.scale * tensorScale : p.scale;
    if (s == 0.0f)
        return m.zeroCode;
    return nearestGridIndex(m.values, x / s);
}

float decodeOne(const Member &m, const GroupParams &p, std::uint8_t code, float tensorScale)
{
    if (code >= m.values.size())
        return 0.0f;
    const Format &f = *m.format;
    const float v = m.values[code];
    if (f.family == FormatFamily::IntAsym)
        return (static_cast<float>(code) - p.scale2) * p.scale;
    if (f.twoScale)
        return v * (v < 0.0f ? p.scale2 : p.scale);
    if (f.family == FormatFamily::Nvfp4)
        return (v * p.scale) * tensorScale;
    return v * p.scale;
}

bool needsScales2(const Format &f)
{
    if (f.family == FormatFamily::Mixture)
        return std::any_of(f.members.begin(), f.members.end(), needsScales2);
    return f.twoScale || f.family == FormatFamily::IntAsym;
}

} // namespace

std::vector<float> codeValues(const Format &f)
{
    std::vector<float> v;
    if (f.family == FormatFamily::Int) {
        const int qmax = (1 << (f.bits - 1)) - 1;
        for (int q = -qmax; q <= qmax; ++q)
            v.push_back(static_cast<float>(q));
    } else if (f.family == FormatFamily::IntAsym) {
        for (int q = 0; q < (1 << f.bits); ++q)
            v.push_back(static_cast<float>(q));
    } else if (f.family != FormatFamily::Mixture)
        v = f.grid;
    return v;
}

std::uint8_t nearestGridIndex(const std::vector<float> &grid, float y)
{
    if (std::isnan(y))
        y = 0.0f;
    unsigned index = 0;
    for (std::size_t i = 0; i + 1 < grid.size(); ++i)
        if ((grid[i] + grid[i + 1]) * 0.5f < y)
            ++index;
    return static_cast<std::uint8_t>(index);
}

std::int64_t refGroupsPerRow(const FormatSpec &spec, std::int64_t cols)
{
    if (spec.groupSize <= 0)
        return 1;
    return (cols + spec.groupSize - 1) / spec.groupSize;
}

std::int64_t refGroupCount(const FormatSpec &spec, std::int64_t rows, std::int64_t cols)
{
    if (spec.groupSize < 0)
        return rows > 0 && cols > 0 ? 1 : 0;
    return rows * refGroupsPerRow(spec, cols);
}

namespace {

/// The members of a spec described once (one for a scalar format); they point into spec.format.
std::vector<Member> prepare(const FormatSpec &spec)
{
    std::vector<Member> members;
    const Format &f = spec.format;
    if (f.family != FormatFamily::Mixture)
        members.push_back(describe(f));
    else
        for (std::size_t k = 0; k < f.members.size() && k < 256; ++k)
            members.push_back(describe(f.members[k]));
    return members;
}

GroupParams chooseParams(const std::vector<Member> &members, const FormatSpec &spec, const float *x, std::int64_t n,
                         const float *importance, float tensorScale)
{
    if (spec.format.family != FormatFamily::Mixture)
        return memberParams(members[0], spec, x, n, tensorScale);
    GroupParams best;
    double bestErr = 0.0;
    for (std::size_t k = 0; k < members.size(); ++k) {
        const Member &m = members[k];
        GroupParams p = memberParams(m, spec, x, n, tensorScale);
        p.member = static_cast<std::uint8_t>(k);
        double err = 0.0;
        for (std::int64_t i = 0; i < n; ++i) {
            const float xh = decodeOne(m, p, encodeOne(m, p, x[i], tensorScale), tensorScale);
            const double d = static_cast<double>(x[i]) - static_cast<double>(xh);
            err += importance ? (static_cast<double>(importance[i]) * d) * d : d * d;
        }
        if (k == 0 || err < bestErr) { // strict: ties keep the earlier member
            bestErr = err;
            best = p;
        }
    }
    return best;
}

/// The member a group's parameters select (out-of-range selectors: null).
const Member *selected(const std::vector<Member> &members, const GroupParams &p)
{
    const std::size_t k = members.size() == 1 ? 0 : p.member;
    return k < members.size() ? &members[k] : nullptr;
}

void encodeGroup(const Member &m, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *codes, float tensorScale)
{
    for (std::int64_t i = 0; i < n; ++i)
        codes[i] = encodeOne(m, p, x[i], tensorScale);
}

void decodeGroup(const Member *m, const GroupParams &p, const std::uint8_t *codes, std::int64_t n, float *out, float tensorScale)
{
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = m ? decodeOne(*m, p, codes[i], tensorScale) : 0.0f;
}

} // namespace

GroupParams chooseGroupParams(const FormatSpec &spec, const float *x, std::int64_t n, const float *importance, float tensorScale)
{
    const std::vector<Member> members = prepare(spec);
    if (members.empty())
        return {};
    return chooseParams(members, spec, x, n, importance, tensorScale);
}

void quantizeGroupWithParams(const FormatSpec &spec, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *codes,
                             float tensorScale)
{
    const std::vector<Member> members = prepare(spec);
    if (const Member *m = selected(members, p))
        encodeGroup(*m, p, x, n, codes, tensorScale);
    else
        std::fill(codes, codes + n, std::uint8_t{0});
}

void dequantizeGroupWithParams(const FormatSpec &spec, const GroupParams &p, const std::uint8_t *codes, std::int64_t n, float *out,
                               float tensorScale)
{
    const std::vector<Member> members = prepare(spec);
    decodeGroup(selected(members, p), p, codes, n, out, tensorScale);
}

float nvfp4TensorScale(const float *w, std::int64_t n)
{
    float amax = 0.0f;
    for (std::int64_t i = 0; i < n; ++i)
        if (std::isfinite(w[i]))
            amax = std::max(amax, std::fabs(w[i]));
    return amax / (448.0f * 6.0f);
}

Result<QuantizedMatrix> quantizeRef(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec, const float *importance)
{
    std::int64_t n = 0;
    if (rows < 0 || cols < 0 || __builtin_mul_overflow(rows, cols, &n))
        return makeError(ErrorCode::InvalidArgument,
                         "quantizeRef: impossible shape " + std::to_string(rows) + " x " + std::to_string(cols));
    LOWBIT_TRY(FormatSpec checked, makeFormatSpec(spec.format, spec.groupSize, spec.scaleStorage, spec.clip));
    const Format &f = checked.format;
    if (f.family == FormatFamily::Mixture ? (f.members.size() < 2 || f.members.size() > 256)
                                          : (!isIntFamily(f.family) && (f.grid.empty() || f.grid.size() > 256)))
        return makeError(ErrorCode::InvalidArgument, "quantizeRef: format '" + f.name + "' has no usable grid or members");
    QuantizedMatrix q;
    q.spec = checked;
    q.rows = rows;
    q.cols = cols;
    q.codes.assign(static_cast<std::size_t>(n), 0);
    const std::int64_t groups = refGroupCount(checked, rows, cols);
    q.scales.assign(static_cast<std::size_t>(groups), 0.0f);
    if (needsScales2(f))
        q.scales2.assign(static_cast<std::size_t>(groups), 0.0f);
    if (f.family == FormatFamily::Mixture)
        q.selectors.assign(static_cast<std::size_t>(groups), 0);
    if (n == 0)
        return q;
    if (f.family == FormatFamily::Nvfp4)
        q.tensorScale = nvfp4TensorScale(w, n);

    const std::vector<Member> members = prepare(checked);
    auto doGroup = [&](std::int64_t gi, std::int64_t off, std::int64_t len) {
        const GroupParams p = chooseParams(members, checked, w + off, len, importance ? importance + off : nullptr, q.tensorScale);
        encodeGroup(*selected(members, p), p, w + off, len, q.codes.data() + off, q.tensorScale);
        q.scales[static_cast<std::size_t>(gi)] = p.scale;
        if (!q.scales2.empty())
            q.scales2[static_cast<std::size_t>(gi)] = p.scale2;
        if (!q.selectors.empty())
            q.selectors[static_cast<std::size_t>(gi)] = p.member;
    };
    if (checked.groupSize < 0) {
        doGroup(0, 0, n);
        return q;
    }
    const std::int64_t g = checked.groupSize == 0 ? cols : checked.groupSize;
    const std::int64_t gpr = refGroupsPerRow(checked, cols);
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t j = 0; j < gpr; ++j) {
            const std::int64_t start = j * g;
            doGroup(r * gpr + j, r * cols + start, std::min(g, cols - start));
        }
    return q;
}

void dequantizeRef(const QuantizedMatrix &q, float *out)
{
    std::int64_t n = 0;
    if (q.rows < 0 || q.cols < 0 || __builtin_mul_overflow(q.rows, q.cols, &n))
        return;
    const std::int64_t groups = refGroupCount(q.spec, q.rows, q.cols);
    const bool mix = q.spec.format.family == FormatFamily::Mixture;
    const bool two = needsScales2(q.spec.format);
    if (static_cast<std::int64_t>(q.codes.size()) != n || static_cast<std::int64_t>(q.scales.size()) != groups
        || (two && static_cast<std::int64_t>(q.scales2.size()) != groups)
        || (mix && static_cast<std::int64_t>(q.selectors.size()) != groups)) {
        std::fill(out, out + n, 0.0f);
        return;
    }
    const std::vector<Member> members = prepare(q.spec);
    auto doGroup = [&](std::int64_t gi, std::int64_t off, std::int64_t len) {
        GroupParams p;
        p.scale = q.scales[static_cast<std::size_t>(gi)];
        p.scale2 = two ? q.scales2[static_cast<std::size_t>(gi)] : 0.0f;
        p.member = mix ? q.selectors[static_cast<std::size_t>(gi)] : std::uint8_t{0};
        decodeGroup(selected(members, p), p, q.codes.data() + off, len, out + off, q.tensorScale);
    };
    if (n == 0)
        return;
    if (q.spec.groupSize < 0) {
        doGroup(0, 0, n);
        return;
    }
    const std::int64_t g = q.spec.groupSize == 0 ? q.cols : q.spec.groupSize;
    const std::int64_t gpr = refGroupsPerRow(q.spec, q.cols);
    for (std::int64_t r = 0; r < q.rows; ++r)
        for (std::int64_t j = 0; j < gpr; ++j) {
            const std::int64_t start = j * g;
            doGroup(r * gpr + j, r * q.cols + start, std::min(g, q.cols - start));
        }
}

} // namespace lowbit
