// SPDX-License-Identifier: GPL-3.0-or-later
// The whole LLaMA forward pass on the Vulkan device against an fp64 reference (fp32 weights) and
// against the CPU engine on the same quantized model (packed weights, mixed formats per layer);
// row-sliced weights; a model larger than the device.
#include "gpu/engine/gpu_model.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/packed_ops.h"

#include "core/infer/cpu_model.h"

#include "gpu_fixture.h"
#include "quantized_model.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QElapsedTimer>
#include <QTest>

#include <cmath>

using namespace lowbit;
using namespace lowbit::gpu;
using test::maxAbsDiff;

namespace {

/// Formats cycled over the linear tensors: every family meets q/k/v/o/gate/up/down somewhere.
const test::TensorFormat kMixed[] = {{"int4", 32, "fp16"},      {"fp6-e3m2", 32, "bf16"}, {"nvfp4", std::nullopt, ""},
                                     {"mix:int4|nf4|fp4", 16, "fp16"}, {"mxfp4", std::nullopt, ""}, {"int3-asym", 0, "fp32"},
                                     {"nf4-asym", 48, "fp16"},  {"iq4nl", 32, "fp16"},     {"bitmod-fp3", 32, "fp16"},
                                     {"int8", -1, "fp32"},      {"fp8-e4m3", 32, "e4m3"},  {"mxfp6-e2m3", std::nullopt, ""}};


} // namespace

