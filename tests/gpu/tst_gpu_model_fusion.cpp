// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's fused forms (GpuModelOptions::fuseLayerOps) against the separate ones and the CPU
// engine: the dispatches and barriers each fusion saves, gate and up as one linear, q, k and v as
// one linear split by rope_qkv, where their formats allow and not elsewhere.
#include "gpu/engine/gpu_model.h"
#include "gpu/ops/packed_ops.h"

#include "core/infer/cpu_model.h"

#include "gpu_fixture.h"
#include "quantized_model.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <initializer_list>

using namespace lowbit;
using namespace lowbit::gpu;
using test::maxAbsDiff;

class TestGpuModelFusion : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

    /// `model` with the linears of `roles` packed so that layers 0 and 1 can merge them (int4, and
    /// a three-member mixture with its selector stream) and layer 2 cannot (`odd` in nf4, the rest
    /// int4), the other linears int3-asym per channel; loaded with `merged` and with `apart` (the
    /// GEMV layout forced to rows where asked), and 8 tokens run as a prefill of 5, a decode step
    /// and a prefill of 2 through both and the CPU engine. The merged logits stay within 10⁻⁵ of
    /// the CPU's largest (3·10⁻³ with an fp16 cache, which the CPU engine does not round to) and
    /// within 10⁻⁶ of the apart ones; `check` sees both models after each part.
    void mergedAgainstApart(const Model &model, std::initializer_list<TensorRole> roles, TensorRole odd, bool rowsLayout, GpuModelOptions merged,
                            GpuModelOptions apart, const std::function<void(const GpuModel &, const GpuModel &, std::size_t)> &check)
    {
        const auto inRoles = [&](TensorRole r) { return std::find(roles.begin(), roles.end(), r) != roles.end(); };
        auto q = test::quantizeTensors(model, [&](const ModelTensor &t) -> std::optional<test::TensorFormat> {
            if (inRoles(t.role)) {
                if (t.layer == 0)
                    return test::TensorFormat{"int4", 32, "fp16"};
                if (t.layer == 1)
                    return test::TensorFormat{"mix:int4|nf4|fp4", 16, "fp16"};
                return t.role == odd ? test::TensorFormat{"nf4", 32, "fp16"} : test::TensorFormat{"int4", 32, "fp16"};
            }
            if (isLinearRole(t.role))
                return test::TensorFormat{"int3-asym", 0, "fp32"};
            return std::nullopt;
        });
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().message().c_str());
        auto cpu = CpuModel::load(*q);
        QVERIFY(cpu.ok());
        if (rowsLayout)
            merged.matvec = apart.matvec = MatvecLayout::Rows;
        auto gm = GpuModel::load(*m_fx.ctx, *q, merged);
        auto ga = GpuModel::load(*m_fx.ctx, *q, apart);
        QVERIFY2(gm.ok(), gm.ok() ? "" : gm.error().message().c_str());
        QVERIFY(ga.ok());
        const double tolerance = merged.kvCache == KvCacheType::F16 ? 3e-3 : 1e-5;
        const std::vector<std::int32_t> tokens = {3, 14, 15, 9, 26, 5, 35, 8};
        for (const auto &part : {std::span(tokens).first(5), std::span(tokens).subspan(5, 1), std::span(tokens).subspan(6)}) {
            auto a = (*cpu)->forward(part);
            auto b = (*gm)->forward(part);
            auto c = (*ga)->forward(part);
            QVERIFY(a.ok() && b.ok() && c.ok());
            double scale = 1;
            for (float v : *a)
                scale = std::max(scale, double(std::fabs(v)));
            QVERIFY2(maxAbsDiff(*a, *b) <= tolerance * scale, qPrintable(QStringLiteral("%1 tokens: %2").arg(part.size()).arg(maxAbsDiff(*a, *b))));
            QVERIFY2(maxAbsDiff(*b, *c) <= 1e-6 * scale, qPrintable(QStringLiteral("merged against apart, %1 tokens: %2").arg(part.size()).arg(maxAbsDiff(*b, *c))));
            check(**gm, **ga, part.size());
        }
    }

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void fusedLayerOpsSaveDispatches_data()
    {
        QTest::addColumn<bool>("kvF16");
        QTest::addColumn<bool>("bias");
        QTest::newRow("fp32 KV cache") << false << false;
        QTest::newRow("fp16 KV cache, q/k/v biases") << true << true;
    }
    void fusedLayerOpsSaveDispatches()
    {
        // GpuModelOptions::fuseLayerOps: a residual add with the norm after it, queries' and keys'
        // RoPE, (fp16 cache) key and value stores, and the (fp32) gate and up projections each take
        // one dispatch instead of two, and q, k and v one linear whose output rope_qkv splits, for
        // the same logits, in a prefill and in decode steps; each layer saves 6 dispatches (7 with
        // the fp16 stores, 2 more with the biases added once) and the 2 barriers between its adds
        // and norms
        QFETCH(bool, kvF16);
        QFETCH(bool, bias);
        const int layers = 3;
        const Model model = test::makeRandomModel(64, 96, layers, 4, 2, 50, RopeLayout::Interleaved, false, 13, bias);
        GpuModelOptions fused, apart;
        fused.kvCache = apart.kvCache = kvF16 ? KvCacheType::F16 : KvCacheType::F32;
        apart.fuseLayerOps = false;
        auto gf = GpuModel::load(*m_fx.ctx, model, fused);
        auto ga = GpuModel::load(*m_fx.ctx, model, apart);
        QVERIFY(gf.ok() && ga.ok());
        QCOMPARE((*gf)->mergedGateUp(), layers);
        QCOMPARE((*ga)->mergedGateUp(), 0);
        const std::vector<std::int32_t> tokens = {4, 31, 0, 49, 18, 6, 6, 27};
        for (const auto &part : {std::span(tokens).first(5), std::span(tokens).subspan(5, 1), std::span(tokens).subspan(6)}) {
            auto lf = (*gf)->forward(part, true);
            auto la = (*ga)->forward(part, true);
            QVERIFY2(lf.ok(), lf.ok() ? "" : lf.error().message().c_str());
            QVERIFY(la.ok());
            double scale = 0;
            for (float v : *la)
                scale = std::max(scale, double(std::fabs(v)));
            QVERIFY2(maxAbsDiff(*lf, *la) <= 1e-6 * scale, qPrintable(QStringLiteral("%1 tokens: %2 apart (of %3)").arg(part.size()).arg(maxAbsDiff(*lf, *la)).arg(scale)));
            const ForwardTiming &tf = (*gf)->lastTiming(), &ta = (*ga)->lastTiming();
            QCOMPARE(ta.dispatches - tf.dispatches, std::uint32_t(layers * (6 + (kvF16 ? 1 : 0) + (bias ? 2 : 0))));
            QCOMPARE(ta.barriers - tf.barriers, std::uint32_t(layers * 2));
        }
    }

    /// Gate and up run as one linear where they are packed in the same format (a layer of int4,
    /// one of a mixture with its selector stream), apart where the formats differ; the logits stay
    /// the CPU engine's, in both GEMV layouts.
    void gateUpMergedWhereOneRule_data()
    {
        QTest::addColumn<bool>("rowsLayout");
        QTest::newRow("shared tree") << false;
        QTest::newRow("rows layout") << true;
    }
    void gateUpMergedWhereOneRule()
    {
        QFETCH(bool, rowsLayout);
        const Model model = test::makeRandomModel(64, 96, 3, 4, 2, 50, RopeLayout::HalfSplit, true, 47);
        GpuModelOptions opt, apart;
        apart.fuseLayerOps = false;
        mergedAgainstApart(model, {TensorRole::Gate, TensorRole::Up}, TensorRole::Up, rowsLayout, opt, apart,
                           [&](const GpuModel &merged, const GpuModel &separate, std::size_t) {
                               QCOMPARE(merged.mergedGateUp(), 2);
                               QCOMPARE(merged.packedTensors(), separate.packedTensors()); // every linear counts, merged or not
                               QVERIFY(merged.weightBytes() <= separate.weightBytes()); // (one copy of the value tables for both)
                           });
    }

    /// q, k and v as one linear (rope_qkv splits its output) where all three decode by one rule:
    /// layer 0 int4, layer 1 a mixture with its selector stream, layer 2 apart (k in nf4); qwen2
    /// biases as one vector; both caches and both GEMV layouts, against the CPU engine and the
    /// same model with q, k and v apart.
    void qkvMergedWhereOneRule_data()
    {
        QTest::addColumn<bool>("rowsLayout");
        QTest::addColumn<bool>("kvF16");
        QTest::newRow("shared tree, fp32 cache") << false << false;
        QTest::newRow("shared tree, fp16 cache") << false << true;
        QTest::newRow("rows layout, fp32 cache") << true << false;
        QTest::newRow("rows layout, fp16 cache") << true << true;
    }
    void qkvMergedWhereOneRule()
    {
        QFETCH(bool, rowsLayout);
        QFETCH(bool, kvF16);
        const Model model = test::makeRandomModel(64, 96, 3, 4, 2, 50, RopeLayout::Interleaved, false, 51, true);
        GpuModelOptions opt, apart;
        opt.kvCache = apart.kvCache = kvF16 ? KvCacheType::F16 : KvCacheType::F32;
        apart.mergeQkv = false;
        mergedAgainstApart(model, {TensorRole::Q, TensorRole::K, TensorRole::V}, TensorRole::K, rowsLayout, opt, apart,
                           [&](const GpuModel &merged, const GpuModel &separate, std::size_t tokens) {
                               QCOMPARE(merged.mergedQkv(), 2);
                               QCOMPARE(separate.mergedQkv(), 0);
                               QCOMPARE(merged.packedTensors(), separate.packedTensors());
                               // two merged layers: two linears fewer each (on the rows layout a
                               // linear of n tokens takes ceil(n / 3) dispatches), and two bias additions
                               const std::uint32_t perLinear = rowsLayout ? std::uint32_t(tokens + 2) / 3u : 1u;
                               QCOMPARE(separate.lastTiming().dispatches - merged.lastTiming().dispatches, 2u * (2u * perLinear + 2u));
                           });
    }
};

QTEST_APPLESS_MAIN(TestGpuModelFusion)
#include "tst_gpu_model_fusion.moc"
