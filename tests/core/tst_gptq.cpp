// SPDX-License-Identifier: GPL-3.0-or-later
// GPTQ (core/methods/gptq.h): with H = I it is RTN, code for code; on correlated Hessians it
// beats RTN's proxy error for every kind of format and group layout, with and without act-order,
// in both group-parameter modes; the blocked lazy updates equal a textbook unblocked GPTQ in
// double precision; dead inputs, NaN and singular Hessians, bad options and cancellation are
// handled. ElementCoder (the per-element coder GPTQ runs) equals the reference bit for bit.
#include "core/methods/element_coder.h"
#include "core/methods/gptq.h"
#include "core/methods/gptq_hessian.h"
#include "core/quant/fast_format.h"
#include "core/quant/quantize_ref.h"

#include "correlated_layer.h"
#include "quant_inputs.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/LU>
#include <QTest>

#include <cmath>
#include <cstring>
#include <random>

using namespace lowbit;
using lowbit::test::CorrelatedLayer;
using lowbit::test::makeCorrelatedLayer;
using lowbit::test::specOf;

namespace {

QuantizedMatrix unpacked(const QuantizedLayer &layer)
{
    const auto *p = dynamic_cast<const PackedQuantizedTensor *>(layer.tensor.get());
    if (!p)
        return {};
    auto m = unpackMatrix(p->packed());
    return m ? std::move(m).value() : QuantizedMatrix{};
}

std::vector<float> decoded(const QuantizedLayer &layer)
{
    std::vector<float> out(static_cast<std::size_t>(layer.tensor->rows() * layer.tensor->cols()));
    if (!layer.tensor->decodeRows(out.data(), 0, layer.tensor->rows()))
        out.clear();
    return out;
}

bool sameBits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

MethodOptions gptqOptions(double damp = 0.01, std::int64_t block = 128, bool actOrder = false,
                          GroupParamsSource source = GroupParamsSource::BlockStart)
{
    MethodOptions o;
    o.gptq.damp = damp;
    o.gptq.blockSize = block;
    o.gptq.actOrder = actOrder;
    o.gptq.paramsFrom = source;
    o.threads = 2;
    return o;
}

/// Textbook GPTQ in double precision: no blocks, every column fully updated before it is coded
/// (group parameters from the updated weights when a group's first column comes), U from an
/// explicit inverse and a second Cholesky, optional act-order with static groups.
QuantizedMatrix referenceGptq(const CorrelatedLayer &l, const FormatSpec &spec, double damp, bool actOrder)
{
    const std::int64_t rows = l.rows, cols = l.cols;
    Eigen::MatrixXd h = Eigen::Map<const Eigen::MatrixXd>(l.stats.hessian.data(), cols, cols);
    std::vector<float> w = l.weight;
    for (std::int64_t i = 0; i < cols; ++i)
        if (h(i, i) == 0) {
            h(i, i) = 1;
            for (std::int64_t r = 0; r < rows; ++r)
                w[static_cast<std::size_t>(r * cols + i)] = 0;
        }
    std::vector<std::int64_t> order(static_cast<std::size_t>(cols));
    for (std::int64_t i = 0; i < cols; ++i)
        order[static_cast<std::size_t>(i)] = i;
    if (actOrder)
        std::stable_sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) { return h(a, a) > h(b, b); });
    h.diagonal().array() += damp * h.diagonal().mean();
    Eigen::MatrixXd hp(cols, cols);
    for (std::int64_t i = 0; i < cols; ++i)
        for (std::int64_t j = 0; j < cols; ++j)
            hp(i, j) = h(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    const Eigen::MatrixXd hinv = hp.inverse();
    const Eigen::MatrixXd u = hinv.llt().matrixU();

    auto q = quantizeRef(l.weight.data(), rows, cols, spec);
    QuantizedMatrix m = q ? std::move(q).value() : QuantizedMatrix{};
    const GroupGeometry geo = GroupGeometry::of(m.spec, rows, cols);
    std::vector<GroupParams> params(static_cast<std::size_t>(geo.perRow));
    std::vector<bool> fixed(static_cast<std::size_t>(geo.perRow));
    const float t = spec.format.family == FormatFamily::Nvfp4 ? nvfp4TensorScale(l.weight.data(), rows * cols) : 1.0f;
    for (std::int64_t r = 0; r < rows; ++r) {
        std::vector<double> x(static_cast<std::size_t>(cols));
        for (std::int64_t p = 0; p < cols; ++p)
            x[static_cast<std::size_t>(p)] = w[static_cast<std::size_t>(r * cols + order[static_cast<std::size_t>(p)])];
        std::fill(fixed.begin(), fixed.end(), false);
        for (std::int64_t p = 0; p < cols; ++p) {
            const std::int64_t c = order[static_cast<std::size_t>(p)], g = geo.column(c);
            if (!fixed[static_cast<std::size_t>(g)]) {
                std::vector<float> values;
                for (std::int64_t k = g * geo.width; k < std::min(cols, (g + 1) * geo.width); ++k) {
                    const auto pk = std::find(order.begin(), order.end(), k) - order.begin();
                    values.push_back(static_cast<float>(x[static_cast<std::size_t>(pk)]));
                }
                params[static_cast<std::size_t>(g)] = chooseGroupParams(m.spec, values.data(), static_cast<std::int64_t>(values.size()), nullptr, t);
                fixed[static_cast<std::size_t>(g)] = true;
                ElementCoder::store(m, geo.index(r, c), params[static_cast<std::size_t>(g)]);
            }
            const float xf = static_cast<float>(x[static_cast<std::size_t>(p)]);
            std::uint8_t code = 0;
            float xq = 0;
            quantizeGroupWithParams(m.spec, params[static_cast<std::size_t>(g)], &xf, 1, &code, t);
            dequantizeGroupWithParams(m.spec, params[static_cast<std::size_t>(g)], &code, 1, &xq, t);
            m.codes[static_cast<std::size_t>(r * cols + c)] = code;
            const double err = (x[static_cast<std::size_t>(p)] - xq) / u(p, p);
            for (std::int64_t k = p + 1; k < cols; ++k)
                x[static_cast<std::size_t>(k)] -= err * u(p, k);
        }
    }
    m.tensorScale = t;
    return m;
}

