// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/reference.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace lowbit::formats {
namespace {

float divOrZero(float x, float s) { return s == 0.0f ? 0.0f : x / s; }

std::uint8_t memberCode(const MixMember &m, float y)
{
    return m.intBits ? intSymCodeRef(y, m.qmax) : gridCodeRef(m.midpoints, y);
}

} // namespace

float mixMemberValue(const MixMember &m, std::uint8_t code)
{
    return m.intBits ? static_cast<float>(static_cast<int>(code) - static_cast<int>(m.qmax)) : m.grid[code];
}

GroupStats groupStatsRef(const float *x, std::int64_t n)
{
    GroupStats s;
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        if (!std::isfinite(v))
            continue;
        const float a = std::fabs(v);
        if (!s.any) {
            s.mn = s.mx = v;
            s.absmax = a;
            s.argAbsmax = i;
            s.any = true;
            continue;
        }
        s.mn = v < s.mn ? v : s.mn;
        s.mx = v > s.mx ? v : s.mx;
        if (a > s.absmax) {
            s.absmax = a;
            s.argAbsmax = i;
        }
    }
    return s;
}

std::uint8_t gridCodeRef(const std::vector<float> &midpoints, float y)
{
    if (std::isnan(y))
        y = 0.0f;
    unsigned idx = 0;
    for (const float m : midpoints)
        if (m < y)
            ++idx;
    return static_cast<std::uint8_t>(idx);
}

std::uint8_t intSymCodeRef(float y, float qmax)
{
    if (std::isnan(y))
        y = 0.0f;
    const float q = std::round(std::fmin(qmax, std::fmax(-qmax, y))); // round() is half away from zero
    return static_cast<std::uint8_t>(static_cast<int>(q) + static_cast<int>(qmax));
}

GroupParams QuantizedMatrix::params(std::int64_t g) const
{
    GroupParams p;
    const auto i = static_cast<std::size_t>(g);
    p.scale = scales[i];
    p.scale2 = scales2.empty() ? 0.0f : scales2[i];
    p.selector = selectors.empty() ? 0 : selectors[i];
    p.codeScale = spec.format.family == Family::Nvfp4 ? p.scale * tensorScale : p.scale;
    return p;
}

float nvfp4TensorScale(const float *x, std::int64_t n)
{
    return groupStatsRef(x, n).absmax / (448.0f * 6.0f);
}

GroupParams chooseGroupParamsRef(const FormatSpec &spec, const float *x, std::int64_t n, const float *w,
                                 float tensorScale)
{
    return paramsFromStats(spec, groupStatsRef(x, n), x, n, w, tensorScale);
}

