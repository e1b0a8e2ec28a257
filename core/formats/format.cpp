// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lowbit::formats {
namespace {

// Published grids (docs/datatypes.md §1).
constexpr std::array<float, 16> kNf4{-1.0f, -0.6961928f, -0.5250731f, -0.3949175f, -0.2844414f, -0.1847734f,
                                     -0.0910500f, 0.0f, 0.0795803f, 0.1609302f, 0.2461123f, 0.3379152f,
                                     0.4407098f, 0.5626170f, 0.7229568f, 1.0f};
constexpr std::array<float, 8> kNf3{-1.0f, -0.5350227f, -0.2469314f, 0.0f, 0.1833375f, 0.3819939f, 0.6229857f, 1.0f};
constexpr std::array<float, 16> kIq4nl{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
constexpr std::array<float, 7> kFp3{-4, -2, -1, 0, 1, 2, 4};
constexpr std::array<float, 15> kFp4x2{-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12};

/// BitMoD variants: the extra value each adds to the base grid (×2 integer grids).
struct BitmodVariant {
    std::string_view suffix;
    float extra3, extra4;
};
constexpr std::array<BitmodVariant, 4> kBitmod{{
    {"er-pos", 3, 10}, {"er-neg", -3, -10}, {"ea-pos", 6, 16}, {"ea-neg", -6, -16}}};

/// Named formats with a fixed meaning; the generic fp-eXmY and -asym forms are parsed.
struct MinifloatAlias {
    std::string_view name;
    int e, m;
    bool fn, ieee;
};
constexpr std::array<MinifloatAlias, 5> kMinifloatAliases{{
    {"fp4", 2, 1, false, false}, {"fp6-e3m2", 3, 2, false, false}, {"fp6-e2m3", 2, 3, false, false},
    {"fp8-e4m3", 4, 3, true, false}, {"fp8-e5m2", 5, 2, false, true}}};

struct MxEntry {
    std::string_view name;
    int e, m, emax;
    bool fn;
};
constexpr std::array<MxEntry, 4> kMx{{{"mxfp4", 2, 1, 2, false}, {"mxfp6-e3m2", 3, 2, 4, false},
                                      {"mxfp6-e2m3", 2, 3, 2, false}, {"mxfp8-e4m3", 4, 3, 8, true}}};

constexpr std::array<std::string_view, 5> kStorageNames{"fp32", "fp16", "bf16", "e8m0", "e4m3"};
constexpr std::array<int, 5> kStorageBits{32, 16, 16, 8, 8};

int bitsFor(std::size_t n)
{
    int b = 0;
    while ((std::size_t{1} << b) < n)
        ++b;
    return std::max(b, 1);
}

std::vector<float> midpointsOf(const std::vector<float> &g)
{
    std::vector<float> mids;
    for (std::size_t i = 0; i + 1 < g.size(); ++i)
        mids.push_back((g[i] + g[i + 1]) * 0.5f);
    return mids;
}

float maxAbs(const std::vector<float> &g)
{
    float m = 0.0f;
    for (const float v : g)
        m = std::max(m, std::fabs(v));
    return m;
}

Format gridFormat(std::string name, std::vector<float> grid)
{
    Format f;
    f.name = std::move(name);
    f.family = Family::Grid;
    f.codeBits = bitsFor(grid.size());
    f.midpoints = midpointsOf(grid);
    f.qmax = maxAbs(grid);
    f.grid = std::move(grid);
    return f;
}

Error invalid(std::string what)
{
    std::string msg = std::move(what) + "; valid formats: int2…int8, int2-asym…int8-asym, fp-eXmY (3 ≤ 1+X+Y ≤ 8, X ≥ 1)";
    for (const auto &n : listFormatNames())
        if (n.rfind("fp-e", 0) != 0 && n.rfind("int", 0) != 0)
            msg += ", " + n;
    msg += ", any FP/NF/LUT grid + \"-asym\", lut:v1,v2,… (2..256 finite unique values), mix:F1|F2|… (2..256 symmetric int/grid members)";
    return makeError(ErrorCode::InvalidArgument, std::move(msg));
}

bool parseInt(std::string_view s, int &out)
{
    if (s.empty())
        return false;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

Result<Format> parseLut(std::string_view body, std::string_view full)
{
    std::vector<float> values;
    std::size_t pos = 0;
    while (pos <= body.size()) {
        const std::size_t comma = std::min(body.find(',', pos), body.size());
        const std::string item(body.substr(pos, comma - pos));
        float v = 0.0f;
        const auto r = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || r.ec != std::errc() || r.ptr != item.data() + item.size())
            return invalid("'" + std::string(full) + "': LUT entry '" + item + "' is not a number");
        if (!std::isfinite(v))
            return invalid("'" + std::string(full) + "': LUT entry '" + item + "' is not finite");
        values.push_back(v == 0.0f ? 0.0f : v);
        if (values.size() > 256)
            return invalid("'" + std::string(full) + "': a LUT has at most 256 values");
        pos = comma + 1;
    }
    std::sort(values.begin(), values.end());
    if (values.size() < 2)
        return invalid("'" + std::string(full) + "': a LUT needs at least 2 values");
    if (std::adjacent_find(values.begin(), values.end()) != values.end())
        return invalid("'" + std::string(full) + "': LUT values must be unique");
    std::string name = "lut:";
    for (std::size_t i = 0; i < values.size(); ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(values[i]));
        name += (i ? "," : "") + std::string(buf);
    }
    return gridFormat(std::move(name), std::move(values));
}

/// Symmetric scalar formats (no -asym): INT-sym or a grid.
Result<Format> parseSymmetric(std::string_view n)
{
    if (n.rfind("int", 0) == 0) {
        int k = 0;
        if (parseInt(n.substr(3), k) && k >= 2 && k <= 8) {
            Format f;
            f.name = std::string(n);
            f.family = Family::IntSym;
            f.intBits = k;
            f.codeBits = k;
            f.qmax = static_cast<float>((1 << (k - 1)) - 1);
            return f;
        }
        return invalid("unknown format '" + std::string(n) + "' (INT widths are 2…8)");
    }
    for (const auto &a : kMinifloatAliases)
        if (n == a.name) {
            Format f = gridFormat(std::string(a.name), minifloatGrid(a.e, a.m, a.fn, a.ieee));
            f.codeBits = 1 + a.e + a.m;
            f.minifloatE = a.e;
            f.minifloatM = a.m;
            return f;
        }
    if (n.rfind("fp-e", 0) == 0) {
        const std::size_t mpos = n.find('m', 4);
        int e = 0, m = 0;
        if (mpos == std::string_view::npos || !parseInt(n.substr(4, mpos - 4), e) || !parseInt(n.substr(mpos + 1), m))
            return invalid("unknown format '" + std::string(n) + "' (expected fp-eXmY)");
        if (e < 1 || m < 0 || 1 + e + m < 3 || 1 + e + m > 8)
            return invalid("'" + std::string(n) + "': fp-eXmY needs X ≥ 1 and 3 ≤ 1+X+Y ≤ 8");
        for (const auto &a : kMinifloatAliases) // one canonical name per grid
            if (a.e == e && a.m == m)
                return parseSymmetric(a.name);
        Format f = gridFormat(std::string(n), minifloatGrid(e, m, false, false));
        f.codeBits = 1 + e + m;
        f.minifloatE = e;
        f.minifloatM = m;
        return f;
    }
    if (n == "fp3")
        return gridFormat("fp3", {kFp3.begin(), kFp3.end()});
    if (n == "nf4")
        return gridFormat("nf4", {kNf4.begin(), kNf4.end()});
    if (n == "nf3")
        return gridFormat("nf3", {kNf3.begin(), kNf3.end()});
    for (const auto &v : kBitmod) {
        if (n == "fp3-" + std::string(v.suffix)) {
            std::vector<float> g(kFp3.begin(), kFp3.end());
            g.push_back(v.extra3);
            std::sort(g.begin(), g.end());
            return gridFormat(std::string(n), std::move(g));
        }
        if (n == "fp4-" + std::string(v.suffix)) {
            std::vector<float> g(kFp4x2.begin(), kFp4x2.end());
            g.push_back(v.extra4);
            std::sort(g.begin(), g.end());
            return gridFormat(std::string(n), std::move(g));
        }
    }
    if (n.rfind("lut:", 0) == 0)
        return parseLut(n.substr(4), n);
    return invalid("unknown format '" + std::string(n) + "'");
}

Result<Format> parseMixture(std::string_view body, std::string_view full, std::string canonical = {})
{
    Format f;
    f.family = Family::Mixture;
    std::size_t pos = 0;
    std::string name = "mix:";
    while (pos <= body.size()) {
        const std::size_t bar = std::min(body.find('|', pos), body.size());
        const std::string_view item = body.substr(pos, bar - pos);
        auto m = parseSymmetric(item);
        if (!m)
            return invalid("'" + std::string(full) + "': mixture member '" + std::string(item) +
                           "' is not a symmetric int or grid format (" + m.error().detail.substr(0, 60) + "…)");
        MixMember mm;
        mm.name = m->name;
        mm.intBits = m->family == Family::IntSym ? m->intBits : 0;
        mm.grid = m->grid;
        mm.midpoints = m->midpoints;
        mm.qmax = m->qmax;
        mm.codeBits = m->codeBits;
        f.codeBits = std::max(f.codeBits, mm.codeBits);
        name += (f.members.empty() ? "" : "|") + mm.name;
        f.members.push_back(std::move(mm));
        if (f.members.size() > 256)
            return invalid("'" + std::string(full) + "': a mixture has at most 256 members");
        pos = bar + 1;
    }
    if (f.members.size() < 2)
        return invalid("'" + std::string(full) + "': a mixture needs at least 2 members");
    f.selectorBits = bitsFor(f.members.size());
    f.name = canonical.empty() ? name : std::move(canonical);
    return f;
}

} // namespace