double proxyOf(const CorrelatedLayer &l, const QuantizedMatrix &m)
{
    std::vector<float> deq(static_cast<std::size_t>(l.rows * l.cols));
    dequantizeRef(m, deq.data());
    double num = 0, den = 0;
    for (std::int64_t r = 0; r < l.rows; ++r)
        for (std::int64_t i = 0; i < l.cols; ++i)
            for (std::int64_t j = 0; j < l.cols; ++j) {
                const double hij = l.stats.hessian[static_cast<std::size_t>(i * l.cols + j)];
                const double wi = l.weight[static_cast<std::size_t>(r * l.cols + i)], wj = l.weight[static_cast<std::size_t>(r * l.cols + j)];
                num += (wi - deq[static_cast<std::size_t>(r * l.cols + i)]) * hij * (wj - deq[static_cast<std::size_t>(r * l.cols + j)]);
                den += wi * hij * wj;
            }
    return num / den;
}

void addFormatRows(const std::vector<std::pair<const char *, std::int64_t>> &rows)
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<qlonglong>("group");
    for (const auto &[name, group] : rows)
        QTest::addRow("%s g%lld", name, static_cast<long long>(group)) << QString::fromLatin1(name) << static_cast<qlonglong>(group);
}

FormatSpec fetchSpec()
{
    QFETCH(QString, format);
    QFETCH(qlonglong, group);
    return specOf(format.toLatin1().constData(), group);
}

} // namespace

