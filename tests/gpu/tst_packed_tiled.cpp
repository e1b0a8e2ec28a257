// SPDX-License-Identifier: GPL-3.0-or-later
// The tiled code layout of the row kernels (gpu/ops/packed_ops.h: tiledCodeWord): the word map is
// a permutation that puts the 8 lanes' texels of a subgroup side by side, and every packed kernel
// (dequantize, dequantize rows by id, the row GEMV, the GEMM) reads a tiled tensor exactly as the
// CPU dequantizes it: whole blocks of 64 rows and leftover rows, one slice or several, chunks of
// 3, 4, 6 (FP6 planes) and 8 words.
#include "gpu/ops/packed_ops.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cstring>
#include <set>

using namespace lowbit;
using namespace lowbit::gpu;

class TestPackedTiled : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void wordMapIsAPermutation()
    {
        for (std::uint32_t rows : {63u, 64u, 150u})
            for (std::uint32_t rowWords : {4u, 12u}) {
                const std::uint32_t tiled = rows / 64 * 64;
                std::set<std::uint64_t> seen;
                for (std::uint32_t r = 0; r < rows; ++r)
                    for (std::uint32_t i = 0; i < rowWords; ++i) {
                        const std::uint64_t at = tiledCodeWord(r, i, rowWords, tiled);
                        QVERIFY(at < std::uint64_t(rows) * rowWords);
                        QVERIFY(seen.insert(at).second);
                        if (r >= tiled)
                            QCOMPARE(at, std::uint64_t(r) * rowWords + i); // leftover rows stay row-major
                    }
                // lane l's row k (row 8l + k of a block): texel t of the 8 lanes in 128 consecutive bytes
                for (std::uint32_t b = 0; b < tiled; b += 64)
                    for (std::uint32_t k = 0; k < 8; ++k)
                        for (std::uint32_t l = 0; l < 8; ++l)
                            QCOMPARE(tiledCodeWord(b + 8 * l + k, 4, rowWords, tiled), tiledCodeWord(b + k, 4, rowWords, tiled) + 4 * l);
            }
    }

    void everyKernelReadsTiledRows_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<bool>("sliced");
        for (bool sliced : {false, true}) {
            const char *s = sliced ? " sliced" : "";
            QTest::addRow("int4 g128%s", s) << "int4" << 128 << sliced;
            QTest::addRow("nf3 g64: chunks across texels%s", s) << "nf3" << 64 << sliced;
            QTest::addRow("int8 g32: two texels a chunk%s", s) << "int8" << 32 << sliced;
            QTest::addRow("fp6-e3m2: two planes%s", s) << "fp6-e3m2" << 32 << sliced;
            QTest::addRow("mixture g32%s", s) << "mix:int4|nf4|fp4" << 32 << sliced;
            QTest::addRow("fp4-asym g16%s", s) << "fp4-asym" << 16 << sliced;
        }
        QTest::addRow("int4-asym mixture: the generic path") << "mix:int3-asym|int4-asym" << 64 << false;
    }
    void everyKernelReadsTiledRows()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(bool, sliced);
        const auto spec = test::specOf(format.toStdString(), group);
        QVERIFY(spec);
        // 150 rows: two whole blocks and 22 leftover rows; sliced: 100 + 50 rows, one block each
        // side of a slice boundary
        const std::int64_t rows = 150, cols = 256;
        auto rp = test::randomPacked(*spec, rows, cols, 31);
        QVERIFY(rp.ok());
        const PackedTensor *packed = &rp->packed;
        const std::vector<float> &cpu = rp->dequant;

        Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::Rows;
        if (sliced)
            opt.maxSliceBytes = std::uint64_t(4 * (packed->rowWords + packed->rowWordsHi) * 100);
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        LOWBIT_REQUIRE_ROW_KERNELS(m_fx);
        QVERIFY(gw->tiled);
        QCOMPARE(gw->slices.size(), std::size_t(sliced ? 2 : 1));
        // tiling moves words, it adds none
        QVERIFY(gw->deviceBytes <= std::uint64_t(packed->byteSize()) + 144 + 48 * gw->slices.size() + 4 * 256 * (packed->plan.members.size() + 1));

        const std::uint32_t tokens = 5;
        const auto x = test::randomFloats(std::size_t(cols) * tokens, 32);
        const std::vector<std::uint32_t> ids = {149, 0, 63, 64, 127, 128, 99, 100};
        auto bx = arena.upload(std::span<const float>(x));
        auto bids = arena.upload(std::span<const std::uint32_t>(ids));
        auto bout = arena.allocate(cpu.size() * 4);
        auto brows = arena.allocate(ids.size() * std::size_t(cols) * 4);
        auto by = arena.allocate(std::size_t(rows) * 4);
        auto bY = arena.allocate(std::size_t(rows) * tokens * 4);
        QVERIFY(bx.ok() && bids.ok() && bout.ok() && brows.ok() && by.ok() && bY.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordDequantPacked(**rec, *gw, **bout).ok());
        QVERIFY(recordDequantRowsPacked(**rec, *gw, **bids, std::uint32_t(ids.size()), **brows).ok());
        QVERIFY(recordMatvecPacked(**rec, *gw, **bx, **by).ok());
        QVERIFY(recordMatmulPacked(**rec, *gw, **bx, **bY, tokens, 0, std::uint32_t(rows)).ok());
        QVERIFY((*rec)->submitAndWait().ok());

        const auto gpu = (*bout)->as<float>();
        QVERIFY(std::memcmp(gpu.data(), cpu.data(), cpu.size() * 4) == 0);
        const auto picked = (*brows)->as<float>();
        for (std::size_t t = 0; t < ids.size(); ++t)
            QVERIFY2(std::memcmp(picked.data() + t * std::size_t(cols), cpu.data() + ids[t] * std::size_t(cols), std::size_t(cols) * 4) == 0,
                     qPrintable(QStringLiteral("row of id %1").arg(ids[t])));
        const auto y = (*by)->as<float>();
        const auto Y = (*bY)->as<float>();
        for (std::int64_t r = 0; r < rows; ++r) {
            const float *wr = cpu.data() + r * cols;
            QVERIFY2(test::closeToProduct(y[std::size_t(r)], wr, x.data(), std::size_t(cols)), qPrintable(QStringLiteral("matvec row %1").arg(r)));
            for (std::uint32_t t = 0; t < tokens; ++t)
                QVERIFY2(test::closeToProduct(Y[t * std::size_t(rows) + std::size_t(r)], wr, x.data() + t * std::size_t(cols), std::size_t(cols)),
                         qPrintable(QStringLiteral("matmul token %1 row %2").arg(t).arg(r)));
        }
    }

    void rowsThatAreNotWholeTexelsStayRowMajor()
    {
        // 200 int4 columns: 25 words a row, so no texel holds one row only
        const auto spec = test::specOf("int4", 40);
        QVERIFY(spec);
        auto rp = test::randomPacked(*spec, 70, 200, 33);
        QVERIFY(rp.ok());
        const PackedTensor *packed = &rp->packed;
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        PackedUploadOptions opt;
        opt.matvec = MatvecLayout::Rows;
        auto gw = uploadPacked(arena, *packed, opt);
        QVERIFY(gw.ok());
        QVERIFY(!gw->tiled);
    }
};

QTEST_APPLESS_MAIN(TestPackedTiled)
#include "tst_packed_tiled.moc"
