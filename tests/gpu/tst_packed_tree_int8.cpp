// SPDX-License-Identifier: GPL-3.0-or-later
// The integer form of the shared-tree GEMV of 2- to 4-bit INT codes (GPUs with the integer dot
// product; gpu/ops/packed_ops.h: recordQuantizeX8Pieces, recordMatvecPackedInt8,
// TreeForm::int8Dot): the quantizer by pieces of 8 columns against the rule computed here, the
// dot-product GEMV against the fp64 product of the CPU's dequantized weights with the quantized x
// the device holds, which tensors take it, and the engine with int8 activations on the tree.
// lavapipe has the dot product (emulated), so all of it runs in CI with the form forced on.
#include "gpu/engine/gpu_model.h"
#include "gpu/ops/packed_ops.h"

#include "gpu_fixture.h"
#include "q8_rule.h"
#include "quantized_model.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {

/// One piece of a quantized x as the device wrote it.
struct Piece {
    int q[8];
    float d;
    int sum;
};

Piece decodePiece(const std::uint32_t *w)
{
    Piece p{};
    for (int j = 0; j < 8; ++j)
        p.q[j] = static_cast<std::int8_t>(static_cast<std::uint8_t>(w[j & 1] >> (8 * (j >> 1))));
    std::memcpy(&p.d, &w[2], 4);
    p.sum = static_cast<std::int32_t>(w[3]);
    return p;
}

/// x̂ = q·d of one row of `cols` columns from the device's quantized x.
std::vector<float> dequantizedX(const std::uint32_t *xq, std::uint32_t cols)
{
    std::vector<float> out(cols);
    for (std::uint32_t c = 0; c < cols; ++c) {
        const Piece p = decodePiece(xq + std::size_t(c / 8) * 4);
        out[c] = static_cast<float>(p.q[c % 8]) * p.d;
    }
    return out;
}

} // namespace

/// Skips on a device without the integer dot product, fails under CI=true (lavapipe has it).
#define REQUIRE_DOT_PRODUCT(fx)                                                                  \
    do {                                                                                          \
        if (!fx.ctx->info().integerDotProduct) {                                                  \
            if (test::runningInCi())                                                              \
                QFAIL("CI=true but the device has no integer dot product");                       \
            QSKIP("this device has no integer dot product");                                      \
        }                                                                                         \
    } while (0)