class TestGptq : public QObject {
    Q_OBJECT

private slots:
    void elementCoderEqualsReference_data()
    {
        addFormatRows({{"int2", 32}, {"int3", 32}, {"int4", 32}, {"int8", 32}, {"int3-asym", 32}, {"int4-asym", 32}, {"fp3", 32},
                       {"fp4", 32}, {"fp-e3m2", 32}, {"fp8-e4m3", 32}, {"fp3-asym", 32}, {"fp4-asym", 32}, {"nf3", 32}, {"nf4", 32},
                       {"nf4-asym", 32}, {"fp3-er-pos", 32}, {"bitmod-fp3", 32}, {"bitmod-fp4", 32}, {"mix:int4|nf4-asym|fp4", 32},
                       {"lut:-3,-1,0,0.25,2", 32}, {"lut:-1,1-asym", 32}, {"iq4nl", 32}, {"mxfp4", 32}, {"mxfp6-e3m2", 32},
                       {"nvfp4", 16}, {"q4_0", 32}});
    }
    void elementCoderEqualsReference()
    {
        const FormatSpec spec = fetchSpec();
        for (int kind : {0, 1, 2, 3}) {
            const std::vector<float> x = lowbit::test::quantInputs(kind, 40 * 16, 7);
            const float t = nvfp4TensorScale(x.data(), static_cast<std::int64_t>(x.size()));
            auto coder = ElementCoder::make(spec, t);
            QVERIFY(coder);
            std::mt19937 rng(3);
            std::normal_distribution<float> noise(0.0f, 0.3f);
            for (std::size_t off = 0; off + 40 <= x.size(); off += 40) {
                const GroupParams p = coder->choose(x.data() + off, 40);
                const GroupParams r = chooseGroupParams(coder->spec(), x.data() + off, 40, nullptr, t);
                QVERIFY(sameBits(p.scale, r.scale) && sameBits(p.scale2, r.scale2) && p.member == r.member);
                // Weights moved around as GPTQ's updates move them, some past the grid's ends.
                std::vector<float> y(x.begin() + static_cast<std::ptrdiff_t>(off), x.begin() + static_cast<std::ptrdiff_t>(off + 40));
                for (float &v : y)
                    v = v * (1.0f + noise(rng)) + 0.1f * noise(rng);
                std::uint8_t fast[40], ref[40];
                coder->encode(p, y.data(), 40, fast);
                quantizeGroupWithParams(coder->spec(), p, y.data(), 40, ref, t);
                QVERIFY(std::equal(fast, fast + 40, ref));
                for (int i = 0; i < 40; ++i) {
                    std::uint8_t one = 0;
                    const float v = coder->quantizeOne(p, y[static_cast<std::size_t>(i)], one);
                    float refValue = 0;
                    dequantizeGroupWithParams(coder->spec(), p, &ref[i], 1, &refValue, t);
                    QCOMPARE(one, ref[i]);
                    QVERIFY(sameBits(v, refValue));
                }
            }
            // Every code, including codes past the grid (which decode as 0).
            std::vector<std::uint8_t> all(256);
            for (int c = 0; c < 256; ++c)
                all[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c);
            const GroupParams p = coder->choose(x.data(), 40);
            std::vector<float> fast(256), ref(256);
            coder->decode(p, all.data(), 256, fast.data());
            dequantizeGroupWithParams(coder->spec(), p, all.data(), 256, ref.data(), t);
            QVERIFY(lowbit::test::sameBits(fast, ref));
        }
    }