std::uint8_t Format::zeroCode() const
{
    const auto below0 = [](const std::vector<float> &mids) {
        return static_cast<std::uint8_t>(std::count_if(mids.begin(), mids.end(), [](float m) { return m < 0.0f; }));
    };
    switch (family) {
    case Family::IntSym:
        return static_cast<std::uint8_t>(qmax); // q = 0
    case Family::IntAsym:
        return 0; // a zero group has z = 0
    case Family::Q4_0:
        return 8;
    case Family::Mixture: // the first member (selected on ties)
        if (members.empty())
            return 0;
        return members[0].intBits ? static_cast<std::uint8_t>(members[0].qmax) : below0(members[0].midpoints);
    default:
        return below0(midpoints); // the code y = 0 gets: #midpoints < 0
    }
}

std::vector<float> minifloatGrid(int e, int m, bool fnE4m3, bool ieee)
{
    std::vector<float> g;
    const int bias = (1 << (e - 1)) - 1;
    const int emaxCode = (1 << e) - 1, mmax = (1 << m) - 1;
    for (int ex = 0; ex <= emaxCode; ++ex)
        for (int mm = 0; mm <= mmax; ++mm) {
            if ((fnE4m3 && ex == emaxCode && mm == mmax) || (ieee && ex == emaxCode))
                continue;
            const double frac = static_cast<double>(mm) / static_cast<double>(1 << m);
            const double v = ex == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0 + frac, ex - bias);
            g.push_back(static_cast<float>(v));
            if (v != 0.0)
                g.push_back(static_cast<float>(-v));
        }
    std::sort(g.begin(), g.end());
    g.erase(std::unique(g.begin(), g.end()), g.end());
    return g;
}

