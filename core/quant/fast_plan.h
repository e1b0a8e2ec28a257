// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A format resolved for the fast quantizers: every per-format decision (grid lookups, the scale
/// divisor, the code of zero, dequantization tables) taken once, so the per-group loops only run
/// kernels. Built from a FormatSpec by makeFastPlan (fast_quantize.h).

#include "core/quant/simd_kernels.h"

#include <array>
#include <cstdint>
#include <vector>

namespace lowbit {

/// How a group's parameters are chosen and its codes found.
enum class FastKind : std::uint8_t {
    IntSym,       ///< s = absmax/qmax, code = clamp(round(x/s)) + qmax
    IntAsym,      ///< s = (max−min)/qmax, z = clamp(round(−min/s)), code = clamp(round(x/s) + z)
    Grid,         ///< s = absmax/max|V|, code = nearest grid index of x/s
    GridTwoScale, ///< AFPQ: s_pos = max(max,0)/R, s_neg = |min(min,0)|/R
    Iq4nl,        ///< d = (element of largest |x|)/(−127) over the IQ4_NL grid
    Mx,           ///< shared power-of-two scale 2^(floor(log2 absmax) − emax)
    Nvfp4,        ///< E4M3 group scale times an fp32 tensor scale
    Mixture,      ///< the member with the lowest squared error, selector per group
};

/// Scale storage precision (rounding applied to each scale before use).
enum class FastScaleRound : std::uint8_t { F32, F16, BF16, E8M0, E4M3 };

/// One scalar member format.
struct FastMember {
    FastKind kind = FastKind::Grid;
    simd::GridLut lut;                 ///< grid kinds: the sorted grid and its midpoints
    std::array<float, 256> table{};    ///< dequantization value per code (zero padded)
    float qmax = 1.0f;                 ///< scale divisor (max |v|, R, 2^(k−1)−1 or 2^k−1)
    std::uint8_t zeroCode = 0;         ///< code of 0 (all-zero groups, NaN inputs)
    std::uint8_t maxCode = 0;          ///< largest code
    unsigned codeBits = 1;             ///< bits of one code in a packed stream
    unsigned fp6ExponentBits = 0;      ///< 2 or 3 for an E2M3 / E3M2 grid (FP6 4+2 planes), else 0
};

struct FastPlan {
    FastKind kind = FastKind::Grid;
    std::vector<FastMember> members;   ///< one member, or the mixture's members in selector order
    std::int64_t groupSize = 32;       ///< > 0: elements of a row; 0: per-channel; −1: per-tensor
    FastScaleRound storage = FastScaleRound::F32;
    float clip = 1.0f;                 ///< clipping ratio applied to absmax / min / max
    int mxEmax = 0;                    ///< MX: emax of the element format
};

/// Builders (each validates nothing beyond what it documents; makeFastPlan checks a FormatSpec).
/// INT-k symmetric (k = 2…8): grid −qmax…qmax, code = q + qmax.
FastMember fastIntMember(unsigned bits);
/// INT-k asymmetric (k = 2…8): codes 0…2^k − 1 with a zero point.
FastMember fastIntAsymMember(unsigned bits);
/// A sorted scalar grid (1…256 values): symmetric (s = absmax / max|v|) or AFPQ two-scale
/// (R = max(V)). codeBits = ceil(log2(size)).
FastMember fastGridMember(const std::vector<float> &sortedGrid, bool twoScale);
/// IQ4_NL: the 16 levels, d = (element of largest |x|) / (−127).
FastMember fastIq4nlMember();

/// The grid of a minifloat ExMy (finite codes only; E4M3 "fn" drops the NaN code, E5M2 the
/// Inf/NaN exponent), sorted, −0 merged with +0.
std::vector<float> minifloatGrid(unsigned exponentBits, unsigned mantissaBits);

/// A plan with one member (the plan's kind = the member's kind).
FastPlan fastSinglePlan(FastMember member, std::int64_t groupSize, FastScaleRound storage, float clip = 1.0f);
/// MX: group 32, E8M0 scale 2^(floor(log2 absmax) − emax) over the element grid.
FastPlan fastMxPlan(const std::vector<float> &elementGrid, int emax);
/// NVFP4: E2M1 elements, group 16, E4M3 group scales, fp32 tensor scale.
FastPlan fastNvfp4Plan();
/// A mixture of scalar members (2…256) with a ceil(log2 n)-bit selector per group.
FastPlan fastMixturePlan(std::vector<FastMember> members, std::int64_t groupSize, FastScaleRound storage, float clip = 1.0f);
/// Selector bits of a mixture plan (ceil(log2 members)); 0 for other plans.
unsigned fastSelectorBits(const FastPlan &plan);

} // namespace lowbit
