// SPDX-License-Identifier: GPL-3.0-or-later
// VPTQ ("vq") tensors on the Vulkan device: dequantization bit-identical to core's decodeRows and
// the fused dequant × vector and × matrix within 4·10⁻⁶·Σ|w·x| of the fp64 product, for plain codebooks,
// residual + outlier codebooks, permutation + normalization, fp16/fp32 codebooks, padded last
// vectors, and a main codebook too large for shared memory.
#include "gpu/ops/vq_ops.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {

/// Random centroids; fp16 ones without subnormals (as VPTQ's k-means centroids are in practice),
/// so that the GPU GEMV takes its fp16 shared-memory form wherever the codebook fits.
VqCodebook codebook(int entries, int v, VqCodebookType type, std::mt19937 &rng)
{
    std::normal_distribution<float> d(0.0f, 0.1f);
    VqCodebook cb;
    cb.entries = entries;
    cb.values.resize(std::size_t(entries) * std::size_t(v));
    for (auto &x : cb.values) {
        x = vqRoundToStorage(d(rng), type);
        if (type == VqCodebookType::F16 && x != 0.0f && std::fabs(x) < 0x1p-14f)
            x = std::copysign(0x1p-14f, x);
    }
    return cb;
}

std::vector<std::uint16_t> indices(std::size_t n, int entries, std::mt19937 &rng)
{
    std::uniform_int_distribution<int> d(0, entries - 1);
    std::vector<std::uint16_t> out(n);
    for (auto &i : out)
        i = static_cast<std::uint16_t>(d(rng));
    return out;
}

/// A random vq tensor: k main centroids of length v, optional residual codebook, outlier columns
/// (32 centroids), permutation and normalization.
VqContent content(int rows, int cols, int v, int k, int residual, int outliers, bool perm, bool norm, bool fp16)
{
    std::mt19937 rng(std::uint32_t(rows * 31 + cols));
    VqContent c;
    c.rows = rows;
    c.cols = cols;
    c.vectorLength = v;
    c.codebookType = fp16 ? VqCodebookType::F16 : VqCodebookType::F32;
    c.outlierColumns = outliers;
    const auto R = std::size_t(c.vectorsPerColumn());
    c.main = codebook(k, v, c.codebookType, rng);
    c.mainIndices = indices(std::size_t(cols - outliers) * R, k, rng);
    if (residual) {
        c.residual = codebook(residual, v, c.codebookType, rng);
        c.residualIndices = indices(c.mainIndices.size(), residual, rng);
    }
    if (outliers) {
        c.outlier = codebook(32, v, c.codebookType, rng);
        c.outlierIndices = indices(std::size_t(outliers) * R, 32, rng);
    }
    if (perm) {
        c.perm.resize(std::size_t(cols));
        std::iota(c.perm.begin(), c.perm.end(), 0);
        std::shuffle(c.perm.begin(), c.perm.end(), rng);
    }
    if (norm) {
        std::normal_distribution<float> d(1.0f, 0.2f);
        for (int i = 0; i < cols; ++i) {
            c.scale.push_back(vqRoundToStorage(d(rng), c.codebookType));
            c.bias.push_back(vqRoundToStorage(d(rng) - 1.0f, c.codebookType));
        }
    }
    return c;
}

} // namespace

