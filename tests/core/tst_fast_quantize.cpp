// SPDX-License-Identifier: GPL-3.0-or-later
// Fast quantize/dequantize: the SIMD building blocks equal their definitions (AVX2 and portable),
// and the whole-matrix fast paths equal the scalar reference bit for bit.

#include "core/dtypes/scalar_convert.h"
#include "core/quant/fast_format.h"
#include "core/quant/fast_quantize.h"
#include "core/quant/quantize_ref.h"
#include "core/quant/simd_kernels.h"
#include "fast_plans.h"

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

// ---- a plain scalar oracle of the reference contract (datatypes.md §5), one element at a time ----

float oracleAbsMax(const float *x, std::int64_t n)
{
    float m = 0;
    for (std::int64_t i = 0; i < n; ++i)
        if (std::fabs(x[i]) > m)
            m = std::fabs(x[i]);
    return m;
}

std::uint8_t oracleGridCode(float y, const FastMember &m)
{
    if (std::isnan(y))
        return m.zeroCode;
    return countOracle(y, m.lut.values);
}

struct OracleGroup {
    float s1 = 0, s2 = 0;
    std::vector<std::uint8_t> codes;
    std::vector<float> deq;
};

OracleGroup oracleMember(const FastMember &m, const FastPlan &plan, const float *x, std::int64_t n, float t)
{
    OracleGroup g;
    g.codes.resize(static_cast<std::size_t>(n));
    g.deq.resize(static_cast<std::size_t>(n));
    float mn = kInf, mx = -kInf;
    for (std::int64_t i = 0; i < n; ++i)
        if (!std::isnan(x[i])) {
            mn = std::min(mn, x[i]);
            mx = std::max(mx, x[i]);
        }
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        auto &c = g.codes[static_cast<std::size_t>(i)];
        switch (m.kind) {
        case FastKind::IntSym:
            if (i == 0)
                g.s1 = roundScaleToStorage(oracleAbsMax(x, n) / m.qmax, plan.storage);
            if (g.s1 == 0 || std::isnan(v / g.s1))
                c = m.zeroCode;
            else
                c = static_cast<std::uint8_t>(std::clamp(std::round(v / g.s1), -m.qmax, m.qmax) + m.qmax);
            break;
        case FastKind::IntAsym:
            if (i == 0 && mx >= mn) {
                g.s1 = roundScaleToStorage((mx - mn) / m.qmax, plan.storage);
                if (g.s1 == 0)
                    g.s1 = 0.0f;
                g.s2 = g.s1 > 0 && std::isfinite(g.s1) ? std::clamp(std::round(-mn / g.s1), 0.0f, m.qmax) : 0.0f;
                if (std::isnan(g.s2) || g.s2 == 0)
                    g.s2 = 0;
            }
            if (g.s1 == 0)
                c = 0;
            else if (std::isnan(v / g.s1))
                c = static_cast<std::uint8_t>(g.s2);
            else
                c = static_cast<std::uint8_t>(std::clamp(std::round(v / g.s1) + g.s2, 0.0f, m.qmax));
            break;
        case FastKind::Grid:
            if (i == 0) {
                const float am = oracleAbsMax(x, n);
                g.s1 = roundScaleToStorage(am / m.qmax, plan.storage);
            }
            c = g.s1 == 0 ? m.zeroCode : oracleGridCode(v / g.s1, m);
            break;
        case FastKind::GridTwoScale:
            if (i == 0) {
                g.s1 = roundScaleToStorage((mx > 0 ? mx : 0.0f) / m.qmax, plan.storage);
                g.s2 = roundScaleToStorage(std::fabs(mn < 0 ? mn : 0.0f) / m.qmax, plan.storage);
            }
            c = v > 0 ? oracleGridCode(v / g.s1, m) : v < 0 ? oracleGridCode(v / g.s2, m) : m.zeroCode;
            break;
        case FastKind::Iq4nl:
            if (i == 0) {
                float best = 0;
                for (std::int64_t k = 0; k < n; ++k)
                    if (std::fabs(x[k]) > std::fabs(best))
                        best = x[k];
                g.s1 = roundScaleToStorage(best / -127.0f, plan.storage);
            }
            c = g.s1 == 0 ? m.zeroCode : oracleGridCode(v / g.s1, m);
            break;
        case FastKind::Mx:
            if (i == 0) {
                const float am = oracleAbsMax(x, n);
                const int e = am == 0 ? -127 : std::isinf(am) ? 127 : std::clamp(static_cast<int>(std::floor(std::log2(static_cast<double>(am)))) - plan.mxEmax, -127, 127);
                g.s1 = std::ldexp(1.0f, e);
            }
            c = oracleGridCode(v / g.s1, m);
            break;
        case FastKind::Nvfp4:
            if (i == 0)
                g.s1 = t > 0 ? fp8e4m3ToFloat(floatToFp8e4m3((oracleAbsMax(x, n) / 6.0f) / t)) : 0.0f;
            c = g.s1 * t == 0 ? m.zeroCode : oracleGridCode(v / (g.s1 * t), m);
            break;
        default:
            c = m.zeroCode;
            break;
        }
    }
    for (std::int64_t i = 0; i < n; ++i) {
        const auto c = g.codes[static_cast<std::size_t>(i)];
        float &d = g.deq[static_cast<std::size_t>(i)];
        const float val = m.table[c];
        switch (m.kind) {
        case FastKind::IntAsym: d = (static_cast<float>(c) - g.s2) * g.s1; break;
        case FastKind::GridTwoScale: d = val * (val < 0 ? g.s2 : g.s1); break;
        case FastKind::Nvfp4: d = (val * g.s1) * t; break;
        default: d = val * g.s1; break;
        }
    }
    return g;
}

