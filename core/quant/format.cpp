// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/format.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <set>

namespace lowbit {

namespace {

using F = FormatFamily;
using S = ScaleStorage;
constexpr std::array<FormatFamilyTraits, kFormatFamilyCount> kFormatFamilies = {{
    //  family            name              scalar mixable asym   group fixedStorage storage
    {F::Int,           "int",            true,  true,  false, 0,  false, S::F32},
    {F::IntAsym,       "int-asym",       true,  true,  false, 0,  false, S::F32},
    {F::Fp,            "fp",             true,  true,  true,  0,  false, S::F32},
    {F::Nf,            "nf",             true,  true,  true,  0,  false, S::F32},
    {F::Lut,           "lut",            true,  true,  true,  0,  false, S::F32},
    {F::BitmodVariant, "bitmod-variant", true,  true,  true,  0,  false, S::F32},
    {F::Iq4nl,         "iq4nl",          true,  false, false, 0,  false, S::F32},
    {F::Mixture,       "mixture",        false, false, false, 0,  false, S::F32},
    {F::Mx,            "mx",             false, false, false, 32, true,  S::E8M0},
    {F::Nvfp4,         "nvfp4",          false, false, false, 16, true,  S::E4M3},
    {F::Q4_0,          "q4_0",           false, false, false, 32, true,  S::F16},
}};
constexpr bool tableInOrder()
{
    for (std::size_t i = 0; i < kFormatFamilies.size(); ++i)
        if (static_cast<std::size_t>(kFormatFamilies[i].family) != i)
            return false;
    return true;
}
static_assert(tableInOrder(), "kFormatFamilies must be indexed by FormatFamily");

const std::vector<float> kNf4 = {-1.0f, -0.6961928f, -0.5250731f, -0.3949175f, -0.2844414f, -0.1847734f, -0.0910500f, 0.0f,
                                 0.0795803f, 0.1609302f, 0.2461123f, 0.3379152f, 0.4407098f, 0.5626170f, 0.7229568f, 1.0f};
const std::vector<float> kNf3 = {-1.0f, -0.5350227f, -0.2469314f, 0.0f, 0.1833375f, 0.3819939f, 0.6229857f, 1.0f};
const std::vector<float> kFp3 = {-4, -2, -1, 0, 1, 2, 4};
const std::vector<float> kFp4x2 = {-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12}; // E2M1 × 2
const std::vector<float> kQ4_0 = {-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7};
const std::vector<float> kIq4nl = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

std::vector<float> sortedUnique(std::vector<float> v)
{
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

Format gridFormat(std::string name, FormatFamily family, std::vector<float> grid, unsigned bits)
{
    Format f;
    f.name = std::move(name);
    f.family = family;
    f.grid = std::move(grid);
    f.bits = bits;
    return f;
}

Format intFormat(unsigned bits, bool asym)
{
    Format f;
    f.family = asym ? FormatFamily::IntAsym : FormatFamily::Int;
    f.bits = bits;
    f.name = "int" + std::to_string(bits) + (asym ? "-asym" : "");
    return f;
}

Format bitmodVariant(unsigned bits, bool resolution, bool positive)
{
    std::vector<float> g = bits == 3 ? kFp3 : kFp4x2;
    const float extra = bits == 3 ? (resolution ? 3.0f : 6.0f) : (resolution ? 10.0f : 16.0f);
    g.push_back(positive ? extra : -extra);
    const std::string name = "fp" + std::to_string(bits) + (resolution ? "-er" : "-ea") + (positive ? "-pos" : "-neg");
    return gridFormat(name, FormatFamily::BitmodVariant, sortedUnique(g), bits);
}

Format mixture(std::string name, std::vector<Format> members)
{
    Format f;
    f.name = std::move(name);
    f.family = FormatFamily::Mixture;
    f.members = std::move(members);
    f.bits = 0;
    for (const auto &m : f.members)
        f.bits = std::max(f.bits, m.codeBits());
    return f;
}

Format mxFormat(std::string name, unsigned e, unsigned m, int emax)
{
    Format f = gridFormat(std::move(name), FormatFamily::Mx, minifloatGrid(e, m), 1 + e + m);
    f.mxEmax = emax;
    return f;
}

Result<Format> minifloatFormat(unsigned e, unsigned m, const std::string &name)
{
    if (e < 1 || 1 + e + m < 3 || 1 + e + m > 8)
        return makeError(ErrorCode::InvalidArgument, "fp-eXmY needs X ≥ 1 and 3 ≤ 1+X+Y ≤ 8 (got '" + name + "')");
    return gridFormat(name, FormatFamily::Fp, minifloatGrid(e, m), 1 + e + m);
}

/// The named formats (aliases resolve to their canonical name).
struct Named {
    std::string_view name;
    std::string_view canonical; ///< empty: itself
};
constexpr std::array<Named, 16> kAliases = {{
    {"fp4", "fp-e2m1"},        {"fp5-e2m2", "fp-e2m2"}, {"fp5-e3m1", "fp-e3m1"}, {"fp6-e3m2", "fp-e3m2"},
    {"fp6-e2m3", "fp-e2m3"},   {"fp8-e4m3", "fp-e4m3"}, {"fp8-e5m2", "fp-e5m2"}, {"fp4-e2m1", "fp-e2m1"},
    {"mxfp6", "mxfp6-e3m2"},   {"mxfp8", "mxfp8-e4m3"}, {"iq4_nl", "iq4nl"},     {"fp3-base", "fp3"},
    {"nf4-sym", "nf4"},        {"nf3-sym", "nf3"},      {"int4-sym", "int4"},    {"int8-sym", "int8"},
}};

Result<Format> parseBase(std::string_view n)
{
    for (const auto &a : kAliases)
        if (n == a.name) {
            LOWBIT_TRY(Format f, parseBase(a.canonical));
            f.name = std::string(n);
            return f;
        }
    if (n.size() == 4 && n.substr(0, 3) == "int" && n[3] >= '2' && n[3] <= '8')
        return intFormat(static_cast<unsigned>(n[3] - '0'), false);
    if (n.size() == 7 && n.substr(0, 3) == "fp-" && n[3] == 'e' && n[5] == 'm' && std::isdigit(static_cast<unsigned char>(n[4]))
        && std::isdigit(static_cast<unsigned char>(n[6])))
        return minifloatFormat(static_cast<unsigned>(n[4] - '0'), static_cast<unsigned>(n[6] - '0'), std::string(n));
    if (n == "fp3")
        return gridFormat("fp3", FormatFamily::Fp, kFp3, 3);
    if (n == "nf4")
        return gridFormat("nf4", FormatFamily::Nf, kNf4, 4);
    if (n == "nf3")
        return gridFormat("nf3", FormatFamily::Nf, kNf3, 3);
    if (n == "iq4nl")
        return gridFormat("iq4nl", FormatFamily::Iq4nl, kIq4nl, 4);
    if (n == "q4_0")
        return gridFormat("q4_0", FormatFamily::Q4_0, kQ4_0, 4);
    for (unsigned bits : {3u, 4u})
        for (bool res : {true, false})
            for (bool pos : {true, false}) {
                Format v = bitmodVariant(bits, res, pos);
                if (n == v.name)
                    return v;
            }
    if (n == "bitmod-fp3" || n == "bitmod-fp4") {
        const unsigned bits = n.back() == '3' ? 3 : 4;
        // selector order = the tie order of datatypes.md §5: ER_POS, ER_NEG, EA_POS, EA_NEG
        return mixture(std::string(n), {bitmodVariant(bits, true, true), bitmodVariant(bits, true, false), bitmodVariant(bits, false, true),
                                         bitmodVariant(bits, false, false)});
    }
    if (n == "mxfp4")
        return mxFormat("mxfp4", 2, 1, 2);
    if (n == "mxfp6-e3m2")
        return mxFormat("mxfp6-e3m2", 3, 2, 4);
    if (n == "mxfp6-e2m3")
        return mxFormat("mxfp6-e2m3", 2, 3, 2);
    if (n == "mxfp8-e4m3")
        return mxFormat("mxfp8-e4m3", 4, 3, 8);
    if (n == "nvfp4") {
        Format f = gridFormat("nvfp4", FormatFamily::Nvfp4, minifloatGrid(2, 1), 4);
        return f;
    }
    if (n.substr(0, 4) == "lut:") {
        std::vector<float> v;
        std::string_view rest = n.substr(4);
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const std::string_view item = rest.substr(0, comma);
            float x = 0;
            const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), x);
            if (ec != std::errc() || p != item.data() + item.size() || !std::isfinite(x))
                return makeError(ErrorCode::InvalidArgument, "lut: value '" + std::string(item) + "' is not a finite number");
            v.push_back(x);
            if (comma == std::string_view::npos)
                break;
            rest.remove_prefix(comma + 1);
        }
        const std::size_t given = v.size();
        v = sortedUnique(v);
        if (v.size() != given)
            return makeError(ErrorCode::InvalidArgument, "lut: the values must be unique");
        if (v.size() < 2 || v.size() > 256)
            return makeError(ErrorCode::InvalidArgument, "lut: needs 2 to 256 values, got " + std::to_string(v.size()));
        return gridFormat(std::string(n), FormatFamily::Lut, v, 0);
    }
    if (n.substr(0, 4) == "mix:") {
        std::vector<Format> members;
        std::string_view rest = n.substr(4);
        while (true) {
            const auto bar = rest.find('|');
            auto m = parseFormat(rest.substr(0, bar));
            if (!m)
                return m.error().withContext("mix: member '" + std::string(rest.substr(0, bar)) + "'");
            if (!familyTraits(m->family).mixable)
                return makeError(ErrorCode::InvalidArgument, "mix: member '" + m->name + "' is not a scalar grid or INT format");
            members.push_back(std::move(*m));
            if (bar == std::string_view::npos)
                break;
            rest.remove_prefix(bar + 1);
        }
        if (members.size() < 2 || members.size() > 256)
            return makeError(ErrorCode::InvalidArgument, "mix: needs 2 to 256 members");
        return mixture(std::string(n), std::move(members));
    }
    return makeError(ErrorCode::InvalidArgument,
                     "unknown format '" + std::string(n)
                         + "'; valid: int2…int8[-asym], fp-eXmY (3 ≤ 1+X+Y ≤ 8) and aliases fp4, fp6-e3m2, fp6-e2m3, fp8-e4m3, "
                           "fp8-e5m2, fp3, nf3, nf4 (any FP/NF/LUT grid takes -asym), bitmod-fp3, bitmod-fp4, fp3|fp4-er|ea-pos|neg, "
                           "mxfp4, mxfp6-e3m2, mxfp6-e2m3, mxfp8-e4m3, nvfp4, iq4nl, q4_0, lut:v1,v2,…, mix:A|B|…");
}

} // namespace

