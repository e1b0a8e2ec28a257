// SPDX-License-Identifier: GPL-3.0-or-later
// Activations quantized to int8 for the integer GEMV/GEMM of 4-bit linear codes on CPU devices
// (gpu/ops/packed_ops.h: recordQuantizeX8, recordRowsMatmulInt8): the quantizer against the rule
// computed here, and the integer kernels against the fp64 product of the CPU's dequantized
// weights with the quantized x the device holds — every grouping variant, tiled and row-major
// rows, the weight-by-weight tail, one to eight tokens.
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/packed_rows.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "q8_rule.h"
#include "test_support.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {

/// One chunk of a quantized x as the device wrote it.
struct Chunk {
    int q[32];
    float d;
    int sum0, sum1, pad;
};

Chunk decodeChunk(const std::uint32_t *w)
{
    Chunk c{};
    for (int word = 0; word < 4; ++word)
        for (int i = 0; i < 4; ++i) {
            const auto v = static_cast<std::int32_t>(w[4 * word + i]);
            const auto low = static_cast<std::int32_t>(static_cast<std::int16_t>(v & 0xFFFF));
            c.q[8 * word + i + 4] = low;
            c.q[8 * word + i] = (v - low) / 65536;
        }
    std::memcpy(&c.d, &w[16], 4);
    c.sum0 = static_cast<std::int32_t>(w[17]);
    c.sum1 = static_cast<std::int32_t>(w[18]);
    c.pad = static_cast<std::int32_t>(w[19]);
    return c;
}

/// x̂ = q·d of `tokens` rows of `cols` columns from the device's quantized x.
std::vector<float> dequantizedX(const std::uint32_t *xq, std::uint32_t cols, std::uint32_t tokens)
{
    const std::uint32_t chunks = (cols + 31) / 32;
    std::vector<float> out(std::size_t(cols) * tokens);
    for (std::uint32_t t = 0; t < tokens; ++t)
        for (std::uint32_t ch = 0; ch < chunks; ++ch) {
            const Chunk c = decodeChunk(xq + (std::size_t(t) * chunks + ch) * 20);
            for (std::uint32_t j = 0; j < 32 && ch * 32 + j < cols; ++j)
                out[std::size_t(t) * cols + ch * 32 + j] = static_cast<float>(c.q[j]) * c.d;
        }
    return out;
}

} // namespace

