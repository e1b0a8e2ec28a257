// SPDX-License-Identifier: GPL-3.0-or-later
// Every packed kernel × every format family on the Vulkan device against core's reference:
//  - dequantize (all rows, and rows picked by token ids): bit-identical to dequantizeRow;
//  - fused dequant × vector and dequant × matrix (11 tokens: a full and a partial tile, output
//    at an offset with a stride): within 4·10⁻⁶·Σ|w·x| of the fp64 product of the CPU-dequantized
//    weights (fp32 accumulation of ≤ 32-term chunk sums; about 60 roundings of the magnitude).
// Families: INT sym/asym (zero points), FP ExMy incl. FP6 in the 4+2 planes, AFPQ two scales, NF,
// BitMoD and generic mixtures (selectors), lut:, IQ4_NL, MX (E8M0), NVFP4 (E4M3 + tensor scale);
// scales in fp32/fp16/bf16/E4M3/E8M0; group sizes 32, 48 (groups straddle 32-code chunks),
// per-channel, per-tensor; every other row splits the tensor into row slices.
#include "gpu/ops/packed_ops.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <cstring>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {

struct Case {
    const char *format;
    int group;           ///< −2: the format's own
    const char *storage; ///< nullptr: the format's own
};

std::optional<FormatSpec> specOf(const QString &format, int group, const QString &storage)
{
    return test::specOf(format.toStdString(), group, storage.toStdString());
}

bool sameBits(float a, float b)
{
    std::uint32_t x, y;
    std::memcpy(&x, &a, 4);
    std::memcpy(&y, &b, 4);
    return x == y;
}

} // namespace

