// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/design/fp_scaling_law.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lowbit::studio {
namespace {
// algorithms.md, "FP scaling law".
constexpr double kN = 69.2343, kAlpha = 0.2368, kD = 68973.0621, kBeta = 0.5162, kEps = 1.9061;
constexpr double kGamma = 11334.5197, kDelta = 3.1926, kNu = 2.9543;

double tokensOf(const FpScalingLawInput &in) { return in.tokens > 0 ? in.tokens : 20.0 * in.params; }
} // namespace

double fpScalingLawPenalty(const FpScalingLawInput &in, int e, int m)
{
    if (!(in.params > 0) || e < 0 || m < 0)
        return std::numeric_limits<double>::quiet_NaN();
    const double n = in.params, d = tokensOf(in), b = std::max(2.0, in.blockSize);
    return std::pow(d, kBeta) / std::pow(n, kAlpha) * std::log2(b)
        / (kGamma * std::pow(e + 0.5, kDelta) * std::pow(m + 0.5, kNu));
}

double fpScalingLawLoss(const FpScalingLawInput &in, int e, int m)
{
    if (!(in.params > 0))
        return std::numeric_limits<double>::quiet_NaN();
    const double n = in.params, d = tokensOf(in);
    return kN / std::pow(n, kAlpha) + kD / std::pow(d, kBeta) + kEps + fpScalingLawPenalty(in, e, m);
}

std::vector<FpSplitPrior> fpSplitPriors(const FpScalingLawInput &in, int totalBits)
{
    std::vector<FpSplitPrior> out;
    for (int e = 1; e <= totalBits - 1; ++e) {
        const int m = totalBits - 1 - e;
        out.push_back({e, m, fpScalingLawPenalty(in, e, m)});
    }
    return out;
}

int fpScalingLawBestExponent(int totalBits)
{
    const double e = kDelta * totalBits / (kDelta + kNu) - 0.5;
    return std::clamp(static_cast<int>(std::lround(e)), 1, std::max(1, totalBits - 1));
}

} // namespace lowbit::studio
