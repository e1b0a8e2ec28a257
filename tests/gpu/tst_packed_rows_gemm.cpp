// SPDX-License-Identifier: GPL-3.0-or-later
// The prefill of the rows layout (gpu/ops/packed_rows.h): three tokens a dispatch by the rows GEMM
// of the tensor's decode path (every path has one: linear, lut, minifloat, the 3- and 4-bit tables —
// mixtures and AFPQ's two scales — and inserted paths, generic; dense codes of any width and the
// FP6 planes; any grouping, x from a uniform or, beyond its range, a storage buffer), the GEMV for
// a lone last token. Every token's outputs against the CPU's dequantization, and the stride gaps
// untouched.
#include "gpu/ops/packed_ops.h"
#include "gpu/ops/packed_rows.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <cstring>

using namespace lowbit;
using namespace lowbit::gpu;

class TestPackedRowsGemm : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void gemmMatchesTheCpu_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group"); // −2: the format's own
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("decode"); // the RowsDecode the upload must pick
        QTest::addColumn<bool>("planes"); // FP6 4+2 planes
        const int linear = int(RowsDecode::Linear), lut = int(RowsDecode::Lut), minifloat = int(RowsDecode::Minifloat),
                  tables = int(RowsDecode::Tables), tables2 = int(RowsDecode::TablesTwoScale), inserted = int(RowsDecode::TablesInserted),
                  generic = int(RowsDecode::Generic);
        // 3 + 3 + 1 tokens (the last by the GEMV) and 3 + 3 + 2
        QTest::newRow("int4 g32 (linear, a group per chunk)") << "int4" << 32 << 2080 << 7 << linear << false;
        QTest::newRow("int3-asym g128 (linear, 3 bits)") << "int3-asym" << 128 << 2080 << 8 << linear << false;
        QTest::newRow("int2 per channel") << "int2" << 0 << 2080 << 8 << linear << false;
        QTest::newRow("int8 g64") << "int8" << 64 << 2080 << 7 << linear << false;
        QTest::newRow("int5 g32 (linear, 5 bits)") << "int5" << 32 << 2080 << 5 << linear << false;
        QTest::newRow("int6-asym g64 (linear, 6 bits)") << "int6-asym" << 64 << 2080 << 8 << linear << false;
        QTest::newRow("int7 g128 (linear, 7 bits)") << "int7" << 128 << 2080 << 7 << linear << false;
        QTest::newRow("nf4 g128 (lut)") << "nf4" << 128 << 2080 << 8 << lut << false;
        QTest::newRow("nf3 g64 (lut, 3 bits)") << "nf3" << 64 << 2080 << 8 << lut << false;
        QTest::newRow("user lut, 1 bit") << "lut:-0.75,1.25" << 64 << 2080 << 7 << lut << false;
        QTest::newRow("nvfp4 (lut, g16)") << "nvfp4" << -2 << 2080 << 7 << lut << false;
        QTest::newRow("fp8-e5m2 g64 (lut, 8 bits: a gathered table)") << "fp8-e5m2" << 64 << 2080 << 8 << lut << false;
        QTest::newRow("fp6-e3m2 g128 (FP6 planes, lut)") << "fp6-e3m2" << 128 << 2080 << 7 << lut << true;
        QTest::newRow("mxfp6-e2m3 (FP6 planes, g32)") << "mxfp6-e2m3" << -2 << 2080 << 8 << lut << true;
        QTest::newRow("fp8-e4m3 g128 (minifloat)") << "fp8-e4m3" << 128 << 2080 << 8 << minifloat << false;
        QTest::newRow("fp5-e2m2 g32 (minifloat, 5 bits)") << "fp5-e2m2" << 32 << 2080 << 7 << minifloat << false;
        QTest::newRow("fp7-e3m3 g16 (minifloat, 7 bits)") << "fp-e3m3" << 16 << 2080 << 8 << minifloat << false;
        // 3 tokens of 5504 columns pass the uniform range (one token does not): the "_sx" GEMM
        QTest::newRow("int4 g128, x beyond the uniform range") << "int4" << 128 << 5504 << 8 << linear << false;
        QTest::newRow("mxfp4, x beyond the uniform range") << "mxfp4" << -2 << 5504 << 7 << lut << false;
        QTest::newRow("int6 g64, x beyond the uniform range") << "int6" << 64 << 5504 << 7 << linear << false;
        QTest::newRow("mixture (tables)") << "mix:int4|nf4|fp4" << 32 << 2080 << 8 << tables << false;
        QTest::newRow("bitmod-fp4 (inserted)") << "bitmod-fp4" << 128 << 2080 << 7 << inserted << false;
        QTest::newRow("bitmod-fp3 g32 (inserted, 3 bits)") << "bitmod-fp3" << 32 << 2080 << 8 << inserted << false;
        QTest::newRow("fp4-asym g64 (tables2: AFPQ's two scales)") << "fp4-asym" << 64 << 2080 << 5 << tables2 << false;
        QTest::newRow("fp3-asym g32 (tables2, 3 bits)") << "fp3-asym" << 32 << 2080 << 7 << tables2 << false;
        QTest::newRow("nf4-asym per channel (tables2)") << "nf4-asym" << 0 << 2080 << 8 << tables2 << false;
        QTest::newRow("int-asym mixture (generic)") << "mix:int3-asym|int4-asym" << 64 << 2080 << 4 << generic << false;
        QTest::newRow("fp6-e3m2-asym (generic, FP6 planes)") << "fp6-e3m2-asym" << 32 << 2080 << 8 << generic << true;
        QTest::newRow("fp5-asym mixture g16 (generic, 5 bits)") << "mix:fp5-e2m2|fp5-e3m1" << 16 << 2080 << 7 << generic << false;
        QTest::newRow("generic, x beyond the uniform range") << "mix:int3-asym|int4-asym" << 32 << 5504 << 7 << generic << false;
    }
    void gemmMatchesTheCpu()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(int, cols);
        QFETCH(int, tokens);
        QFETCH(int, decode);
        QFETCH(bool, planes);
        const auto spec = test::specOf(format.toStdString(), group);
        QVERIFY(spec);
        // 70 rows: one tiled block of 64 and 6 row-major rows; the last invocation's rows past the end
        const std::int64_t rows = 70;
        auto rp = test::randomPacked(*spec, rows, cols, 41);
        QVERIFY(rp.ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(8) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::Rows;
        auto gw = uploadPacked(arena, rp->packed, opt);
        QVERIFY(gw.ok());
        LOWBIT_REQUIRE_ROW_KERNELS(m_fx);
        const std::uint32_t groupCols = gw->push.groupsPerRow != 0 ? gw->push.groupSize : 0u;
        QCOMPARE(int(gw->rowsDecode), decode);
        QCOMPARE(gw->layout == CodeLayout::Fp6Planes, planes);
        QVERIFY(rowsGemmShader(gw->codeBits, gw->layout, gw->rowsDecode, true, groupCols).has_value());
        QVERIFY(rowsGemmShader(gw->codeBits, gw->layout, gw->rowsDecode, false, groupCols).has_value());

        const auto x = test::randomFloats(std::size_t(cols) * std::size_t(tokens), 42);
        const std::uint32_t yOffset = 3, yStride = rows + 5;
        auto bx = arena.upload(std::span<const float>(x));
        auto bY = arena.allocate((yOffset + std::size_t(tokens) * yStride) * 4);
        QVERIFY(bx.ok() && bY.ok());
        std::memset((*bY)->mapped, 0xFF, (*bY)->size); // NaN wherever the kernels must not write
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatmulPacked(**rec, *gw, **bx, **bY, std::uint32_t(tokens), yOffset, yStride).ok());
        QVERIFY((*rec)->submitAndWait().ok());

        const auto Y = (*bY)->as<float>();
        const float *cpu = rp->dequant.data();
        for (int t = 0; t < tokens; ++t) {
            for (std::int64_t r = 0; r < rows; ++r)
                QVERIFY2(test::closeToProduct(Y[yOffset + std::size_t(t) * yStride + std::size_t(r)], cpu + r * cols,
                                              x.data() + std::size_t(t) * std::size_t(cols), std::size_t(cols)),
                         qPrintable(QStringLiteral("token %1 row %2").arg(t).arg(r)));
            for (std::uint32_t pad = rows; pad < yStride; ++pad)
                QVERIFY(std::isnan(Y[yOffset + std::size_t(t) * yStride + pad]));
        }
        for (std::uint32_t i = 0; i < yOffset; ++i)
            QVERIFY(std::isnan(Y[i]));
    }

    void everyGemmVariantHasItsPath()
    {
        // the GEMM exists for every path rowsDecodeFor picks, exactly as variants.cmake lists
        // them, in every grouping and x binding
        for (unsigned bits = 1; bits <= 8; ++bits)
            for (RowsDecode d : {RowsDecode::Generic, RowsDecode::Linear, RowsDecode::Lut, RowsDecode::Minifloat, RowsDecode::Tables,
                                 RowsDecode::TablesTwoScale, RowsDecode::TablesInserted})
                for (bool xUniform : {false, true})
                    for (std::uint32_t g : {0u, 16u, 32u, 128u}) {
                        const bool tablesPath = d == RowsDecode::Tables || d == RowsDecode::TablesTwoScale || d == RowsDecode::TablesInserted;
                        const bool expected = tablesPath ? bits == 3 || bits == 4 : d == RowsDecode::Minifloat ? bits >= 5 : true;
                        const auto id = rowsGemmShader(bits, CodeLayout::Dense, d, xUniform, g);
                        QCOMPARE(id.has_value(), expected);
                        if (!id)
                            continue;
                        const std::string name(shaderInfo(*id).name);
                        QVERIFY2(name.starts_with("matmul_rows_b" + std::to_string(bits) + "_"), name.c_str());
                        QCOMPARE(name.ends_with("_sx"), !xUniform);
                        // groups of 16 columns have their own form, except generic (one form for any
                        // grouping); every other grouping takes the form without a suffix
                        QCOMPARE(name.find("_g16") != std::string::npos, d != RowsDecode::Generic && g == 16);
                    }
        // the FP6 planes: lut and generic only
        for (RowsDecode d : {RowsDecode::Lut, RowsDecode::Generic}) {
            const auto id = rowsGemmShader(6, CodeLayout::Fp6Planes, d, true, 32);
            QVERIFY(id && shaderInfo(*id).name.starts_with("matmul_rows_fp6_"));
        }
        QVERIFY(!rowsGemmShader(6, CodeLayout::Fp6Planes, RowsDecode::Linear, true, 32));
        QVERIFY(!rowsGemmShader(6, CodeLayout::Fp6Planes, RowsDecode::Minifloat, true, 32));
        QVERIFY(!rowsGemmShader(4, CodeLayout::Fp6Planes, RowsDecode::Lut, true, 32));
        QVERIFY(!rowsGemmShader(0, CodeLayout::Dense, RowsDecode::Lut, true, 32));
        QVERIFY(!rowsGemmShader(9, CodeLayout::Dense, RowsDecode::Lut, true, 32));
    }
};

QTEST_APPLESS_MAIN(TestPackedRowsGemm)
#include "tst_packed_rows_gemm.moc"