const FormatFamilyTraits &familyTraits(FormatFamily f)
{
    const auto i = static_cast<std::size_t>(f);
    return kFormatFamilies[i < kFormatFamilies.size() ? i : static_cast<std::size_t>(FormatFamily::Lut)];
}

std::string_view formatFamilyName(FormatFamily f) { return familyTraits(f).name; }

unsigned Format::codeBits() const
{
    switch (family) {
    case FormatFamily::Int:
    case FormatFamily::IntAsym: return bits;
    case FormatFamily::Mixture: return bits;
    default: {
        unsigned b = 0;
        while ((std::size_t(1) << b) < grid.size())
            ++b;
        return std::max(1u, b);
    }
    }
}

unsigned Format::selectorBits() const
{
    if (family != FormatFamily::Mixture)
        return 0;
    unsigned b = 0;
    while ((std::size_t(1) << b) < members.size())
        ++b;
    return b;
}

bool Format::isScalar() const { return familyTraits(family).scalar; }

Result<Format> parseFormat(std::string_view name)
{
    if (name.size() > 5 && name.substr(name.size() - 5) == "-asym" && name.substr(0, 3) != "int" && name.substr(0, 4) != "mix:") {
        LOWBIT_TRY(Format f, parseBase(name.substr(0, name.size() - 5)));
        if (!familyTraits(f.family).takesAsym)
            return makeError(ErrorCode::InvalidArgument, "'-asym' (AFPQ two scales) applies to FP, NF, LUT and BitMoD grids, not to '" + f.name + "'");
        if (f.grid.empty() || !(f.grid.back() > 0.0f))
            return makeError(ErrorCode::InvalidArgument, "'-asym' (AFPQ) needs a grid whose largest value R = max(V) is positive ('" + f.name + "')");
        f.twoScale = true;
        f.name = std::string(name);
        return f;
    }
    if (name.size() == 9 && name.substr(0, 3) == "int" && name.substr(4) == "-asym" && name[3] >= '2' && name[3] <= '8')
        return intFormat(static_cast<unsigned>(name[3] - '0'), true);
    return parseBase(name);
}