class TestPackedKernels : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void everyKernelEveryFormat_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("storage");
        QTest::addColumn<bool>("sliced");
        const char *scalar[] = {"int2", "int3", "int4", "int8", "int3-asym", "int4-asym", "int8-asym", "fp3", "fp4", "fp5-e2m2",
                                "fp6-e3m2", "fp6-e2m3", "fp8-e4m3", "fp8-e5m2", "fp-e3m3", "fp4-asym", "fp6-e3m2-asym", "nf3", "nf4",
                                "nf4-asym", "iq4nl", "bitmod-fp3", "bitmod-fp4", "mix:int4|nf4|fp4", "mix:int3-asym|int4-asym",
                                "lut:-2,-0.5,0,0.25,1,3"};
        const Case shapes[] = {{"", 32, "fp16"}, {"", 48, "bf16"}, {"", 0, "fp32"}, {"", -1, "fp16"}, {"", 64, "e4m3"}, {"", 32, "e8m0"}};
        // each format meets 4 of the 6 shapes (rotating), so every shape meets most families
        int n = 0, k = 0;
        for (const char *f : scalar) {
            for (int j = 0; j < 4; ++j) {
                const Case &c = shapes[(k + j) % 6];
                // IQ4_NL's scale d is negative by construction: E8M0 cannot store it
                if (QByteArray(f) == "iq4nl" && QByteArray(c.storage) == "e8m0")
                    continue;
                if (!specOf(QString::fromLatin1(f), c.group, QString::fromLatin1(c.storage)))
                    continue; // a storage the family does not take
                QTest::addRow("%s g%d %s", f, c.group, c.storage)
                    << QString::fromLatin1(f) << c.group << QString::fromLatin1(c.storage) << (n++ % 2 == 1);
            }
            k += 1;
        }
        for (const char *f : {"mxfp4", "mxfp6-e3m2", "mxfp6-e2m3", "mxfp8-e4m3", "nvfp4"})
            for (bool sliced : {false, true})
                QTest::addRow("%s%s", f, sliced ? " sliced" : "") << QString::fromLatin1(f) << -2 << QString() << sliced;
    }
    void everyKernelEveryFormat()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(QString, storage);
        QFETCH(bool, sliced);
        const auto spec = specOf(format, group, storage);
        QVERIFY(spec);
        const std::int64_t rows = 37, cols = 200;
        auto w = test::randomFloats(std::size_t(rows * cols), 17, 0.05f);
        w[5] = 0.9f; // an outlier
        auto packed = quantizePackedFast(w.data(), rows, cols, *spec);
        QVERIFY2(packed.ok(), packed.ok() ? "" : packed.error().message().c_str());
        if (format.startsWith(QLatin1String("fp6")) || format.startsWith(QLatin1String("mxfp6")))
            QCOMPARE(int(packed->layout), int(CodeLayout::Fp6Planes));
        std::vector<float> cpu(w.size());
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY(dequantizeRow(*packed, r, cpu.data() + r * cols).ok());

        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        PackedUploadOptions opt;
        if (sliced)
            opt.maxSliceBytes = std::uint64_t(4 * (packed->rowWords + packed->rowWordsHi) * 13); // 13 + 13 + 11 rows
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY2(gw.ok(), gw.ok() ? "" : gw.error().message().c_str());
        QCOMPARE(gw->slices.size(), std::size_t(sliced ? 3 : 1));
        // device bytes = the packed arrays (word padding; each slice in whole texels and two more) +
        // value tables, no fp32 copy
        QVERIFY(gw->deviceBytes <= std::uint64_t(packed->byteSize()) + 144 + 48 * gw->slices.size() + 4 * 256 * (packed->plan.members.size() + 1));

        const std::uint32_t tokens = 11, yOffset = 5, yStride = rows + 3;
        const auto x = test::randomFloats(std::size_t(cols) * tokens, 18);
        const std::vector<std::uint32_t> ids = {36, 0, 7, 7, 20, 13};
        auto bx = arena.upload(std::span<const float>(x));
        auto bids = arena.upload(std::span<const std::uint32_t>(ids));
        auto bout = arena.allocate(w.size() * 4);
        auto brows = arena.allocate(ids.size() * std::size_t(cols) * 4);
        auto by = arena.allocate(std::size_t(rows) * 4);
        auto bY = arena.allocate((yOffset + std::size_t(tokens) * yStride) * 4);
        QVERIFY(bx.ok() && bids.ok() && bout.ok() && brows.ok() && by.ok() && bY.ok());
        // the other GEMV layout too (GPUs: shared-memory tree; CPU devices: a row per invocation)
        PackedUploadOptions other = opt;
        other.matvec = gw->matvec == MatvecLayout::Rows ? MatvecLayout::SharedTree : MatvecLayout::Rows;
        auto gw2 = uploadPacked(arena, *packed, other);
        QVERIFY(gw2.ok());
        auto by2 = arena.allocate(std::size_t(rows) * 4);
        auto bY2 = arena.allocate((yOffset + std::size_t(tokens) * yStride) * 4);
        QVERIFY(by2.ok() && bY2.ok());
        // and the tree's tiled GEMM (GPUs' prefill) for 37 tokens: a tile of 32 and a partial one,
        // a partial tile of rows, columns in three steps and a partial fourth
        PackedUploadOptions tiledOpt = opt;
        tiledOpt.matvec = MatvecLayout::SharedTree;
        tiledOpt.treeTiledGemm = true;
        auto gw3 = uploadPacked(arena, *packed, tiledOpt);
        QVERIFY(gw3.ok() && gw3->tree.tiledGemm);
        const std::uint32_t tiledTokens = 37;
        const auto x3 = test::randomFloats(std::size_t(cols) * tiledTokens, 19);
        auto bx3 = arena.upload(std::span<const float>(x3));
        auto bY3 = arena.allocate((yOffset + std::size_t(tiledTokens) * yStride) * 4);
        QVERIFY(bx3.ok() && bY3.ok());
        std::memset((*bY)->mapped, 0xFF, (*bY)->size); // NaN everywhere the kernel must not write
        std::memset((*bY2)->mapped, 0xFF, (*bY2)->size);
        std::memset((*bY3)->mapped, 0xFF, (*bY3)->size);
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordDequantPacked(**rec, *gw, **bout).ok());
        QVERIFY(recordDequantRowsPacked(**rec, *gw, **bids, std::uint32_t(ids.size()), **brows).ok());
        QVERIFY(recordMatvecPacked(**rec, *gw, **bx, **by).ok());
        QVERIFY(recordMatvecPacked(**rec, *gw2, **bx, **by2).ok());
        QVERIFY(recordMatmulPacked(**rec, *gw, **bx, **bY, tokens, yOffset, yStride).ok());
        QVERIFY(recordMatmulPacked(**rec, *gw2, **bx, **bY2, tokens, yOffset, yStride).ok());
        QVERIFY(recordMatmulPacked(**rec, *gw3, **bx3, **bY3, tiledTokens, yOffset, yStride).ok());
        QVERIFY((*rec)->submitAndWait().ok());

        const auto gpu = (*bout)->as<float>();
        for (std::size_t i = 0; i < cpu.size(); ++i)
            QVERIFY2(sameBits(cpu[i], gpu[i]), qPrintable(QStringLiteral("dequant element %1: cpu %2, gpu %3").arg(i).arg(cpu[i]).arg(gpu[i])));
        const auto picked = (*brows)->as<float>();
        for (std::size_t t = 0; t < ids.size(); ++t)
            for (std::int64_t c = 0; c < cols; ++c)
                QVERIFY2(sameBits(picked[t * std::size_t(cols) + std::size_t(c)], cpu[std::size_t(ids[t]) * std::size_t(cols) + std::size_t(c)]),
                         qPrintable(QStringLiteral("row of id %1, column %2").arg(ids[t]).arg(c)));

        auto check = [&](float got, std::uint32_t t, std::int64_t r) {
            return test::closeToProduct(got, cpu.data() + r * cols, x.data() + std::size_t(t) * std::size_t(cols), std::size_t(cols));
        };
        const auto y = (*by)->as<float>();
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY2(check(y[std::size_t(r)], 0, r), qPrintable(QStringLiteral("matvec row %1").arg(r)));
        const auto y2 = (*by2)->as<float>();
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY2(check(y2[std::size_t(r)], 0, r), qPrintable(QStringLiteral("matvec (other layout) row %1").arg(r)));
        // both layouts' GEMMs (on CPU devices the rows layout runs a row GEMV per token)
        for (const Buffer *b : {*bY, *bY2}) {
            const auto Y = b->as<float>();
            for (std::uint32_t t = 0; t < tokens; ++t) {
                for (std::int64_t r = 0; r < rows; ++r)
                    QVERIFY2(check(Y[yOffset + t * yStride + std::size_t(r)], t, r),
                             qPrintable(QStringLiteral("matmul (%1) token %2 row %3").arg(b == *bY ? QStringLiteral("first") : QStringLiteral("other")).arg(t).arg(r)));
                for (std::uint32_t pad = std::uint32_t(rows); pad < yStride; ++pad)
                    QVERIFY(std::isnan(Y[yOffset + t * yStride + pad])); // the stride gap is untouched
            }
            QVERIFY(std::isnan(Y[0]));
        }
        const auto Y3 = (*bY3)->as<float>();
        for (std::uint32_t t = 0; t < tiledTokens; ++t) {
            for (std::int64_t r = 0; r < rows; ++r)
                QVERIFY2(test::closeToProduct(Y3[yOffset + t * yStride + std::size_t(r)], cpu.data() + r * cols, x3.data() + std::size_t(t) * std::size_t(cols),
                                              std::size_t(cols)),
                         qPrintable(QStringLiteral("tiled matmul token %1 row %2").arg(t).arg(r)));
            for (std::uint32_t pad = std::uint32_t(rows); pad < yStride; ++pad)
                QVERIFY(std::isnan(Y3[yOffset + t * yStride + pad]));
        }
        QVERIFY(std::isnan(Y3[0]));
    }

    void rowsDecodePaths_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("decode");
        QTest::addColumn<float>("lin0");
        QTest::addColumn<int>("group"); // -2: the format's default
        QTest::addColumn<QString>("storage");
        const QString none;
        QTest::newRow("int4: table is code - 7") << "int4" << int(RowsDecode::Linear) << -7.0f << -2 << none;
        QTest::newRow("int8") << "int8" << int(RowsDecode::Linear) << -127.0f << -2 << none;
        // every code width's texel reads: 2 bits one texel a chunk, 5 and 6 two, 7 three
        QTest::newRow("int2") << "int2" << int(RowsDecode::Linear) << -1.0f << -2 << none;
        QTest::newRow("int5 g32") << "int5" << int(RowsDecode::Linear) << -15.0f << 32 << "fp16";
        QTest::newRow("int6 g64") << "int6" << int(RowsDecode::Linear) << -31.0f << 64 << "fp16";
        QTest::newRow("int7") << "int7" << int(RowsDecode::Linear) << -63.0f << -2 << none;
        QTest::newRow("int3-asym: zero points") << "int3-asym" << int(RowsDecode::Linear) << 0.0f << -2 << none;
        QTest::newRow("nf4") << "nf4" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        // tables of ≤ 16 values come from registers, minifloat grids included
        QTest::newRow("fp4: ≤ 4 bits, the table") << "fp4" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        QTest::newRow("nvfp4") << "nvfp4" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        QTest::newRow("nf3: 8 values") << "nf3" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        QTest::newRow("user lut, 2 bits") << "lut:-1.5,-0.25,0.5,2" << int(RowsDecode::Lut) << 0.0f << 32 << "fp16";
        QTest::newRow("user lut, 1 bit") << "lut:-0.75,1.25" << int(RowsDecode::Lut) << 0.0f << 64 << "fp16";
        QTest::newRow("fp6 planes") << "fp6-e3m2" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        QTest::newRow("fp3") << "fp3" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        QTest::newRow("fp5-e2m2: a minifloat grid") << "fp5-e2m2" << int(RowsDecode::Minifloat) << 0.0f << -2 << none;
        QTest::newRow("fp8-e4m3") << "fp8-e4m3" << int(RowsDecode::Minifloat) << 0.0f << -2 << none;
        QTest::newRow("fp8-e5m2: past 2^24, the table") << "fp8-e5m2" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        QTest::newRow("mxfp4") << "mxfp4" << int(RowsDecode::Lut) << 0.0f << -2 << none;
        QTest::newRow("nf4 g16 bf16: not a minifloat") << "nf4" << int(RowsDecode::Lut) << 0.0f << 16 << "bf16";
        // mixtures of ≤ 4 grids of 3 or 4 bits, and AFPQ grids: tables from registers
        QTest::newRow("fp4-asym: two scales") << "fp4-asym" << int(RowsDecode::TablesTwoScale) << 0.0f << -2 << none;
        QTest::newRow("mixture") << "mix:int4|nf4|fp4" << int(RowsDecode::Tables) << 0.0f << -2 << none;
        QTest::newRow("bitmod-fp4 g32: one base table, a value inserted per member") << "bitmod-fp4" << int(RowsDecode::TablesInserted) << 0.0f << 32 << "fp16";
        QTest::newRow("bitmod-fp4") << "bitmod-fp4" << int(RowsDecode::TablesInserted) << 0.0f << -2 << none;
        QTest::newRow("two inserted tables g16 bf16") << "mix:fp4-ea-neg|fp4-er-pos" << int(RowsDecode::TablesInserted) << 0.0f << 16 << "bf16";
        QTest::newRow("fp3-asym g128 bf16") << "fp3-asym" << int(RowsDecode::TablesTwoScale) << 0.0f << 128 << "bf16";
        QTest::newRow("nf3-asym g32 fp32") << "nf3-asym" << int(RowsDecode::TablesTwoScale) << 0.0f << 32 << "fp32";
        QTest::newRow("fp6-e3m2-asym: the generic path") << "fp6-e3m2-asym" << int(RowsDecode::Generic) << 0.0f << -2 << none;
        // the "_g16" forms, and scale / zero-point streams whose rows start inside a uvec4
        QTest::newRow("int4 g16") << "int4" << int(RowsDecode::Linear) << -7.0f << 16 << "fp16";
        QTest::newRow("int3-asym g16 e8m0") << "int3-asym" << int(RowsDecode::Linear) << 0.0f << 16 << "e8m0";
        QTest::newRow("int4-asym g64 fp32") << "int4-asym" << int(RowsDecode::Linear) << 0.0f << 64 << "fp32";
        // groups of 32 columns in the flat loop (a group per chunk; fp32 scales: two blocks of
        // groups per row), and of 96 (three chunks a group, the row's last group two)
        QTest::newRow("int4-asym g32 bf16") << "int4-asym" << int(RowsDecode::Linear) << 0.0f << 32 << "bf16";
        QTest::newRow("nf4 g32 fp32") << "nf4" << int(RowsDecode::Lut) << 0.0f << 32 << "fp32";
        QTest::newRow("fp8-e4m3 g32 e8m0 (minifloat)") << "fp8-e4m3" << int(RowsDecode::Minifloat) << 0.0f << 32 << "e8m0";
        QTest::newRow("int4-asym g96") << "int4-asym" << int(RowsDecode::Linear) << 0.0f << 96 << "fp16";
        QTest::newRow("nf4 g96 e4m3") << "nf4" << int(RowsDecode::Lut) << 0.0f << 96 << "e4m3";
        QTest::newRow("fp4 per channel") << "fp4" << int(RowsDecode::Lut) << 0.0f << 0 << "fp16";
        QTest::newRow("fp8-e4m3 g16 (minifloat)") << "fp8-e4m3" << int(RowsDecode::Minifloat) << 0.0f << 16 << "fp16";
        QTest::newRow("fp5-e3m1 per channel (minifloat)") << "fp5-e3m1" << int(RowsDecode::Minifloat) << 0.0f << 0 << "fp16";
        QTest::newRow("int4 per tensor") << "int4" << int(RowsDecode::Linear) << -7.0f << -1 << "fp32";
        // the generic path's windows: second scales, selectors, zero points with selectors, g16
        QTest::newRow("fp4-asym g16 e4m3") << "fp4-asym" << int(RowsDecode::TablesTwoScale) << 0.0f << 16 << "e4m3";
        QTest::newRow("mixture g16 bf16") << "mix:int4|nf4|fp4" << int(RowsDecode::Tables) << 0.0f << 16 << "bf16";
        QTest::newRow("mixture of 2 g48 fp16") << "mix:int4|nf4" << int(RowsDecode::Tables) << 0.0f << 48 << "fp16";
        QTest::newRow("int-asym mixture g64") << "mix:int3-asym|int4-asym" << int(RowsDecode::Generic) << 0.0f << 64 << "fp16";
        QTest::newRow("bitmod-fp3 per channel") << "bitmod-fp3" << int(RowsDecode::TablesInserted) << 0.0f << 0 << "fp32";
        QTest::newRow("fp3 variants and nf3: not one base table") << "mix:fp3-er-pos|nf3" << int(RowsDecode::Tables) << 0.0f << 64 << "fp16";
    }
    void rowsDecodePaths()
    {
        QFETCH(QString, format);
        QFETCH(int, decode);
        QFETCH(float, lin0);
        QFETCH(int, group);
        QFETCH(QString, storage);
        const auto spec = specOf(format, group, storage);
        QVERIFY(spec);
        const std::int64_t rows = 70, cols = 256;
        auto rp = test::randomPacked(*spec, rows, cols, 5);
        QVERIFY(rp.ok());
        const PackedTensor *packed = &rp->packed;
        const std::vector<float> &cpu = rp->dequant;
        PackedPush push{};
        push.lin0 = 1.0f;
        push.codeBits = packed->codeBits;
        QCOMPARE(int(rowsDecodeFor(packed->plan, packed->layout, push)), decode);
        QCOMPARE(push.lin0, lin0);
        if (decode == int(RowsDecode::Minifloat)) // the grid's smallest step is its value next to 0
            QCOMPARE(push.mfUnit, packed->plan.members[0].table[push.mfZero + 1]);
        // 70 rows: a second workgroup whose lanes past the end must not store
        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::Rows;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        QCOMPARE(int(gw->rowsDecode), decode);
        const auto x = test::randomFloats(std::size_t(cols), 6);
        auto bx = arena.upload(std::span<const float>(x));
        auto by = arena.allocate(std::size_t(rows + 60) * 4);
        QVERIFY(bx.ok() && by.ok());
        std::memset((*by)->mapped, 0xFF, (*by)->size);
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatvecPacked(**rec, *gw, **bx, **by, 3).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto y = (*by)->as<float>();
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY2(test::closeToProduct(y[std::size_t(r) + 3], cpu.data() + r * cols, x.data(), std::size_t(cols)), qPrintable(QStringLiteral("row %1").arg(r)));
        for (std::size_t i : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(rows) + 3, std::size_t(rows) + 50})
            QVERIFY(std::isnan(y[i])); // nothing written outside the rows
    }

    void rowsKernelBeyondTheUniformRange_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("int4 (linear)") << "int4";
        QTest::newRow("nf4 (lut)") << "nf4";
        QTest::newRow("mixture (generic)") << "mix:int4|nf4|fp4";
    }
    void rowsKernelBeyondTheUniformRange()
    {
        // 16416 columns: x (64.1 KiB) no longer fits the uniform range, so the "_sx" variants read
        // it from a storage buffer
        QFETCH(QString, format);
        const auto spec = specOf(format, 32, QStringLiteral("fp16"));
        QVERIFY(spec);
        const std::int64_t rows = 9, cols = 16416;
        auto rp = test::randomPacked(*spec, rows, cols, 12);
        QVERIFY(rp.ok());
        const PackedTensor *packed = &rp->packed;
        const std::vector<float> &cpu = rp->dequant;
        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::Rows;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        const auto x = test::randomFloats(std::size_t(cols), 13);
        auto bx = arena.upload(std::span<const float>(x));
        auto by = arena.allocate(std::size_t(rows) * 4);
        QVERIFY(bx.ok() && by.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatvecPacked(**rec, *gw, **bx, **by).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY2(test::closeToProduct((*by)->as<float>()[std::size_t(r)], cpu.data() + r * cols, x.data(), std::size_t(cols)),
                     qPrintable(QStringLiteral("row %1: %2").arg(r).arg((*by)->as<float>()[std::size_t(r)])));
    }

    void automaticLayoutFollowsDeviceAndSize()
    {
        // CPU implementations with 8-lane subgroups take the row kernel for tensors of ≥ 64 Ki weights
        const auto spec = specOf(QStringLiteral("int4"), 32, QStringLiteral("fp16"));
        QVERIFY(spec);
        const bool cpu8 = m_fx.ctx->info().type == "cpu" && m_fx.ctx->info().subgroupSize == 8;
        // (GQA's K and V projections have few rows and many columns: 256 × 256 is the threshold)
        for (const auto &[rows, cols] : {std::pair<std::int64_t, std::int64_t>{70, 64}, {1023, 64}, {1024, 64}, {255, 256}, {256, 256}}) {
            const auto w = test::randomFloats(std::size_t(rows * cols), 9, 0.05f);
            auto packed = quantizePackedFast(w.data(), rows, cols, *spec);
            QVERIFY(packed.ok());
            Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
            auto gw = uploadPacked(arena, *packed);
            QVERIFY(gw.ok());
            QCOMPARE(gw->matvec == MatvecLayout::Rows, cpu8 && std::uint64_t(rows * cols) >= kRowsMinWeights);
        }
    }

    void oneByteScalesEveryValue_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("storage");
        QTest::addColumn<int>("kind");
        QTest::newRow("int4 e8m0") << "int4" << "e8m0" << int(kScaleE8m0);
        QTest::newRow("fp4 e4m3") << "fp4" << "e4m3" << int(kScaleE4m3);
    }
    void oneByteScalesEveryValue()
    {
        // E8M0 / E4M3 scales are decoded by integer ops, not read from a table: 256 groups take
        // the 256 byte values (subnormal, zero, NaN and both signs included) and dequantize bit
        // for bit like the CPU
        QFETCH(QString, format);
        QFETCH(QString, storage);
        QFETCH(int, kind);
        const auto spec = specOf(format, 32, storage);
        QVERIFY(spec);
        const std::int64_t rows = 64, cols = 128;
        const auto w = test::randomFloats(std::size_t(rows * cols), 21, 0.05f);
        auto packed = quantizePackedFast(w.data(), rows, cols, *spec);
        QVERIFY(packed.ok());
        QCOMPARE(packed->scales.size(), std::size_t(256));
        for (std::size_t g = 0; g < 256; ++g)
            packed->scales[g] = std::uint8_t(g * 7 + 3); // 7 is odd: every byte once
        std::vector<float> cpu(w.size());
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY(dequantizeRow(*packed, r, cpu.data() + r * cols).ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        auto gw = uploadPacked(arena, *packed);
        QVERIFY(gw.ok());
        QCOMPARE(int(gw->push.scaleKind), kind);
        auto bout = arena.allocate(w.size() * 4);
        QVERIFY(bout.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordDequantPacked(**rec, *gw, **bout).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto gpu = (*bout)->as<float>();
        int nans = 0;
        for (std::size_t i = 0; i < cpu.size(); ++i) {
            if (std::isnan(cpu[i])) {
                QVERIFY(std::isnan(gpu[i]));
                ++nans;
            } else if (std::fpclassify(cpu[i]) == FP_SUBNORMAL || (kind == int(kScaleE8m0) && packed->scales[i / 32] == 0)) {
                // Vulkan lets a device flush subnormal fp32 to zero: llvmpipe flushes subnormal
                // products (the table read did the same), NVIDIA also the subnormal operand, the
                // scale 2^-127 of E8M0's byte 0, whose products are normal here
                QVERIFY(sameBits(cpu[i], gpu[i]) || gpu[i] == 0.0f);
            } else {
                QVERIFY2(sameBits(cpu[i], gpu[i]), qPrintable(QStringLiteral("element %1: cpu %2, gpu %3").arg(i).arg(cpu[i]).arg(gpu[i])));
            }
        }
        QCOMPARE(nans > 0, kind == int(kScaleE4m3)); // E4M3's two NaN bytes (E8M0's 0xFF reads 0)
    }

    void hostileTensorsAreRejected_data()
    {
        QTest::addColumn<int>("damage");
        QTest::newRow("short codes") << 0;
        QTest::newRow("short scales") << 1;
        QTest::newRow("selector out of range") << 2;
        QTest::newRow("code width 9") << 3;
        QTest::newRow("row longer than a buffer") << 4;
    }
    void hostileTensorsAreRejected()
    {
        QFETCH(int, damage);
        auto spec = specOf(QStringLiteral("mix:int4|nf4|fp4"), 32, QStringLiteral("fp16"));
        const auto w = test::randomFloats(64 * 4, 5);
        auto packed = quantizePackedFast(w.data(), 4, 64, *spec);
        QVERIFY(packed.ok());
        PackedTensor p = *packed;
        PackedUploadOptions opt;
        switch (damage) {
        case 0: p.codes.pop_back(); break;
        case 1: p.scales.pop_back(); break;
        case 2: p.selectors[0] |= 3u; break; // 2-bit selector 3 with 3 members
        case 3: p.codeBits = 9; break;
        default: opt.maxSliceBytes = 8; break;
        }
        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        auto gw = uploadPacked(arena, p, opt);
        QVERIFY(!gw.ok());
        QCOMPARE(gw.error().code, ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(TestPackedKernels)
#include "tst_packed_kernels.moc"
