// SPDX-License-Identifier: GPL-3.0-or-later
// Fast quantize/dequantize: the SIMD building blocks equal their definitions (AVX2 and portable),
// and the whole-matrix fast paths equal the scalar reference bit for bit.

#include "core/quant/simd_kernels.h"

#include <QTest>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

using namespace lowbit;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

/// Random values with every awkward kind mixed in: Gaussian, tiny, denormal, ±0, ±Inf, NaN,
/// exact grid midpoints (scaled), huge.
std::vector<float> awkwardValues(std::size_t n, unsigned seed, const std::vector<float> &grid, float s)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 3.0f);
    std::vector<float> v(n);
    for (auto &x : v) {
        switch (rng() % 10) {
        case 0: x = std::numeric_limits<float>::denorm_min() * static_cast<float>(rng() % 100); break;
        case 1: x = (rng() & 1) ? -0.0f : 0.0f; break;
        case 2: x = (rng() & 1) ? kInf : -kInf; break;
        case 3: x = std::nanf(""); break;
        case 4: {
            const std::size_t i = rng() % (grid.size() > 1 ? grid.size() - 1 : 1);
            const float m = grid.size() > 1 ? (grid[i] + grid[i + 1]) * 0.5f : grid[0];
            x = m * s; // a midpoint times the scale (often exactly a tie after division)
            break;
        }
        case 5: x = static_cast<float>(static_cast<int>(rng() % 31) - 15) * 0.5f * s; break; // INT half-way points
        case 6: x = g(rng) * 1e30f; break;
        default: x = g(rng);
        }
    }
    return v;
}

std::uint8_t countOracle(float y, const std::vector<float> &grid)
{
    int c = 0;
    for (std::size_t i = 0; i + 1 < grid.size(); ++i)
        if ((grid[i] + grid[i + 1]) * 0.5f < y)
            ++c;
    return static_cast<std::uint8_t>(c);
}

std::vector<float> fpGrid(int e, int m)
{
    std::vector<float> g;
    const int bias = (1 << (e - 1)) - 1;
    for (int ex = 0; ex < (1 << e); ++ex)
        for (int mm = 0; mm < (1 << m); ++mm) {
            const float frac = static_cast<float>(mm) / static_cast<float>(1 << m);
            const float v = ex == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0f + frac, ex - bias);
            g.push_back(v);
            if (v != 0.0f)
                g.push_back(-v);
        }
    std::sort(g.begin(), g.end());
    return g;
}

struct PortableGuard {
    bool old;
    explicit PortableGuard(bool p) : old(simd::forcePortable(p)) {}
    ~PortableGuard() { simd::forcePortable(old); }
};

} // namespace

class TestFastQuantize : public QObject {
    Q_OBJECT
private slots:
    void kernels_data()
    {
        QTest::addColumn<bool>("portable");
        QTest::addColumn<std::vector<float>>("grid");
        QTest::addColumn<float>("scale");
        const std::vector<float> fp3{-4, -2, -1, 0, 1, 2, 4};
        for (bool p : {false, true}) {
            const char *path = p ? "portable" : "avx2";
            QTest::addRow("%s fp3", path) << p << fp3 << 0.37f;
            QTest::addRow("%s e2m1", path) << p << fpGrid(2, 1) << 1.0f;
            QTest::addRow("%s e3m2", path) << p << fpGrid(3, 2) << 0.013f;
            QTest::addRow("%s e4m3", path) << p << fpGrid(4, 3) << 3.3e-3f;
            QTest::addRow("%s two", path) << p << std::vector<float>{-1.0f, 1.0f} << 2.0f;
            QTest::addRow("%s one", path) << p << std::vector<float>{0.0f} << 2.0f;
            QTest::addRow("%s denormal scale", path) << p << fpGrid(2, 1) << 1e-41f;
        }
    }
    void kernels()
    {
        QFETCH(bool, portable);
        QFETCH(std::vector<float>, grid);
        QFETCH(float, scale);
        if (!portable && !simd::avx2Active())
            QSKIP("no AVX2 on this CPU");
        PortableGuard guard(portable);
        const auto lut = simd::makeGridLut(grid);
        for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{8}, std::size_t{13}, std::size_t{1000}}) {
            const auto x = awkwardValues(n, static_cast<unsigned>(n + grid.size()), grid, scale);
            std::vector<std::uint8_t> codes(n);
            simd::gridIndices(x.data(), static_cast<std::int64_t>(n), scale, lut, codes.data());
            for (std::size_t i = 0; i < n; ++i)
                QCOMPARE(codes[i], countOracle(x[i] / scale, grid));
            // two scales
            const float sNeg = scale * 1.75f;
            simd::gridIndicesTwoScale(x.data(), static_cast<std::int64_t>(n), scale, sNeg, lut, 3, codes.data());
            for (std::size_t i = 0; i < n; ++i) {
                const std::uint8_t want = x[i] > 0 ? countOracle(x[i] / scale, grid) : x[i] < 0 ? countOracle(x[i] / sNeg, grid) : 3;
                QCOMPARE(codes[i], want);
            }
            // INT: round half away from zero, clamp to [0, 14] after +7
            simd::intIndices(x.data(), static_cast<std::int64_t>(n), scale, 7.0f, 14.0f, 7, codes.data());
            for (std::size_t i = 0; i < n; ++i) {
                const float y = x[i] / scale;
                const std::uint8_t want = std::isnan(y) ? 7 : static_cast<std::uint8_t>(std::clamp(std::round(y) + 7.0f, 0.0f, 14.0f));
                QCOMPARE(codes[i], want);
            }
            // dequant
            std::vector<float> table(256, 0.0f);
            std::copy(grid.begin(), grid.end(), table.begin());
            for (std::size_t i = 0; i < n; ++i)
                codes[i] = static_cast<std::uint8_t>(static_cast<std::size_t>(x[i] != x[i] ? 0 : i * 31) % grid.size());
            std::vector<float> out(n);
            simd::gridDequant(codes.data(), static_cast<std::int64_t>(n), scale, table.data(), out.data());
            for (std::size_t i = 0; i < n; ++i)
                QCOMPARE(std::bit_cast<std::uint32_t>(out[i]), std::bit_cast<std::uint32_t>(grid[codes[i]] * scale));
            simd::gridDequantTwoScale(codes.data(), static_cast<std::int64_t>(n), scale, sNeg, table.data(), out.data());
            for (std::size_t i = 0; i < n; ++i) {
                const float v = grid[codes[i]];
                QCOMPARE(std::bit_cast<std::uint32_t>(out[i]), std::bit_cast<std::uint32_t>(v * (v < 0 ? sNeg : scale)));
            }
            // reductions ignore NaN
            float am = 0, lo = kInf, hi = -kInf;
            for (float v : x)
                if (!std::isnan(v)) {
                    am = std::max(am, std::fabs(v));
                    lo = std::min(lo, v);
                    hi = std::max(hi, v);
                }
            QCOMPARE(simd::absMax(x.data(), static_cast<std::int64_t>(n)), am);
            float mn = 0, mx = 0;
            simd::minMax(x.data(), static_cast<std::int64_t>(n), mn, mx);
            QCOMPARE(mn, lo);
            QCOMPARE(mx, hi);
        }
    }
};

QTEST_APPLESS_MAIN(TestFastQuantize)
#include "tst_fast_quantize.moc"