int minifloatPattern(const Format &f, float value)
{
    if (f.minifloatE < 1)
        return -1;
    const int e = f.minifloatE, m = f.minifloatM;
    const int bias = (1 << (e - 1)) - 1;
    const float a = std::fabs(value);
    for (int code = 0; code < (1 << (e + m)); ++code) {
        const int ex = code >> m, mm = code & ((1 << m) - 1);
        const double frac = static_cast<double>(mm) / static_cast<double>(1 << m);
        const double v = ex == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0 + frac, ex - bias);
        if (static_cast<float>(v) == a)
            return (value < 0.0f ? (1 << (e + m)) : 0) | code;
    }
    return -1;
}

Result<Format> parseFormat(std::string_view name)
{
    if (name.rfind("mix:", 0) == 0)
        return parseMixture(name.substr(4), name);
    if (name == "bitmod-fp3" || name == "bitmod-fp4") {
        const std::string w = name == "bitmod-fp3" ? "fp3-" : "fp4-";
        std::string body;
        for (const auto &v : kBitmod)
            body += (body.empty() ? "" : "|") + w + std::string(v.suffix);
        return parseMixture(body, name, std::string(name));
    }
    for (const auto &mx : kMx)
        if (name == mx.name) {
            Format f = gridFormat(std::string(mx.name), minifloatGrid(mx.e, mx.m, mx.fn, false));
            f.family = Family::Mx;
            f.codeBits = 1 + mx.e + mx.m;
            f.mxEmax = mx.emax;
            f.minifloatE = mx.e;
            f.minifloatM = mx.m;
            return f;
        }
    if (name == "nvfp4") {
        Format f = gridFormat("nvfp4", minifloatGrid(2, 1, false, false));
        f.family = Family::Nvfp4;
        f.minifloatE = 2;
        f.minifloatM = 1;
        return f;
    }
    if (name == "iq4nl") {
        Format f = gridFormat("iq4nl", {kIq4nl.begin(), kIq4nl.end()});
        f.family = Family::Iq4nl;
        return f;
    }
    if (name == "q4_0") {
        Format f;
        f.name = "q4_0";
        f.family = Family::Q4_0;
        f.codeBits = 4;
        f.qmax = 8.0f;
        return f;
    }
    constexpr std::string_view kAsym = "-asym";
    if (name.size() > kAsym.size() && name.substr(name.size() - kAsym.size()) == kAsym) {
        const std::string_view base = name.substr(0, name.size() - kAsym.size());
        LOWBIT_TRY(Format f, parseSymmetric(base));
        if (f.family == Family::IntSym) {
            f.family = Family::IntAsym;
            f.qmax = static_cast<float>((1 << f.intBits) - 1);
        } else {
            f.family = Family::GridAsym;
            f.qmax = f.grid.back(); // R = max(V)
            if (!(f.qmax > 0.0f) || !(f.grid.front() < 0.0f))
                return invalid("'" + std::string(name) + "': AFPQ needs a grid with positive and negative values");
        }
        f.name += kAsym;
        return f;
    }
    return parseSymmetric(name);
}

