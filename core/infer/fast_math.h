// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// exp for the softmax hot loops: a branch-free Cody–Waite reduction and a degree-6 polynomial
/// (relative error < 2e-7 on the softmax range [−87, 0]) that compilers vectorize, unlike the
/// libm call. Perplexity is computed from double-precision log-sum-exp, not from this.

#include <bit>
#include <cstdint>

namespace lowbit {

inline float fastExp(float x)
{
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float n = static_cast<float>(static_cast<int>(x * 1.44269504f + (x >= 0 ? 0.5f : -0.5f)));
    // r = x − n·ln2 in two steps (ln2 = 0.693359375 − 2.12194440e−4) keeps r exact enough
    float r = x - n * 0.693359375f;
    r = r + n * 2.12194440e-4f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const auto bits = static_cast<std::uint32_t>(static_cast<std::int32_t>(n) + 127) << 23;
    return p * std::bit_cast<float>(bits);
}

} // namespace lowbit
