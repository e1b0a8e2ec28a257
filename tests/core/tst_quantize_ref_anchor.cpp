// SPDX-License-Identifier: GPL-3.0-or-later
// The published anchors of datatypes.md §5, reproduced by the scalar reference (quantize_ref.h):
// parameter-weighted mean relative MSE of RTN on the 35 linear matrices of stories260K (5 layers ×
// 7 projections; the tied embedding is not one of them) at g = 32 with fp32 scales.
#include "core/model/model.h"
#include "core/model/tensor_role.h"
#include "core/quant/error_measures.h"
#include "core/quant/quantize_ref.h"

#include "test_support.h"

#include <QTest>

#include <cmath>

using namespace lowbit;

class TestQuantizeRefAnchor : public QObject {
    Q_OBJECT

private slots:
    void anchors_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<double>("published");
        const std::pair<const char *, double> rows[] = {
            {"int4", 0.00943},     {"int4-asym", 0.00652}, {"fp4", 0.01016},       {"fp4-asym", 0.00884}, {"nf4", 0.00761},
            {"int3", 0.05174},     {"int3-asym", 0.02986}, {"fp3", 0.04450},       {"fp3-asym", 0.03675}, {"nf3-asym", 0.02728},
            {"bitmod-fp3", 0.02710}, {"mxfp4", 0.01345},   {"nvfp4", 0.00900}};
        for (const auto &[n, e] : rows)
            QTest::newRow(n) << QString::fromLatin1(n) << e;
    }

    void anchors()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        QFETCH(QString, name);
        QFETCH(double, published);
        auto model = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY2(model, model ? "" : model.error().message().c_str());
        auto format = parseFormat(name.toStdString());
        QVERIFY(format);
        const bool fixed = format->family == FormatFamily::Mx || format->family == FormatFamily::Nvfp4;
        auto spec = fixed ? makeFormatSpec(*format) : makeFormatSpec(*format, 32, ScaleStorage::F32);
        QVERIFY(spec);
        double weighted = 0.0, params = 0.0, weightedAll = 0.0, paramsAll = 0.0;
        int matrices = 0;
        for (const ModelTensor &t : model->tensors()) {
            if (!isLinearRole(t.role) || t.view.shape.size() != 2)
                continue;
            auto w = t.view.toFloatVector();
            QVERIFY(w);
            const std::int64_t rows = t.view.rows(), cols = t.view.cols();
            auto q = quantizeRef(w->data(), rows, cols, *spec);
            QVERIFY2(q, q ? "" : q.error().message().c_str());
            std::vector<float> back(w->size());
            dequantizeRef(*q, back.data());
            const ErrorStats e = measureError(w->data(), back.data(), rows * cols);
            const double n = static_cast<double>(rows * cols);
            weightedAll += e.relativeMse * n;
            paramsAll += n;
            if (t.layer < 0) // the (tied) embedding / classifier is not one of the 35
                continue;
            weighted += e.relativeMse * n;
            params += n;
            ++matrices;
        }
        QCOMPARE(matrices, 35);
        const double mean = weighted / params;
        qInfo("%s: %.5f on the 35 layer matrices (published %.5f); %.5f with the embedding too", qPrintable(name), mean, published,
              weightedAll / paramsAll);
        QVERIFY2(std::fabs(mean - published) <= 0.02 * published, qPrintable(QString::number(mean, 'f', 6)));
    }
};

QTEST_APPLESS_MAIN(TestQuantizeRefAnchor)
#include "tst_quantize_ref_anchor.moc"