std::vector<std::string> listFormatNames()
{
    std::vector<std::string> out;
    for (int k = 2; k <= 8; ++k)
        out.push_back("int" + std::to_string(k));
    for (int k = 2; k <= 8; ++k)
        out.push_back("int" + std::to_string(k) + "-asym");
    for (const std::string_view n : {"fp3", "fp4", "fp6-e3m2", "fp6-e2m3", "fp8-e4m3", "fp8-e5m2", "nf3", "nf4"}) {
        out.emplace_back(n);
        out.push_back(std::string(n) + "-asym");
    }
    for (int p = 3; p <= 8; ++p)
        for (int e = 1; e < p; ++e) {
            const int m = p - 1 - e;
            bool aliased = false;
            for (const auto &a : kMinifloatAliases)
                aliased = aliased || (a.e == e && a.m == m);
            if (!aliased)
                out.push_back("fp-e" + std::to_string(e) + "m" + std::to_string(m));
        }
    out.emplace_back("bitmod-fp3");
    out.emplace_back("bitmod-fp4");
    for (const char *w : {"fp3-", "fp4-"})
        for (const auto &v : kBitmod)
            out.push_back(w + std::string(v.suffix));
    for (const auto &mx : kMx)
        out.emplace_back(mx.name);
    for (const char *n : {"nvfp4", "iq4nl", "q4_0"})
        out.emplace_back(n);
    return out;
}

std::string_view scaleStorageName(ScaleStorage s) { return kStorageNames[static_cast<std::size_t>(s)]; }
int scaleStorageBits(ScaleStorage s) { return kStorageBits[static_cast<std::size_t>(s)]; }

Result<ScaleStorage> parseScaleStorage(std::string_view name)
{
    for (std::size_t i = 0; i < kStorageNames.size(); ++i)
        if (name == kStorageNames[i])
            return static_cast<ScaleStorage>(i);
    return makeError(ErrorCode::InvalidArgument,
                     "unknown scale storage '" + std::string(name) + "'; valid: fp32, fp16, bf16, e8m0, e4m3");
}

} // namespace lowbit::formats
