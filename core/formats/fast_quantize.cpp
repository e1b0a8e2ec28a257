// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/formats/fast_quantize.h"

#include "core/formats/fast_kernels.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

namespace lowbit::formats {
namespace {

constexpr std::int64_t kMinChunkElements = 16384; // below this a thread costs more than it saves

void fillTable(GridTable &t, const std::vector<float> &grid, const std::vector<float> &mids)
{
    std::fill(std::begin(t.mids), std::end(t.mids), std::numeric_limits<float>::infinity());
    std::fill(std::begin(t.values), std::end(t.values), 0.0f);
    std::copy(mids.begin(), mids.end(), t.mids);
    std::copy(grid.begin(), grid.end(), t.values);
    t.nMids = static_cast<int>(mids.size());
    t.pow2 = 1;
    while (t.pow2 < static_cast<int>(grid.size()))
        t.pow2 *= 2;
    // buckets of the order key: midpoints below each bucket, and the most inside one
    constexpr int kBuckets = 1 << GridTable::kBucketBits, kShift = 32 - GridTable::kBucketBits;
    std::vector<int> inside(kBuckets, 0), below(kBuckets + 1, 0);
    for (const float m : mids)
        ++inside[floatOrderKey(std::bit_cast<std::uint32_t>(m)) >> kShift];
    int maxInside = 0;
    for (int b = 0; b < kBuckets; ++b) {
        t.bucketLo[b] = below[static_cast<std::size_t>(b)];
        below[static_cast<std::size_t>(b) + 1] = below[static_cast<std::size_t>(b)] + inside[static_cast<std::size_t>(b)];
        maxInside = std::max(maxInside, inside[static_cast<std::size_t>(b)]);
    }
    t.bucketCompares = maxInside <= 4 ? maxInside : 0;
}

void fillIntValues(GridTable &t, int offset, int count)
{
    fillTable(t, {}, {});
    for (int c = 0; c < count; ++c)
        t.values[c] = static_cast<float>(c - offset);
}

/// Everything the group loops need, prepared once per matrix.
struct Plan {
    const FormatSpec *spec = nullptr;
    const ElementKernels *k = nullptr;
    std::unique_ptr<GridTable> table;              // codes → values for dequant; grid for codes
    std::vector<std::unique_ptr<GridTable>> members; // mixtures
    std::vector<std::uint8_t> memberZero;
    std::uint8_t zeroCode = 0;
};

Plan makePlan(const FormatSpec &spec, FastOptions o)
{
    Plan p;
    p.spec = &spec;
    const ElementKernels *avx = o.simd == SimdPath::Auto ? avx2Kernels() : nullptr;
    p.k = avx ? avx : &portableKernels();
    const Format &f = spec.format;
    p.table = std::make_unique<GridTable>();
    if (f.family == Family::IntSym)
        fillIntValues(*p.table, static_cast<int>(f.qmax), 2 * static_cast<int>(f.qmax) + 1);
    else if (f.family == Family::Q4_0)
        fillIntValues(*p.table, 8, 16);
    else
        fillTable(*p.table, f.grid, f.midpoints);
    p.zeroCode = f.zeroCode();
    for (const MixMember &m : f.members) {
        auto t = std::make_unique<GridTable>();
        if (m.intBits)
            fillIntValues(*t, static_cast<int>(m.qmax), 2 * static_cast<int>(m.qmax) + 1);
        else
            fillTable(*t, m.grid, m.midpoints);
        p.memberZero.push_back(m.intBits ? static_cast<std::uint8_t>(m.qmax) : gridCodeRef(m.midpoints, 0.0f));
        p.members.push_back(std::move(t));
    }
    return p;
}

GroupStats fastStats(const Plan &pl, const float *x, std::int64_t n)
{
    const Family fam = pl.spec->format.family;
    GroupStats s;
    pl.k->stats(x, n, &s.absmax, &s.mn, &s.mx, &s.any);
    if ((fam == Family::Iq4nl || fam == Family::Q4_0) && s.any) // the first element of largest |x|
        for (std::int64_t i = 0; i < n; ++i)
            if (std::isfinite(x[i]) && std::fabs(x[i]) == s.absmax) {
                s.argAbsmax = i;
                break;
            }
    return s;
}

void fill(std::uint8_t *codes, std::int64_t n, std::uint8_t c) { std::memset(codes, c, static_cast<std::size_t>(n)); }

// Per-family fast rules: codes under chosen parameters, and dequantization of a run of codes.
// A zero scale (codeScale = 0) gives every element the zero code, as y = 0 in the reference.
void codesIntSym(const Plan &pl, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *c)
{
    p.codeScale == 0.0f ? fill(c, n, pl.zeroCode) : pl.k->codesIntSym(x, n, p.codeScale, pl.spec->format.qmax, c);
}
void codesIntAsym(const Plan &pl, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *c)
{
    const float qmax = pl.spec->format.qmax;
    p.codeScale == 0.0f ? fill(c, n, static_cast<std::uint8_t>(std::fmin(qmax, std::fmax(0.0f, p.scale2))))
                        : pl.k->codesIntAsym(x, n, p.codeScale, p.scale2, qmax, c);
}
void codesGrid(const Plan &pl, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *c)
{
    p.codeScale == 0.0f ? fill(c, n, pl.zeroCode) : pl.k->codesGrid(x, n, p.codeScale, *pl.table, c);
}
void codesAfpq(const Plan &pl, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *c)
{
    pl.k->codesAfpq(x, n, p.codeScale, p.scale2, *pl.table, c);
}
void codesMixture(const Plan &pl, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *c)
{
    const MixMember &m = pl.spec->format.members[p.selector];
    if (p.codeScale == 0.0f)
        fill(c, n, pl.memberZero[p.selector]);
    else if (m.intBits)
        pl.k->codesIntSym(x, n, p.codeScale, m.qmax, c);
    else
        pl.k->codesGrid(x, n, p.codeScale, *pl.members[p.selector], c);
}
void codesQ4_0(const Plan &pl, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *c)
{
    pl.k->codesQ40(x, n, p.codeScale, c);
}

void dequantTable(const Plan &pl, const GroupParams &p, const std::uint8_t *c, std::int64_t n, float *out)
{
    pl.k->dequantTable(c, n, p.codeScale, pl.table->values, out); // NVFP4: codeScale = f32(scale·t)
}
void dequantIntAsym(const Plan &pl, const GroupParams &p, const std::uint8_t *c, std::int64_t n, float *out)
{
    pl.k->dequantAsym(c, n, p.scale, p.scale2, out);
}
void dequantAfpq(const Plan &pl, const GroupParams &p, const std::uint8_t *c, std::int64_t n, float *out)
{
    pl.k->dequantAfpq(c, n, p.scale, p.scale2, pl.table->values, out);
}
void dequantMixture(const Plan &pl, const GroupParams &p, const std::uint8_t *c, std::int64_t n, float *out)
{
    pl.k->dequantTable(c, n, p.scale, pl.members[p.selector]->values, out);
}

struct FastRules {
    Family family;
    void (*codes)(const Plan &, const GroupParams &, const float *, std::int64_t, std::uint8_t *);
    void (*dequant)(const Plan &, const GroupParams &, const std::uint8_t *, std::int64_t, float *);
};
constexpr std::array<FastRules, kFamilies.size()> kFastRules{{
    {Family::IntSym, codesIntSym, dequantTable},   // table = code − qmax
    {Family::IntAsym, codesIntAsym, dequantIntAsym},
    {Family::Grid, codesGrid, dequantTable},
    {Family::GridAsym, codesAfpq, dequantAfpq},
    {Family::Mixture, codesMixture, dequantMixture},
    {Family::Mx, codesGrid, dequantTable},
    {Family::Nvfp4, codesGrid, dequantTable},
    {Family::Iq4nl, codesGrid, dequantTable},
    {Family::Q4_0, codesQ4_0, dequantTable},        // table = code − 8
}};
static_assert(kFastRules[8].family == Family::Q4_0 && kFastRules[4].family == Family::Mixture,
              "kFastRules is indexed by Family");

/// Codes of a group under chosen parameters.
void codesWithParams(const Plan &pl, const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *codes)
{
    kFastRules[static_cast<std::size_t>(pl.spec->format.family)].codes(pl, p, x, n, codes);
}

/// Per-thread buffers for mixtures.
struct Scratch {
    std::vector<std::uint8_t> codes;
    std::vector<float> xh;
};

GroupParams quantizeMixtureGroup(const Plan &pl, const GroupStats &st, const float *x, std::int64_t n, const float *w,
                                 std::uint8_t *codes, Scratch &s)
{
    const Format &f = pl.spec->format;
    const std::size_t nm = f.members.size(), len = static_cast<std::size_t>(n);
    if (s.codes.size() < nm * len) {
        s.codes.resize(nm * len);
        s.xh.resize(len);
    }
    const float a = st.absmax * pl.spec->clip;
    std::array<float, 256> scales{};
    std::size_t best = 0;
    double bestErr = 0.0;
    for (std::size_t m = 0; m < nm; ++m) {
        const MixMember &mem = f.members[m];
        const float sc = roundScale(a / mem.qmax, pl.spec->storage);
        scales[m] = sc;
        std::uint8_t *c = s.codes.data() + m * len;
        double e = 0.0;
        if (sc == 0.0f) { // y = 0 everywhere: the zero code, x̂ = 0·v
            fill(c, n, pl.memberZero[m]);
            pl.k->dequantTable(c, n, sc, pl.members[m]->values, s.xh.data());
            e = pl.k->mixError(x, s.xh.data(), w, n);
        } else {
            e = pl.k->encodeError(x, w, n, sc, mem.intBits ? nullptr : pl.members[m].get(), mem.qmax, c);
        }
        if (m == 0 || e < bestErr) {
            bestErr = e;
            best = m;
        }
    }
    std::memcpy(codes, s.codes.data() + best * len, len);
    GroupParams p;
    p.selector = static_cast<std::uint8_t>(best);
    p.scale = p.codeScale = scales[best];
    return p;
}

GroupParams quantizeGroupFast(const Plan &pl, const float *x, std::int64_t n, const float *w, float t,
                              std::uint8_t *codes, Scratch &s)
{
    const GroupStats st = fastStats(pl, x, n);
    if (pl.spec->format.family == Family::Mixture)
        return quantizeMixtureGroup(pl, st, x, n, w, codes, s);
    const GroupParams p = paramsFromStats(*pl.spec, st, x, n, nullptr, t);
    codesWithParams(pl, p, x, n, codes);
    return p;
}

/// Statistics of a whole matrix in parallel chunks (max/min are order-independent).
GroupStats parallelStats(const Plan &pl, const float *x, std::int64_t n, unsigned threads)
{
    const Family fam = pl.spec->format.family;
    if (fam == Family::Iq4nl || fam == Family::Q4_0)
        return groupStatsRef(x, n);
    const std::int64_t chunks = std::max<std::int64_t>(1, std::min<std::int64_t>(64, n / kMinChunkElements));
    std::vector<GroupStats> part(static_cast<std::size_t>(chunks));
    parallelFor(chunks, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t c = b; c < e; ++c) {
            const std::int64_t lo = n * c / chunks, hi = n * (c + 1) / chunks;
            part[static_cast<std::size_t>(c)] = fastStats(pl, x + lo, hi - lo);
        }
    }, threads);
    GroupStats s;
    for (const GroupStats &p : part) {
        if (!p.any)
            continue;
        s.absmax = s.any ? std::max(s.absmax, p.absmax) : p.absmax;
        s.mn = s.any ? std::min(s.mn, p.mn) : p.mn;
        s.mx = s.any ? std::max(s.mx, p.mx) : p.mx;
        s.any = true;
    }
    return s;
}