class TestGpuModel : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

    /// Loads `model` twice, with `a` and with `b`, and checks that both give the same logits (up to
    /// fp32 summation order) for a prefill of the first `prefill` tokens and then for the rest
    /// decoded through the KV cache.
    void sameLogits(const Model &model, const GpuModelOptions &a, const GpuModelOptions &b, std::span<const std::int32_t> tokens,
                    std::size_t prefill)
    {
        auto ga = GpuModel::load(*m_fx.ctx, model, a);
        auto gb = GpuModel::load(*m_fx.ctx, model, b);
        QVERIFY(ga.ok() && gb.ok());
        for (int step = 0; step < 2; ++step) {
            const auto part = step == 0 ? tokens.first(prefill) : tokens.subspan(prefill);
            auto la = (*ga)->forward(part, true);
            auto lb = (*gb)->forward(part, true);
            QVERIFY2(la.ok(), la.ok() ? "" : la.error().message().c_str());
            QVERIFY(lb.ok());
            QCOMPARE(la->size(), lb->size());
            for (std::size_t i = 0; i < la->size(); ++i)
                QVERIFY2(std::fabs((*la)[i] - (*lb)[i]) < 1e-4f,
                         qPrintable(QStringLiteral("logit %1: %2 against %3").arg(i).arg((*la)[i]).arg((*lb)[i])));
        }
    }

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }
    void prefillMatchesReference_data()
    {
        QTest::addColumn<int>("layout");
        QTest::addColumn<bool>("tied");
        QTest::addColumn<bool>("bias");
        QTest::addColumn<bool>("kvF16");
        QTest::newRow("HF rotate_half, tied") << int(RopeLayout::HalfSplit) << true << false << false;
        QTest::newRow("interleaved, separate classifier") << int(RopeLayout::Interleaved) << false << false << false;
        QTest::newRow("q/k/v biases (qwen2)") << int(RopeLayout::HalfSplit) << true << true << false;
        QTest::newRow("q/k/v biases, interleaved, fp16 KV cache") << int(RopeLayout::Interleaved) << false << true << true;
    }
    void prefillMatchesReference()
    {
        QFETCH(int, layout);
        QFETCH(bool, tied);
        QFETCH(bool, bias);
        QFETCH(bool, kvF16);
        const Model model = test::makeRandomModel(32, 48, 2, 4, 2, 40, RopeLayout(layout), tied, 7, bias);
        GpuModelOptions opt;
        opt.kvCache = kvF16 ? KvCacheType::F16 : KvCacheType::F32;
        auto gm = GpuModel::load(*m_fx.ctx, model, opt);
        QVERIFY2(gm.ok(), gm.ok() ? "" : gm.error().message().c_str());
        const std::vector<std::int32_t> tokens = {1, 5, 39, 0, 17, 17, 3, 22, 9, 11};
        auto logits = (*gm)->forward(tokens);
        QVERIFY2(logits.ok(), logits.ok() ? "" : logits.error().message().c_str());
        const auto ref = test::referenceForward(model, tokens);
        QCOMPARE(logits->size(), ref.size());
        double maxErr = 0;
        for (std::size_t i = 0; i < ref.size(); ++i)
            maxErr = std::max(maxErr, std::fabs((*logits)[i] - ref[i]));
        qInfo("max |logit error| = %.3g", maxErr);
        QVERIFY(maxErr < (kvF16 ? 5e-3 : 1e-4)); // fp16 keys and values: about 2^-11 relative each
        // and against the CPU engine on the same model and cache, which rounds as the device does
        EngineOptions eo;
        eo.kvCache = opt.kvCache;
        auto cpu = CpuModel::load(model, eo);
        QVERIFY(cpu.ok());
        auto cl = (*cpu)->forward(tokens);
        QVERIFY(cl.ok());
        const double vsCpu = maxAbsDiff(*logits, *cl);
        qInfo("max |logit difference| against the CPU engine = %.3g", vsCpu);
        // fp32 sums in another order move a key or value by an ulp or so; rounded to fp16, such a
        // value may land one fp16 step (2^-11 relative) from the CPU's (the H200: 1.3e-4)
        QVERIFY(vsCpu < (kvF16 ? 1e-3 : 1e-4));
    }
    void decodeEqualsPrefill()
    {
        const Model model = test::makeRandomModel(32, 48, 2, 4, 1, 40, RopeLayout::HalfSplit, true, 9);
        auto gm = GpuModel::load(*m_fx.ctx, model);
        QVERIFY(gm.ok());
        const std::vector<std::int32_t> tokens = {2, 8, 13, 21, 34, 3, 1};
        auto full = (*gm)->forward(tokens);
        QVERIFY(full.ok());
        (*gm)->reset();
        // prefill 4 tokens, then decode the rest one at a time through the KV cache
        auto first = (*gm)->forward(std::span(tokens).first(4));
        QVERIFY(first.ok());
        std::vector<float> incremental = *first;
        for (std::size_t t = 4; t < tokens.size(); ++t) {
            auto step = (*gm)->forward(std::span(tokens).subspan(t, 1));
            QVERIFY(step.ok());
            incremental.insert(incremental.end(), step->begin(), step->end());
        }
        QCOMPARE((*gm)->position(), std::int64_t(tokens.size()));
        for (std::size_t i = 0; i < full->size(); ++i)
            QVERIFY2(std::fabs((*full)[i] - incremental[i]) < 1e-5f, qPrintable(QString::number(i)));
    }
    void changingTokenCountsKeepNothingStale()
    {
        // scratch buffers and cached descriptor sets serve again while the token count stays, and
        // are replaced when it changes: forwards of 2, 1, 1, 3, 1 and 2 tokens give the logits of
        // one prefill of all of them (a stale set would read a freed or another forward's buffer)
        const Model model = test::makeRandomModel(32, 48, 2, 4, 2, 40, RopeLayout::HalfSplit, false, 13);
        auto gm = GpuModel::load(*m_fx.ctx, model);
        QVERIFY(gm.ok());
        const std::vector<std::int32_t> tokens = {3, 14, 15, 9, 26, 5, 35, 8, 9, 7};
        auto full = (*gm)->forward(tokens);
        QVERIFY(full.ok());
        (*gm)->reset();
        std::vector<float> pieces;
        std::size_t at = 0, setsForOne = 0;
        for (std::size_t n : {2, 1, 1, 3, 1, 2}) {
            auto step = (*gm)->forward(std::span(tokens).subspan(at, n));
            QVERIFY(step.ok());
            pieces.insert(pieces.end(), step->begin(), step->end());
            at += n;
            // the cache holds one token count's sets: it neither grows with the steps of one
            // count nor keeps an earlier count's (whose buffers are gone)
            if (n == 1 && setsForOne == 0)
                setsForOne = (*gm)->cachedDescriptorSets();
            if (n == 1)
                QCOMPARE((*gm)->cachedDescriptorSets(), setsForOne);
            QVERIFY((*gm)->cachedDescriptorSets() > 0);
        }
        QCOMPARE(at, tokens.size());
        QCOMPARE(pieces.size(), full->size());
        for (std::size_t i = 0; i < full->size(); ++i)
            QVERIFY2(std::fabs((*full)[i] - pieces[i]) < 1e-5f, qPrintable(QString::number(i)));
    }
    void rejectsBadTokensAndOverflow()
    {
        const Model model = test::makeRandomModel(16, 24, 1, 2, 2, 10, RopeLayout::HalfSplit, true, 1);
        GpuModelOptions opt;
        opt.maxContext = 4;
        auto gm = GpuModel::load(*m_fx.ctx, model, opt);
        QVERIFY(gm.ok());
        const std::vector<std::int32_t> bad = {3, 10};
        QCOMPARE((*gm)->forward(bad).error().code, ErrorCode::InvalidArgument);
        const std::vector<std::int32_t> five = {1, 2, 3, 4, 5};
        auto r = (*gm)->forward(five);
        QVERIFY(!r.ok());
        QVERIFY(r.error().detail.find("context full") != std::string::npos);
        QCOMPARE((*gm)->position(), std::int64_t(0)); // nothing half-applied
    }

    void quantizedModelMatchesCpuEngine_data()
    {
        QTest::addColumn<bool>("tied");
        QTest::addColumn<bool>("embeddings"); // quantize the embedding / classifier too
        QTest::newRow("linears, tied fp32 embedding") << true << false;
        QTest::newRow("linears + embedding + classifier") << false << true;
        QTest::newRow("linears + tied quantized embedding") << true << true;
    }
    void quantizedModelMatchesCpuEngine()
    {
        QFETCH(bool, tied);
        QFETCH(bool, embeddings);
        const Model model = test::makeRandomModel(64, 96, 2, 4, 2, 50, RopeLayout::HalfSplit, tied, 21);
        int next = 0, expected = 0;
        auto q = test::quantizeTensors(model, [&](const ModelTensor &t) -> std::optional<test::TensorFormat> {
            const bool emb = t.role == TensorRole::Embedding || t.role == TensorRole::Output;
            if (!isLinearRole(t.role) && !emb)
                return std::nullopt;
            if (emb && !embeddings)
                return std::nullopt;
            ++expected;
            if (emb)
                return t.role == TensorRole::Embedding ? test::TensorFormat{"int8", 32, "fp16"} : test::TensorFormat{"fp6-e2m3", 32, "fp16"};
            return kMixed[std::size_t(next++) % std::size(kMixed)];
        });
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().message().c_str());
        auto cpu = CpuModel::load(*q);
        QVERIFY2(cpu.ok(), cpu.ok() ? "" : cpu.error().message().c_str());
        auto gm = GpuModel::load(*m_fx.ctx, *q);
        QVERIFY2(gm.ok(), gm.ok() ? "" : gm.error().message().c_str());
        QCOMPARE((*gm)->packedTensors(), expected);
        std::uint64_t fp32Bytes = 0;
        for (const ModelTensor &t : model.tensors())
            if (t.view.shape.size() == 2)
                fp32Bytes += t.view.numel() * 4;
        QVERIFY((*gm)->weightBytes() < fp32Bytes); // packed on the device, no fp32 copy

        // prefill (fused dequant × matrix), then decode (fused dequant × vector) through the cache
        const std::vector<std::int32_t> tokens = {1, 5, 49, 0, 17, 17, 3, 22, 9, 11, 30, 2};
        auto a = (*cpu)->forward(std::span(tokens).first(9));
        auto b = (*gm)->forward(std::span(tokens).first(9));
        QVERIFY(a.ok() && b.ok());
        double scale = 0;
        for (float v : *a)
            scale = std::max(scale, double(std::fabs(v)));
        const double prefillErr = maxAbsDiff(*a, *b);
        double decodeErr = 0;
        for (std::size_t t = 9; t < tokens.size(); ++t) {
            auto ca = (*cpu)->forward(std::span(tokens).subspan(t, 1));
            auto cb = (*gm)->forward(std::span(tokens).subspan(t, 1));
            QVERIFY(ca.ok() && cb.ok());
            decodeErr = std::max(decodeErr, maxAbsDiff(*ca, *cb));
        }
        qInfo("max |logit| %.3g; |gpu - cpu| prefill %.3g, decode %.3g", scale, prefillErr, decodeErr);
        QVERIFY(prefillErr <= 1e-5 * std::max(scale, 1.0));
        QVERIFY(decodeErr <= 1e-5 * std::max(scale, 1.0));
    }

    void vqLinearsMatchCpuEngine_data()
    {
        QTest::addColumn<bool>("tree");
        QTest::newRow("the device's layout") << false;
        QTest::newRow("shared tree") << true;
    }
    void vqLinearsMatchCpuEngine()
    {
        QFETCH(bool, tree);
        const Model model = test::makeRandomModel(64, 96, 2, 4, 2, 50, RopeLayout::HalfSplit, true, 33);
        std::vector<ModelTensor> tensors;
        int vq = 0;
        for (const ModelTensor &t : model.tensors()) {
            ModelTensor m = t;
            const bool pick = isLinearRole(t.role) && (t.layer == 0 || t.role == TensorRole::Q);
            if (pick) {
                const bool extras = vq % 2 == 0;
                auto view = test::randomVqView(t.view.name, t.view.shape[0], t.view.shape[1], extras ? 4 : 8, extras ? 64 : 256, extras,
                                               unsigned(40 + vq));
                QVERIFY2(view.ok(), view.ok() ? "" : view.error().message().c_str());
                m.view = *view;
                ++vq;
            }
            tensors.push_back(std::move(m));
        }
        auto q = Model::fromParts(model.source(), model.path(), model.config(), std::move(tensors));
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().message().c_str());
        auto cpu = CpuModel::load(*q);
        GpuModelOptions options;
        if (tree)
            options.matvec = MatvecLayout::SharedTree;
        auto gm = GpuModel::load(*m_fx.ctx, *q, options);
        QVERIFY(cpu.ok());
        QVERIFY2(gm.ok(), gm.ok() ? "" : gm.error().message().c_str());
        QCOMPARE((*gm)->packedTensors(), vq);
        const std::vector<std::int32_t> tokens = {4, 8, 15, 16, 23, 42, 7};
        auto a = (*cpu)->forward(std::span(tokens).first(5));
        auto b = (*gm)->forward(std::span(tokens).first(5));
        QVERIFY(a.ok() && b.ok());
        double scale = 1;
        for (float v : *a)
            scale = std::max(scale, double(std::fabs(v)));
        QVERIFY2(maxAbsDiff(*a, *b) <= 1e-5 * scale, qPrintable(QString::number(maxAbsDiff(*a, *b))));
        const std::uint32_t prefillDispatches = (*gm)->lastTiming().dispatches;
        for (std::size_t t = 5; t < tokens.size(); ++t) {
            auto ca = (*cpu)->forward(std::span(tokens).subspan(t, 1));
            auto cb = (*gm)->forward(std::span(tokens).subspan(t, 1));
            QVERIFY(ca.ok() && cb.ok());
            QVERIFY(maxAbsDiff(*ca, *cb) <= 1e-5 * scale);
        }
        // on the tree, the prefill's GEMMs took the x pass for all 5 tokens at once (the engine's
        // scratch): as many dispatches as a decode step, where one x pass a token would add 8 for
        // each linear with a permutation (4 of them)
        if (tree || m_fx.ctx->info().type != "cpu")
            QCOMPARE(prefillDispatches, (*gm)->lastTiming().dispatches);
    }

    void stagedWeightsGiveTheSameLogits()
    {
        // weights and KV cache in memory the host never maps (a discrete GPU without resizable
        // BAR), uploaded through staging copies: packed int4 and nf4 linears, fp32 ones, norms,
        // embedding and qwen2 biases reach the kernels as they do through a mapping
        const Model model = test::makeRandomModel(64, 96, 2, 4, 2, 50, RopeLayout::HalfSplit, true, 12);
        auto q = test::quantizeTensors(model, [&](const ModelTensor &t) -> std::optional<test::TensorFormat> {
            if (!isLinearRole(t.role) || t.view.shape.size() != 2 || t.role == TensorRole::Up)
                return std::nullopt;
            return test::TensorFormat{t.layer == 0 ? "int4" : "nf4", 32, "fp16"};
        });
        QVERIFY(q.ok());
        GpuModelOptions mapped, staged;
        mapped.stagedWeights = false;
        staged.stagedWeights = true;
        staged.maxSliceBytes = 1024; // packed linears in several slices, each its own staged upload
        const std::vector<std::int32_t> tokens = {5, 17, 2, 33, 48, 9, 21, 40};
        sameLogits(*q, mapped, staged, tokens, 6);
    }
    void slicedWeightsGiveTheSameLogits_data()
    {
        QTest::addColumn<bool>("quantized");
        QTest::newRow("fp32") << false;
        QTest::newRow("packed") << true;
    }
    void slicedWeightsGiveTheSameLogits()
    {
        QFETCH(bool, quantized);
        const Model model = test::makeRandomModel(64, 96, 1, 4, 2, 50, RopeLayout::Interleaved, false, 5);
        auto q = test::quantizeTensors(model, [&](const ModelTensor &t) -> std::optional<test::TensorFormat> {
            if (!quantized || t.role == TensorRole::FinalNorm || t.view.shape.size() != 2)
                return std::nullopt;
            return test::TensorFormat{"int4", 32, "fp16"};
        });
        QVERIFY(q.ok());
        GpuModelOptions small;
        small.maxSliceBytes = 7 * 64 * 4; // 7 fp32 rows, 56 int4 rows: several slices per tensor
        auto whole = GpuModel::load(*m_fx.ctx, *q);
        auto sliced = GpuModel::load(*m_fx.ctx, *q, small);
        QVERIFY(whole.ok() && sliced.ok());
        const std::vector<std::int32_t> tokens = {3, 44, 0, 49, 12};
        auto a = (*whole)->forward(tokens);
        auto b = (*sliced)->forward(tokens);
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(*b, *a); // the same per-row arithmetic, only the dispatches differ
        auto c = (*whole)->forward(std::span(tokens).first(1));
        auto d = (*sliced)->forward(std::span(tokens).first(1));
        QVERIFY(c.ok() && d.ok());
        QCOMPARE(*d, *c);
    }

    void rowLayoutPrefillEqualsTree()
    {
        // the rows layout (CPU devices) runs a prefill by the rows GEMM (three tokens a dispatch,
        // the GEMV for a lone last token) per slice: the same logits as the tree's GEMM up to fp32
        // summation order
        LOWBIT_REQUIRE_ROW_KERNELS(m_fx);
        const Model model = test::makeRandomModel(64, 96, 2, 4, 2, 50, RopeLayout::HalfSplit, false, 6);
        auto q = test::quantizeTensors(model, [&](const ModelTensor &t) -> std::optional<test::TensorFormat> {
            if (t.role == TensorRole::FinalNorm || t.view.shape.size() != 2)
                return std::nullopt;
            return test::TensorFormat{"nf4", 32, "fp16"};
        });
        QVERIFY(q.ok());
        GpuModelOptions rows, tree;
        rows.matvec = MatvecLayout::Rows;
        // 2 KiB slices: 64 rows of 64 nf4 columns, so the 96-row linears split into a tiled block
        // and 32 row-major rows, the 96-column ones into slices of 42 and 22 rows (none tiled)
        rows.maxSliceBytes = 2048;
        tree.matvec = MatvecLayout::SharedTree;
        const std::vector<std::int32_t> tokens = {3, 44, 0, 49, 12, 7, 7, 30, 1};
        sameLogits(*q, rows, tree, tokens, 8); // a prefill, then one more token through the KV cache
    }

    void int8ActivationsStayCloseToFp32()
    {
        // GpuModelOptions::int8Activations: the 2- to 4-bit INT / INT-asym linears (rows layout) read x
        // quantized to int8, the others fp32 x. The logits stay within a few % of the fp32-x
        // engine's; a prefill (the integer GEMM, three tokens a dispatch) equals the same tokens
        // decoded one by one (the integer GEMV) up to fp32 summation order
        LOWBIT_REQUIRE_ROW_KERNELS(m_fx);
        const Model model = test::makeRandomModel(64, 96, 2, 4, 2, 50, RopeLayout::HalfSplit, false, 9);
        auto q = test::quantizeTensors(model, [&](const ModelTensor &t) -> std::optional<test::TensorFormat> {
            if (t.role == TensorRole::FinalNorm || t.view.shape.size() != 2 || t.role == TensorRole::Embedding)
                return std::nullopt;
            if (t.role == TensorRole::Down)
                return test::TensorFormat{"nf4", 32, "fp16"}; // no integer kernel: fp32 x
            if (t.role == TensorRole::Gate)
                return test::TensorFormat{"int4-asym", 32, "fp16"};
            if (t.role == TensorRole::Up)
                return test::TensorFormat{"int3-asym", 32, "fp16"};
            if (t.role == TensorRole::O)
                return test::TensorFormat{"int2", 16, "fp16"};
            return test::TensorFormat{"int4", 32, "fp16"};
        });
        QVERIFY(q.ok());
        GpuModelOptions f32, int8;
        f32.matvec = int8.matvec = MatvecLayout::Rows;
        int8.int8Activations = true;
        int8.maxSliceBytes = 2048; // sliced linears: the quantized x serves every slice
        auto a = GpuModel::load(*m_fx.ctx, *q, int8);
        auto b = GpuModel::load(*m_fx.ctx, *q, f32);
        auto c = GpuModel::load(*m_fx.ctx, *q, int8);
        QVERIFY(a.ok() && b.ok() && c.ok());
        QCOMPARE((*a)->int8Tensors(), 2 * 6 + 1); // q, k, v, o, gate, up of 2 layers and the output
        QCOMPARE((*b)->int8Tensors(), 0);
        const std::vector<std::int32_t> tokens = {3, 44, 0, 49, 12, 7, 7, 30};
        auto la = (*a)->forward(tokens, true);
        auto lb = (*b)->forward(tokens, true);
        QVERIFY2(la.ok(), la.ok() ? "" : la.error().message().c_str());
        QVERIFY(lb.ok());
        QCOMPARE(la->size(), lb->size());
        double err = 0.0, mag = 0.0;
        for (std::size_t i = 0; i < la->size(); ++i) {
            err += ((*la)[i] - (*lb)[i]) * double((*la)[i] - (*lb)[i]);
            mag += double((*lb)[i]) * (*lb)[i];
        }
        QVERIFY(err > 0.0); // int8 x is not fp32 x
        QVERIFY2(std::sqrt(err / mag) < 0.03, qPrintable(QStringLiteral("relative RMS %1").arg(std::sqrt(err / mag))));
        const std::size_t vocab = la->size() / tokens.size();
        for (std::size_t t = 0; t < tokens.size(); ++t) {
            auto step = (*c)->forward(std::span(tokens).subspan(t, 1), true);
            QVERIFY(step.ok());
            QCOMPARE(step->size(), vocab);
            for (std::size_t i = 0; i < vocab; ++i)
                QVERIFY2(std::fabs((*step)[i] - (*la)[t * vocab + i]) < 1e-4f,
                         qPrintable(QStringLiteral("token %1 logit %2: %3 against %4").arg(t).arg(i).arg((*step)[i]).arg((*la)[t * vocab + i])));
        }
    }

    void attentionKernelsAgree()
    {
        // GpuModelOptions::attention: the rows attention (CPU devices) and the tree one give the
        // same logits up to fp32 summation order, in a prefill and a decode step after it (GQA 4/2)
        if (!rowLayoutDevice(m_fx.ctx->info())) {
            if (test::runningInCi()) // lavapipe runs it
                QFAIL("CI=true but the device does not run the rows attention");
            QSKIP("the rows attention runs on CPU Vulkan devices only");
        }
        const Model model = test::makeRandomModel(64, 96, 2, 4, 2, 50, RopeLayout::HalfSplit, false, 8);
        GpuModelOptions rows, tree;
        rows.attention = AttentionKernel::Rows;
        tree.attention = AttentionKernel::Tree;
        const std::vector<std::int32_t> tokens = {3, 44, 0, 49, 12, 7, 7, 30, 1, 22, 9};
        sameLogits(model, rows, tree, tokens, 10);
    }

    void warmUpLeavesNoTrace()
    {
        // GpuModel::warmUp runs a prompt and a step and resets: what follows is bit for bit what
        // a model without it computes (its cache rows past the position are never read), also
        // when the context holds fewer tokens than the warm-up's prompt
        const Model model = test::makeRandomModel(16, 24, 2, 2, 1, 10, RopeLayout::HalfSplit, true, 1);
        for (const std::int64_t context : {std::int64_t(64), std::int64_t(5), std::int64_t(1)}) {
            GpuModelOptions opt;
            opt.maxContext = context;
            auto warm = GpuModel::load(*m_fx.ctx, model, opt);
            auto cold = GpuModel::load(*m_fx.ctx, model, opt);
            QVERIFY(warm.ok() && cold.ok());
            QVERIFY((*warm)->warmUp().ok());
            QCOMPARE((*warm)->position(), std::int64_t(0));
            const std::vector<std::int32_t> prompt = {3, 9, 1, 4, 4};
            const auto n = static_cast<std::size_t>(std::min<std::int64_t>(context, 5));
            const std::span<const std::int32_t> p(prompt.data(), n);
            auto a = (*warm)->forward(p);
            auto b = (*cold)->forward(p);
            QVERIFY(a.ok() && b.ok());
            QVERIFY2(*a == *b, qPrintable(QStringLiteral("context %1").arg(context)));
        }
    }

    void deviceLostFailsCleanly()
    {
        // A device lost mid-run (simulated at the next submission, on a context of its own): the
        // step fails with a clear Io error, every later step and load fails at once the same
        // way, and the model and the device still tear down without a wait or a crash.
        DeviceSelection same;
        same.index = static_cast<int>(m_fx.ctx->info().index);
        auto ctx = Context::create(same);
        QVERIFY2(ctx.ok(), ctx.ok() ? "" : ctx.error().message().c_str());
        const Model model = test::makeRandomModel(16, 24, 2, 2, 1, 10, RopeLayout::HalfSplit, true, 1);
        auto gm = GpuModel::load(**ctx, model);
        QVERIFY(gm.ok());
        const std::vector<std::int32_t> prompt = {1, 7, 3};
        QVERIFY((*gm)->forward(prompt).ok());
        QCOMPARE((*gm)->position(), std::int64_t(3));
        QVERIFY(!(*ctx)->lost());
        (*ctx)->simulateDeviceLoss();
        const std::int32_t next = 4;
        auto lost = (*gm)->forward(std::span<const std::int32_t>(&next, 1));
        QVERIFY(!lost.ok());
        QCOMPARE(lost.error().code, ErrorCode::Io);
        QVERIFY2(lost.error().detail.find("was lost") != std::string::npos, lost.error().detail.c_str());
        QVERIFY((*ctx)->lost());
        QElapsedTimer clock;
        clock.start();
        auto again = (*gm)->forward(std::span<const std::int32_t>(&next, 1));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().detail, lost.error().detail);
        auto reload = GpuModel::load(**ctx, model);
        QVERIFY(!reload.ok());
        QVERIFY2(reload.error().detail.find("was lost") != std::string::npos, reload.error().detail.c_str());
        QVERIFY2(clock.elapsed() < 10000, "a lost device was waited for");
        gm->reset();
        ctx->reset();
    }

    void modelLargerThanTheDeviceIsRefused()
    {
        const Model model = test::makeRandomModel(16, 24, 1, 2, 2, 10, RopeLayout::HalfSplit, true, 1);
        GpuModelOptions opt;
        opt.maxContext = std::int64_t(1) << 40; // a KV cache no device holds
        auto gm = GpuModel::load(*m_fx.ctx, model, opt);
        QVERIFY(!gm.ok());
        QCOMPARE(gm.error().code, ErrorCode::Io);
        // what it needs against what the device has; the front ends add how to run on the CPU
        QVERIFY2(gm.error().detail.find("the model needs ") != std::string::npos, gm.error().detail.c_str());
        QVERIFY2(gm.error().detail.find(m_fx.ctx->info().name + " has ") != std::string::npos, gm.error().detail.c_str());
        QVERIFY(gm.error().detail.find("--device") == std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestGpuModel)
#include "tst_gpu_model.moc"
