// SPDX-License-Identifier: GPL-3.0-or-later
// Fitting VPTQ's CUDA kernels: vptqCudaKernelGap (which layer shapes they do not dispatch; the
// exporter warns about those, they still run through VPTQ's torch path), and the exporter's exact
// split of 8-row outlier vectors into the 4-row ones VPTQ's GEMV takes, merged back on reading.
#include "core/export/vptq_layout.h"
#include "core/methods/vq_tensor.h"

#include <QTest>

#include <cstring>
#include <random>

using namespace lowbit;

namespace {
VptqLayerConfig layer(int v, int k, int kRes, std::int64_t outliers, int vOut)
{
    VptqLayerConfig c;
    c.inFeatures = 256;
    c.outFeatures = 128;
    c.vectorLength = v;
    c.centroids = k;
    c.residualCentroids = kRes;
    c.outlierSize = outliers;
    c.outlierVectorLength = outliers ? vOut : 0;
    c.outlierCentroids = outliers ? 64 : 0;
    c.groupSize = 256 - outliers;
    return c;
}
/// The tensors of one layer (vptqTensorViews) by suffix.
VptqTensorLookup lookupIn(const std::vector<std::pair<std::string, TensorView>> &views)
{
    return [&views](std::string_view suffix) -> const TensorView * {
        for (const auto &[name, view] : views)
            if (name == suffix)
                return &view;
        return nullptr;
    };
}
} // namespace

class TestVptqKernelFit : public QObject {
    Q_OBJECT
private slots:
    void covered_data()
    {
        QTest::addColumn<int>("v");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("kRes");
        QTest::addColumn<int>("outliers");
        QTest::addColumn<int>("vOut");
        QTest::newRow("v8 k65536 res256") << 8 << 65536 << 256 << 0 << 0;
        QTest::newRow("v6 k4096") << 6 << 4096 << 0 << 0 << 0;
        QTest::newRow("v12 k16 res4, outliers v4") << 12 << 16 << 4 << 8 << 4;
        QTest::newRow("v2 k256 res65536") << 2 << 256 << 65536 << 0 << 0;
    }
    void covered()
    {
        QFETCH(int, v);
        QFETCH(int, k);
        QFETCH(int, kRes);
        QFETCH(int, outliers);
        QFETCH(int, vOut);
        QCOMPARE(QString::fromStdString(vptqCudaKernelGap(layer(v, k, kRes, outliers, vOut))), QString());
    }
    void notCovered_data()
    {
        QTest::addColumn<int>("v");
        QTest::addColumn<int>("k");
        QTest::addColumn<int>("kRes");
        QTest::addColumn<int>("outliers");
        QTest::addColumn<int>("vOut");
        QTest::addColumn<QString>("gap");
        QTest::newRow("v3") << 3 << 256 << 0 << 0 << 0 << "vector length 3";
        QTest::newRow("k64: 6-bit") << 8 << 64 << 0 << 0 << 0 << "6-bit indices";
        QTest::newRow("res2: 1-bit") << 8 << 256 << 2 << 0 << 0 << "1-bit residual indices";
        QTest::newRow("res16384: 14-bit") << 8 << 256 << 16384 << 0 << 0 << "14-bit residual indices";
        QTest::newRow("outlier v8") << 8 << 256 << 0 << 4 << 8 << "outlier vector length 8 (the GEMV takes 4)";
        QTest::newRow("several") << 5 << 32 << 0 << 0 << 0 << "vector length 5, 5-bit indices";
    }
    void notCovered()
    {
        QFETCH(int, v);
        QFETCH(int, k);
        QFETCH(int, kRes);
        QFETCH(int, outliers);
        QFETCH(int, vOut);
        QFETCH(QString, gap);
        QCOMPARE(QString::fromStdString(vptqCudaKernelGap(layer(v, k, kRes, outliers, vOut))), gap);
    }

    void outliersOfEightSplitIntoFourAndBack()
    {
        std::mt19937 rng(5);
        std::normal_distribution<float> d(0.0f, 0.1f);
        VqContent c;
        c.rows = 10; // two vectors of 8 per column, the second with 6 padding rows
        c.cols = 6;
        c.vectorLength = 8;
        c.codebookType = VqCodebookType::F16;
        c.outlierColumns = 2;
        const auto book = [&](int k) {
            VqCodebook b;
            b.entries = k;
            for (int i = 0; i < k * 8; ++i)
                b.values.push_back(vqRoundToStorage(d(rng), VqCodebookType::F16));
            return b;
        };
        c.main = book(16);
        c.outlier = book(3);
        c.mainIndices = {0, 1, 2, 3, 4, 5, 6, 7};      // 4 main positions × 2 vectors
        c.outlierIndices = {2, 0, 1, 2};                // position-major: p·R + n
        auto t = VqQuantizedTensor::create(c);
        QVERIFY(t.ok());
        std::vector<float> ref(std::size_t(c.rows * c.cols));
        QVERIFY((*t)->decodeRows(ref.data(), 0, c.rows).ok());

        auto l = vptqFromVq(c);
        QVERIFY(l.ok());
        QCOMPARE(l->config.outlierVectorLength, 4);
        QCOMPARE(l->config.outlierCentroids, 6);
        QCOMPARE(QString::fromStdString(vptqCudaKernelGap(l->config)), QString());
        // vector rows of 4: ceil(10 / 4) = 3; row n0 takes code(n0 / 2)·2 + n0 % 2
        const std::vector<std::int16_t> want = {2 * 2 + 0, 1 * 2 + 0, 2 * 2 + 1, 1 * 2 + 1, 0 * 2 + 0, 2 * 2 + 0};
        QCOMPARE(l->outlierIndices, want);
        QCOMPARE(l->outlierCentroids.size(), std::size_t(3 * 8)); // the same values, read as 6 × 4

        const auto views = vptqTensorViews(*l);
        const VptqTensorLookup get = lookupIn(views);
        auto dense = dequantizeVptq(l->config, get);
        QVERIFY(dense.ok());
        QCOMPARE(dense->size(), ref.size());
        QVERIFY(std::memcmp(dense->data(), ref.data(), ref.size() * 4) == 0);
        auto back = vqFromVptq(l->config, get);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QCOMPARE(back->vectorLength, 8);
        QCOMPARE(back->outlier.entries, 3);
        QCOMPARE(back->outlierIndices, c.outlierIndices);

        // outlier codes that are not such a split stay readable but are not a studio VQ tensor
        VptqLinear odd = *l;
        odd.outlierIndices[1] = 3; // vector row 0 (a first half) of position 1 with an odd code: no split
        const auto oddViews = vptqTensorViews(odd);
        const VptqTensorLookup oddGet = lookupIn(oddViews);
        QVERIFY(dequantizeVptq(odd.config, oddGet).ok());
        QCOMPARE(int(vqFromVptq(odd.config, oddGet).error().code), int(ErrorCode::Unsupported));
    }
};

QTEST_GUILESS_MAIN(TestVptqKernelFit)
#include "tst_vptq_kernel_fit.moc"
