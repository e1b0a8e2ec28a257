// SPDX-License-Identifier: GPL-3.0-or-later
// Packed low-bit weights on the Vulkan device: dequantization reads the CPU's PackedTensor code
// words directly and equals core's dequantizeRow bit for bit, for every dense format family ×
// group shapes × scale precisions; the fused dequant × vector equals dequant-then-matvec.
#include "gpu/ops/packed_ops.h"

#include "core/quant/fast_format.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <cstring>

using namespace lowbit;
using namespace lowbit::gpu;

class TestPackedKernels : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase()
    {
        if (m_fx.ctx) {
            m_fx.pipelines.reset();
            QVERIFY(m_fx.ctx->validationMessages().empty());
        }
    }
    void dequantAndMatvec_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("storage");
        const char *formats[] = {"int4", "int3-asym", "int8", "int2", "fp4", "fp4-asym", "nf4-asym", "nf3", "fp3", "iq4nl",
                                 "fp8-e4m3", "fp-e3m3", "bitmod-fp3", "bitmod-fp4", "mix:int4|nf4|fp4", "lut:-2,-0.5,0,0.25,1,3"};
        for (const char *f : formats)
            for (int g : {32, 48, 0, -1})
                for (const char *s : {"fp32", "fp16", "bf16"})
                    QTest::addRow("%s g%d %s", f, g, s) << QString::fromLatin1(f) << g << QString::fromLatin1(s);
        for (const char *f : {"mxfp4", "mxfp8-e4m3", "nvfp4"})
            QTest::addRow("%s", f) << QString::fromLatin1(f) << -2 << QString();
    }
    void dequantAndMatvec()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(QString, storage);
        auto f = parseFormat(format.toStdString());
        QVERIFY(f.ok());
        std::optional<ScaleStorage> st;
        if (!storage.isEmpty())
            st = *parseScaleStorage(storage.toStdString());
        auto spec = makeFormatSpec(*f, group == -2 ? std::nullopt : std::optional<std::int64_t>(group), st);
        QVERIFY2(spec.ok(), spec.ok() ? "" : spec.error().message().c_str());
        const std::int64_t rows = 37, cols = 200;
        auto w = test::randomFloats(std::size_t(rows * cols), 17, 0.05f);
        w[5] = 0.9f; // an outlier
        auto packed = quantizePackedFast(w.data(), rows, cols, *spec);
        QVERIFY2(packed.ok(), packed.ok() ? "" : packed.error().message().c_str());
        std::vector<float> cpu(w.size());
        for (std::int64_t r = 0; r < rows; ++r)
            QVERIFY(dequantizeRow(*packed, r, cpu.data() + r * cols).ok());

        Arena arena(*m_fx.ctx);
        auto gw = uploadPacked(arena, *packed);
        QVERIFY2(gw.ok(), gw.ok() ? "" : gw.error().message().c_str());
        const auto x = test::randomFloats(std::size_t(cols), 18);
        auto bx = arena.upload(std::span<const float>(x));
        auto bout = arena.allocate(w.size() * 4);
        auto by = arena.allocate(std::size_t(rows) * 4);
        QVERIFY(bx.ok() && bout.ok() && by.ok());
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(recordDequantPacked(**rec, *gw, **bout).ok());
        QVERIFY(recordMatvecPacked(**rec, *gw, **bx, **by).ok());
        QVERIFY((*rec)->submitAndWait().ok());
        const auto gpu = (*bout)->as<float>();
        for (std::size_t i = 0; i < cpu.size(); ++i) {
            std::uint32_t a, b;
            std::memcpy(&a, &cpu[i], 4);
            std::memcpy(&b, &gpu[i], 4);
            QVERIFY2(a == b, qPrintable(QStringLiteral("element %1: cpu %2, gpu %3").arg(i).arg(cpu[i]).arg(gpu[i])));
        }
        const auto y = (*by)->as<float>();
        for (std::int64_t r = 0; r < rows; ++r) {
            double ref = 0, mag = 0;
            for (std::int64_t c = 0; c < cols; ++c) {
                ref += double(cpu[std::size_t(r * cols + c)]) * x[std::size_t(c)];
                mag += std::fabs(double(cpu[std::size_t(r * cols + c)]) * x[std::size_t(c)]);
            }
            QVERIFY2(std::fabs(y[std::size_t(r)] - ref) <= 1e-6 * mag + 1e-7, qPrintable(QString::number(r)));
        }
    }
    void fp6PlanesAreNotYetSupported()
    {
        auto spec = makeFormatSpec(*parseFormat("fp6-e3m2"), 32);
        const std::vector<float> w(64, 0.25f);
        auto packed = quantizePackedFast(w.data(), 2, 32, *spec);
        QVERIFY(packed.ok());
        Arena arena(*m_fx.ctx);
        auto gw = uploadPacked(arena, *packed);
        QVERIFY(!gw.ok());
        QCOMPARE(gw.error().code, ErrorCode::Unsupported);
    }
};

QTEST_APPLESS_MAIN(TestPackedKernels)
#include "tst_packed_kernels.moc"