    void identityHessianEqualsRtn_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<qlonglong>("group");
        QTest::addColumn<bool>("updated");
        for (const auto &[name, group] : std::vector<std::pair<const char *, std::int64_t>>{
                 {"int4", 32}, {"int3-asym", 64}, {"fp4", 128}, {"nf4", 32}, {"bitmod-fp3", 32}, {"mxfp4", 32}, {"nvfp4", 16},
                 {"fp3-asym", 48}, {"lut:-3,-1,0,0.25,2", 32}, {"int4", kPerChannel}, {"int8", kPerTensor}})
            for (bool updated : {false, true})
                QTest::addRow("%s g%lld %s", name, static_cast<long long>(group), updated ? "updated" : "block-start")
                    << QString::fromLatin1(name) << static_cast<qlonglong>(group) << updated;
    }
    void identityHessianEqualsRtn()
    {
        QFETCH(bool, updated);
        const FormatSpec spec = fetchSpec();
        CorrelatedLayer l = makeCorrelatedLayer(24, 160, 8, 11);
        std::fill(l.stats.hessian.begin(), l.stats.hessian.end(), 0.0);
        for (std::int64_t i = 0; i < l.cols; ++i)
            l.stats.hessian[static_cast<std::size_t>(i * l.cols + i)] = 4.0; // U = I/2: errors never propagate
        const auto g = runGptq(l.input(), spec, gptqOptions(0.0, 64, false, updated ? GroupParamsSource::Updated : GroupParamsSource::BlockStart),
                               {}, {});
        QVERIFY2(g, g ? "" : g.error().message().c_str());
        const auto r = quantizeRef(l.weight.data(), l.rows, l.cols, spec);
        QVERIFY(r);
        const QuantizedMatrix m = unpacked(*g);
        QCOMPARE(m.codes, r->codes);
        QVERIFY(lowbit::test::sameBits(m.scales, r->scales));
        QVERIFY(lowbit::test::sameBits(m.scales2, r->scales2));
        QCOMPARE(m.selectors, r->selectors);
        QVERIFY(sameBits(m.tensorScale, r->tensorScale));
    }

    void beatsRtnOnCorrelatedHessian_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<qlonglong>("group");
        QTest::addColumn<bool>("actOrder");
        QTest::addColumn<bool>("updated");
        for (const auto &[name, group] : std::vector<std::pair<const char *, std::int64_t>>{
                 {"int4", 32}, {"int3", 128}, {"int3-asym", 64}, {"int2", 32}, {"fp4", 32}, {"fp3-asym", 32}, {"nf3", 32},
                 {"bitmod-fp3", 32}, {"mix:int3|nf3-asym", 32}, {"mxfp4", 32}, {"nvfp4", 16}, {"iq4nl", 32}, {"int4", kPerChannel},
                 {"int8", kPerTensor}, {"int3", 100}})
            for (bool actOrder : {false, true})
                for (bool updated : {false, true})
                    QTest::addRow("%s g%lld%s%s", name, static_cast<long long>(group), actOrder ? " act-order" : "", updated ? " updated" : "")
                        << QString::fromLatin1(name) << static_cast<qlonglong>(group) << actOrder << updated;
    }
    void beatsRtnOnCorrelatedHessian()
    {
        QFETCH(bool, actOrder);
        QFETCH(bool, updated);
        const FormatSpec spec = fetchSpec();
        const CorrelatedLayer l = makeCorrelatedLayer(32, 256, 768, 5);
        const auto rtn = runRtn(l.input(), spec, gptqOptions(), {}, {});
        const auto g = runGptq(l.input(), spec, gptqOptions(0.01, 64, actOrder, updated ? GroupParamsSource::Updated : GroupParamsSource::BlockStart),
                               {}, {});
        QVERIFY(rtn);
        QVERIFY2(g, g ? "" : g.error().message().c_str());
        QVERIFY(std::isfinite(g->report.proxyError));
        QVERIFY2(g->report.proxyError < rtn->report.proxyError,
                 qPrintable(QStringLiteral("GPTQ %1 vs RTN %2").arg(g->report.proxyError).arg(rtn->report.proxyError)));
        QCOMPARE(g->report.method, std::string("gptq"));
        QCOMPARE(g->report.bitsPerWeight, rtn->report.bitsPerWeight);
        // A valid packed tensor: unpacks, re-packs to the same bytes, decodes to what the report measured.
        const QuantizedMatrix m = unpacked(*g);
        QCOMPARE(static_cast<std::int64_t>(m.codes.size()), l.rows * l.cols);
        std::vector<float> deq(m.codes.size());
        dequantizeRef(m, deq.data());
        QVERIFY(lowbit::test::sameBits(deq, decoded(*g)));
        QVERIFY(std::abs(proxyOf(l, m) - g->report.proxyError) <= 1e-9 * g->report.proxyError + 1e-15);
    }

    void blockedEqualsUnblockedReference_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<qlonglong>("group");
        QTest::addColumn<bool>("actOrder");
        QTest::addColumn<qlonglong>("block");
        for (const auto &[name, group] : std::vector<std::pair<const char *, std::int64_t>>{
                 {"int4", 32}, {"int3-asym", 64}, {"nf4", 128}, {"bitmod-fp3", 32}, {"nvfp4", 16}, {"int4", kPerChannel}})
            for (bool actOrder : {false, true})
                for (qlonglong block : {1, 37, 128})
                    QTest::addRow("%s g%lld%s B%lld", name, static_cast<long long>(group), actOrder ? " act-order" : "", block)
                        << QString::fromLatin1(name) << static_cast<qlonglong>(group) << actOrder << block;
    }
    void blockedEqualsUnblockedReference()
    {
        // With parameters from the updated weights the block size changes only the order of the
        // floating-point operations, so the blocked fp32 GPTQ must follow the double reference.
        QFETCH(bool, actOrder);
        QFETCH(qlonglong, block);
        const FormatSpec spec = fetchSpec();
        const CorrelatedLayer l = makeCorrelatedLayer(16, 192, 512, 9);
        const auto g = runGptq(l.input(), spec, gptqOptions(0.01, block, actOrder, GroupParamsSource::Updated), {}, {});
        QVERIFY2(g, g ? "" : g.error().message().c_str());
        const QuantizedMatrix ref = referenceGptq(l, spec, 0.01, actOrder);
        const QuantizedMatrix m = unpacked(*g);
        std::size_t same = 0;
        for (std::size_t i = 0; i < m.codes.size(); ++i)
            same += m.codes[i] == ref.codes[i];
        QVERIFY2(static_cast<double>(same) >= 0.99 * static_cast<double>(m.codes.size()),
                 qPrintable(QStringLiteral("%1 of %2 codes agree").arg(same).arg(m.codes.size())));
        const double pr = proxyOf(l, ref);
        QVERIFY2(std::abs(g->report.proxyError - pr) <= 0.02 * pr, qPrintable(QStringLiteral("%1 vs %2").arg(g->report.proxyError).arg(pr)));
    }

    void paramsSourceModesDiffer()
    {
        // Groups starting inside a block (g32, B128) see different weights in the two modes;
        // per channel the group starts before any update, so they agree.
        const CorrelatedLayer l = makeCorrelatedLayer(16, 256, 512, 21);
        const auto a = runGptq(l.input(), specOf("int3", 32), gptqOptions(0.01, 128, false, GroupParamsSource::BlockStart), {}, {});
        const auto b = runGptq(l.input(), specOf("int3", 32), gptqOptions(0.01, 128, false, GroupParamsSource::Updated), {}, {});
        QVERIFY(a && b);
        QVERIFY(unpacked(*a).scales != unpacked(*b).scales);
        QVERIFY(a->report.detail.find("block-start") != std::string::npos);
        QVERIFY(b->report.detail.find("updated") != std::string::npos);
        const auto c = runGptq(l.input(), specOf("int3", kPerChannel), gptqOptions(0.01, 128, false, GroupParamsSource::BlockStart), {}, {});
        const auto d = runGptq(l.input(), specOf("int3", kPerChannel), gptqOptions(0.01, 128, false, GroupParamsSource::Updated), {}, {});
        QVERIFY(c && d);
        QCOMPARE(unpacked(*c).codes, unpacked(*d).codes);
    }

    void deadInputsAreZeroed()
    {
        CorrelatedLayer l = makeCorrelatedLayer(16, 96, 256, 4);
        for (const std::int64_t dead : {7, 50}) {
            for (std::int64_t t = 0; t < l.tokens; ++t)
                l.inputs[static_cast<std::size_t>(t * l.cols + dead)] = 0;
        }
        l.stats = {};
        l.stats.dim = l.cols;
        l.stats.accumulate(l.inputs.data(), l.tokens);
        const auto g = runGptq(l.input(), specOf("int4", 32), gptqOptions(0.0), {}, {});
        QVERIFY2(g, g ? "" : g.error().message().c_str());
        const std::vector<float> deq = decoded(*g);
        for (std::int64_t r = 0; r < l.rows; ++r) {
            QCOMPARE(deq[static_cast<std::size_t>(r * l.cols + 7)], 0.0f);
            QCOMPARE(deq[static_cast<std::size_t>(r * l.cols + 50)], 0.0f);
            QVERIFY(l.weight[static_cast<std::size_t>(r * l.cols + 7)] != 0.0f);
        }
        QVERIFY(g->report.detail.find("2 dead inputs") != std::string::npos);
        QVERIFY(std::isfinite(g->report.proxyError));
    }

    void nanHessianIsAnError()
    {
        CorrelatedLayer l = makeCorrelatedLayer(8, 64, 128, 2);
        l.stats.hessian[3 * 64 + 5] = std::nan("");
        const auto g = runGptq(l.input(), specOf("int4", 32), gptqOptions(), {}, {});
        QVERIFY(!g);
        QCOMPARE(g.error().code, ErrorCode::InvalidArgument);
        QVERIFY(g.error().message().find("NaN") != std::string::npos);
        // The Hessian preparation refuses it on its own too.
        const auto h = prepareGptqHessian(l.stats.hessian.data(), 64, 0.01, false, "x");
        QVERIFY(!h);
        QCOMPARE(h.error().code, ErrorCode::InvalidArgument);
    }

    void singularHessianIsAnError_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addRow("fewer tokens than inputs") << 0;
        QTest::addRow("duplicated input channel") << 1;
    }
    void singularHessianIsAnError()
    {
        QFETCH(int, kind);
        CorrelatedLayer l = makeCorrelatedLayer(8, 64, kind == 0 ? 16 : 512, 2);
        if (kind == 1) {
            for (std::int64_t t = 0; t < l.tokens; ++t)
                l.inputs[static_cast<std::size_t>(t * 64 + 9)] = l.inputs[static_cast<std::size_t>(t * 64 + 8)];
            l.stats = {};
            l.stats.dim = 64;
            l.stats.accumulate(l.inputs.data(), l.tokens);
        }
        const auto g = runGptq(l.input(), specOf("int4", 32), gptqOptions(0.0), {}, {});
        QVERIFY(!g);
        QCOMPARE(g.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(g.error().message().find("positive definite") != std::string::npos, g.error().message().c_str());
        QVERIFY(g.error().message().find("--damp") != std::string::npos);
        // Damping makes it usable.
        const auto d = runGptq(l.input(), specOf("int4", 32), gptqOptions(0.01), {}, {});
        QVERIFY2(d, d ? "" : d.error().message().c_str());
        QVERIFY(std::isfinite(d->report.proxyError));
    }

    void hessianFactorIsInverseCholesky()
    {
        // U from the reversal trick equals the upper Cholesky factor of H⁻¹ computed directly.
        for (const std::int64_t n : {5, 64, 300}) {
            const CorrelatedLayer l = makeCorrelatedLayer(1, n, 2 * n + 7, static_cast<std::uint32_t>(n));
            for (bool actOrder : {false, true}) {
                const auto h = prepareGptqHessian(l.stats.hessian.data(), n, 0.01, actOrder, "x", actOrder ? 2 : 1);
                QVERIFY(h);
                Eigen::MatrixXd hp(n, n);
                const double damp = 0.01 * Eigen::Map<const Eigen::MatrixXd>(l.stats.hessian.data(), n, n).diagonal().mean();
                QCOMPARE(h->dampAdded, damp);
                for (std::int64_t i = 0; i < n; ++i)
                    for (std::int64_t j = 0; j < n; ++j)
                        hp(i, j) = l.stats.hessian[static_cast<std::size_t>(h->order[static_cast<std::size_t>(i)] * n + h->order[static_cast<std::size_t>(j)])] +
                                   (i == j ? damp : 0.0);
                const Eigen::MatrixXd u = Eigen::MatrixXd(hp.inverse()).llt().matrixU();
                double worst = 0;
                for (std::int64_t i = 0; i < n; ++i)
                    for (std::int64_t j = 0; j < n; ++j) {
                        const double got = h->hinv[static_cast<std::size_t>(i * n + j)];
                        worst = std::max(worst, std::abs(got - u(i, j)) / std::abs(u(i, i)));
                    }
                QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
                if (actOrder)
                    for (std::int64_t i = 1; i < n; ++i)
                        QVERIFY(l.stats.hessian[static_cast<std::size_t>(h->order[static_cast<std::size_t>(i - 1)] * (n + 1))] >=
                                l.stats.hessian[static_cast<std::size_t>(h->order[static_cast<std::size_t>(i)] * (n + 1))]);
            }
        }
    }

    void badOptionsAreErrors()
    {
        const CorrelatedLayer l = makeCorrelatedLayer(8, 64, 128, 2);
        MethodOptions o = gptqOptions(-0.5);
        QCOMPARE(runGptq(l.input(), specOf("int4", 32), o, {}, {}).error().code, ErrorCode::InvalidArgument);
        o = gptqOptions(0.01, 0);
        QCOMPARE(runGptq(l.input(), specOf("int4", 32), o, {}, {}).error().code, ErrorCode::InvalidArgument);
        o = gptqOptions(0.01, 128, true);
        o.gptq.staticGroups = false;
        const auto noStatic = runGptq(l.input(), specOf("int4", 32), o, {}, {});
        QVERIFY(!noStatic);
        QVERIFY(noStatic.error().message().find("static groups") != std::string::npos);
        QVERIFY(runGptq(l.input(), specOf("int4", kPerChannel), o, {}, {})); // one group per row: nothing to permute
        const auto noStats = runGptq(l.input(false), specOf("int4", 32), gptqOptions(), {}, {});
        QVERIFY(!noStats);
        QCOMPARE(noStats.error().code, ErrorCode::InvalidArgument);
    }

    void cancellation()
    {
        const CorrelatedLayer l = makeCorrelatedLayer(16, 256, 512, 2);
        std::stop_source before;
        before.request_stop();
        QCOMPARE(runGptq(l.input(), specOf("int4", 32), gptqOptions(), {}, before.get_token()).error().code, ErrorCode::Cancelled);
        // Stopped from the progress callback in the middle of the blocks.
        std::stop_source mid;
        std::vector<double> seen;
        const auto r = runGptq(l.input(), specOf("int4", 32), gptqOptions(0.01, 32),
                               [&](double f) {
                                   seen.push_back(f);
                                   if (f > 0.4)
                                       mid.request_stop();
                               },
                               mid.get_token());
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QVERIFY(seen.size() >= 3 && seen.back() < 1.0);
        // Uncancelled: progress rises monotonically to 1, once per block at least.
        seen.clear();
        QVERIFY(runGptq(l.input(), specOf("int4", 32), gptqOptions(0.01, 32), [&](double f) { seen.push_back(f); }, {}));
        QVERIFY(seen.size() >= 256 / 32);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(seen.back(), 1.0);
    }

    void threadCountDoesNotChangeTheResult()
    {
        const CorrelatedLayer l = makeCorrelatedLayer(33, 128, 300, 8);
        MethodOptions one = gptqOptions(0.01, 32), two = gptqOptions(0.01, 32);
        one.threads = 1;
        two.threads = 2;
        const auto a = runGptq(l.input(), specOf("bitmod-fp3", 32), one, {}, {});
        const auto b = runGptq(l.input(), specOf("bitmod-fp3", 32), two, {}, {});
        QVERIFY(a && b);
        QVERIFY(lowbit::test::sameBits(decoded(*a), decoded(*b)));
    }

    void registered()
    {
        const auto g = findMethod("gptq");
        QVERIFY(g);
        QVERIFY((*g)->needsCalibration);
        QVERIFY(!(*g)->vector);
        QVERIFY((*g)->run == &runGptq);
    }
};

QTEST_APPLESS_MAIN(TestGptq)
#include "tst_gptq.moc"