class TestPackedTreeInt8 : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

    /// A tensor of `format` uploaded on the tree with the integer form forced (and the given form
    /// of loading ahead), or nullopt where the upload failed.
    std::optional<GpuPackedTensor> upload(Arena &arena, const PackedTensor &p, bool ahead, std::uint64_t sliceBytes = 0)
    {
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::SharedTree;
        opt.treeInt8 = true;
        opt.treeAhead = ahead;
        opt.maxSliceBytes = sliceBytes;
        auto gw = uploadPacked(arena, p, opt);
        if (!gw)
            return std::nullopt;
        return std::move(*gw);
    }

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void quantizerFollowsTheRule()
    {
        // 2 tokens of 100 columns (a last piece of 4) from float 5 on; token 0's third piece is
        // all zero, token 1 has an outlier
        const std::uint32_t cols = 100, tokens = 2, xOffset = 5, pieces = (cols + 7) / 8;
        auto x = test::randomFloats(xOffset + cols * tokens, 7, 2.0f);
        std::fill_n(x.begin() + xOffset + 16, 8, 0.0f);
        x[xOffset + cols + 43] = -700.0f;
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        auto bx = arena.upload(std::span<const float>(x));
        auto bq = arena.allocate(quantizedPiecesBytes(cols, tokens));
        QVERIFY(bx.ok() && bq.ok());
        QCOMPARE((*bq)->size >= VkDeviceSize(pieces * tokens * 16), true);
        std::memset((*bq)->mapped, 0xAB, (*bq)->size);
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordQuantizeX8Pieces(**rec, **bx, xOffset, cols, tokens, **bq).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto *w = (*bq)->as<std::uint32_t>().data();
        int ties = 0;
        for (std::uint32_t t = 0; t < tokens; ++t)
            for (std::uint32_t pc = 0; pc < pieces; ++pc) {
                const Piece p = decodePiece(w + (std::size_t(t) * pieces + pc) * 4);
                const float *xp = x.data() + xOffset + std::size_t(t) * cols + pc * 8;
                const std::uint32_t n = std::min(8u, cols - pc * 8);
                const std::string wrong = test::checkQ8Block(xp, n, 8, p.q, p.d, pc * 8, ties);
                QVERIFY2(wrong.empty(), qPrintable(QStringLiteral("token %1, %2").arg(t).arg(QString::fromStdString(wrong))));
                int sum = 0;
                for (std::uint32_t j = 0; j < 8; ++j)
                    sum += p.q[j];
                QCOMPARE(p.sum, sum);
                if (t == 0 && pc == 2) {
                    QCOMPARE(p.d, 0.0f);
                    QCOMPARE(sum, 0);
                }
                if (t == 1 && pc == 5)
                    QCOMPARE(p.q[3], -127); // the outlier sets its piece's scale only
            }
        QVERIFY(ties < 8);
    }

    void dotGemvMatchesTheQuantizedProduct_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<bool>("ahead");
        QTest::addColumn<int>("sliceBytes");
        for (const bool ahead : {true, false}) {
            const char *form = ahead ? "four pieces ahead" : "one piece at a time";
            QTest::addRow("int4 g128, %s", form) << "int4" << 128 << 70 << 2080 << ahead << 0;
            QTest::addRow("int4-asym g32, %s", form) << "int4-asym" << 32 << 71 << 2080 << ahead << 0;
            QTest::addRow("int4 g16, %s", form) << "int4" << 16 << 33 << 520 << ahead << 0;
            QTest::addRow("int4-asym per channel, %s", form) << "int4-asym" << 0 << 9 << 4104 << ahead << 0;
            QTest::addRow("int4 g8 (a group a piece), %s", form) << "int4" << 8 << 17 << 264 << ahead << 0;
            QTest::addRow("int4 g128, 11008 columns, %s", form) << "int4" << 128 << 5 << 11008 << ahead << 0;
            // three slices of 24, 24 and 22 rows: each slice's dispatch reads the same quantized x
            QTest::addRow("int4 g64, sliced, %s", form) << "int4" << 64 << 70 << 1024 << ahead << 24 * 512;
            // 2- and 3-bit codes spread to nibbles first (3-bit pieces straddle words)
            QTest::addRow("int3 g128, %s", form) << "int3" << 128 << 70 << 2080 << ahead << 0;
            QTest::addRow("int3-asym g32, %s", form) << "int3-asym" << 32 << 35 << 1048 << ahead << 0;
            QTest::addRow("int3 per channel, %s", form) << "int3" << 0 << 9 << 4104 << ahead << 0;
            QTest::addRow("int2 g64, %s", form) << "int2" << 64 << 70 << 2080 << ahead << 0;
            QTest::addRow("int2-asym g16, %s", form) << "int2-asym" << 16 << 33 << 520 << ahead << 0;
        }
    }
    void dotGemvMatchesTheQuantizedProduct()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(bool, ahead);
        QFETCH(int, sliceBytes);
        REQUIRE_DOT_PRODUCT(m_fx);
        const auto spec = test::specOf(format.toStdString(), group);
        QVERIFY(spec);
        auto rp = test::randomPacked(*spec, rows, cols, 29);
        QVERIFY(rp.ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(16) << 20);
        auto gw = upload(arena, rp->packed, ahead, std::uint64_t(sliceBytes));
        QVERIFY(gw);
        QVERIFY(treeInt8Runs(*gw));
        if (sliceBytes > 0)
            QCOMPARE(gw->slices.size(), std::size_t(3));

        const auto x = test::randomFloats(std::size_t(cols), 31);
        const std::uint32_t yOffset = 3;
        auto bx = arena.upload(std::span<const float>(x));
        auto bq = arena.allocate(quantizedPiecesBytes(std::uint32_t(cols), 1));
        auto bY = arena.allocate((yOffset + std::size_t(rows) + 4) * 4);
        QVERIFY(bx.ok() && bq.ok() && bY.ok());
        std::memset((*bY)->mapped, 0xFF, (*bY)->size); // NaN wherever the kernel must not write
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordQuantizeX8Pieces(**rec, **bx, 0, std::uint32_t(cols), 1, **bq).ok());
        QVERIFY(recordMatvecPackedInt8(**rec, *gw, **bq, **bY, yOffset).ok());
        QVERIFY((*rec)->submitAndWait().ok());

        const auto xh = dequantizedX((*bq)->as<std::uint32_t>().data(), std::uint32_t(cols));
        const auto Y = (*bY)->as<float>();
        const float *cpu = rp->dequant.data();
        double errQ = 0.0, mag = 0.0; // what quantizing x costs against the fp32 x
        for (int r = 0; r < rows; ++r) {
            const float got = Y[yOffset + std::size_t(r)];
            QVERIFY2(test::closeToProduct(got, cpu + std::size_t(r) * cols, xh.data(), std::size_t(cols)),
                     qPrintable(QStringLiteral("row %1: %2").arg(r).arg(double(got))));
            double exact = 0.0;
            for (int c = 0; c < cols; ++c) {
                exact += double(cpu[std::size_t(r) * cols + c]) * double(x[c]);
                mag += std::fabs(double(cpu[std::size_t(r) * cols + c]) * double(x[c]));
            }
            errQ += std::fabs(double(got) - exact);
        }
        for (std::uint32_t i = 0; i < yOffset; ++i)
            QVERIFY(std::isnan(Y[i]));
        for (std::size_t i = yOffset + std::size_t(rows); i < Y.size(); ++i)
            QVERIFY(std::isnan(Y[i]));
        // int8 x per 8 columns: well under 1 % of Σ|w·x|
        QVERIFY2(errQ < 0.01 * mag, qPrintable(QStringLiteral("%1 of Σ|w·x|").arg(errQ / mag)));
        QVERIFY(errQ > 0.0); // the quantized x is not the fp32 one
    }

    void onlyWholeNarrowLinearPiecesTakeIt()
    {
        REQUIRE_DOT_PRODUCT(m_fx);
        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        const auto takes = [&](const char *format, int group, std::int64_t cols, PackedUploadOptions opt) -> std::optional<bool> {
            const auto spec = test::specOf(format, group);
            if (!spec)
                return std::nullopt;
            auto rp = test::randomPacked(*spec, 8, cols, 3);
            if (!rp)
                return std::nullopt;
            auto gw = uploadPacked(arena, rp->packed, opt);
            if (!gw)
                return std::nullopt;
            return treeInt8Runs(*gw);
        };
        PackedUploadOptions on;
        on.matvec = MatvecLayout::SharedTree;
        on.treeInt8 = true;
        const std::optional<bool> yes(true), no(false);
        QCOMPARE(takes("int4", 128, 256, on), yes);
        QCOMPARE(takes("int4-asym", 0, 256, on), yes);
        QCOMPARE(takes("int4", 8, 256, on), yes);
        QCOMPARE(takes("nf4", 128, 256, on), no);   // a table: no integer values
        QCOMPARE(takes("fp4", 128, 256, on), no);
        QCOMPARE(takes("int3", 128, 256, on), yes);
        QCOMPARE(takes("int2-asym", 16, 256, on), yes);
        QCOMPARE(takes("int5", 128, 256, on), no);  // 2- to 4-bit codes only
        QCOMPARE(takes("int8", 128, 256, on), no);
        QCOMPARE(takes("nf3", 128, 256, on), no);
        QCOMPARE(takes("int4", 128, 100, on), no);  // a last piece of 4 columns
        QCOMPARE(takes("int4", 20, 260, on), no);   // groups straddling pieces
        PackedUploadOptions off = on, rowsLayout = on, table = on, barriers = on, automatic = on;
        off.treeInt8 = false;
        QCOMPARE(takes("int4", 128, 256, off), no);
        table.treeLinear = false; // the table decode has no integer form
        QCOMPARE(takes("int4", 128, 256, table), no);
        barriers.subgroupReduce = false;
        QCOMPARE(takes("int4", 128, 256, barriers), no);
        automatic.treeInt8.reset(); // by default where the device accelerates the dot product
        QCOMPARE(takes("int4", 128, 256, automatic), std::optional<bool>(m_fx.ctx->info().integerDot4x8Accelerated));
        if (rowKernelsRun(m_fx.ctx->info())) {
            rowsLayout.matvec = MatvecLayout::Rows;
            QCOMPARE(takes("int4", 128, 256, rowsLayout), no);
        }
        // a wrong tensor is an error, not a dispatch
        auto rp = test::randomPacked(*test::specOf("nf4", 128), 8, 256, 3);
        QVERIFY(rp.ok());
        auto gw = uploadPacked(arena, rp->packed, on);
        auto bq = arena.allocate(quantizedPiecesBytes(256, 1));
        auto bY = arena.allocate(8 * 4);
        QVERIFY(gw.ok() && bq.ok() && bY.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(!recordMatvecPackedInt8(**rec, *gw, **bq, **bY).ok());
    }

    void engineDecodesWithTheDotProduct()
    {
        // GpuModelOptions::int8Activations on the tree with the integer form: the 2- to 4-bit INT /
        // INT-asym linears decode from x quantized per piece, the others (nf4, int5) keep fp32 x,
        // and a prompt keeps the fp32 GEMM. The decoded tokens' logits stay within a few % of the
        // fp32-x engine's
        REQUIRE_DOT_PRODUCT(m_fx);
        const Model model = test::makeRandomModel(64, 96, 2, 4, 2, 50, RopeLayout::HalfSplit, false, 9);
        auto q = test::quantizeTensors(model, [&](const ModelTensor &t) -> std::optional<test::TensorFormat> {
            if (t.role == TensorRole::FinalNorm || t.view.shape.size() != 2 || t.role == TensorRole::Embedding)
                return std::nullopt;
            if (t.role == TensorRole::Down)
                return test::TensorFormat{"nf4", 32, "fp16"}; // no integer form: fp32 x
            if (t.role == TensorRole::Up)
                return test::TensorFormat{"int5", 32, "fp16"}; // nor here
            if (t.role == TensorRole::Gate)
                return test::TensorFormat{"int4-asym", 32, "fp16"};
            if (t.role == TensorRole::O)
                return test::TensorFormat{"int2", 16, "fp16"};
            if (t.role == TensorRole::V)
                return test::TensorFormat{"int3-asym", 32, "fp16"};
            return test::TensorFormat{"int4", 32, "fp16"};
        });
        QVERIFY(q.ok());
        GpuModelOptions f32, int8;
        f32.matvec = int8.matvec = MatvecLayout::SharedTree;
        f32.treeInt8 = int8.treeInt8 = true;
        int8.int8Activations = true;
        int8.maxSliceBytes = 2048; // sliced linears: the quantized x serves every slice
        int8.mergeGateUp = false;  // (gate int4-asym and up int5 cannot merge anyway)
        auto a = GpuModel::load(*m_fx.ctx, *q, int8);
        auto b = GpuModel::load(*m_fx.ctx, *q, f32);
        QVERIFY(a.ok() && b.ok());
        // q, k, v (merged or not), o and gate of 2 layers, and the output
        QCOMPARE((*a)->int8Tensors(), 2 * 5 + 1);
        QCOMPARE((*b)->int8Tensors(), 0);
        const std::vector<std::int32_t> prompt = {3, 44, 0, 49}, next = {12, 7, 30};
        auto pa = (*a)->forward(prompt, true);
        auto pb = (*b)->forward(prompt, true);
        QVERIFY(pa.ok() && pb.ok());
        // the prompt took the fp32 GEMM in both
        QVERIFY(test::maxAbsDiff(*pa, *pb) < 1e-4);
        double err = 0.0, mag = 0.0;
        for (const std::int32_t t : next) {
            auto la = (*a)->forward(std::span(&t, 1), true);
            auto lb = (*b)->forward(std::span(&t, 1), true);
            QVERIFY2(la.ok(), la.ok() ? "" : la.error().message().c_str());
            QVERIFY(lb.ok());
            QCOMPARE(la->size(), lb->size());
            for (std::size_t i = 0; i < la->size(); ++i) {
                err += ((*la)[i] - (*lb)[i]) * double((*la)[i] - (*lb)[i]);
                mag += double((*lb)[i]) * (*lb)[i];
            }
        }
        QVERIFY(err > 0.0); // int8 x is not fp32 x
        QVERIFY2(std::sqrt(err / mag) < 0.03, qPrintable(QStringLiteral("relative RMS %1").arg(std::sqrt(err / mag))));
    }
};

QTEST_APPLESS_MAIN(TestPackedTreeInt8)
#include "tst_packed_tree_int8.moc"
