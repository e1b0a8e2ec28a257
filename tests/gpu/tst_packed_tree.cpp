// SPDX-License-Identifier: GPL-3.0-or-later
// The shared-tree layout's packed kernels (GPUs' GEMV and GEMM, and small tensors on CPU devices)
// in each of their forms, against core's reference: every width of a row slot, the tails and the
// groups that straddle pieces, the direct decodes (linear INT, one table) and the table path with
// its per-weight selects, subgroup sums and the
// shared-memory tree, loading ahead or one piece at a time, and the tiled GEMM at its edges; and
// which forms a device gets by default. (Every format through every kernel: tst_packed_kernels.)
#include "gpu/ops/packed_ops.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <optional>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {
std::optional<FormatSpec> specOf(const QString &format, int group, const QString &storage)
{
    return test::specOf(format.toStdString(), group, storage.toStdString());
}
/// The format with fp16 scales in groups of `group`, or (group −2) in its own grouping and scales (MX, NVFP4).
std::optional<FormatSpec> specOf(const QString &format, int group)
{
    return specOf(format, group, group == -2 ? QString() : QStringLiteral("fp16"));
}
/// Whether a format takes the tree's linear decode (INT, INT-asym) where asked; the one-table
/// formats of these tests take the lut decode.
bool linearFormat(const QString &format) { return format.startsWith(QLatin1String("int")); }
/// A small random tensor of `format` uploaded to the tree layout in its default forms.
std::optional<GpuPackedTensor> defaultTree(Arena &arena, const QString &format, int group)
{
    const auto spec = specOf(format, group);
    if (!spec)
        return std::nullopt;
    const auto w = test::randomFloats(std::size_t(8 * 64), 5, 0.05f);
    auto packed = quantizePackedFast(w.data(), 8, 64, *spec);
    if (!packed.ok())
        return std::nullopt;
    PackedUploadOptions opt;
    opt.matvec = MatvecLayout::SharedTree;
    auto gw = uploadPacked(arena, *packed, opt);
    if (!gw.ok())
        return std::nullopt;
    return std::move(*gw);
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
    /// direct decodes (linear INT; one table: NF4, NVFP4 with its tensor scale, MXFP4, the FP6
    /// planes) and the table path with its per-weight selects; the GEMV loading four pieces ahead
    /// (pieces past the last re-read and not summed) and, in the subgroup forms, one at a time (`_a1`).
    void threadsPerRowDoNotChangeResults_data()
    {
        QTest::addColumn<int>("tpr");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("format");
        QTest::addColumn<bool>("sg");
        QTest::addColumn<bool>("direct");
        QTest::addColumn<bool>("ahead");
        for (bool sg : {true, false})
            for (bool direct : {true, false}) {
                const char *form = sg ? (direct ? "shuffles, direct" : "shuffles, table") : (direct ? "tree, direct" : "tree, table");
                for (int t : {1, 2, 8, 16, 64})
                    QTest::addRow("%d per row, %s", t, form) << t << 1000 << 32 << "int4" << sg << direct << true;
                QTest::addRow("203 columns, 4 per row, %s", form) << 4 << 203 << 32 << "int4" << sg << direct << true;
                QTest::addRow("203 columns, auto, %s", form) << 0 << 203 << 32 << "int4" << sg << direct << true;
                QTest::addRow("groups of 20, 203 columns, 2 per row, %s", form) << 2 << 203 << 20 << "int4" << sg << direct << true;
                QTest::addRow("int3-asym, 32 per row, %s", form) << 32 << 1000 << 32 << "int3-asym" << sg << direct << true;
                QTest::addRow("int2, 8 per row, %s", form) << 8 << 1000 << 32 << "int2" << sg << direct << true;
                // formats of one table: the lut decode
                QTest::addRow("nf4, 32 per row, %s", form) << 32 << 1000 << 32 << "nf4" << sg << direct << true;
                QTest::addRow("nf4, 203 columns, 4 per row, %s", form) << 4 << 203 << 32 << "nf4" << sg << direct << true;
                QTest::addRow("nvfp4, 8 per row, %s", form) << 8 << 1000 << -2 << "nvfp4" << sg << direct << true;
                QTest::addRow("mxfp4, 16 per row, %s", form) << 16 << 1000 << -2 << "mxfp4" << sg << direct << true;
                QTest::addRow("fp6 planes, 16 per row, %s", form) << 16 << 1000 << 32 << "fp6-e3m2" << sg << direct << true;
            }
        // one piece at a time
        for (bool direct : {true, false}) {
            const char *form = direct ? "direct" : "table";
            QTest::addRow("one piece at a time, 8 per row, %s", form) << 8 << 1000 << 32 << "int4" << true << direct << false;
            QTest::addRow("one piece at a time, 203 columns, auto, %s", form) << 0 << 203 << 32 << "int4" << true << direct << false;
            QTest::addRow("one piece at a time, nf4, %s", form) << 8 << 1000 << 32 << "nf4" << true << direct << false;
            QTest::addRow("one piece at a time, fp6 planes, %s", form) << 16 << 1000 << 32 << "fp6-e3m2" << true << direct << false;
        }
    }
    void threadsPerRowDoNotChangeResults()
    {
        QFETCH(int, tpr);
        QFETCH(int, cols);
        QFETCH(int, group);
        QFETCH(QString, format);
        QFETCH(bool, sg);
        QFETCH(bool, direct);
        QFETCH(bool, ahead);
        if (sg && !m_fx.ctx->info().subgroupShuffle)
            QSKIP("the device has no subgroup shuffles");
        auto spec = specOf(format, group);
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
        opt.treeLinear = opt.treeLut = direct;
        opt.treeAhead = ahead;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        if (tpr)
            QCOMPARE(gw->push.tpr, std::uint32_t(tpr));
        QCOMPARE(gw->tree.subgroupReduce, sg);
        QCOMPARE(gw->tree.loadAhead, ahead);
        // INT and INT-asym take the linear decode when asked, the one-table formats the lut decode
        QCOMPARE(gw->tree.linear, direct && linearFormat(format));
        QCOMPARE(gw->tree.lut, direct && !linearFormat(format));
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
    /// weight, a partial step), in the direct decodes (linear, one table: NF4, NVFP4, FP6 planes)
    /// and the table path, and groups of 20
    /// that straddle pieces (those keep the slots' GEMM), against the CPU's product.
    void tiledGemmEdges_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<bool>("direct");
        for (bool direct : {true, false}) {
            const char *form = direct ? "direct" : "table";
            QTest::addRow("int4, 16 tokens, %s", form) << "int4" << 32 << 1000 << 16 << direct;
            QTest::addRow("int4, 203 columns, 45 tokens, %s", form) << "int4" << 32 << 203 << 45 << direct;
            QTest::addRow("int3-asym, per channel, 70 tokens, %s", form) << "int3-asym" << 0 << 512 << 70 << direct;
            QTest::addRow("nf4 g128, 33 tokens, %s", form) << "nf4" << 128 << 1024 << 33 << direct;
            QTest::addRow("nvfp4, 203 columns, 20 tokens, %s", form) << "nvfp4" << -2 << 203 << 20 << direct;
            QTest::addRow("fp6 planes, 203 columns, 20 tokens, %s", form) << "fp6-e3m2" << 32 << 203 << 20 << direct;
        }
        QTest::addRow("groups of 20 (the slots' GEMM), 40 tokens") << "int4" << 20 << 1000 << 40 << true;
    }
    void tiledGemmEdges()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(int, cols);
        QFETCH(int, tokens);
        QFETCH(bool, direct);
        auto spec = specOf(format, group);
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
        opt.treeLinear = opt.treeLut = direct;
        opt.treeTiledGemm = true;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        QVERIFY(gw->tree.tiledGemm);
        QCOMPARE(gw->tree.linear || gw->tree.lut, direct);
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

    /// Which decode the tree kernels take by format: linear for INT and INT-asym, the one-table
    /// decode for every single LUT or NVFP4 member (its tensor scale applied to each piece's sum),
    /// the table path with its per-weight selects for two-scale grids and mixtures.
    void treeDecodeByFormat_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<bool>("linear");
        QTest::addColumn<bool>("lut");
        QTest::newRow("int4") << "int4" << 32 << true << false;
        QTest::newRow("int3-asym") << "int3-asym" << 32 << true << false;
        QTest::newRow("nf4") << "nf4" << 32 << false << true;
        QTest::newRow("fp4") << "fp4" << 32 << false << true;
        QTest::newRow("iq4nl") << "iq4nl" << 32 << false << true;
        QTest::newRow("fp8-e5m2") << "fp8-e5m2" << 32 << false << true;
        QTest::newRow("fp6-e3m2 (planes)") << "fp6-e3m2" << 32 << false << true;
        QTest::newRow("mxfp4") << "mxfp4" << -2 << false << true;
        QTest::newRow("nvfp4") << "nvfp4" << -2 << false << true;
        QTest::newRow("fp4-asym (two scales)") << "fp4-asym" << 32 << false << false;
        QTest::newRow("bitmod-fp4 (mixture)") << "bitmod-fp4" << 32 << false << false;
        QTest::newRow("int4|nf4|fp4 (mixture)") << "mix:int4|nf4|fp4" << 32 << false << false;
    }
    void treeDecodeByFormat()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(bool, linear);
        QFETCH(bool, lut);
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        const auto gw = defaultTree(arena, format, group);
        QVERIFY(gw);
        QCOMPARE(gw->tree.linear, linear);
        QCOMPARE(gw->tree.lut, lut);
    }

    /// By default the tree GEMV loads ahead on GPUs only (on CPU devices it spills registers);
    /// prompts take the tiled GEMM on every device.
    void loadAheadOnGpusOnly()
    {
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        const auto gw = defaultTree(arena, QStringLiteral("int4"), 32);
        QVERIFY(gw);
        QCOMPARE(gw->tree.loadAhead, m_fx.ctx->info().type != "cpu");
        QVERIFY(gw->tree.tiledGemm);
    }
};

QTEST_APPLESS_MAIN(TestPackedTree)
#include "tst_packed_tree.moc"