/// Whole-matrix oracle: the same fields as FastQuantized plus the dequantized matrix.
FastQuantized oracleQuantize(const std::vector<float> &w, std::int64_t rows, std::int64_t cols, const FastPlan &plan,
                             std::vector<float> &deq)
{
    FastQuantized q;
    q.rows = rows;
    q.cols = cols;
    q.codes.resize(w.size());
    deq.assign(w.size(), 0.0f);
    if (plan.kind == FastKind::Nvfp4) { // t from the finite weights
        float amax = 0;
        for (float v : w)
            if (std::isfinite(v) && std::fabs(v) > amax)
                amax = std::fabs(v);
        q.tensorScale = amax / (448.0f * 6.0f);
    }
    bool two = false;
    for (const auto &m : plan.members)
        two = two || m.kind == FastKind::IntAsym || m.kind == FastKind::GridTwoScale;
    std::vector<std::pair<std::int64_t, std::int64_t>> groups; // offset, length
    if (plan.groupSize < 0)
        groups.emplace_back(0, rows * cols);
    else {
        const std::int64_t g = plan.groupSize == 0 ? cols : plan.groupSize;
        for (std::int64_t r = 0; r < rows; ++r)
            for (std::int64_t s = 0; s < cols; s += g)
                groups.emplace_back(r * cols + s, std::min(g, cols - s));
    }
    for (const auto &[off, len] : groups) {
        OracleGroup best;
        double bestErr = 0;
        std::size_t bestK = 0;
        for (std::size_t k = 0; k < plan.members.size(); ++k) {
            OracleGroup og = oracleMember(plan.members[k], plan, w.data() + off, len, q.tensorScale);
            double err = 0;
            for (std::int64_t i = 0; i < len; ++i) {
                const double d = static_cast<double>(w[static_cast<std::size_t>(off + i)]) - static_cast<double>(og.deq[static_cast<std::size_t>(i)]);
                err += d * d;
            }
            if (k == 0 || err < bestErr) {
                bestErr = err;
                best = og;
                bestK = k;
            }
        }
        q.scales.push_back(best.s1);
        if (two)
            q.scales2.push_back(best.s2);
        if (plan.kind == FastKind::Mixture)
            q.selectors.push_back(static_cast<std::uint8_t>(bestK));
        std::copy(best.codes.begin(), best.codes.end(), q.codes.begin() + off);
        std::copy(best.deq.begin(), best.deq.end(), deq.begin() + off);
    }
    return q;
}

