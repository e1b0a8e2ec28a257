// SPDX-License-Identifier: GPL-3.0-or-later
// stories260K on the Vulkan engine against the CPU engine: perplexity within 1e-3 relative and
// identical greedy generation (fp32 weights; the packed formats come with the fused kernels).
#include "gpu/engine/gpu_model.h"

#include "core/eval/perplexity.h"
#include "core/infer/generate.h"
#include "core/util/mapped_file.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace lowbit;

class TestGpuVsCpu : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;
    std::optional<Model> m_model;
    std::unique_ptr<Tokenizer> m_tok;

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
    }
    void perplexityMatchesCpu()
    {
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        auto text = readTextFile(lowbit::test::sharedPath("data/tinystories_valid_first1000.txt"));
        QVERIFY(text.ok());
        EvalOptions o;
        o.maxDocuments = 5; // lavapipe checks correctness, not speed
        auto cpu = CpuModel::load(*m_model);
        auto gpu = gpu::GpuModel::load(*m_fx.ctx, *m_model);
        QVERIFY2(gpu.ok(), gpu.ok() ? "" : gpu.error().message().c_str());
        auto rc = evaluatePerplexity(**cpu, *m_tok, *text, o);
        auto rg = evaluatePerplexity(**gpu, *m_tok, *text, o);
        QVERIFY(rc.ok() && rg.ok());
        qInfo("ppl cpu %.6f, vulkan %.6f over %llu tokens", rc->perplexity, rg->perplexity, static_cast<unsigned long long>(rg->tokens));
        QCOMPARE(rg->tokens, rc->tokens);
        QVERIFY(std::fabs(rg->perplexity - rc->perplexity) / rc->perplexity < 1e-3);
        auto cmp = compareModels(**cpu, **gpu, *m_tok, *text, o);
        QVERIFY(cmp.ok());
        QVERIFY(cmp->klDivergence < 1e-6);
        QCOMPARE(cmp->top1Agreement, 1.0);
    }
    void greedyGenerationMatchesCpu()
    {
        auto cpu = CpuModel::load(*m_model);
        auto gpu = gpu::GpuModel::load(*m_fx.ctx, *m_model);
        QVERIFY(cpu.ok() && gpu.ok());
        auto a = generate(**cpu, *m_tok, "", 64, SamplerOptions{});
        auto b = generate(**gpu, *m_tok, "", 64, SamplerOptions{});
        QVERIFY(a.ok() && b.ok());
        QCOMPARE(b->tokens, a->tokens);
        QVERIFY(b->text.rfind("Once upon a time, there was a little girl named Lily.", 0) == 0);
    }
};

QTEST_APPLESS_MAIN(TestGpuVsCpu)
#include "tst_gpu_vs_cpu.moc"
