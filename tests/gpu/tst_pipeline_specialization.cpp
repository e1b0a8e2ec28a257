// SPDX-License-Identifier: GPL-3.0-or-later
// Pipelines specialized per tensor (gpu/pipeline/pipelines.h Specialization, packedSpecialization):
// one pipeline per shader and specialization, the shader's layouts shared; every packed kernel of
// a tensor in either layout (dequantize, the row or tree GEMV and GEMM) gives bit for bit what the
// same kernel gives reading the scale kind, zero-point and selector widths (and the tree its group
// size) from its push constants, for every scale kind (fp32, fp16, bf16, E8M0, E4M3), zero points,
// selectors and group sizes.
#include "gpu/ops/packed_ops.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cstring>

using namespace lowbit;
using namespace lowbit::gpu;

class TestPipelineSpecialization : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void onePipelinePerSpecialization()
    {
        Pipelines pipes(*m_fx.ctx);
        const ShaderId id = ShaderId::dequant_packed_b4;
        auto plain = pipes.get(id);
        QVERIFY(plain.ok());
        QCOMPARE(*pipes.get(id), *plain); // cached
        QVERIFY((*plain)->spec.any());
        Specialization f16;
        f16.values = {kScaleF16, 0, 0, Specialization::kAny};
        QVERIFY(!f16.any());
        auto special = pipes.get(id, f16);
        QVERIFY(special.ok());
        QVERIFY(*special != *plain);
        QVERIFY((*special)->pipeline != (*plain)->pipeline);
        // one set layout for the shader: a descriptor set serves each of its pipelines
        QCOMPARE((*special)->setLayout, (*plain)->setLayout);
        QCOMPARE((*special)->layout, (*plain)->layout);
        QCOMPARE((*special)->writeMask, (*plain)->writeMask);
        QCOMPARE(*pipes.get(id, f16), *special);
        Specialization zp = f16;
        zp.values[1] = 4;
        QVERIFY(*pipes.get(id, zp) != *special);
        Specialization g32 = f16;
        g32.values[3] = 32;
        QVERIFY(*pipes.get(id, g32) != *special);
        QCOMPARE(pipes.size(), std::size_t(4));
    }

    void specializedEqualsPushConstants_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group"); // -2: the format's own
        QTest::addColumn<QString>("storage");
        const QString own;
        QTest::newRow("int4 g32 fp16") << "int4" << 32 << "fp16";
        QTest::newRow("int4 g96 fp16: groups of three pieces' chunks") << "int4" << 96 << "fp16";
        QTest::newRow("int4 g20 fp16: groups that straddle pieces") << "int4" << 20 << "fp16";
        QTest::newRow("int4 per channel") << "int4" << 0 << "fp16";
        QTest::newRow("int4-asym g64 fp32: zero points") << "int4-asym" << 64 << "fp32";
        QTest::newRow("nf4 g128 bf16") << "nf4" << 128 << "bf16";
        QTest::newRow("fp4 g64 e4m3") << "fp4" << 64 << "e4m3";
        QTest::newRow("mxfp4: e8m0") << "mxfp4" << -2 << own;
        QTest::newRow("nvfp4: e4m3 and a tensor scale") << "nvfp4" << -2 << own;
        QTest::newRow("fp4-asym: two scales") << "fp4-asym" << 32 << "bf16";
        QTest::newRow("mixture: selectors") << "mix:int4|nf4|fp4" << 32 << "fp16";
        QTest::newRow("bitmod-fp4: inserted values") << "bitmod-fp4" << 32 << "fp16";
        QTest::newRow("int-asym mixture: the generic path") << "mix:int3-asym|int4-asym" << 64 << "fp16";
    }
    void specializedEqualsPushConstants()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(QString, storage);
        const auto spec = test::specOf(format.toStdString(), group, storage.toStdString());
        QVERIFY(spec);
        const std::int64_t rows = 70, cols = 256; // a block of 64 tiled rows and 6 row-major
        auto rp = test::randomPacked(*spec, rows, cols, 31);
        QVERIFY2(rp.ok(), rp.ok() ? "" : rp.error().message().c_str());
        const std::uint32_t tokens = 5;
        const auto x = test::randomFloats(std::size_t(cols) * tokens, 32);

        Arena arena(*m_fx.ctx, VkDeviceSize(8) << 20);
        auto bx = arena.upload(std::span<const float>(x));
        QVERIFY(bx.ok());
        // outputs of one run: the dequantized tensor, then the GEMV's and the GEMM's
        const std::size_t outFloats = std::size_t(rows * cols) + std::size_t(rows) * (1 + tokens);
        auto run = [&](Pipelines &pipes, MatvecLayout layout, bool specialize) -> std::vector<float> {
            PackedUploadOptions opt;
            opt.matvec = layout;
            opt.specialize = specialize;
            opt.specializeTree = true; // (by default on GPUs only)
            auto gw = uploadPacked(arena, rp->packed, opt);
            auto out = arena.allocate(outFloats * 4);
            if (!gw.ok() || !out.ok() || gw->specialized != specialize || gw->matvec != layout)
                return {};
            std::memset((*out)->mapped, 0xFF, (*out)->size);
            auto rec = Recorder::begin(*m_fx.ctx, pipes);
            if (!rec.ok())
                return {};
            const auto y0 = std::uint32_t(rows * cols);
            if (!recordDequantPacked(**rec, *gw, **out).ok() || !recordMatvecPacked(**rec, *gw, **bx, **out, y0).ok()
                || !recordMatmulPacked(**rec, *gw, **bx, **out, tokens, y0 + std::uint32_t(rows), std::uint32_t(rows)).ok()
                || !(*rec)->submitAndWait().ok())
                return {};
            const auto v = (*out)->as<float>();
            return {v.begin(), v.end()};
        };
        for (MatvecLayout layout : {MatvecLayout::SharedTree, MatvecLayout::Rows}) {
            const bool rowLayout = layout == MatvecLayout::Rows;
            if (rowLayout && !rowKernelsRun(m_fx.ctx->info())) {
                if (test::runningInCi())
                    QFAIL("CI=true but the device does not run the row kernels");
                continue; // (the tree runs everywhere)
            }
            const char *name = rowLayout ? "rows" : "tree";
            Pipelines pipes(*m_fx.ctx); // this layout's own, to count them
            const auto pushed = run(pipes, layout, false);
            const std::size_t plain = pipes.size();
            const auto special = run(pipes, layout, true);
            QVERIFY2(pushed.size() == outFloats && special.size() == outFloats, name);
            // each kernel the push-constant run took has a specialized twin
            QVERIFY(plain >= 3);
            QCOMPARE(pipes.size(), 2 * plain);
            for (std::size_t i = 0; i < outFloats; ++i)
                QVERIFY2(std::memcmp(&pushed[i], &special[i], 4) == 0,
                         qPrintable(QStringLiteral("%5: output %1 (%2 dequantized): push constants %3, specialized %4")
                                        .arg(i)
                                        .arg(rows * cols)
                                        .arg(pushed[i])
                                        .arg(special[i])
                                        .arg(QLatin1String(name))));
            // and both are the tensor: the dequantization bit for bit, the GEMV within the bound
            for (std::size_t i = 0; i < std::size_t(rows * cols); ++i)
                QVERIFY(std::memcmp(&special[i], &rp->dequant[i], 4) == 0);
            for (std::int64_t r = 0; r < rows; ++r)
                QVERIFY(test::closeToProduct(special[std::size_t(rows * cols + r)], rp->dequant.data() + r * cols, x.data(), std::size_t(cols)));
            // the tree's pipelines take the group size, a row kernel's do not depend on it; by
            // default the tree is specialized on GPUs only
            PackedUploadOptions opt;
            opt.matvec = layout;
            auto byDefault = uploadPacked(arena, rp->packed, opt);
            QVERIFY(byDefault.ok());
            QCOMPARE(byDefault->specialized, rowLayout || m_fx.ctx->info().type != "cpu");
            opt.specializeTree = true;
            auto gw = uploadPacked(arena, rp->packed, opt);
            QVERIFY(gw.ok());
            QVERIFY(gw->specialized);
            const Specialization sp = packedSpecialization(*gw, gw->push);
            QCOMPARE(sp.values[0], gw->push.scaleKind);
            QCOMPARE(sp.values[3], rowLayout ? Specialization::kAny : gw->push.groupSize);
        }
    }
};

QTEST_GUILESS_MAIN(TestPipelineSpecialization)
#include "tst_pipeline_specialization.moc"
