// SPDX-License-Identifier: GPL-3.0-or-later
// The shared-tree layout's packed kernels (GPUs' GEMV and GEMM, and small tensors on CPU devices)
// in each of their forms, against core's reference: every width of a row slot, the tails and the
// groups that straddle pieces, the linear INT decode and the table path, subgroup sums and the
// shared-memory tree, loading ahead or one piece at a time, and the tiled GEMM at its edges; and
// which forms a device gets by default. (Every format through every kernel: tst_packed_kernels.)
#include "gpu/ops/packed_ops.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {
std::optional<FormatSpec> specOf(const QString &format, int group, const QString &storage)
{
    return test::specOf(format.toStdString(), group, storage.toStdString());
}
} // namespace

class TestPackedTree : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    /// The tree layout at every width of a row slot, and its piece paths: x read as vec4 (columns a
    /// multiple of 4) or float by float (203 columns), a tail of 3 columns, groups of 20 that
    /// straddle the 8-column pieces (weight by weight), an odd row count (a slot's second row past
    /// the end) — in each form: the sums by subgroup shuffles (lavapipe's 8-lane subgroups: slots
    /// of 1–8 lanes in one subgroup, 16–64 across subgroups) and by the shared-memory tree, the
    /// linear INT decode and the table path; the GEMV loading four pieces ahead (pieces past the
    /// last re-read and not summed) and, in the subgroup forms, one at a time (`_a1`).
    void threadsPerRowDoNotChangeResults_data()
    {
        QTest::addColumn<int>("tpr");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("format");
        QTest::addColumn<bool>("sg");
        QTest::addColumn<bool>("linear");
        QTest::addColumn<bool>("ahead");
        for (bool sg : {true, false})
            for (bool linear : {true, false}) {
                const char *form = sg ? (linear ? "shuffles, linear" : "shuffles, table") : (linear ? "tree, linear" : "tree, table");
                for (int t : {1, 2, 8, 16, 64})
                    QTest::addRow("%d per row, %s", t, form) << t << 1000 << 32 << "int4" << sg << linear << true;
                QTest::addRow("203 columns, 4 per row, %s", form) << 4 << 203 << 32 << "int4" << sg << linear << true;
                QTest::addRow("203 columns, auto, %s", form) << 0 << 203 << 32 << "int4" << sg << linear << true;
                QTest::addRow("groups of 20, 16 per row, %s", form) << 16 << 1000 << 20 << "int4" << sg << linear << true;
                QTest::addRow("groups of 20, 203 columns, 2 per row, %s", form) << 2 << 203 << 20 << "int4" << sg << linear << true;
                QTest::addRow("int3-asym, 32 per row, %s", form) << 32 << 1000 << 32 << "int3-asym" << sg << linear << true;
                QTest::addRow("int2, 8 per row, %s", form) << 8 << 1000 << 32 << "int2" << sg << linear << true;
            }
        // formats without a linear form keep the table path
        QTest::addRow("nf4, 32 per row, shuffles") << 32 << 1000 << 32 << "nf4" << true << true << true;
        QTest::addRow("fp6 planes, 16 per row, shuffles") << 16 << 1000 << 32 << "fp6-e3m2" << true << true << true;
        // one piece at a time
        for (bool linear : {true, false}) {
            const char *form = linear ? "linear" : "table";
            QTest::addRow("one piece at a time, 8 per row, %s", form) << 8 << 1000 << 32 << "int4" << true << linear << false;
            QTest::addRow("one piece at a time, 203 columns, auto, %s", form) << 0 << 203 << 32 << "int4" << true << linear << false;
        }
        QTest::addRow("one piece at a time, fp6 planes") << 16 << 1000 << 32 << "fp6-e3m2" << true << true << false;
    }
    void threadsPerRowDoNotChangeResults()
    {
        QFETCH(int, tpr);
        QFETCH(int, cols);
        QFETCH(int, group);
        QFETCH(QString, format);
        QFETCH(bool, sg);
        QFETCH(bool, linear);
        QFETCH(bool, ahead);
        if (sg && !m_fx.ctx->info().subgroupShuffle)
            QSKIP("the device has no subgroup shuffles");
        auto spec = specOf(format, group, QStringLiteral("fp16"));
        QVERIFY(spec);
        const std::int64_t rows = 71;
        auto w = test::randomFloats(std::size_t(rows * cols), 3, 0.05f);
        auto packed = quantizePackedFast(w.data(), rows, cols, *spec);
        QVERIFY(packed.ok());
        std::vector<float> cpu(w.size());
        QVERIFY(dequantizeFast(*packed, cpu.data()).ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        PackedUploadOptions opt;
        opt.threadsPerRow = std::uint32_t(tpr);
        opt.matvec = MatvecLayout::SharedTree; // the layout that shares rows
        opt.subgroupReduce = sg;
        opt.treeLinear = linear;
        opt.treeAhead = ahead;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        if (tpr)
            QCOMPARE(gw->push.tpr, std::uint32_t(tpr));
        QCOMPARE(gw->tree.subgroupReduce, sg);
        QCOMPARE(gw->tree.loadAhead, ahead);
        QCOMPARE(gw->tree.linear, linear && format.startsWith(QLatin1String("int"))); // INT and INT-asym when asked, others never
        const auto x = test::randomFloats(std::size_t(cols) * 3, 4);
        auto bx = arena.upload(std::span<const float>(x));
        auto by = arena.allocate(std::size_t(rows) * 4);
        auto bY = arena.allocate(std::size_t(rows) * 3 * 4);
        QVERIFY(bx.ok() && by.ok() && bY.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatvecPacked(**rec, *gw, **bx, **by).ok());
        QVERIFY(recordMatmulPacked(**rec, *gw, **bx, **bY, 3, 0, std::uint32_t(rows)).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        for (std::int64_t t = 0; t < 3; ++t)
            for (std::int64_t r = 0; r < rows; ++r) {
                double ref = 0, mag = 0;
                for (std::int64_t c = 0; c < cols; ++c) {
                    const double p = double(cpu[std::size_t(r * cols + c)]) * x[std::size_t(t * cols + c)];
                    ref += p;
                    mag += std::fabs(p);
                }
                QVERIFY(std::fabs((*bY)->as<float>()[std::size_t(t * rows + r)] - ref) <= 4e-6 * mag);
                if (t == 0)
                    QVERIFY(std::fabs((*by)->as<float>()[std::size_t(r)] - ref) <= 4e-6 * mag);
            }
    }

    /// The tiled GEMM at its edges: a partial tile of rows (71 = 64 + 7), token counts from the
    /// threshold of 16 to two and a half tiles, 203 columns (x float by float, a tail of 3 weight by
    /// weight, a partial step), in the linear and the table decode, FP6 planes, and groups of 20
    /// that straddle pieces (those keep the slots' GEMM), against the CPU's product.
    void tiledGemmEdges_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<bool>("linear");
        for (bool linear : {true, false}) {
            const char *form = linear ? "linear" : "table";
            QTest::addRow("int4, 16 tokens, %s", form) << "int4" << 32 << 1000 << 16 << linear;
            QTest::addRow("int4, 203 columns, 45 tokens, %s", form) << "int4" << 32 << 203 << 45 << linear;
            QTest::addRow("int3-asym, per channel, 70 tokens, %s", form) << "int3-asym" << 0 << 512 << 70 << linear;
        }
        QTest::addRow("nf4 g128, 33 tokens") << "nf4" << 128 << 1024 << 33 << false;
        QTest::addRow("fp6 planes, 203 columns, 20 tokens") << "fp6-e3m2" << 32 << 203 << 20 << false;
        QTest::addRow("groups of 20 (the slots' GEMM), 40 tokens") << "int4" << 20 << 1000 << 40 << true;
    }
    void tiledGemmEdges()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(int, cols);
        QFETCH(int, tokens);
        QFETCH(bool, linear);
        auto spec = specOf(format, group, QStringLiteral("fp16"));
        QVERIFY(spec);
        const std::int64_t rows = 71;
        auto w = test::randomFloats(std::size_t(rows * cols), 7, 0.05f);
        auto packed = quantizePackedFast(w.data(), rows, cols, *spec);
        QVERIFY(packed.ok());
        std::vector<float> cpu(w.size());
        QVERIFY(dequantizeFast(*packed, cpu.data()).ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(8) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::SharedTree;
        opt.treeLinear = linear;
        opt.treeTiledGemm = true;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        QVERIFY(gw->tree.tiledGemm);
        const auto x = test::randomFloats(std::size_t(cols) * std::size_t(tokens), 8);
        auto bx = arena.upload(std::span<const float>(x));
        auto bY = arena.allocate(std::size_t(rows) * std::size_t(tokens) * 4);
        QVERIFY(bx.ok() && bY.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatmulPacked(**rec, *gw, **bx, **bY, std::uint32_t(tokens), 0, std::uint32_t(rows)).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        for (int t = 0; t < tokens; ++t)
            for (std::int64_t r = 0; r < rows; ++r)
                QVERIFY2(test::closeToProduct((*bY)->as<float>()[std::size_t(t) * std::size_t(rows) + std::size_t(r)], cpu.data() + r * cols,
                                              x.data() + std::size_t(t) * std::size_t(cols), std::size_t(cols)),
                         qPrintable(QStringLiteral("token %1 row %2").arg(t).arg(r)));
    }

    /// By default the tree GEMV loads ahead on GPUs only (on CPU devices it spills registers);
    /// prompts take the tiled GEMM on every device.
    void loadAheadOnGpusOnly()
    {
        auto spec = specOf(QStringLiteral("int4"), 32, QStringLiteral("fp16"));
        QVERIFY(spec);
        const auto w = test::randomFloats(std::size_t(8 * 64), 5, 0.05f);
        auto packed = quantizePackedFast(w.data(), 8, 64, *spec);
        QVERIFY(packed.ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::SharedTree;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        QCOMPARE(gw->tree.loadAhead, m_fx.ctx->info().type != "cpu");
        QVERIFY(gw->tree.tiledGemm);
    }
};

QTEST_APPLESS_MAIN(TestPackedTree)
#include "tst_packed_tree.moc"
