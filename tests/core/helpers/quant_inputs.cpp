// SPDX-License-Identifier: GPL-3.0-or-later
#include "quant_inputs.h"

#include <QtGlobal>

#include <bit>
#include <cmath>
#include <limits>
#include <random>

namespace lowbit::test {

FormatSpec specOf(const char *name, std::int64_t group, ScaleStorage storage, float clip)
{
    auto f = parseFormat(name);
    if (!f)
        qFatal("bad format %s", name);
    const bool fixed = f->family == FormatFamily::Mx || f->family == FormatFamily::Nvfp4 || f->family == FormatFamily::Q4_0;
    auto s = fixed ? makeFormatSpec(*f) : makeFormatSpec(*f, group, storage, clip);
    if (!s)
        qFatal("bad spec %s: %s", name, s.error().message().c_str());
    return *s;
}

bool sameBits(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::bit_cast<std::uint32_t>(a[i]) != std::bit_cast<std::uint32_t>(b[i]))
            return false;
    return true;
}

std::vector<float> quantInputs(int kind, std::int64_t n, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 0.05f);
    std::vector<float> w(static_cast<std::size_t>(n));
    for (auto &x : w)
        x = nd(rng);
    const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
    if (kind == 3) { // exact midpoints: multiples of 0.25 in [−6, 6] with ±6 in every 16 (fp4/MX/NVFP4 scales of 1 or 2^k)
        std::uniform_int_distribution<int> quarter(-24, 24);
        for (std::int64_t i = 0; i < n; ++i)
            w[static_cast<std::size_t>(i)] = i % 16 == 0 ? ((i / 16) % 2 ? 6.0f : -6.0f) : 0.25f * static_cast<float>(quarter(rng));
    } else if (kind == 1) { // skewed positive
        for (auto &x : w)
            x = std::fabs(x) * 3.0f - 0.01f;
    } else if (kind == 2) { // adversarial: zero, constant, outlier, denormal, NaN, Inf stretches
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int64_t blk = (i / 40) % 8;
            float &x = w[static_cast<std::size_t>(i)];
            if (blk == 0)
                x = 0.0f;
            else if (blk == 1)
                x = -0.75f;
            else if (blk == 2 && i % 40 == 7)
                x = 1e30f;
            else if (blk == 3)
                x *= 1e-40f / 0.05f; // denormals
            else if (blk == 4 && i % 7 == 0)
                x = nan;
            else if (blk == 5 && i % 11 == 0)
                x = (i % 2) ? inf : -inf;
            else if (blk == 6)
                x = nan;
        }
    }
    return w;
}

} // namespace lowbit::test
