// SPDX-License-Identifier: GPL-3.0-or-later
// The published anchors of docs/datatypes.md §5: parameter-weighted mean relative MSE of RTN on
// the 35 linear matrices of stories260K at g = 32, fp32 scales, reference and fast paths.
#include "core/formats/error_measures.h"
#include "core/formats/fast_quantize.h"
#include "core/formats/reference.h"
#include "core/model/model.h"
#include "core/model/tensor_role.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <cstring>

using namespace lowbit;
using namespace lowbit::formats;

class TestFmtAnchor : public QObject {
    Q_OBJECT

private slots:
    void anchors_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("expected");
        const std::pair<const char *, double> rows[] = {
            {"int4", 0.00943},     {"int4-asym", 0.00652}, {"fp4", 0.01016},      {"fp4-asym", 0.00884},
            {"nf4", 0.00761},      {"int3", 0.05174},      {"int3-asym", 0.02986}, {"fp3", 0.04450},
            {"fp3-asym", 0.03675}, {"nf3-asym", 0.02728},  {"bitmod-fp3", 0.02710}, {"mxfp4", 0.01345},
            {"nvfp4", 0.00900}};
        for (const auto &[n, e] : rows)
            QTest::newRow(n) << QString::fromLatin1(n) << e;
    }

    void anchors()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(QString, name);
        QFETCH(double, expected);
        auto model = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY2(model.ok(), model.ok() ? "" : model.error().message().c_str());
        auto spec = makeFormatSpec(name.toStdString(), 32, ScaleStorage::Fp32);
        QVERIFY(spec.ok());
        double weighted = 0.0, params = 0.0;
        int matrices = 0;
        for (const ModelTensor &t : model->tensors()) {
            if (!isLinearRole(t.role) || t.layer < 0 || t.view.shape.size() != 2) // the 35 block matrices
                continue;
            auto x = t.view.toFloatVector();
            QVERIFY(x.ok());
            const std::int64_t rows = t.view.rows(), cols = t.view.cols();
            auto q = quantizeRef(*spec, x->data(), rows, cols);
            QVERIFY(q.ok());
            std::vector<float> xh(x->size()), xf(x->size());
            dequantizeRef(*q, xh.data());
            const ErrorStats e = measureError(x->data(), xh.data(), rows * cols);
            weighted += e.relMse * static_cast<double>(rows * cols);
            params += static_cast<double>(rows * cols);
            ++matrices;
            // The fast path gives the same bits on real weights.
            auto qf = quantizeFast(*spec, x->data(), rows, cols);
            QVERIFY(qf.ok());
            QVERIFY(qf->codes == q->codes);
            QCOMPARE(std::memcmp(qf->scales.data(), q->scales.data(), q->scales.size() * sizeof(float)), 0);
            dequantizeFast(*qf, xf.data());
            QCOMPARE(std::memcmp(xf.data(), xh.data(), xh.size() * sizeof(float)), 0);
        }
        QCOMPARE(matrices, 35);
        const double mean = weighted / params;
        qInfo("%s: %.5f (published %.5f)", qPrintable(name), mean, expected);
        QVERIFY2(std::fabs(mean - expected) <= 0.02 * expected, qPrintable(QString::number(mean, 'g', 6)));
    }
};

QTEST_APPLESS_MAIN(TestFmtAnchor)
#include "tst_fmt_anchor.moc"