class TestVqKernels : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }

    void dequantAndMatvec_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("v");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("residual");
        QTest::addColumn<int>("outliers");
        QTest::addColumn<bool>("perm");
        QTest::addColumn<bool>("norm");
        QTest::addColumn<bool>("fp16");
        QTest::newRow("v8 k256 fp16") << 64 << 96 << 8 << 256 << 0 << 0 << false << false << true;
        QTest::newRow("v4 k64 residual k16, outliers, perm, norm") << 40 << 70 << 4 << 64 << 16 << 6 << true << true << false;
        QTest::newRow("v6 padded last vector, fp32, residual") << 50 << 33 << 6 << 32 << 8 << 0 << false << true << false;
        QTest::newRow("v16 k512 (codebook not in shared memory)") << 48 << 40 << 16 << 512 << 0 << 3 << true << false << true;
        QTest::newRow("v1 scalar") << 20 << 64 << 1 << 16 << 0 << 0 << false << false << false;
        QTest::newRow("v8, 75 vector rows (two row workgroups), outliers, norm") << 600 << 20 << 8 << 64 << 0 << 2 << true << true << true;
        // 4096 × 8 floats of codebook: beyond the uniform range, the rows kernel's "_sx" variant
        QTest::newRow("v8 k4096 (12-bit codes)") << 72 << 24 << 8 << 4096 << 0 << 0 << true << true << true;
        // the row layout's 16-bit codes (with a 12-bit residual stored at 16), a partial last block of 32 positions
        QTest::newRow("v2 k40000 residual k4096, outliers, perm, norm") << 34 << 75 << 2 << 40000 << 4096 << 5 << true << true << false;
        QTest::newRow("v12 k100 residual k256 (any-v kernel, whole texels)") << 36 << 100 << 12 << 100 << 256 << 0 << false << true << true;
        QTest::newRow("v4 k2048 residual k16") << 40 << 64 << 4 << 2048 << 16 << 0 << true << false << true;
        // the GPU GEMV's lanes load 8 positions 128 apart a step: three steps, the last one partial
        QTest::newRow("v8 k256 residual k16, 2100 columns, outliers, perm, norm") << 24 << 2100 << 8 << 256 << 16 << 7 << true << true << true;
        QTest::newRow("v4 k256, 2100 columns") << 8 << 2100 << 4 << 256 << 0 << 0 << false << false << false;
    }
    void dequantAndMatvec()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, v);
        QFETCH(int, k);
        QFETCH(int, residual);
        QFETCH(int, outliers);
        QFETCH(bool, perm);
        QFETCH(bool, norm);
        QFETCH(bool, fp16);
        auto t = VqQuantizedTensor::create(content(rows, cols, v, k, residual, outliers, perm, norm, fp16));
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        std::vector<float> cpu(std::size_t(rows) * std::size_t(cols));
        QVERIFY((*t)->decodeRows(cpu.data(), 0, rows).ok());

        // the GPU layout (a workgroup a vector row: sums by subgroup shuffles, then by the shared
        // tree) and the CPU-device one (a vector row per invocation)
        for (int form : {0, 1, 2}) {
            const bool rowsLayout = form == 2, shuffles = form == 0;
            Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
            auto g = uploadVq(arena, **t, rowsLayout ? MatvecLayout::Rows : MatvecLayout::SharedTree, shuffles);
            QVERIFY2(g.ok(), g.ok() ? "" : g.error().message().c_str());
            // a device without the row kernels (8-lane subgroups: a GPU) gets the tree for the rows
            // layout asked, and must compute the same
            QCOMPARE(g->rowsMatvec, rowsLayout && rowKernelsRun(m_fx.ctx->info()));
            QCOMPARE(g->subgroupReduce, shuffles && m_fx.ctx->info().subgroupShuffle);
            const unsigned widest = std::max(vqIndexBits(k), residual ? vqIndexBits(residual) : 0u);
            if (g->rowsMatvec) // codes by vector row at 8, 12 or 16 bits, whole blocks of 32 positions
                QCOMPARE(g->storedBits, widest <= 8 ? 8u : widest <= 12 ? 12u : 16u);
            QCOMPARE(g->push.sharedMain != 0, k * v <= 4096);
            // the GPU GEMV keeps an fp16 codebook of up to 8192 values in shared memory as fp16
            QCOMPARE(g->push.sharedHalves != 0, !g->rowsMatvec && fp16 && k * v <= 8192);
            // both layouts store the codes by vector row, whole blocks of 32 positions; x is put
            // into position order first where the GPU GEMV would otherwise gather it
            QCOMPARE(g->push.rowStride, std::uint32_t((cols - outliers + 31) / 32 * 32));
            QCOMPARE(g->xp != nullptr, g->rowsMatvec || perm || norm);
            const auto x = test::randomFloats(std::size_t(cols) + 3, 8);
            auto bx = arena.upload(std::span<const float>(x));
            auto bout = arena.allocate(cpu.size() * 4);
            auto by = arena.allocate((std::size_t(rows) + 2) * 4);
            QVERIFY(bx.ok() && bout.ok() && by.ok());
            auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
            QVERIFY(rec.ok());
            QVERIFY(recordDequantVq(**rec, *g, **bout).ok());
            QVERIFY(recordMatvecVq(**rec, *g, **bx, **by, 3, 2).ok()); // x from float 3, y from float 2
            QVERIFY((*rec)->submitAndWait().ok());
            const auto gpu = (*bout)->as<float>();
            for (std::size_t i = 0; i < cpu.size(); ++i) {
                std::uint32_t a, b;
                std::memcpy(&a, &cpu[i], 4);
                std::memcpy(&b, &gpu[i], 4);
                QVERIFY2(a == b, qPrintable(QStringLiteral("element %1: cpu %2, gpu %3").arg(i).arg(cpu[i]).arg(gpu[i])));
            }
            const auto y = (*by)->as<float>();
            for (int r = 0; r < rows; ++r) {
                double ref = 0, mag = 0;
                for (int col = 0; col < cols; ++col) {
                    const double p = double(cpu[std::size_t(r) * std::size_t(cols) + std::size_t(col)]) * x[std::size_t(col) + 3];
                    ref += p;
                    mag += std::fabs(p);
                }
                QVERIFY2(std::fabs(y[std::size_t(r) + 2] - ref) <= 4e-6 * mag + 1e-9, qPrintable(QStringLiteral("%1 layout, row %2").arg(QLatin1String(rowsLayout ? "rows" : shuffles ? "tree, shuffles" : "tree")).arg(r)));
            }
        }
    }

    /// The GEMM of the prefill in both layouts: on the rows layout runs of three tokens (vectors of 4
    /// and 8; 7 tokens = 3 + 3 + a lone one by the GEMV, 5 = 3 + 2), other lengths one GEMV per
    /// token; on the tree four tokens a workgroup, after the x pass where there is a permutation
    /// or normalization: one token a run in the tensor's own buffer, or as many as a scratch holds
    /// (three here: 7 tokens = 3 + 3 + 1). Output at an offset with a stride whose gaps stay
    /// untouched; 2100 columns take three steps of the loads-ahead loop, the last partial.
    void matmulEqualsTheProduct_data()
    {
        QTest::addColumn<int>("v");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("residual");
        QTest::addColumn<int>("outliers");
        QTest::addColumn<bool>("perm");
        QTest::addColumn<bool>("norm");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("tokens");
        QTest::newRow("v8 k256, 7 tokens") << 8 << 256 << 0 << 0 << true << false << 70 << 7;
        QTest::newRow("v4 k64 residual k16, outliers, perm, norm, 5 tokens") << 4 << 64 << 16 << 6 << true << true << 70 << 5;
        QTest::newRow("v8 k4096 (12-bit codes) residual k256, norm, 2 tokens") << 8 << 4096 << 256 << 3 << true << true << 70 << 2;
        QTest::newRow("v4 k40000 (16-bit codes), 4 tokens") << 4 << 40000 << 0 << 0 << true << false << 70 << 4;
        QTest::newRow("v6 (no rows GEMM variant), 3 tokens") << 6 << 32 << 8 << 0 << true << true << 70 << 3;
        QTest::newRow("v8 k256 (fp16 halves), perm, norm, 2100 columns, 7 tokens") << 8 << 256 << 0 << 0 << true << true << 2100 << 7;
        QTest::newRow("v4 k4096 residual k256, outliers, 2100 columns, 6 tokens") << 4 << 4096 << 256 << 5 << false << false << 2100 << 6;
        QTest::newRow("v6 outliers, perm, 2100 columns, 5 tokens") << 6 << 64 << 0 << 9 << true << false << 2100 << 5;
    }
    void matmulEqualsTheProduct()
    {
        QFETCH(int, v);
        QFETCH(int, k);
        QFETCH(int, residual);
        QFETCH(int, outliers);
        QFETCH(bool, perm);
        QFETCH(bool, norm);
        QFETCH(int, cols);
        QFETCH(int, tokens);
        const int rows = 100;
        auto t = VqQuantizedTensor::create(content(rows, cols, v, k, residual, outliers, perm, norm, true));
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        std::vector<float> cpu(std::size_t(rows) * std::size_t(cols));
        QVERIFY((*t)->decodeRows(cpu.data(), 0, rows).ok());
        const auto x = test::randomFloats(std::size_t(cols) * std::size_t(tokens), 9);
        const std::uint32_t yOffset = 3, yStride = rows + 5;
        // tree with shuffles, tree with the shared tree, rows, tree with shuffles and a scratch of 3 tokens
        for (int form : {0, 1, 2, 3}) {
            const bool rowsLayout = form == 2;
            Arena arena(*m_fx.ctx, VkDeviceSize(4) << 20);
            auto g = uploadVq(arena, **t, rowsLayout ? MatvecLayout::Rows : MatvecLayout::SharedTree, form != 1);
            QVERIFY(g.ok());
            QCOMPARE(treeXpFloatsPerToken(*g) != 0, !rowsLayout && (perm || norm));
            auto bx = arena.upload(std::span<const float>(x));
            auto by = arena.allocate((yOffset + std::size_t(tokens) * yStride) * 4);
            auto scratch = arena.allocate(std::max<std::size_t>(1, treeXpFloatsPerToken(*g)) * 3 * 4);
            QVERIFY(bx.ok() && by.ok() && scratch.ok());
            std::memset((*by)->mapped, 0xFF, (*by)->size); // NaN where nothing may be written
            auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
            QVERIFY(rec.ok());
            QVERIFY(recordMatmulVq(**rec, *g, **bx, **by, std::uint32_t(tokens), yOffset, yStride, form == 3 ? *scratch : nullptr).ok());
            QVERIFY((*rec)->submitAndWait().ok());
            const auto Y = (*by)->as<float>();
            QVERIFY(std::isnan(Y[0]));
            for (int tk = 0; tk < tokens; ++tk) {
                for (int r = 0; r < rows; ++r) {
                    double ref = 0, mag = 0;
                    for (int col = 0; col < cols; ++col) {
                        const double p = double(cpu[std::size_t(r) * std::size_t(cols) + std::size_t(col)]) * x[std::size_t(tk) * std::size_t(cols) + std::size_t(col)];
                        ref += p;
                        mag += std::fabs(p);
                    }
                    QVERIFY2(std::fabs(Y[yOffset + std::size_t(tk) * yStride + std::size_t(r)] - ref) <= 4e-6 * mag + 1e-9,
                             qPrintable(QStringLiteral("form %1 (0 tree with shuffles, 1 shared tree, 2 rows, 3 tree with a scratch), token %2, row %3").arg(form).arg(tk).arg(r)));
                }
                for (std::uint32_t pad = rows; pad < yStride; ++pad)
                    QVERIFY(std::isnan(Y[yOffset + std::size_t(tk) * yStride + pad]));
            }
        }
    }

    /// A codebook value that is subnormal in fp16 (which a device may flush) keeps the GPU GEMV's
    /// codebook in fp32, and the product exact to the same bound.
    void subnormalCentroidsStayFp32()
    {
        VqContent c = content(16, 300, 8, 256, 0, 0, false, false, true);
        c.main.values[8 * 3 + 2] = vqRoundToStorage(3e-6f, VqCodebookType::F16); // an fp16 subnormal
        std::fill_n(c.mainIndices.begin(), 40, std::uint16_t(3)); // centroid 3 in use
        auto t = VqQuantizedTensor::create(c);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        std::vector<float> w(std::size_t(c.rows * c.cols));
        QVERIFY((*t)->decodeRows(w.data(), 0, c.rows).ok());
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        auto g = uploadVq(arena, **t, MatvecLayout::SharedTree);
        QVERIFY(g.ok());
        QCOMPARE(g->push.sharedHalves, 0u);
        QCOMPARE(g->push.sharedMain, 2048u);
        const auto x = test::randomFloats(std::size_t(c.cols), 6);
        auto bx = arena.upload(std::span<const float>(x));
        auto by = arena.allocate(std::size_t(c.rows) * 4);
        QVERIFY(bx.ok() && by.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatvecVq(**rec, *g, **bx, **by).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        for (std::int64_t r = 0; r < c.rows; ++r) {
            double ref = 0, mag = 0;
            for (std::int64_t col = 0; col < c.cols; ++col) {
                const double p = double(w[std::size_t(r * c.cols + col)]) * x[std::size_t(col)];
                ref += p;
                mag += std::fabs(p);
            }
            QVERIFY(std::fabs((*by)->as<float>()[std::size_t(r)] - ref) <= 4e-6 * mag + 1e-9);
        }
    }

    void longVectorsHaveNoFusedKernel()
    {
        auto t = VqQuantizedTensor::create(content(32, 8, 32, 4, 0, 0, false, false, false));
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        Arena arena(*m_fx.ctx, VkDeviceSize(1) << 20);
        auto g = uploadVq(arena, **t);
        QVERIFY(g.ok());
        auto bx = arena.allocate(8 * 4);
        auto by = arena.allocate(32 * 4);
        QVERIFY(bx.ok() && by.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        const Status st = recordMatvecVq(**rec, *g, **bx, **by);
        QVERIFY(!st.ok());
        QCOMPARE(st.error().code, ErrorCode::Unsupported);
    }
};

QTEST_APPLESS_MAIN(TestVqKernels)
#include "tst_vq_kernels.moc"