std::vector<std::string> listFormatNames()
{
    std::vector<std::string> n;
    for (int b = 2; b <= 8; ++b)
        n.push_back("int" + std::to_string(b));
    for (int b = 2; b <= 8; ++b)
        n.push_back("int" + std::to_string(b) + "-asym");
    for (const char *s : {"fp3", "fp4", "fp5-e2m2", "fp5-e3m1", "fp6-e3m2", "fp6-e2m3", "fp8-e4m3", "fp8-e5m2", "fp3-asym", "fp4-asym",
                          "nf3", "nf4", "nf3-asym", "nf4-asym", "bitmod-fp3", "bitmod-fp4", "fp3-er-pos", "fp3-er-neg", "fp3-ea-pos",
                          "fp3-ea-neg", "fp4-er-pos", "fp4-er-neg", "fp4-ea-pos", "fp4-ea-neg", "mxfp4", "mxfp6-e3m2", "mxfp6-e2m3",
                          "mxfp8-e4m3", "nvfp4", "iq4nl"})
        n.emplace_back(s);
    return n;
}

std::string_view scaleStorageName(ScaleStorage s)
{
    static constexpr std::array<std::string_view, 5> kNames = {"fp32", "fp16", "bf16", "e8m0", "e4m3"};
    return kNames[static_cast<std::size_t>(s)];
}

