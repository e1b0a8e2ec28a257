// SPDX-License-Identifier: GPL-3.0-or-later
#include "fast_plans.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace lowbit::test {

std::vector<std::string> fastPlanNames()
{
    return {"int2", "int4", "int8", "int3-asym", "int4-asym", "int8-asym", "fp4", "fp3", "fp6-e3m2", "fp8-e4m3", "nf4",
            "fp4-asym", "nf3-asym", "iq4nl", "lut", "bitmod-fp3", "mix", "mxfp4", "mxfp6-e2m3", "mxfp8-e4m3", "nvfp4",
            "int4-f16", "fp4-bf16", "nf4-e4m3", "int4-e8m0"};
}
FastPlan fastPlan(int i)
{
    const std::vector<float> nf4{-1.0f, -0.6961928f, -0.5250731f, -0.3949175f, -0.2844414f, -0.1847734f, -0.0910500f, 0.0f,
                                 0.0795803f, 0.1609302f, 0.2461123f, 0.3379152f, 0.4407098f, 0.5626170f, 0.7229568f, 1.0f};
    const std::vector<float> nf3{-1.0f, -0.5350227f, -0.2469314f, 0.0f, 0.1833375f, 0.3819939f, 0.6229857f, 1.0f};
    const std::vector<float> fp3{-4, -2, -1, 0, 1, 2, 4};
    auto with = [](std::vector<float> g, float v) {
        g.push_back(v);
        std::sort(g.begin(), g.end());
        return g;
    };
    const auto f32 = FastScaleRound::F32;
    switch (i) {
    case 0: return fastSinglePlan(fastIntMember(2), 32, f32);
    case 1: return fastSinglePlan(fastIntMember(4), 32, f32);
    case 2: return fastSinglePlan(fastIntMember(8), 32, f32);
    case 3: return fastSinglePlan(fastIntAsymMember(3), 32, f32);
    case 4: return fastSinglePlan(fastIntAsymMember(4), 32, f32);
    case 5: return fastSinglePlan(fastIntAsymMember(8), 32, f32);
    case 6: return fastSinglePlan(fastGridMember(minifloatGrid(2, 1), false), 32, f32);
    case 7: return fastSinglePlan(fastGridMember(fp3, false), 32, f32);
    case 8: {
        FastMember m = fastGridMember(minifloatGrid(3, 2), false);
        m.fp6ExponentBits = 3; // packs as FP6 4+2 planes
        return fastSinglePlan(std::move(m), 32, f32);
    }
    case 9: return fastSinglePlan(fastGridMember(minifloatGrid(4, 3), false), 32, f32);
    case 10: return fastSinglePlan(fastGridMember(nf4, false), 32, f32);
    case 11: return fastSinglePlan(fastGridMember(minifloatGrid(2, 1), true), 32, f32);
    case 12: return fastSinglePlan(fastGridMember(nf3, true), 32, f32);
    case 13: return fastSinglePlan(fastIq4nlMember(), 32, f32);
    case 14: return fastSinglePlan(fastGridMember({-3.5f, -1.0f, 0.25f, 2.0f, 7.0f}, false), 32, f32);
    case 15:
        return fastMixturePlan({fastGridMember(with(fp3, 3), false), fastGridMember(with(fp3, -3), false),
                                fastGridMember(with(fp3, 6), false), fastGridMember(with(fp3, -6), false)},
                               32, f32);
    case 16:
        return fastMixturePlan({fastIntMember(4), fastGridMember(minifloatGrid(2, 1), false), fastGridMember(nf4, true)}, 32, f32);
    case 17: return fastMxPlan(minifloatGrid(2, 1), 2);
    case 18: {
        FastPlan p = fastMxPlan(minifloatGrid(2, 3), 2);
        p.members[0].fp6ExponentBits = 2;
        return p;
    }
    case 19: return fastMxPlan(minifloatGrid(4, 3), 8);
    case 20: {
        FastPlan p = fastNvfp4Plan();
        return p;
    }
    case 21: return fastSinglePlan(fastIntMember(4), 32, FastScaleRound::F16);
    case 22: return fastSinglePlan(fastGridMember(minifloatGrid(2, 1), false), 32, FastScaleRound::BF16);
    case 23: return fastSinglePlan(fastGridMember(nf4, false), 32, FastScaleRound::E4M3);
    default: return fastSinglePlan(fastIntMember(4), 32, FastScaleRound::E8M0);
    }
}


std::vector<float> makeMatrix(Input kind, std::int64_t rows, std::int64_t cols, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 0.02f);
    std::student_t_distribution<float> st(3.0f);
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) {
            float &x = w[static_cast<std::size_t>(r * cols + c)];
            switch (kind) {
            case Input::Gaussian: x = g(rng); break;
            case Input::StudentT: x = st(rng) * 0.01f; break;
            case Input::OutlierChannels: x = g(rng) * (c % 17 == 3 ? 50.0f : 1.0f); break;
            case Input::Adversarial: {
                const std::int64_t block = c / 8; // 8-wide stripes of one kind each
                switch ((r * 7 + block) % 9) {
                case 0: x = 0.0f; break;                                                  // all-zero
                case 1: x = 0.0371f; break;                                               // constant
                case 2: x = std::numeric_limits<float>::denorm_min() * static_cast<float>(c % 13); break; // denormals
                case 3: x = c % 8 == 5 ? 1e30f : g(rng); break;                           // one huge outlier
                case 4: x = c % 8 == 2 ? std::nanf("") : g(rng); break;                   // NaN
                case 5: x = c % 8 == 1 ? -std::numeric_limits<float>::infinity() : g(rng); break;                           // Inf
                case 6: x = -0.0f; break;
                case 7: x = -std::fabs(g(rng)); break;                                    // one-signed
                default: x = g(rng); break;
                }
            }
            }
        }
    return w;
}

} // namespace lowbit::test