namespace {

// Per-family rules (datatypes.md §1, §5), one row per Family in kRules below.
float scaleOf(const FormatSpec &spec, float stat, float qmax) { return roundScale(stat / qmax, spec.storage); }

GroupParams paramsSymmetric(const FormatSpec &spec, const GroupStats &st, const float *, std::int64_t, const float *, float)
{
    GroupParams p;
    p.scale = p.codeScale = scaleOf(spec, st.absmax * spec.clip, spec.format.qmax);
    return p;
}

GroupParams paramsIntAsym(const FormatSpec &spec, const GroupStats &st, const float *, std::int64_t, const float *, float)
{
    float mn = st.mn * spec.clip, mx = st.mx * spec.clip;
    if (mn == mx) { // constant group: include 0 so the value stays representable
        mn = std::fmin(mn, 0.0f);
        mx = std::fmax(mx, 0.0f);
    }
    GroupParams p;
    p.scale = p.codeScale = scaleOf(spec, mx - mn, spec.format.qmax);
    if (p.scale > 0.0f)
        p.scale2 = std::fmin(spec.format.qmax, std::fmax(0.0f, std::round(-mn / p.scale)));
    p.scale2 += 0.0f; // −0 → +0
    return p;
}

GroupParams paramsAfpq(const FormatSpec &spec, const GroupStats &st, const float *, std::int64_t, const float *, float)
{
    const float xmax = st.mx * spec.clip > 0.0f ? st.mx * spec.clip : 0.0f;
    const float xmin = st.mn * spec.clip < 0.0f ? st.mn * spec.clip : 0.0f;
    GroupParams p;
    p.scale = p.codeScale = scaleOf(spec, xmax, spec.format.qmax);
    p.scale2 = scaleOf(spec, -xmin, spec.format.qmax);
    return p;
}

GroupParams paramsMixture(const FormatSpec &spec, const GroupStats &st, const float *x, std::int64_t n, const float *w,
                          float)
{
    const Format &f = spec.format;
    GroupParams p;
    double best = 0.0;
    for (std::size_t m = 0; m < f.members.size(); ++m) {
        const MixMember &mem = f.members[m];
        const float s = scaleOf(spec, st.absmax * spec.clip, mem.qmax);
        // 8 partial sums (element i into partial i mod 8, in element order), added in order
        double partial[kMixErrorLanes] = {};
        for (std::int64_t i = 0; i < n; ++i) {
            if (!std::isfinite(x[i]))
                continue;
            const float xh = s * mixMemberValue(mem, memberCode(mem, divOrZero(x[i], s)));
            const double d = static_cast<double>(x[i]) - static_cast<double>(xh);
            partial[i % kMixErrorLanes] += (w ? static_cast<double>(w[i]) : 1.0) * d * d;
        }
        double err = 0.0;
        for (const double v : partial)
            err += v;
        if (m == 0 || err < best) {
            best = err;
            p.selector = static_cast<std::uint8_t>(m);
            p.scale = p.codeScale = s;
        }
    }
    return p;
}

GroupParams paramsMx(const FormatSpec &spec, const GroupStats &st, const float *, std::int64_t, const float *, float)
{
    const float a = st.absmax * spec.clip;
    int e = -127;
    if (a > 0.0f) {
        int ex = 0;
        std::frexp(a, &ex); // a = f·2^ex, f in [0.5, 1): floor(log2 a) = ex − 1
        e = std::max(-127, std::min(127, ex - 1 - spec.format.mxEmax));
    }
    GroupParams p;
    p.scale = p.codeScale = std::ldexp(1.0f, e);
    return p;
}

GroupParams paramsNvfp4(const FormatSpec &spec, const GroupStats &st, const float *, std::int64_t, const float *, float t)
{
    GroupParams p;
    p.scale = t > 0.0f ? roundScale((st.absmax * spec.clip / 6.0f) / t, spec.storage) : 0.0f;
    p.codeScale = p.scale * t;
    return p;
}

GroupParams paramsIq4nl(const FormatSpec &spec, const GroupStats &st, const float *x, std::int64_t, const float *, float)
{
    GroupParams p;
    p.scale = p.codeScale = st.any ? roundScale(x[st.argAbsmax] * spec.clip / -127.0f, spec.storage) : 0.0f;
    return p;
}

GroupParams paramsQ4_0(const FormatSpec &spec, const GroupStats &st, const float *x, std::int64_t, const float *, float)
{
    GroupParams p;
    p.codeScale = st.any ? x[st.argAbsmax] * spec.clip / -8.0f : 0.0f; // ggml: codes from the fp32 d
    p.scale = roundScale(p.codeScale, spec.storage);
    return p;
}

std::uint8_t codeIntSym(const Format &f, const GroupParams &p, float v) { return intSymCodeRef(divOrZero(v, p.codeScale), f.qmax); }

std::uint8_t codeIntAsym(const Format &f, const GroupParams &p, float v)
{
    const float q = (!std::isnan(v) && p.codeScale != 0.0f) ? std::round(v / p.codeScale) + p.scale2 : p.scale2;
    return static_cast<std::uint8_t>(std::fmin(f.qmax, std::fmax(0.0f, q)));
}

std::uint8_t codeGrid(const Format &f, const GroupParams &p, float v) { return gridCodeRef(f.midpoints, divOrZero(v, p.codeScale)); }

std::uint8_t codeAfpq(const Format &f, const GroupParams &p, float v)
{
    const float y = v > 0.0f ? divOrZero(v, p.codeScale) : (v < 0.0f ? divOrZero(v, p.scale2) : 0.0f);
    return gridCodeRef(f.midpoints, y);
}

std::uint8_t codeMixture(const Format &f, const GroupParams &p, float v)
{
    return memberCode(f.members[p.selector], divOrZero(v, p.codeScale));
}

std::uint8_t codeQ4_0(const Format &, const GroupParams &p, float v)
{
    if (std::isnan(v))
        return 8;
    const float id = p.codeScale != 0.0f ? 1.0f / p.codeScale : 0.0f;
    return static_cast<std::uint8_t>(std::fmin(15.0f, std::fmax(0.0f, v * id + 8.5f))); // truncation as ggml's cast
}

float valueIntSym(const Format &f, const GroupParams &p, std::uint8_t c)
{
    return p.scale * static_cast<float>(static_cast<int>(c) - static_cast<int>(f.qmax));
}
float valueIntAsym(const Format &, const GroupParams &p, std::uint8_t c) { return p.scale * (static_cast<float>(c) - p.scale2); }
float valueGrid(const Format &f, const GroupParams &p, std::uint8_t c) { return p.codeScale * f.grid[c]; }
float valueAfpq(const Format &f, const GroupParams &p, std::uint8_t c)
{
    const float v = f.grid[c];
    return v > 0.0f ? p.scale * v : (v < 0.0f ? p.scale2 * v : 0.0f);
}
float valueMixture(const Format &f, const GroupParams &p, std::uint8_t c)
{
    return p.scale * mixMemberValue(f.members[p.selector], c);
}
float valueQ4_0(const Format &, const GroupParams &p, std::uint8_t c) { return static_cast<float>(static_cast<int>(c) - 8) * p.scale; }

struct FamilyRules {
    Family family;
    GroupParams (*params)(const FormatSpec &, const GroupStats &, const float *, std::int64_t, const float *, float);
    std::uint8_t (*code)(const Format &, const GroupParams &, float);
    float (*value)(const Format &, const GroupParams &, std::uint8_t);
};

// NVFP4's value uses codeScale = f32(scale·t); every other grid has codeScale = scale.
constexpr std::array<FamilyRules, kFamilies.size()> kRules{{
    {Family::IntSym, paramsSymmetric, codeIntSym, valueIntSym},
    {Family::IntAsym, paramsIntAsym, codeIntAsym, valueIntAsym},
    {Family::Grid, paramsSymmetric, codeGrid, valueGrid},
    {Family::GridAsym, paramsAfpq, codeAfpq, valueAfpq},
    {Family::Mixture, paramsMixture, codeMixture, valueMixture},
    {Family::Mx, paramsMx, codeGrid, valueGrid},
    {Family::Nvfp4, paramsNvfp4, codeGrid, valueGrid},
    {Family::Iq4nl, paramsIq4nl, codeGrid, valueGrid},
    {Family::Q4_0, paramsQ4_0, codeQ4_0, valueQ4_0},
}};

constexpr bool rulesInEnumOrder()
{
    for (std::size_t i = 0; i < kRules.size(); ++i)
        if (static_cast<std::size_t>(kRules[i].family) != i || kFamilies[i].family != kRules[i].family)
            return false;
    return true;
}
static_assert(rulesInEnumOrder(), "kRules is indexed by Family");

const FamilyRules &rulesOf(Family f) { return kRules[static_cast<std::size_t>(f)]; }

} // namespace