Result<ScaleStorage> parseScaleStorage(std::string_view name)
{
    for (int i = 0; i < 5; ++i)
        if (scaleStorageName(static_cast<ScaleStorage>(i)) == name)
            return static_cast<ScaleStorage>(i);
    return makeError(ErrorCode::InvalidArgument, "unknown scale storage '" + std::string(name) + "' (fp32, fp16, bf16, e8m0, e4m3)");
}

unsigned scaleStorageBits(ScaleStorage s)
{
    static constexpr std::array<unsigned, 5> kBits = {32, 16, 16, 8, 8};
    return kBits[static_cast<std::size_t>(s)];
}

Result<FormatSpec> makeFormatSpec(const Format &format, std::optional<std::int64_t> groupSize, std::optional<ScaleStorage> storage, float clip)
{
    FormatSpec s;
    s.format = format;
    if (!(clip > 0.0f && clip <= 1.0f))
        return makeError(ErrorCode::InvalidArgument, "clipping ratio must be in (0, 1]");
    s.clip = clip;
    const FormatFamilyTraits &t = familyTraits(format.family);
    const std::int64_t fixedGroup = t.fixedGroup;
    const ScaleStorage fixedStorage = t.storage;
    if (t.fixedGroup > 0 || t.fixedStorage) {
        if (groupSize && *groupSize != fixedGroup)
            return makeError(ErrorCode::InvalidArgument, format.name + " has fixed groups of " + std::to_string(fixedGroup) + " (asked for "
                                                             + std::to_string(*groupSize) + ")");
        if (storage && *storage != fixedStorage)
            return makeError(ErrorCode::InvalidArgument, format.name + " stores its scales as " + std::string(scaleStorageName(fixedStorage)));
        s.groupSize = fixedGroup;
        s.scaleStorage = fixedStorage;
        return s;
    }
    s.groupSize = groupSize.value_or(32);
    if (s.groupSize < kPerTensor)
        return makeError(ErrorCode::InvalidArgument, "group size must be positive, 0 (per channel) or -1 (per tensor)");
    s.scaleStorage = storage.value_or(ScaleStorage::F32);
    return s;
}

BpwBreakdown bitsPerWeight(const FormatSpec &spec, std::int64_t rows, std::int64_t cols)
{
    BpwBreakdown b;
    const double n = static_cast<double>(rows) * static_cast<double>(cols);
    if (n <= 0)
        return b;
    double groups = 1;
    if (spec.groupSize > 0)
        groups = static_cast<double>(rows) * static_cast<double>((cols + spec.groupSize - 1) / spec.groupSize);
    else if (spec.groupSize == kPerChannel)
        groups = static_cast<double>(rows);
    const Format &f = spec.format;
    const double scaleBits = scaleStorageBits(spec.scaleStorage);
    b.codes = f.codeBits();
    b.scales = groups * scaleBits / n;
    // the second per-group parameter: AFPQ's s_neg (a scale) or INT-asym's zero point (k bits);
    // a mixture stores the widest any member needs for every group
    auto secondBits = [&](const Format &m) { return m.twoScale ? scaleBits : m.family == FormatFamily::IntAsym ? double(m.bits) : 0.0; };
    double second = secondBits(f);
    for (const auto &m : f.members)
        second = std::max(second, secondBits(m));
    b.secondScales = groups * second / n;
    b.selectors = groups * f.selectorBits() / n;
    if (f.family == FormatFamily::Nvfp4)
        b.tensor = 32.0 / n;
    return b;
}

namespace {
FastMember memberFor(const Format &f)
{
    switch (f.family) {
    case FormatFamily::Int: return fastIntMember(f.bits);
    case FormatFamily::IntAsym: return fastIntAsymMember(f.bits);
    case FormatFamily::Iq4nl: return fastIq4nlMember();
    default: return fastGridMember(f.grid, f.twoScale);
    }
}
} // namespace

Result<FastPlan> planForSpec(const FormatSpec &spec)
{
    const Format &f = spec.format;
    switch (f.family) {
    case FormatFamily::Mx: return fastMxPlan(f.grid, f.mxEmax);
    case FormatFamily::Nvfp4: return fastNvfp4Plan();
    case FormatFamily::Q4_0:
        return makeError(ErrorCode::Unsupported, "q4_0 (ggml's rule) has no fast path; use the reference quantizer (quantizeRef)");
    case FormatFamily::Mixture: {
        std::vector<FastMember> members;
        for (const auto &m : f.members)
            members.push_back(memberFor(m));
        return fastMixturePlan(std::move(members), spec.groupSize, spec.scaleStorage, spec.clip);
    }
    default: return fastSinglePlan(memberFor(f), spec.groupSize, spec.scaleStorage, spec.clip);
    }
}

} // namespace lowbit