std::vector<std::uint32_t> bitsOf(const std::vector<float> &v)
{
    std::vector<std::uint32_t> b(v.size());
    for (std::size_t i = 0; i < v.size(); ++i)
        b[i] = std::bit_cast<std::uint32_t>(v[i]);
    return b;
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
            simd::gridIndices(x.data(), static_cast<std::int64_t>(n), scale, lut, 5, codes.data());
            for (std::size_t i = 0; i < n; ++i)
                QCOMPARE(codes[i], std::isnan(x[i] / scale) ? std::uint8_t{5} : countOracle(x[i] / scale, grid));
            // two scales
            const float sNeg = scale * 1.75f;
            simd::gridIndicesTwoScale(x.data(), static_cast<std::int64_t>(n), scale, sNeg, lut, 3, codes.data());
            for (std::size_t i = 0; i < n; ++i) {
                const float y = x[i] > 0 ? x[i] / scale : x[i] < 0 ? x[i] / sNeg : std::nanf("");
                const std::uint8_t want = std::isnan(y) ? 3 : countOracle(y, grid);
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

    void matrices_data()
    {
        QTest::addColumn<int>("planIndex");
        QTest::addColumn<int>("input");
        QTest::addColumn<int>("cols");
        QTest::addColumn<qint64>("group");
        const auto names = lowbit::test::fastPlanNames();
        const int colsList[] = {64, 100};
        const qint64 groupList[] = {32, 24, 0, -1};
        for (int p = 0; p < static_cast<int>(names.size()); ++p)
            for (int in = 0; in < 4; ++in)
                for (int c : colsList)
                    for (qint64 g : groupList) {
                        if (names[static_cast<std::size_t>(p)].rfind("mx", 0) == 0 || names[static_cast<std::size_t>(p)] == "nvfp4") {
                            if (g != 32)
                                continue; // fixed groups
                        }
                        QTest::addRow("%s in%d c%d g%lld", names[static_cast<std::size_t>(p)].c_str(), in, c, static_cast<long long>(g))
                            << p << in << c << g;
                    }
    }
    void matrices()
    {
        QFETCH(int, planIndex);
        QFETCH(int, input);
        QFETCH(int, cols);
        QFETCH(qint64, group);
        FastPlan plan = lowbit::test::fastPlan(planIndex);
        if (plan.kind != FastKind::Mx && plan.kind != FastKind::Nvfp4)
            plan.groupSize = group;
        const std::int64_t rows = 9;
        const auto w = lowbit::test::makeMatrix(static_cast<lowbit::test::Input>(input), rows, cols, static_cast<unsigned>(planIndex * 131 + input * 7 + cols));
        std::vector<float> want;
        const FastQuantized ref = oracleQuantize(w, rows, cols, plan, want);
        for (bool portable : {false, true}) {
            if (!portable && !simd::avx2Active())
                continue;
            PortableGuard guard(portable);
            for (unsigned threads : {1u, 3u}) {
                auto q = quantizeWithPlan(w.data(), rows, cols, plan, nullptr, threads);
                QVERIFY(q.ok());
                QCOMPARE(q->codes, ref.codes);
                QCOMPARE(bitsOf(q->scales), bitsOf(ref.scales));
                QCOMPARE(bitsOf(q->scales2), bitsOf(ref.scales2));
                QCOMPARE(q->selectors, ref.selectors);
                QCOMPARE(std::bit_cast<std::uint32_t>(q->tensorScale), std::bit_cast<std::uint32_t>(ref.tensorScale));
                std::vector<float> got(w.size(), -1.0f);
                QVERIFY(dequantizeWithPlan(*q, plan, got.data(), threads).ok());
                QCOMPARE(bitsOf(got), bitsOf(want));
            }
        }
    }

    void equalsReference_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("input");
        QTest::addColumn<qint64>("group");
        QTest::addColumn<int>("storage");
        const char *names[] = {"int2", "int3", "int4", "int8", "int2-asym", "int4-asym", "int8-asym", "fp3", "fp4", "fp-e3m1",
                               "fp6-e3m2", "fp6-e2m3", "fp8-e4m3", "fp8-e5m2", "nf3", "nf4", "fp4-asym", "nf4-asym", "fp3-asym",
                               "nf3-asym", "iq4nl", "lut:-1,-0.25,0.5,2", "lut:-3,1,2,2.5-asym", "fp3-er-pos", "fp4-ea-neg",
                               "bitmod-fp3", "bitmod-fp4", "mix:int4|fp4|nf4", "mix:fp4-asym|nf4-asym", "mxfp4", "mxfp6-e3m2",
                               "mxfp6-e2m3", "mxfp8-e4m3", "nvfp4"};
        for (const char *n : names)
            for (int in = 0; in < 4; ++in)
                for (qint64 g : {32, 48, 0, -1})
                    for (int st : {0, 1, 2}) {
                        const bool fixed = QByteArray(n).startsWith("mx") || QByteArray(n) == "nvfp4";
                        if (fixed && (g != 32 || st != 0))
                            continue;
                        if (st != 0 && (g != 32 || in == 1))
                            continue;
                        QTest::addRow("%s in%d g%lld s%d", n, in, static_cast<long long>(g), st) << QString::fromLatin1(n) << in << g << st;
                    }
    }
    void equalsReference()
    {
        QFETCH(QString, name);
        QFETCH(int, input);
        QFETCH(qint64, group);
        QFETCH(int, storage);
        auto format = parseFormat(name.toStdString());
        if (!format.ok())
            QSKIP(qPrintable(QString::fromStdString(format.error().message())));
        const bool fixed = format->family == FormatFamily::Mx || format->family == FormatFamily::Nvfp4;
        const ScaleStorage st[] = {ScaleStorage::F32, ScaleStorage::F16, ScaleStorage::BF16};
        auto spec = fixed ? makeFormatSpec(*format) : makeFormatSpec(*format, group, st[storage]);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().message().c_str());
        const std::int64_t rows = 7, cols = 100; // 100 = 3·32 + 4: a short last group
        const auto w = lowbit::test::makeMatrix(static_cast<lowbit::test::Input>(input), rows, cols, static_cast<unsigned>(input * 31 + storage));
        std::vector<float> imp(w.size());
        for (std::size_t i = 0; i < imp.size(); ++i)
            imp[i] = static_cast<float>((i * 7) % 5) * 0.5f + 0.25f;
        for (const float *importance : {static_cast<const float *>(nullptr), static_cast<const float *>(imp.data())}) {
            auto ref = quantizeRef(w.data(), rows, cols, *spec, importance);
            QVERIFY2(ref.ok(), ref.ok() ? "" : ref.error().message().c_str());
            std::vector<float> want(w.size());
            dequantizeRef(*ref, want.data());
            for (bool portable : {false, true}) {
                if (!portable && !simd::avx2Active())
                    continue;
                PortableGuard guard(portable);
                auto q = quantizeFastMatrix(w.data(), rows, cols, *spec, importance, 3);
                QVERIFY2(q.ok(), q.ok() ? "" : q.error().message().c_str());
                QCOMPARE(q->codes, ref->codes);
                QCOMPARE(bitsOf(q->scales), bitsOf(ref->scales));
                QCOMPARE(bitsOf(q->scales2), bitsOf(ref->scales2));
                QCOMPARE(q->selectors, ref->selectors);
                QCOMPARE(std::bit_cast<std::uint32_t>(q->tensorScale), std::bit_cast<std::uint32_t>(ref->tensorScale));
                auto packed = pack(*ref);
                if (!packed.ok() && packed.error().code == ErrorCode::Unsupported)
                    continue; // a scale its storage cannot hold (documented in packed_tensor.h)
                QVERIFY2(packed.ok(), packed.ok() ? "" : packed.error().message().c_str());
                std::vector<float> got(w.size(), -1.0f);
                QVERIFY(dequantizeFast(*packed, got.data(), 3).ok());
                QCOMPARE(bitsOf(got), bitsOf(want));
                auto back = unpackMatrix(*packed);
                QVERIFY(back.ok());
                QCOMPARE(back->codes, ref->codes);
                QCOMPARE(bitsOf(back->scales), bitsOf(ref->scales));
            }
        }
    }

    void badInput()
    {
        const FastPlan plan = fastSinglePlan(fastIntMember(4), 32, FastScaleRound::F32);
        QVERIFY(!quantizeWithPlan(nullptr, -1, 4, plan).ok());
        FastPlan empty;
        const float x[4] = {1, 2, 3, 4};
        QVERIFY(!quantizeWithPlan(x, 1, 4, empty).ok());
        auto q = quantizeWithPlan(x, 1, 4, plan);
        QVERIFY(q.ok());
        float out[4];
        FastQuantized bad = *q;
        bad.codes[1] = 15; // int4 sym codes are 0..14
        QVERIFY(!dequantizeWithPlan(bad, plan, out).ok());
        bad = *q;
        bad.scales.clear();
        QVERIFY(!dequantizeWithPlan(bad, plan, out).ok());
    }

};

QTEST_APPLESS_MAIN(TestFastQuantize)
#include "tst_fast_quantize.moc"
