// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu_fixture.h"

#include <cmath>
#include <algorithm>
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

std::optional<FormatSpec> specOf(std::string_view format, int group, std::string_view storage)
{
    auto f = parseFormat(format);
    if (!f)
        return std::nullopt;
    std::optional<ScaleStorage> st;
    if (!storage.empty()) {
        auto s = parseScaleStorage(storage);
        if (!s)
            return std::nullopt;
        st = *s;
    }
    auto spec = makeFormatSpec(*f, group == -2 ? std::nullopt : std::optional<std::int64_t>(group), st);
    if (!spec)
        return std::nullopt;
    return *spec;
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

Result<RandomPacked> randomPacked(const FormatSpec &spec, std::int64_t rows, std::int64_t cols, unsigned seed)
{
    const auto w = randomFloats(std::size_t(rows * cols), seed, 0.05f);
    RandomPacked r;
    LOWBIT_TRY(r.packed, quantizePackedFast(w.data(), rows, cols, spec));
    r.dequant.resize(w.size());
    LOWBIT_CHECK(dequantizeFast(r.packed, r.dequant.data()));
    return r;
}

double maxAbsDiff(const std::vector<float> &a, const std::vector<float> &b)
{
    double m = a.size() == b.size() ? 0.0 : INFINITY;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        m = std::max(m, double(std::fabs(a[i] - b[i])));
    return m;
}

} // namespace lowbit::test
