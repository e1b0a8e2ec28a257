// SPDX-License-Identifier: GPL-3.0-or-later
#include "correlated_layer.h"

#include <cmath>
#include <random>

namespace lowbit::test {

LayerInput CorrelatedLayer::input(bool withStats) const
{
    LayerInput in;
    in.name = "test.weight";
    in.weight = weight.data();
    in.rows = rows;
    in.cols = cols;
    in.stats = withStats ? &stats : nullptr;
    return in;
}

CorrelatedLayer makeCorrelatedLayer(std::int64_t rows, std::int64_t cols, std::int64_t tokens, std::uint32_t seed)
{
    CorrelatedLayer l;
    l.rows = rows;
    l.cols = cols;
    l.tokens = tokens;
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::chi_squared_distribution<float> chi(3.0f);
    l.weight.resize(static_cast<std::size_t>(rows * cols));
    for (float &w : l.weight) // Student-t with 3 degrees of freedom, scaled: a few large weights per group
        w = 0.02f * normal(rng) / std::sqrt(chi(rng) / 3.0f);
    std::vector<float> scale(static_cast<std::size_t>(cols));
    for (float &s : scale)
        s = std::exp(0.7f * normal(rng));
    l.inputs.resize(static_cast<std::size_t>(tokens * cols));
    for (std::int64_t t = 0; t < tokens; ++t) {
        float prev = normal(rng);
        for (std::int64_t c = 0; c < cols; ++c) {
            prev = 0.9f * prev + std::sqrt(1.0f - 0.81f) * normal(rng);
            l.inputs[static_cast<std::size_t>(t * cols + c)] = prev * scale[static_cast<std::size_t>(c)];
        }
    }
    l.stats.dim = cols;
    l.stats.accumulate(l.inputs.data(), tokens);
    return l;
}

} // namespace lowbit::test
