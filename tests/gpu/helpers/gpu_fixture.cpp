// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu_fixture.h"

#include <cmath>
#include <random>

namespace lowbit::test {

GpuFixture makeGpuFixture()
{
    GpuFixture fx;
    gpu::DeviceSelection sel;
    sel.validation = true;
    auto ctx = gpu::Context::create(sel);
    if (!ctx.ok()) {
        fx.skipReason = "no Vulkan device: " + ctx.error().message();
        return fx;
    }
    fx.ctx = std::move(*ctx);
    fx.pipelines = std::make_unique<gpu::Pipelines>(*fx.ctx);
    return fx;
}

std::vector<float> randomFloats(std::size_t n, unsigned seed, float scale)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (auto &x : v)
        x = dist(rng);
    return v;
}

bool closeToProduct(float got, const float *w, const float *x, std::size_t n, double rel)
{
    double ref = 0, mag = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double p = double(w[i]) * x[i];
        ref += p;
        mag += std::fabs(p);
    }
    return std::fabs(got - ref) <= rel * mag + 1e-9;
}

} // namespace lowbit::test
