// SPDX-License-Identifier: GPL-3.0-or-later
// fp32 kernels on the Vulkan device against scalar references, with the validation layer on.
#include "gpu/device/context.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/basic_ops.h"
#include "gpu/ops/descriptor_cache.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/recorder.h"
#include "gpu/ops/roofline_ops.h"
#include "gpu/pipeline/pipelines.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

using namespace lowbit;
using namespace lowbit::gpu;

class TestBasicKernels : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;
    Context *m_ctx = nullptr;
    Pipelines *m_pipelines = nullptr;

private slots:
    void initTestCase()
    {
        LOWBIT_GPU_INIT(m_fx);
        m_ctx = m_fx.ctx.get();
        m_pipelines = m_fx.pipelines.get();
        qInfo("device: %s (subgroup %u), validation %s", m_ctx->info().name.c_str(), m_ctx->info().subgroupSize,
              m_ctx->validationEnabled() ? "on" : "off");
        if (lowbit::test::runningInCi())
            QVERIFY(m_ctx->validationEnabled()); // scripts/setup.sh installs vulkan-validationlayers
    }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }
    void timestampMarksTimeTheWorkBetweenThem()
    {
        if (m_ctx->info().timestampPeriodNs <= 0) {
            auto rec = Recorder::begin(*m_ctx, *m_pipelines);
            QVERIFY(rec.ok());
            QCOMPARE((*rec)->markTime().error().code, ErrorCode::Unsupported);
            QSKIP("the compute queue writes no timestamps");
        }
        const int rows = 2048, cols = 2048;
        std::vector<float> w(static_cast<std::size_t>(rows) * cols, 0.5f), x(static_cast<std::size_t>(cols), 1.0f);
        Arena arena(*m_ctx);
        auto bw = arena.upload(std::span<const float>(w));
        auto bx = arena.upload(std::span<const float>(x));
        auto by = arena.allocate(static_cast<VkDeviceSize>(rows) * sizeof(float));
        QVERIFY(bw.ok() && bx.ok() && by.ok());
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok());
        QCOMPARE((*rec)->markIntervals().error().code, ErrorCode::Internal); // before submit
        QVERIFY((*rec)->markTime().ok());
        QVERIFY((*rec)->markTime().ok()); // nothing between the first two marks
        for (int i = 0; i < 4; ++i)
            QVERIFY(recordMatvecF32(**rec, **bw, **bx, **by, std::uint32_t(rows), std::uint32_t(cols)).ok());
        QVERIFY((*rec)->markTime().ok());
        const auto t0 = std::chrono::steady_clock::now();
        QVERIFY((*rec)->submitAndWait().ok());
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        QVERIFY(!(*rec)->markTime().ok()); // after submit
        auto t = (*rec)->markIntervals();
        QVERIFY(t.ok());
        QCOMPARE(t->size(), std::size_t(2));
        // the four GEMVs' GPU time is positive and within the submission's wall time (a wrong
        // tick period or an unmasked wrap would break one of the two); the empty interval is shorter
        QVERIFY2((*t)[1] > 0 && (*t)[1] <= wall, qPrintable(QStringLiteral("%1 s of GPU time, %2 s wall").arg((*t)[1]).arg(wall)));
        QVERIFY((*t)[0] >= 0 && (*t)[0] < (*t)[1]);
        QCOMPARE((*by)->as<float>()[0], 0.5f * cols);
    }
    void arenaPlacesBuffersByUse()
    {
        // Device: device-local where the device has it host-visible; Readback: host-cached where
        // it has that. A kernel writes a readback buffer like any other.
        const VkPhysicalDeviceMemoryProperties &mp = m_ctx->memoryProperties();
        const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
        bool hostDevice = false, hostCached = false;
        for (std::uint32_t i = 0; i < mp.memoryTypeCount; ++i) {
            const VkMemoryPropertyFlags f = mp.memoryTypes[i].propertyFlags;
            hostDevice |= (f & host) == host && (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
            hostCached |= (f & host) == host && (f & VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
        }
        Arena device(*m_ctx, VkDeviceSize(1) << 20), readback(*m_ctx, VkDeviceSize(1) << 20, MemoryUse::Readback);
        const std::vector<float> w(64 * 32, 0.25f), x(32, 2.0f);
        auto bw = device.upload(std::span<const float>(w));
        auto bx = device.upload(std::span<const float>(x));
        auto by = readback.allocate(64 * sizeof(float));
        QVERIFY(bw.ok() && bx.ok() && by.ok());
        QVERIFY(((*bw)->memory & host) == host && ((*by)->memory & host) == host);
        QCOMPARE(bool((*bw)->memory & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT), hostDevice);
        QCOMPARE(bool((*by)->memory & VK_MEMORY_PROPERTY_HOST_CACHED_BIT), hostCached);
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatvecF32(**rec, **bw, **bx, **by, 64, 32).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        for (float y : (*by)->as<float>())
            QCOMPARE(y, 16.0f);
    }
    void stagedArenaUploadsThroughACopy()
    {
        // a Staged arena never maps its memory: upload() and write() copy through a staging
        // buffer, in more than one chunk here, and a kernel reads what they wrote
        Arena staged(*m_ctx, VkDeviceSize(32) << 20, MemoryUse::Staged), plain(*m_ctx, VkDeviceSize(1) << 20);
        const int rows = 5000, cols = 1100; // 22 MB of weights: two staging chunks
        static_assert(std::size_t(rows) * cols * 4 > Arena::kStagingBytes);
        std::vector<float> w(static_cast<std::size_t>(rows) * cols), x(static_cast<std::size_t>(cols));
        for (std::size_t i = 0; i < w.size(); ++i)
            w[i] = float(i % 7) - 3.0f;
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] = float(i % 5) * 0.5f;
        auto bw = staged.upload(std::span<const float>(w));
        auto bx = staged.allocate(x.size() * 4);
        auto by = plain.allocate(static_cast<VkDeviceSize>(rows) * 4);
        QVERIFY(bw.ok() && bx.ok() && by.ok());
        QVERIFY((*bw)->mapped == nullptr && (*bw)->as<float>().empty());
        QVERIFY(!(*bw)->texels || (*bw)->texelCount > 0);
        // x in two writes at offsets
        const auto xb = std::as_bytes(std::span<const float>(x));
        QVERIFY(staged.write(**bx, 0, xb.first(400)).ok());
        QVERIFY(staged.write(**bx, 400, xb.subspan(400)).ok());
        QCOMPARE(staged.write(**bx, 4, xb).error().code, ErrorCode::InvalidArgument); // past the end
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordMatvecF32(**rec, **bw, **bx, **by, std::uint32_t(rows), std::uint32_t(cols)).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto y = (*by)->as<float>();
        for (int r = 0; r < rows; r += 7) {
            double ref = 0;
            for (int c = 0; c < cols; ++c)
                ref += double(w[std::size_t(r) * cols + c]) * x[std::size_t(c)];
            QCOMPARE(double(y[std::size_t(r)]), ref); // small integers and halves: exact in fp32
        }
    }
    void descriptorCacheReusesSetsForTheSameBindings()
    {
        // a cached set serves every later dispatch of the same shader on the same buffers, in
        // later recorders too; another buffer or offset takes a set of its own
        const int rows = 16, cols = 8;
        const std::vector<float> w(rows * cols, 1.0f), x1(cols, 1.0f), x2(cols, 2.0f);
        Arena arena(*m_ctx, VkDeviceSize(1) << 20);
        auto bw = arena.upload(std::span<const float>(w));
        auto bx1 = arena.upload(std::span<const float>(x1));
        auto bx2 = arena.upload(std::span<const float>(x2));
        auto by = arena.allocate(rows * sizeof(float));
        QVERIFY(bw.ok() && bx1.ok() && bx2.ok() && by.ok());
        DescriptorCache cache(*m_ctx);
        const auto run = [&](const Buffer &x, float want) {
            auto rec = Recorder::begin(*m_ctx, *m_pipelines, 4, &cache);
            QVERIFY(rec.ok());
            QVERIFY(recordMatvecF32(**rec, **bw, x, **by, rows, cols).ok());
            QVERIFY((*rec)->submitAndWait().ok());
            for (float y : (*by)->as<float>())
                QCOMPARE(y, want);
        };
        run(**bx1, 8.0f);
        const std::size_t sets = cache.size();
        QVERIFY(sets > 0);
        run(**bx1, 8.0f);
        QCOMPARE(cache.size(), sets); // the same bindings: no new set
        run(**bx2, 16.0f);
        QCOMPARE(cache.size(), 2 * sets); // another x: its own set, and the right result
        run(**bx1, 8.0f);
        QCOMPARE(cache.size(), 2 * sets);
        cache.clear();
        QCOMPARE(cache.size(), std::size_t(0));
        run(**bx2, 16.0f);
        QCOMPARE(cache.size(), sets);
    }
    void recorderResourcesServeOneRecorderAtATime()
    {
        // kept command buffer, fence and timestamp pool: each recorder in turn records, submits and
        // times on them; a second recorder may not take them while the first holds them
        const std::vector<float> ones(256, 1.0f);
        Arena arena(*m_ctx, VkDeviceSize(1) << 20);
        auto a = arena.upload(std::span<const float>(ones));
        auto b = arena.upload(std::span<const float>(ones));
        QVERIFY(a.ok() && b.ok());
        RecorderResources kept(*m_ctx);
        const bool timed = m_ctx->info().timestampPeriodNs > 0;
        for (int round = 1; round <= 3; ++round) {
            auto rec = Recorder::begin(*m_ctx, *m_pipelines, 8, nullptr, &kept);
            QVERIFY(rec.ok());
            QCOMPARE(Recorder::begin(*m_ctx, *m_pipelines, 8, nullptr, &kept).error().code, ErrorCode::Internal);
            if (timed)
                QVERIFY((*rec)->markTime().ok());
            QVERIFY(recordAdd(**rec, **a, **b, 256).ok());
            if (timed)
                QVERIFY((*rec)->markTime().ok());
            QVERIFY((*rec)->submitAndWait().ok());
            if (timed) {
                auto t = (*rec)->markIntervals();
                QVERIFY(t.ok() && t->size() == 1 && (*t)[0] >= 0);
            }
            QCOMPARE((*a)->as<float>()[255], 1.0f + float(round));
        }
        // a recorder dropped before its submission leaves them usable
        {
            auto rec = Recorder::begin(*m_ctx, *m_pipelines, 8, nullptr, &kept);
            QVERIFY(rec.ok());
            QVERIFY(recordAdd(**rec, **a, **b, 256).ok());
        }
        auto rec = Recorder::begin(*m_ctx, *m_pipelines, 8, nullptr, &kept);
        QVERIFY(rec.ok());
        QVERIFY(recordAdd(**rec, **a, **b, 256).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        QCOMPARE((*a)->as<float>()[0], 5.0f);
    }
    void barriersOnlyBetweenDependentDispatches()
    {
        // y += x writes y alone (tst_spirv_writes): a barrier goes before a dispatch that reads or
        // writes a buffer written since the last barrier, or writes one read since then
        const std::vector<float> ones(64, 1.0f);
        Arena arena(*m_ctx, VkDeviceSize(1) << 20);
        std::vector<Buffer *> v;
        for (int i = 0; i < 6; ++i) {
            auto b = arena.upload(std::span<const float>(ones));
            QVERIFY(b.ok());
            v.push_back(*b);
        }
        Buffer &a = *v[0], &b = *v[1], &c = *v[2], &d = *v[3], &e = *v[4], &f = *v[5];
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok());
        Recorder &r = **rec;
        QVERIFY(recordAdd(r, a, b, 64).ok()); // a = 2
        QVERIFY(recordAdd(r, c, d, 64).ok()); // independent: c = 2
        QCOMPARE(r.barriers(), 0u);
        QVERIFY(recordAdd(r, e, a, 64).ok()); // reads a, written: barrier; e = 3
        QCOMPARE(r.barriers(), 1u);
        QVERIFY(recordAdd(r, b, f, 64).ok()); // writes b, read before that barrier: none; b = 2
        QCOMPARE(r.barriers(), 1u);
        QVERIFY(recordAdd(r, f, e, 64).ok()); // writes f, read since the barrier; reads e, written: f = 4
        QCOMPARE(r.barriers(), 2u);
        QCOMPARE(r.dispatches(), 5u);
        QVERIFY(r.submitAndWait().ok());
        const float want[] = {2, 2, 2, 1, 3, 4};
        for (int i = 0; i < 6; ++i)
            for (float x : v[std::size_t(i)]->as<float>())
                QCOMPARE(x, want[i]);
    }
    void matvec_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::newRow("tiny") << 1 << 1;
        QTest::newRow("odd") << 37 << 173;
        QTest::newRow("wide") << 8 << 4096;
        QTest::newRow("tall") << 3000 << 64;
    }
    void matvec()
    {
        QFETCH(int, rows);
        QFETCH(int, cols);
        std::mt19937 rng(3);
        std::normal_distribution<float> dist;
        std::vector<float> w(static_cast<std::size_t>(rows) * cols), x(static_cast<std::size_t>(cols));
        for (auto &v : w)
            v = dist(rng);
        for (auto &v : x)
            v = dist(rng);
        Arena arena(*m_ctx);
        auto bw = arena.upload(std::span<const float>(w));
        auto bx = arena.upload(std::span<const float>(x));
        auto by = arena.allocate(static_cast<VkDeviceSize>(rows) * sizeof(float));
        QVERIFY(bw.ok() && bx.ok() && by.ok());
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok());
        auto st = recordMatvecF32(**rec, **bw, **bx, **by, std::uint32_t(rows), std::uint32_t(cols));
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message().c_str());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto y = (*by)->as<float>();
        for (int r = 0; r < rows; ++r) {
            double ref = 0, mag = 0;
            for (int c = 0; c < cols; ++c) {
                ref += double(w[std::size_t(r) * cols + c]) * x[std::size_t(c)];
                mag += std::fabs(double(w[std::size_t(r) * cols + c]) * x[std::size_t(c)]);
            }
            // fp32 summation in a different order: error bounded by a few ulps of the magnitude sum
            QVERIFY2(std::fabs(y[std::size_t(r)] - ref) <= 1e-6 * mag + 1e-6, qPrintable(QStringLiteral("row %1: %2 vs %3").arg(r).arg(y[std::size_t(r)]).arg(ref)));
        }
    }
    void matmulF32_data()
    {
        QTest::addColumn<int>("kernel");
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("yOffset");
        QTest::addColumn<int>("yStride");
        for (const auto &[name, kernel] : {std::pair{"tree", MatmulF32Kernel::Tree}, std::pair{"rows", MatmulF32Kernel::Rows},
                                           std::pair{"tiled", MatmulF32Kernel::Tiled}, std::pair{"subgroup", MatmulF32Kernel::Subgroup},
                                           std::pair{"auto", MatmulF32Kernel::Auto}}) {
            QTest::addRow("%s: tiny", name) << int(kernel) << 1 << 4 << 1 << 0 << 1;
            QTest::addRow("%s: odd rows, 3 tokens", name) << int(kernel) << 37 << 172 << 3 << 0 << 37;
            QTest::addRow("%s: wide, 9 tokens", name) << int(kernel) << 8 << 4096 << 9 << 0 << 8;
            QTest::addRow("%s: tall decode", name) << int(kernel) << 3000 << 64 << 1 << 0 << 3000;
            QTest::addRow("%s: into a cache slice", name) << int(kernel) << 40 << 64 << 6 << 7 << 50;
            QTest::addRow("%s: a prompt, tiles partial", name) << int(kernel) << 150 << 200 << 45 << 3 << 160;
        }
        QTest::newRow("auto: cols not whole vec4s") << int(MatmulF32Kernel::Auto) << 9 << 173 << 5 << 0 << 9;
        QTest::newRow("auto: cols not whole vec4s, a prompt") << int(MatmulF32Kernel::Auto) << 70 << 173 << 33 << 0 << 70;
        QTest::newRow("tiled: cols not whole vec4s, a tail of 5") << int(MatmulF32Kernel::Tiled) << 70 << 173 << 33 << 0 << 70;
        QTest::newRow("subgroup: cols not whole vec4s") << int(MatmulF32Kernel::Subgroup) << 70 << 173 << 1 << 0 << 70;
        QTest::newRow("subgroup: a partial last step, rows not whole groups") << int(MatmulF32Kernel::Subgroup) << 7 << 4100 << 1 << 2 << 9;
    }
    void matmulF32()
    {
        QFETCH(int, kernel);
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, tokens);
        QFETCH(int, yOffset);
        QFETCH(int, yStride);
        std::mt19937 rng(4);
        std::normal_distribution<float> dist;
        std::vector<float> w(std::size_t(rows) * cols), x(std::size_t(tokens) * cols);
        for (auto &v : w)
            v = dist(rng);
        for (auto &v : x)
            v = dist(rng);
        const std::size_t ySize = std::size_t(yOffset) + std::size_t(tokens - 1) * yStride + rows + 3;
        std::vector<float> y0(ySize, -7.0f); // what the product must not touch
        Arena arena(*m_ctx);
        auto bw = arena.upload(std::span<const float>(w));
        auto bx = arena.upload(std::span<const float>(x));
        auto by = arena.upload(std::span<const float>(y0));
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(bw.ok() && bx.ok() && by.ok() && rec.ok());
        if (MatmulF32Kernel(kernel) == MatmulF32Kernel::Rows && !matmulF32RowsRuns(**rec, std::uint32_t(cols))) {
            if (test::runningInCi()) // lavapipe runs it
                QFAIL("CI=true but the device does not run the rows matmul");
            QSKIP("the rows matmul runs on CPU Vulkan devices only");
        }
        const MatmulPush p{std::uint32_t(rows), std::uint32_t(cols), std::uint32_t(tokens), std::uint32_t(yOffset), std::uint32_t(yStride)};
        auto st = recordMatmulF32(**rec, **bw, **bx, **by, p, MatmulF32Kernel(kernel));
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message().c_str());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto y = (*by)->as<float>();
        std::vector<bool> written(ySize, false);
        for (int t = 0; t < tokens; ++t)
            for (int r = 0; r < rows; ++r) {
                double ref = 0, mag = 0;
                for (int c = 0; c < cols; ++c) {
                    const double prod = double(w[std::size_t(r) * cols + c]) * x[std::size_t(t) * cols + c];
                    ref += prod;
                    mag += std::fabs(prod);
                }
                const std::size_t at = std::size_t(yOffset) + std::size_t(t) * yStride + r;
                written[at] = true;
                // fp32 sums in another order (the rows kernel: four running sums along the row)
                QVERIFY2(std::fabs(y[at] - ref) <= 4e-6 * mag + 1e-6,
                         qPrintable(QStringLiteral("token %1 row %2: %3 vs %4").arg(t).arg(r).arg(y[at]).arg(ref)));
            }
        for (std::size_t i = 0; i < ySize; ++i)
            if (!written[i])
                QCOMPARE(y[i], -7.0f);
    }
    void matmulRowsNeedsWholeVec4s()
    {
        Arena arena(*m_ctx);
        auto b = arena.allocate(4096);
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(b.ok() && rec.ok());
        QVERIFY(!recordMatmulF32(**rec, **b, **b, **b, {4, 7, 1, 0, 4}, MatmulF32Kernel::Rows).ok());
        QVERIFY(recordMatmulF32(**rec, **b, **b, **b, {4, 7, 1, 0, 4}, MatmulF32Kernel::Tree).ok());
    }
    void rmsnorm()
    {
        const int rows = 5, cols = 300;
        std::mt19937 rng(5);
        std::normal_distribution<float> dist;
        std::vector<float> x(rows * cols), g(cols);
        for (auto &v : x)
            v = dist(rng);
        for (auto &v : g)
            v = 1.0f + 0.1f * dist(rng);
        Arena arena(*m_ctx);
        auto bx = arena.upload(std::span<const float>(x));
        auto bg = arena.upload(std::span<const float>(g));
        auto by = arena.allocate(x.size() * sizeof(float));
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok() && bx.ok() && bg.ok() && by.ok());
        QVERIFY(recordRmsnormF32(**rec, **bx, **bg, **by, rows, cols, 1e-5f).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto y = (*by)->as<float>();
        for (int r = 0; r < rows; ++r) {
            double ss = 0;
            for (int c = 0; c < cols; ++c)
                ss += double(x[r * cols + c]) * x[r * cols + c];
            const double inv = 1.0 / std::sqrt(ss / cols + 1e-5);
            for (int c = 0; c < cols; ++c)
                QVERIFY(std::fabs(y[std::size_t(r * cols + c)] - x[r * cols + c] * inv * g[c]) < 1e-5);
        }
    }
    void addRmsnormFusesTheResidualAdd()
    {
        // x += r in place and y = rmsnorm(x + r)·g by one dispatch, against the scalar reference
        // and against the add and norm kernels run one after the other
        const int rows = 3, cols = 1000;
        std::mt19937 rng(6);
        std::normal_distribution<float> dist;
        std::vector<float> x(rows * cols), r(rows * cols), g(cols);
        for (auto &v : x)
            v = dist(rng);
        for (auto &v : r)
            v = 0.5f * dist(rng);
        for (auto &v : g)
            v = 1.0f + 0.1f * dist(rng);
        Arena arena(*m_ctx);
        auto bx = arena.upload(std::span<const float>(x));
        auto bx2 = arena.upload(std::span<const float>(x));
        auto br = arena.upload(std::span<const float>(r));
        auto bg = arena.upload(std::span<const float>(g));
        auto by = arena.allocate(x.size() * sizeof(float));
        auto by2 = arena.allocate(x.size() * sizeof(float));
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok() && bx.ok() && bx2.ok() && br.ok() && bg.ok() && by.ok() && by2.ok());
        QVERIFY(recordAddRmsnormF32(**rec, **bx, **br, **bg, **by, rows, cols, 1e-5f).ok());
        QVERIFY(recordAdd(**rec, **bx2, **br, rows * cols).ok());
        QVERIFY(recordRmsnormF32(**rec, **bx2, **bg, **by2, rows, cols, 1e-5f).ok());
        QVERIFY(!recordAddRmsnormF32(**rec, **bx, **br, **bg, **bx, rows, cols, 1e-5f).ok()); // y over x
        QVERIFY(!recordAddRmsnormF32(**rec, **bx, **br, **bg, **by, rows + 1, cols, 1e-5f).ok()); // past the buffers
        QVERIFY((*rec)->submitAndWait().ok());
        const auto sx = (*bx)->as<float>(), y = (*by)->as<float>(), y2 = (*by2)->as<float>();
        for (int i = 0; i < rows; ++i) {
            double ss = 0;
            for (int c = 0; c < cols; ++c) {
                const float sum = x[i * cols + c] + r[i * cols + c];
                QCOMPARE(sx[std::size_t(i * cols + c)], sum); // one fp32 add, exact on every device
                ss += double(sum) * sum;
            }
            const double inv = 1.0 / std::sqrt(ss / cols + 1e-5);
            for (int c = 0; c < cols; ++c) {
                const std::size_t k = std::size_t(i * cols + c);
                QVERIFY2(std::fabs(y[k] - sx[k] * inv * g[c]) < 1e-5, qPrintable(QStringLiteral("%1: %2 vs %3").arg(k).arg(y[k]).arg(sx[k] * inv * g[c])));
                // the same arithmetic as the two kernels (a compiler may still contract differently)
                QVERIFY2(std::fabs(y[k] - y2[k]) <= 1e-6f * std::fabs(y2[k]), qPrintable(QStringLiteral("%1: %2 vs %3").arg(k).arg(y[k]).arg(y2[k])));
            }
        }
    }
    void dispatchChecksItsArguments()
    {
        Arena arena(*m_ctx);
        auto b = arena.allocate(64);
        auto rec = Recorder::begin(*m_ctx, *m_pipelines);
        QVERIFY(rec.ok() && b.ok());
        // two buffers for a three-binding shader
        auto st = (*rec)->dispatch(ShaderId::matvec_f32_f32, {*b, *b}, MatvecPush{1, 1}, {1, 1, 1});
        QVERIFY(!st.ok());
        QVERIFY(st.error().detail.find("bindings") != std::string::npos);
        // wrong push-constant size
        const std::uint32_t small = 1;
        QVERIFY(!(*rec)->dispatch(ShaderId::matvec_f32_f32, {*b, *b, *b}, small, {1, 1, 1}).ok());
        // undersized output buffer
        QVERIFY(!recordMatvecF32(**rec, **b, **b, **b, 100, 100).ok());
        QVERIFY((*rec)->submitAndWait().ok()); // nothing recorded: still a valid submission
    }
    void arenaLimits()
    {
        Arena arena(*m_ctx, 1 << 20);
        auto huge = arena.allocate(m_ctx->info().maxStorageBufferRange + 1);
        QVERIFY(!huge.ok());
        QCOMPARE(huge.error().code, ErrorCode::InvalidArgument);
        for (int i = 0; i < 100; ++i) // many small buffers share one block
            QVERIFY(arena.allocate(1000).ok());
        QVERIFY(arena.bytesInUse() >= 100000);
        QVERIFY(arena.bytesInUse() < (1 << 20));
    }
    void rooflineReadsSumTheRows()
    {
        // every access pattern of bench_gpu's roofline, storage buffer, texels and image loads, against the CPU's sums
        constexpr std::uint32_t rows = 70, rowWords = 12;
        std::vector<std::uint32_t> src(rows * rowWords);
        std::mt19937 rng(5);
        for (auto &w : src)
            w = static_cast<std::uint32_t>(rng());
        Arena arena(*m_ctx);
        auto bs = arena.upload(std::span<const std::uint32_t>(src));
        QVERIFY(bs.ok());
        QCOMPARE((*bs)->texelCount, std::uint64_t(rows * rowWords / 4));
        for (int pattern = 0; pattern < 5; ++pattern) {
            auto bd = arena.allocate(rows * 4);
            auto rec = Recorder::begin(*m_ctx, *m_pipelines);
            QVERIFY(bd.ok() && rec.ok());
            const Status st = pattern < 3 ? recordBandwidthReduceRows(**rec, **bs, **bd, rows, rowWords, static_cast<RowsRead>(pattern))
                                          : recordBandwidthReduce(**rec, **bs, **bd, RooflinePush{rows, rowWords, 4, pattern == 3 ? 1u : 8u});
            QVERIFY2(st.ok(), st.ok() ? "" : st.error().message().c_str());
            QVERIFY((*rec)->submitAndWait().ok());
            for (std::uint32_t r = 0; r < rows; ++r) {
                std::uint32_t sum = 0;
                for (std::uint32_t i = 0; i < rowWords; ++i)
                    sum += src[r * rowWords + i];
                QCOMPARE((*bd)->as<std::uint32_t>()[r], sum);
            }
        }
    }
    void gridSplitsLargeCounts()
    {
        QCOMPARE(gridFor(10), (std::array<std::uint32_t, 3>{10, 1, 1}));
        const auto g = gridFor(200000);
        QVERIFY(std::uint64_t(g[0]) * g[1] >= 200000);
        QVERIFY(g[0] <= 65535 && g[1] <= 65535);
    }
};

QTEST_APPLESS_MAIN(TestBasicKernels)
#include "tst_basic_kernels.moc"