void storeParams(QuantizedMatrix &q, std::int64_t g, const GroupParams &p)
{
    const auto i = static_cast<std::size_t>(g);
    q.scales[i] = p.scale;
    if (!q.scales2.empty())
        q.scales2[i] = p.scale2;
    if (!q.selectors.empty())
        q.selectors[i] = p.selector;
}

} // namespace

const char *fastPathName() { return avx2Kernels() ? avx2Kernels()->name : portableKernels().name; }

Result<QuantizedMatrix> quantizeFast(const FormatSpec &spec, const float *x, std::int64_t rows, std::int64_t cols,
                                     const float *importance, FastOptions options)
{
    LOWBIT_TRY(GroupLayout l, makeGroupLayout(spec, rows, cols));
    const FamilyTraits &t = spec.format.traits();
    QuantizedMatrix q;
    q.spec = spec;
    q.layout = l;
    const std::int64_t numel = rows * cols;
    q.codes.resize(static_cast<std::size_t>(numel));
    q.scales.resize(static_cast<std::size_t>(l.groupCount));
    if (t.twoScales || t.zeroPoint)
        q.scales2.resize(static_cast<std::size_t>(l.groupCount));
    if (t.selector)
        q.selectors.resize(static_cast<std::size_t>(l.groupCount));
    const Plan pl = makePlan(q.spec, options);
    if (t.tensorScale)
        q.tensorScale = parallelStats(pl, x, numel, options.threads).absmax / (448.0f * 6.0f);

    if (l.groupCount == 1 && spec.format.family != Family::Mixture) { // per-tensor: split the elements
        const GroupParams p = paramsFromStats(q.spec, parallelStats(pl, x, numel, options.threads), x, numel, nullptr,
                                              q.tensorScale);
        storeParams(q, 0, p);
        parallelFor(numel, [&](std::int64_t b, std::int64_t e) { codesWithParams(pl, p, x + b, e - b, q.codes.data() + b); },
                    options.threads, kMinChunkElements);
        return q;
    }
    const std::int64_t minGroups = std::max<std::int64_t>(1, kMinChunkElements / std::max<std::int64_t>(1, l.groupLen));
    parallelFor(l.groupCount, [&](std::int64_t b, std::int64_t e) {
        Scratch s;
        for (std::int64_t g = b; g < e; ++g) {
            const std::int64_t off = l.offset(g), len = l.length(g);
            const GroupParams p = quantizeGroupFast(pl, x + off, len, importance ? importance + off : nullptr,
                                                    q.tensorScale, q.codes.data() + off, s);
            storeParams(q, g, p);
        }
    }, options.threads, minGroups);
    return q;
}

void dequantizeFast(const QuantizedMatrix &q, float *out, FastOptions options)
{
    const Plan pl = makePlan(q.spec, options);
    const auto dequant = kFastRules[static_cast<std::size_t>(q.spec.format.family)].dequant;
    auto run = [&](const GroupParams &p, std::int64_t off, std::int64_t len) {
        dequant(pl, p, q.codes.data() + off, len, out + off);
    };
    const GroupLayout &l = q.layout;
    if (l.groupCount == 1) {
        const GroupParams p = q.params(0);
        parallelFor(l.rows * l.cols, [&](std::int64_t b, std::int64_t e) { run(p, b, e - b); }, options.threads,
                    kMinChunkElements);
        return;
    }
    const std::int64_t minGroups = std::max<std::int64_t>(1, kMinChunkElements / std::max<std::int64_t>(1, l.groupLen));
    parallelFor(l.groupCount, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t g = b; g < e; ++g)
            run(q.params(g), l.offset(g), l.length(g));
    }, options.threads, minGroups);
}

} // namespace lowbit::formats
