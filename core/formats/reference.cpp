// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/reference.h"

#include <algorithm>
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

GroupParams paramsFromStats(const FormatSpec &spec, const GroupStats &st, const float *x, std::int64_t n,
                            const float *w, float tensorScale)
{
    const Format &f = spec.format;
    const float a = st.absmax * spec.clip;
    GroupParams p;
    switch (f.family) { // per-family scale rules (datatypes.md §1, §5)
    case Family::IntSym:
    case Family::Grid:
        p.scale = roundScale(a / f.qmax, spec.storage);
        break;
    case Family::IntAsym: {
        float mn = st.mn * spec.clip, mx = st.mx * spec.clip;
        if (mn == mx) { // constant group: include 0 so the value stays representable
            mn = std::fmin(mn, 0.0f);
            mx = std::fmax(mx, 0.0f);
        }
        p.scale = roundScale((mx - mn) / f.qmax, spec.storage);
        if (p.scale > 0.0f)
            p.scale2 = std::fmin(f.qmax, std::fmax(0.0f, std::round(-mn / p.scale)));
        p.scale2 += 0.0f; // −0 → +0
        break;
    }
    case Family::GridAsym: {
        const float xmax = st.mx * spec.clip > 0.0f ? st.mx * spec.clip : 0.0f;
        const float xmin = st.mn * spec.clip < 0.0f ? st.mn * spec.clip : 0.0f;
        p.scale = roundScale(xmax / f.qmax, spec.storage);
        p.scale2 = roundScale(-xmin / f.qmax, spec.storage);
        break;
    }
    case Family::Mixture: {
        double best = 0.0;
        for (std::size_t m = 0; m < f.members.size(); ++m) {
            const MixMember &mem = f.members[m];
            const float s = roundScale(a / mem.qmax, spec.storage);
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
                p.scale = s;
            }
        }
        break;
    }
    case Family::Mx: {
        int e = -127;
        if (a > 0.0f) {
            int ex = 0;
            std::frexp(a, &ex); // a = f·2^ex, f in [0.5, 1): floor(log2 a) = ex − 1
            e = std::max(-127, std::min(127, ex - 1 - f.mxEmax));
        }
        p.scale = std::ldexp(1.0f, e);
        break;
    }
    case Family::Nvfp4:
        p.scale = tensorScale > 0.0f ? roundScale((a / 6.0f) / tensorScale, spec.storage) : 0.0f;
        p.codeScale = p.scale * tensorScale;
        return p;
    case Family::Iq4nl:
        p.scale = st.any ? roundScale(x[st.argAbsmax] * spec.clip / -127.0f, spec.storage) : 0.0f;
        break;
    case Family::Q4_0: {
        const float d = st.any ? x[st.argAbsmax] * spec.clip / -8.0f : 0.0f;
        p.scale = roundScale(d, spec.storage);
        p.codeScale = d;
        return p;
    }
    }
    p.codeScale = p.scale;
    return p;
}

void quantizeGroupRef(const FormatSpec &spec, const GroupParams &p, const float *x, std::int64_t n,
                      std::uint8_t *codes)
{
    const Format &f = spec.format;
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        switch (f.family) {
        case Family::IntSym:
            codes[i] = intSymCodeRef(divOrZero(v, p.codeScale), f.qmax);
            break;
        case Family::IntAsym: {
            float q = 0.0f;
            if (!std::isnan(v) && p.codeScale != 0.0f)
                q = std::round(v / p.codeScale) + p.scale2;
            else
                q = p.scale2;
            codes[i] = static_cast<std::uint8_t>(std::fmin(f.qmax, std::fmax(0.0f, q)));
            break;
        }
        case Family::GridAsym: {
            const float y = v > 0.0f ? divOrZero(v, p.codeScale) : (v < 0.0f ? divOrZero(v, p.scale2) : 0.0f);
            codes[i] = gridCodeRef(f.midpoints, y);
            break;
        }
        case Family::Mixture:
            codes[i] = memberCode(f.members[p.selector], divOrZero(v, p.codeScale));
            break;
        case Family::Q4_0: {
            if (std::isnan(v)) {
                codes[i] = 8;
                break;
            }
            const float id = p.codeScale != 0.0f ? 1.0f / p.codeScale : 0.0f;
            const float q = std::fmin(15.0f, std::fmax(0.0f, v * id + 8.5f));
            codes[i] = static_cast<std::uint8_t>(q); // truncation as ggml's (int8_t) cast
            break;
        }
        case Family::Grid:
        case Family::Mx:
        case Family::Nvfp4:
        case Family::Iq4nl:
            codes[i] = gridCodeRef(f.midpoints, divOrZero(v, p.codeScale));
            break;
        }
    }
}

float dequantizeValue(const FormatSpec &spec, const GroupParams &p, std::uint8_t code)
{
    const Format &f = spec.format;
    switch (f.family) {
    case Family::IntSym:
        return p.scale * static_cast<float>(static_cast<int>(code) - static_cast<int>(f.qmax));
    case Family::IntAsym:
        return p.scale * (static_cast<float>(code) - p.scale2);
    case Family::GridAsym: {
        const float v = f.grid[code];
        return v > 0.0f ? p.scale * v : (v < 0.0f ? p.scale2 * v : 0.0f);
    }
    case Family::Mixture:
        return p.scale * mixMemberValue(f.members[p.selector], code);
    case Family::Q4_0:
        return static_cast<float>(static_cast<int>(code) - 8) * p.scale;
    case Family::Nvfp4:
        return p.codeScale * f.grid[code];
    case Family::Grid:
    case Family::Mx:
    case Family::Iq4nl:
        return p.scale * f.grid[code];
    }
    return 0.0f;
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
