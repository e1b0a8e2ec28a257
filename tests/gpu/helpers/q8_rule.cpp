// SPDX-License-Identifier: GPL-3.0-or-later
#include "q8_rule.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace lowbit::test {

std::string checkQ8Block(const float *x, std::uint32_t n, std::uint32_t width, const int *q, float d,
                         std::uint32_t column, int &ties)
{
    float amax = 0.0f;
    for (std::uint32_t j = 0; j < n; ++j)
        amax = std::max(amax, std::fabs(x[j]));
    if (!(std::fabs(d - amax / 127.0f) <= 1e-6f * amax))
        return "column " + std::to_string(column) + ": scale " + std::to_string(d) + " for max|x| " + std::to_string(amax);
    const float inv = amax > 0.0f ? 127.0f / amax : 0.0f;
    for (std::uint32_t j = 0; j < width; ++j) {
        const std::string at = "column " + std::to_string(column + j) + ": q " + std::to_string(q[j]);
        if (j >= n) {
            if (q[j] != 0)
                return at + " past the last column";
            continue;
        }
        if (q[j] < -127 || q[j] > 127)
            return at + " out of range";
        const float v = x[j] * inv;
        const int want = static_cast<int>(std::nearbyint(v));
        const bool nearTie = std::fabs(std::fabs(v - std::trunc(v)) - 0.5f) < 1e-4f;
        ties += nearTie ? 1 : 0;
        if (q[j] != want && !(nearTie && std::abs(q[j] - want) == 1))
            return at + " for x·127/max|x| = " + std::to_string(v);
    }
    return {};
}

} // namespace lowbit::test