class TestPackedInt8 : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void quantizerFollowsTheRule()
    {
        // 3 tokens of 100 columns (a partial last chunk) from float 7 on; token 1's second chunk
        // is all zero, token 2 has one outlier
        const std::uint32_t cols = 100, tokens = 3, xOffset = 7;
        auto x = test::randomFloats(xOffset + cols * tokens, 5, 2.0f);
        std::fill_n(x.begin() + xOffset + cols + 32, 32, 0.0f);
        x[xOffset + 2 * cols + 70] = 900.0f;
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        auto bx = arena.upload(std::span<const float>(x));
        auto bq = arena.allocate(quantizedXBytes(cols, tokens));
        QVERIFY(bx.ok() && bq.ok());
        std::memset((*bq)->mapped, 0xAB, (*bq)->size);
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordQuantizeX8(**rec, **bx, xOffset, cols, tokens, **bq).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto *w = (*bq)->as<std::uint32_t>().data();
        const std::uint32_t chunks = (cols + 31) / 32;
        int ties = 0;
        for (std::uint32_t t = 0; t < tokens; ++t)
            for (std::uint32_t ch = 0; ch < chunks; ++ch) {
                const Chunk c = decodeChunk(w + (std::size_t(t) * chunks + ch) * 20);
                const float *xc = x.data() + xOffset + std::size_t(t) * cols + ch * 32;
                const std::uint32_t n = std::min(32u, cols - ch * 32);
                const std::string wrong = test::checkQ8Block(xc, n, 32, c.q, c.d, ch * 32, ties);
                QVERIFY2(wrong.empty(), qPrintable(QStringLiteral("token %1, %2").arg(t).arg(QString::fromStdString(wrong))));
                int s0 = 0, s1 = 0;
                for (std::uint32_t j = 0; j < 32; ++j)
                    (j < 16 ? s0 : s1) += c.q[j];
                QCOMPARE(c.sum0, s0);
                QCOMPARE(c.sum1, s1);
                QCOMPARE(c.pad, 0);
                if (t == 1 && ch == 1) {
                    QCOMPARE(c.d, 0.0f);
                    QCOMPARE(s0 + s1, 0);
                }
                if (t == 2 && ch == 2)
                    QCOMPARE(c.q[70 - 64], 127); // the outlier sets the scale
            }
        QVERIFY(ties < 8);
    }

    void integerKernelsMatchTheQuantizedProduct_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("tokens");
        QTest::newRow("int4 g128, one token") << "int4" << 128 << 2080 << 1;
        QTest::newRow("int4 g128, 3 + 3 + 1 tokens") << "int4" << 128 << 2080 << 7;
        QTest::newRow("int4-asym g64, 8 tokens") << "int4-asym" << 64 << 2080 << 8;
        QTest::newRow("int4 g32 (a group a chunk)") << "int4" << 32 << 2080 << 2;
        QTest::newRow("int4-asym g32") << "int4-asym" << 32 << 4096 << 1;
        QTest::newRow("int4 g16 (two groups a chunk)") << "int4" << 16 << 2080 << 4;
        QTest::newRow("int4-asym per channel") << "int4-asym" << 0 << 2080 << 3;
        QTest::newRow("int4 g32, 100 columns (the tail)") << "int4" << 32 << 100 << 4;
        QTest::newRow("int4 g128, 11008 columns") << "int4" << 128 << 11008 << 2;
        // 2- and 3-bit codes spread to 4-bit fields first (3-bit: codes straddling words)
        QTest::newRow("int2 g64, 3 + 1 tokens") << "int2" << 64 << 2080 << 4;
        QTest::newRow("int2-asym g16") << "int2-asym" << 16 << 2080 << 2;
        QTest::newRow("int2 g32, 100 columns") << "int2" << 32 << 100 << 1;
        QTest::newRow("int3 g128, 3 tokens") << "int3" << 128 << 2080 << 3;
        QTest::newRow("int3-asym g32, 5 tokens") << "int3-asym" << 32 << 2080 << 5;
        QTest::newRow("int3 g16") << "int3" << 16 << 2080 << 1;
        QTest::newRow("int3-asym per channel, 11008 columns") << "int3-asym" << 0 << 11008 << 2;
    }
    void integerKernelsMatchTheQuantizedProduct()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(int, cols);
        QFETCH(int, tokens);
        LOWBIT_REQUIRE_ROW_KERNELS(m_fx);
        const auto spec = test::specOf(format.toStdString(), group);
        QVERIFY(spec);
        // 70 rows: one tiled block of 64 and 6 row-major rows; the last invocation's rows past the end
        const std::int64_t rows = 70;
        auto rp = test::randomPacked(*spec, rows, cols, 17);
        QVERIFY(rp.ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(16) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::Rows;
        auto gw = uploadPacked(arena, rp->packed, opt);
        QVERIFY(gw.ok());
        QVERIFY(rowsInt8Runs(*gw));

        const auto x = test::randomFloats(std::size_t(cols) * std::size_t(tokens), 23);
        const std::uint32_t yOffset = 3, yStride = rows + 5;
        auto bx = arena.upload(std::span<const float>(x));
        auto bq = arena.allocate(quantizedXBytes(std::uint32_t(cols), std::uint32_t(tokens)));
        auto bY = arena.allocate((yOffset + std::size_t(tokens) * yStride) * 4);
        QVERIFY(bx.ok() && bq.ok() && bY.ok());
        std::memset((*bY)->mapped, 0xFF, (*bY)->size); // NaN wherever the kernels must not write
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordQuantizeX8(**rec, **bx, 0, std::uint32_t(cols), std::uint32_t(tokens), **bq).ok());
        QVERIFY(recordRowsMatmulInt8(**rec, *gw, **bq, **bY, std::uint32_t(tokens), yOffset, yStride).ok());
        QVERIFY((*rec)->submitAndWait().ok());

        const auto xh = dequantizedX((*bq)->as<std::uint32_t>().data(), std::uint32_t(cols), std::uint32_t(tokens));
        const auto Y = (*bY)->as<float>();
        const float *cpu = rp->dequant.data();
        double errQ = 0.0, mag = 0.0; // what quantizing x costs against the fp32 x
        for (int t = 0; t < tokens; ++t) {
            const float *xt = x.data() + std::size_t(t) * std::size_t(cols);
            for (std::int64_t r = 0; r < rows; ++r) {
                const float got = Y[yOffset + std::size_t(t) * yStride + std::size_t(r)];
                QVERIFY2(test::closeToProduct(got, cpu + r * cols, xh.data() + std::size_t(t) * std::size_t(cols), std::size_t(cols)),
                         qPrintable(QStringLiteral("token %1 row %2").arg(t).arg(r)));
                double exact = 0.0;
                for (int c = 0; c < cols; ++c) {
                    exact += double(cpu[r * cols + c]) * double(xt[c]);
                    mag += std::fabs(double(cpu[r * cols + c]) * double(xt[c]));
                }
                errQ += std::fabs(double(got) - exact);
            }
            for (std::uint32_t pad = rows; pad < yStride; ++pad)
                QVERIFY(std::isnan(Y[yOffset + std::size_t(t) * yStride + pad]));
        }
        for (std::uint32_t i = 0; i < yOffset; ++i)
            QVERIFY(std::isnan(Y[i]));
        // int8 x per 32 columns: well under 1 % of Σ|w·x| (about 0.2 % for normal x)
        QVERIFY2(errQ < 0.01 * mag, qPrintable(QStringLiteral("%1 of Σ|w·x|").arg(errQ / mag)));
        QVERIFY(errQ > 0.0); // the quantized x is not the fp32 one
    }

    void onlyNarrowLinearCodesTakeIt()
    {
        const auto upload = [&](const char *format, int group, MatvecLayout layout) -> std::optional<bool> {
            const auto spec = test::specOf(format, group);
            auto rp = test::randomPacked(*spec, 8, 256, 3);
            Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
            PackedUploadOptions opt;
            opt.matvec = layout;
            auto gw = uploadPacked(arena, rp->packed, opt);
            if (!gw)
                return std::nullopt;
            return rowsInt8Runs(*gw);
        };
        LOWBIT_REQUIRE_ROW_KERNELS(m_fx);
        QCOMPARE(upload("int4", 128, MatvecLayout::Rows), std::optional<bool>(true));
        QCOMPARE(upload("int4-asym", 0, MatvecLayout::Rows), std::optional<bool>(true));
        QCOMPARE(upload("int4", 128, MatvecLayout::SharedTree), std::optional<bool>(false));
        QCOMPARE(upload("nf4", 128, MatvecLayout::Rows), std::optional<bool>(false));
        QCOMPARE(upload("int3", 128, MatvecLayout::Rows), std::optional<bool>(true));
        QCOMPARE(upload("int2-asym", 32, MatvecLayout::Rows), std::optional<bool>(true));
        QCOMPARE(upload("int5", 128, MatvecLayout::Rows), std::optional<bool>(false));
        QCOMPARE(upload("int8", 128, MatvecLayout::Rows), std::optional<bool>(false));
        QCOMPARE(upload("nf3", 128, MatvecLayout::Rows), std::optional<bool>(false));
        QCOMPARE(upload("int3", 40, MatvecLayout::Rows), std::optional<bool>(false)); // groups of 40 columns
        QCOMPARE(upload("fp4", 128, MatvecLayout::Rows), std::optional<bool>(false));
        // a wrong tensor is an error, not a dispatch
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        const auto spec = test::specOf("nf4", 128);
        auto rp = test::randomPacked(*spec, 8, 256, 3);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::Rows;
        auto gw = uploadPacked(arena, rp->packed, opt);
        auto bq = arena.allocate(quantizedXBytes(256, 1));
        auto bY = arena.allocate(8 * 4);
        QVERIFY(gw.ok() && bq.ok() && bY.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(!recordRowsMatmulInt8(**rec, *gw, **bq, **bY, 1).ok());
    }
};

QTEST_APPLESS_MAIN(TestPackedInt8)
#include "tst_packed_int8.moc"
