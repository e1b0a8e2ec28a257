// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/fast_plan.h"

#include "core/quant/packing_fp6.h"

#include <algorithm>
#include <cmath>

namespace lowbit {

namespace {

unsigned bitsFor(std::size_t values)
{
    unsigned b = 1;
    while ((std::size_t{1} << b) < values)
        ++b;
    return b;
}

void fillTable(FastMember &m, const std::vector<float> &values)
{
    m.table.fill(0.0f);
    std::copy(values.begin(), values.end(), m.table.begin());
    m.maxCode = static_cast<std::uint8_t>(values.size() - 1);
    m.codeBits = bitsFor(values.size());
}

} // namespace

FastMember fastIntMember(unsigned bits)
{
    FastMember m;
    m.kind = FastKind::IntSym;
    const int qmax = (1 << (bits - 1)) - 1;
    std::vector<float> values;
    for (int q = -qmax; q <= qmax; ++q)
        values.push_back(static_cast<float>(q));
    fillTable(m, values);
    m.lut = simd::makeGridLut(values);
    m.qmax = static_cast<float>(qmax);
    m.zeroCode = static_cast<std::uint8_t>(qmax);
    m.codeBits = bits;
    return m;
}

FastMember fastIntAsymMember(unsigned bits)
{
    FastMember m;
    m.kind = FastKind::IntAsym;
    const int maxq = (1 << bits) - 1;
    std::vector<float> values;
    for (int q = 0; q <= maxq; ++q)
        values.push_back(static_cast<float>(q));
    fillTable(m, values);
    m.qmax = static_cast<float>(maxq);
    m.zeroCode = 0;
    m.codeBits = bits;
    return m;
}

FastMember fastGridMember(const std::vector<float> &sortedGrid, bool twoScale)
{
    FastMember m;
    m.kind = twoScale ? FastKind::GridTwoScale : FastKind::Grid;
    fillTable(m, sortedGrid);
    m.lut = simd::makeGridLut(sortedGrid);
    const float lo = sortedGrid.front(), hi = sortedGrid.back();
    m.qmax = twoScale ? hi : std::max(std::fabs(lo), std::fabs(hi));
    int c = 0; // code of 0: the nearest grid value to 0 (ties to the lower index)
    for (std::size_t i = 0; i + 1 < sortedGrid.size(); ++i)
        if ((sortedGrid[i] + sortedGrid[i + 1]) * 0.5f < 0.0f)
            ++c;
    m.zeroCode = static_cast<std::uint8_t>(c);
    return m;
}

FastMember fastIq4nlMember()
{
    static const std::vector<float> kLevels{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    FastMember m = fastGridMember(kLevels, false);
    m.kind = FastKind::Iq4nl;
    m.qmax = -127.0f;
    return m;
}

std::vector<float> minifloatGrid(unsigned exponentBits, unsigned mantissaBits)
{
    std::vector<float> g;
    const int bias = (1 << (exponentBits - 1)) - 1;
    for (unsigned e = 0; e < (1u << exponentBits); ++e)
        for (unsigned mm = 0; mm < (1u << mantissaBits); ++mm) {
            if (exponentBits == 4 && mantissaBits == 3 && e == 15 && mm == 7)
                continue; // E4M3 fn: NaN
            if (exponentBits == 5 && mantissaBits == 2 && e == 31)
                continue; // E5M2: Inf/NaN
            const float frac = static_cast<float>(mm) / static_cast<float>(1u << mantissaBits);
            const float v = e == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0f + frac, static_cast<int>(e) - bias);
            g.push_back(v);
            if (v != 0.0f)
                g.push_back(-v);
        }
    std::sort(g.begin(), g.end());
    return g;
}

FastPlan fastSinglePlan(FastMember member, std::int64_t groupSize, FastScaleRound storage, float clip)
{
    FastPlan p;
    p.kind = member.kind;
    p.members.push_back(std::move(member));
    p.groupSize = groupSize;
    p.storage = storage;
    p.clip = clip;
    return p;
}

FastPlan fastMxPlan(const std::vector<float> &elementGrid, int emax)
{
    FastMember m = fastGridMember(elementGrid, false);
    m.kind = FastKind::Mx;
    FastPlan p = fastSinglePlan(std::move(m), 32, FastScaleRound::E8M0);
    p.mxEmax = emax;
    return p;
}

FastPlan fastNvfp4Plan()
{
    FastMember m = fastGridMember(minifloatGrid(2, 1), false);
    m.kind = FastKind::Nvfp4;
    m.qmax = 6.0f;
    return fastSinglePlan(std::move(m), 16, FastScaleRound::E4M3);
}

FastPlan fastMixturePlan(std::vector<FastMember> members, std::int64_t groupSize, FastScaleRound storage, float clip)
{
    FastPlan p;
    p.kind = FastKind::Mixture;
    p.members = std::move(members);
    p.groupSize = groupSize;
    p.storage = storage;
    p.clip = clip;
    return p;
}

unsigned fastSelectorBits(const FastPlan &plan)
{
    return plan.kind == FastKind::Mixture ? bitsFor(plan.members.size()) : 0u;
}

} // namespace lowbit
