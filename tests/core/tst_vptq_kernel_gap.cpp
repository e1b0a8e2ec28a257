// SPDX-License-Identifier: GPL-3.0-or-later
// vptqCudaKernelGap: which VPTQ layer shapes VPTQ's CUDA kernels do not dispatch (the exporter
// warns about those; they still load and run through VPTQ's torch path).
#include "core/export/vptq_layout.h"

#include <QTest>

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
} // namespace

class TestVptqKernelGap : public QObject {
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
};

QTEST_GUILESS_MAIN(TestVptqKernelGap)
#include "tst_vptq_kernel_gap.moc"
