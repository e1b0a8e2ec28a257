// SPDX-License-Identifier: GPL-3.0-or-later
// stories260K on the Vulkan engine against the CPU engine on the same model: perplexity within
// 1e-3 relative and identical greedy generation, for the fp32 checkpoint and for quantized
// versions (every linear packed on the device: one 4-bit format, and mixed formats per layer),
// and with an fp16 KV cache on both engines (16-bit storage and the packed-uint fallback).
#include "gpu/engine/gpu_model.h"
#include "gpu/ops/layer_ops.h"

#include "core/eval/perplexity.h"
#include "core/infer/generate.h"
#include "core/util/mapped_file.h"

#include "gpu_fixture.h"
#include "quantized_model.h"
#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace lowbit;

class TestGpuVsCpu : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;
    std::optional<Model> m_model, m_int4, m_mixed;
    std::unique_ptr<Tokenizer> m_tok;

    const Model &modelNamed(const QString &name) const
    {
        return name == QLatin1String("int4") ? *m_int4 : name == QLatin1String("mixed") ? *m_mixed : *m_model;
    }
    static void addModelRows()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("kv"); // f32, f16 (16-bit storage where the device has it), f16-packed
        QTest::newRow("fp32") << QStringLiteral("fp32") << QStringLiteral("f32");
        QTest::newRow("int4 g32") << QStringLiteral("int4") << QStringLiteral("f32");
        QTest::newRow("mixed formats per layer") << QStringLiteral("mixed") << QStringLiteral("f32");
        QTest::newRow("fp32, fp16 KV cache") << QStringLiteral("fp32") << QStringLiteral("f16");
        QTest::newRow("int4 g32, fp16 KV cache packed in uints") << QStringLiteral("int4") << QStringLiteral("f16-packed");
    }
    /// The CPU and Vulkan engines with the row's KV cache.
    std::pair<Result<std::unique_ptr<CpuModel>>, Result<std::unique_ptr<gpu::GpuModel>>> engines(const Model &mdl, const QString &kv)
    {
        EngineOptions eo;
        gpu::GpuModelOptions go;
        if (kv != QLatin1String("f32")) {
            eo.kvCache = go.kvCache = KvCacheType::F16;
            go.use16BitStorage = kv == QLatin1String("f16");
        }
        return {CpuModel::load(mdl, eo), gpu::GpuModel::load(*m_fx.ctx, mdl, go)};
    }

private slots:
    void initTestCase()
    {
        LOWBIT_GPU_INIT(m_fx);
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        auto m = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(m.ok());
        m_model = std::move(*m);
        auto t = loadTokenizer(m_model->path(), 512);
        QVERIFY(t.ok());
        m_tok = std::move(*t);
        auto int4 = test::quantizeTensors(*m_model, [](const ModelTensor &mt) -> std::optional<test::TensorFormat> {
            if (!isLinearRole(mt.role))
                return std::nullopt;
            return test::TensorFormat{"int4", 32, "fp16"};
        });
        QVERIFY(int4.ok());
        m_int4 = std::move(*int4);
        const test::TensorFormat mixed[] = {{"nf4", 32, "fp16"}, {"fp6-e3m2", 32, "bf16"}, {"mxfp4", std::nullopt, ""},
                                            {"int3-asym", 32, "fp16"}, {"nvfp4", std::nullopt, ""}, {"bitmod-fp4", 64, "fp16"},
                                            {"fp8-e4m3", 0, "fp32"}};
        auto mix = test::quantizeTensors(*m_model, [&](const ModelTensor &mt) -> std::optional<test::TensorFormat> {
            if (!isLinearRole(mt.role))
                return std::nullopt;
            return mixed[std::size_t(mt.layer * 3 + int(mt.role)) % std::size(mixed)];
        });
        QVERIFY(mix.ok());
        m_mixed = std::move(*mix);
    }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }
    void perplexityMatchesCpu_data() { addModelRows(); }
    void perplexityMatchesCpu()
    {
        QFETCH(QString, model);
        QFETCH(QString, kv);
        const Model &mdl = modelNamed(model);
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        auto text = readTextFile(lowbit::test::sharedPath("data/tinystories_valid_first1000.txt"));
        QVERIFY(text.ok());
        EvalOptions o;
        o.maxDocuments = 3; // lavapipe checks correctness, not speed
        auto [cpu, gpu] = engines(mdl, kv);
        QVERIFY(cpu.ok());
        QVERIFY2(gpu.ok(), gpu.ok() ? "" : gpu.error().message().c_str());
        if (kv == QLatin1String("f16-packed") || (kv == QLatin1String("f16") && !m_fx.ctx->info().storage16Bit))
            QCOMPARE((*gpu)->kvForm(), gpu::KvForm::F16Packed);
        else if (kv == QLatin1String("f16"))
            QCOMPARE((*gpu)->kvForm(), gpu::KvForm::F16Storage);
        const auto kvBytes = std::uint64_t(2) * mdl.config().numLayers * (*gpu)->maxContext() * mdl.config().kvDim();
        QCOMPARE((*gpu)->kvCacheBytes(), kvBytes * (kv == QLatin1String("f32") ? 4 : 2));
        int linears = 0;
        for (const ModelTensor &t : mdl.tensors())
            linears += isLinearRole(t.role) ? 1 : 0;
        QCOMPARE((*gpu)->packedTensors(), model == QLatin1String("fp32") ? 0 : linears); // every linear stays packed
        auto rc = evaluatePerplexity(**cpu, *m_tok, *text, o);
        auto rg = evaluatePerplexity(**gpu, *m_tok, *text, o);
        QVERIFY(rc.ok() && rg.ok());
        qInfo("%s, %s KV: ppl cpu %.6f, vulkan %.6f over %llu tokens", qPrintable(model), qPrintable(kv), rc->perplexity, rg->perplexity, static_cast<unsigned long long>(rg->tokens));
        QCOMPARE(rg->tokens, rc->tokens);
        QVERIFY(std::fabs(rg->perplexity - rc->perplexity) / rc->perplexity < 1e-3);
        auto cmp = compareModels(**cpu, **gpu, *m_tok, *text, o);
        QVERIFY(cmp.ok());
        QVERIFY(cmp->klDivergence < 1e-6);
        QCOMPARE(cmp->top1Agreement, 1.0);
    }
    void greedyGenerationMatchesCpu_data() { addModelRows(); }
    void greedyGenerationMatchesCpu()
    {
        QFETCH(QString, model);
        QFETCH(QString, kv);
        auto [cpu, gpu] = engines(modelNamed(model), kv);
        QVERIFY(cpu.ok() && gpu.ok());
        auto a = generate(**cpu, *m_tok, "", 64, SamplerOptions{});
        auto b = generate(**gpu, *m_tok, "", 64, SamplerOptions{});
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(b->tokens, a->tokens);
        if (model == QLatin1String("fp32"))
            QVERIFY(b->text.rfind("Once upon a time, there was a little girl named Lily.", 0) == 0);
    }
};

QTEST_APPLESS_MAIN(TestGpuVsCpu)
#include "tst_gpu_vs_cpu.moc"