GroupParams paramsFromStats(const FormatSpec &spec, const GroupStats &st, const float *x, std::int64_t n,
                            const float *w, float tensorScale)
{
    return rulesOf(spec.format.family).params(spec, st, x, n, w, tensorScale);
}

void quantizeGroupRef(const FormatSpec &spec, const GroupParams &p, const float *x, std::int64_t n,
                      std::uint8_t *codes)
{
    const auto code = rulesOf(spec.format.family).code;
    for (std::int64_t i = 0; i < n; ++i)
        codes[i] = code(spec.format, p, x[i]);
}

float dequantizeValue(const FormatSpec &spec, const GroupParams &p, std::uint8_t code)
{
    return rulesOf(spec.format.family).value(spec.format, p, code);
}

Result<QuantizedMatrix> quantizeRef(const FormatSpec &spec, const float *x, std::int64_t rows, std::int64_t cols,
                                    const float *importance)
{
    LOWBIT_TRY(GroupLayout l, makeGroupLayout(spec, rows, cols));
    const FamilyTraits &t = spec.format.traits();
    QuantizedMatrix q;
    q.spec = spec;
    q.layout = l;
    q.codes.resize(static_cast<std::size_t>(rows * cols));
    q.scales.resize(static_cast<std::size_t>(l.groupCount));
    if (t.twoScales || t.zeroPoint)
        q.scales2.resize(static_cast<std::size_t>(l.groupCount));
    if (t.selector)
        q.selectors.resize(static_cast<std::size_t>(l.groupCount));
    if (t.tensorScale)
        q.tensorScale = nvfp4TensorScale(x, rows * cols);
    for (std::int64_t g = 0; g < l.groupCount; ++g) {
        const std::int64_t off = l.offset(g), len = l.length(g);
        const GroupParams p = chooseGroupParamsRef(spec, x + off, len, importance ? importance + off : nullptr,
                                                   q.tensorScale);
        quantizeGroupRef(spec, p, x + off, len, q.codes.data() + off);
        q.scales[static_cast<std::size_t>(g)] = p.scale;
        if (!q.scales2.empty())
            q.scales2[static_cast<std::size_t>(g)] = p.scale2;
        if (!q.selectors.empty())
            q.selectors[static_cast<std::size_t>(g)] = p.selector;
    }
    return q;
}

void dequantizeRef(const QuantizedMatrix &q, float *out)
{
    for (std::int64_t g = 0; g < q.layout.groupCount; ++g) {
        const GroupParams p = q.params(g);
        const std::int64_t off = q.layout.offset(g), len = q.layout.length(g);
        for (std::int64_t i = 0; i < len; ++i)
            out[off + i] = dequantizeValue(q.spec, p, q.codes[static_cast<std::size_t>(off + i)]);
    }
}

} // namespace lowbit::formats
