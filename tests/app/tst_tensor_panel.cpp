// SPDX-License-Identifier: GPL-3.0-or-later
// analyzeTensor (histogram, channel absmax, non-finite values, cancellation) and the Tensor
// panel (synchronous small tensors, background big ones, superseded jobs, outliers, log axis).
#include "app/studio/charts/channel_chart.h"
#include "app/studio/charts/histogram_chart.h"
#include "app/studio/jobs/tensor_analysis.h"
#include "app/studio/views/tensor_panel.h"
#include "core/model/model.h"

#include <QCheckBox>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QtCharts/QAbstractAxis>
#include <QtCharts/QChart>

#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using lowbit::studio::TensorAnalysis;
using lowbit::studio::TensorPanel;

namespace {

lowbit::ModelTensor makeTensor(const char *name, std::vector<std::int64_t> shape, std::vector<float> values)
{
    return {lowbit::makeOwnedF32(name, std::move(shape), std::move(values)), lowbit::TensorRole::Q, 0};
}

std::vector<float> gaussian(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 0.02f);
    std::vector<float> v(n);
    for (float &x : v)
        x = dist(rng);
    return v;
}

} // namespace

class TestTensorPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void histogramBins_data();
    void histogramBins();
    void histogramMatchesReference();
    void vectorChannelsAreElements();
    void invalidBinsAndCancel();
    void smallTensorIsSynchronous();
    void bigTensorRunsInBackground();
    void newerSelectionWins();
    void outlierChannelsMarked();
    void logScaleToggle();
    void clearEmptiesCharts();
    void nonFiniteValuesWarn();
};

void TestTensorPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // the log-axis setting goes to a throw-away location
    QCoreApplication::setOrganizationName(QStringLiteral("LowbitTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_tensor_panel"));
}

void TestTensorPanel::histogramBins_data()
{
    QTest::addColumn<QList<float>>("values");
    QTest::addColumn<int>("bins");
    QTest::addColumn<QList<quint64>>("expected");
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    QTest::newRow("spread, last bin closed") << QList<float>{-1.f, 0.f, 0.f, 1.f} << 4 << QList<quint64>{1, 0, 2, 1};
    QTest::newRow("non-finite excluded") << QList<float>{-1.f, nan, 0.5f, inf, 1.f, -inf} << 2 << QList<quint64>{1, 2};
    QTest::newRow("constant lands in the middle") << QList<float>{0.25f, 0.25f, 0.25f, 0.25f} << 3 << QList<quint64>{0, 4, 0};
    QTest::newRow("one bin") << QList<float>{3.f, -2.f, 7.f, 1.f} << 1 << QList<quint64>{4};
}

void TestTensorPanel::histogramBins()
{
    QFETCH(QList<float>, values);
    QFETCH(int, bins);
    QFETCH(QList<quint64>, expected);
    const auto t = makeTensor("t", {2, static_cast<std::int64_t>(values.size() / 2)}, {values.begin(), values.end()});
    const TensorAnalysis a = lowbit::studio::analyzeTensor(t.view, bins);
    QVERIFY2(a.ok(), qPrintable(a.error));
    QCOMPARE(QList<quint64>(a.histogram.begin(), a.histogram.end()), expected);
    QCOMPARE(a.channelAbsmax.size(), std::size_t{2});
    QVERIFY(!a.channelsAreElements);
    QVERIFY(a.histMin < a.histMax);
}

void TestTensorPanel::histogramMatchesReference()
{
    const std::size_t rows = 300, cols = 70;
    const std::vector<float> v = gaussian(rows * cols, 7);
    const auto t = makeTensor("g", {rows, cols}, v);
    const int bins = 64;
    const TensorAnalysis a = lowbit::studio::analyzeTensor(t.view, bins);
    QVERIFY2(a.ok(), qPrintable(a.error));
    const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
    QCOMPARE(a.histMin, static_cast<double>(*mn));
    QCOMPARE(a.histMax, static_cast<double>(*mx));
    std::vector<std::uint64_t> ref(bins, 0);
    for (const float x : v) {
        const double pos = (static_cast<double>(x) - *mn) / (static_cast<double>(*mx) - *mn) * bins;
        ++ref[std::min<std::size_t>(static_cast<std::size_t>(pos), bins - 1)];
    }
    QCOMPARE(a.histogram, ref);
    QCOMPARE(a.channelAbsmax.size(), rows);
    for (std::size_t r = 0; r < rows; ++r) {
        float m = 0.f;
        for (std::size_t c = 0; c < cols; ++c)
            m = std::max(m, std::fabs(v[r * cols + c]));
        QCOMPARE(a.channelAbsmax[r], m);
    }
}

void TestTensorPanel::vectorChannelsAreElements()
{
    const auto t = makeTensor("norm", {4}, {1.f, -2.f, 0.5f, -0.25f});
    const TensorAnalysis a = lowbit::studio::analyzeTensor(t.view);
    QVERIFY2(a.ok(), qPrintable(a.error));
    QVERIFY(a.channelsAreElements);
    QCOMPARE(a.channelAbsmax, (std::vector<float>{1.f, 2.f, 0.5f, 0.25f}));
    QCOMPARE(a.histogram.size(), std::size_t(lowbit::studio::kHistogramBins));
}

void TestTensorPanel::invalidBinsAndCancel()
{
    const auto t = makeTensor("t", {2, 2}, {1.f, 2.f, 3.f, 4.f});
    QVERIFY(!lowbit::studio::analyzeTensor(t.view, 0).ok());
    std::stop_source stop;
    stop.request_stop();
    const TensorAnalysis cancelled = lowbit::studio::analyzeTensor(t.view, 8, stop.get_token());
    QVERIFY(!cancelled.ok());
}

void TestTensorPanel::smallTensorIsSynchronous()
{
    TensorPanel panel;
    const auto t = makeTensor("small", {2, 3}, {-1.f, 0.f, 2.f, 0.f, 0.f, 1.f});
    QSignalSpy ready(&panel, &TensorPanel::analysisReady);
    panel.showTensor(&t);
    QVERIFY(!panel.isBusy());
    QVERIFY(panel.analysis());
    QCOMPARE(ready.count(), 1);
    QCOMPARE(panel.tensorName(), QStringLiteral("small"));
    QCOMPARE(panel.fieldText(TensorPanel::Field::Shape), QStringLiteral("[2, 3]"));
    QCOMPARE(panel.fieldText(TensorPanel::Field::Params), QStringLiteral("6"));
    QCOMPARE(panel.fieldText(TensorPanel::Field::Min), QStringLiteral("-1"));
    QCOMPARE(panel.fieldText(TensorPanel::Field::Max), QStringLiteral("2"));
    QCOMPARE(panel.fieldText(TensorPanel::Field::ZeroFraction), QStringLiteral("50.00 %"));
    QCOMPARE(panel.fieldText(TensorPanel::Field::NanInf), QStringLiteral("0 / 0"));
    QCOMPARE(panel.histogramChart()->binCount(), lowbit::studio::kHistogramBins);
    QCOMPARE(panel.channelChart()->channelCount(), 2);
}

void TestTensorPanel::bigTensorRunsInBackground()
{
    TensorPanel panel;
    const std::int64_t rows = 512, cols = 256; // 131072 elements > kSyncAnalysisLimit
    QVERIFY(static_cast<std::uint64_t>(rows * cols) > TensorPanel::kSyncAnalysisLimit);
    const auto t = makeTensor("big", {rows, cols}, gaussian(static_cast<std::size_t>(rows * cols), 3));
    QSignalSpy ready(&panel, &TensorPanel::analysisReady);
    panel.showTensor(&t);
    QVERIFY(panel.isBusy());
    QVERIFY(!panel.analysis());
    QCOMPARE(panel.fieldText(TensorPanel::Field::Shape), QStringLiteral("[512, 256]")); // known at once
    QTRY_VERIFY_WITH_TIMEOUT(panel.analysis() != nullptr, 30000);
    QVERIFY(!panel.isBusy());
    QCOMPARE(ready.count(), 1);
    const auto &h = panel.analysis()->histogram;
    QCOMPARE(std::accumulate(h.begin(), h.end(), std::uint64_t{0}), static_cast<std::uint64_t>(rows * cols));
    QCOMPARE(panel.channelChart()->channelCount(), static_cast<int>(rows));
    QCOMPARE(panel.histogramChart()->pointCount(), 2 * lowbit::studio::kHistogramBins);
}

void TestTensorPanel::newerSelectionWins()
{
    TensorPanel panel;
    const auto a = makeTensor("first", {512, 256}, gaussian(512 * 256, 1));
    const auto b = makeTensor("second", {256, 512}, gaussian(256 * 512, 2));
    QSignalSpy ready(&panel, &TensorPanel::analysisReady);
    panel.showTensor(&a);
    panel.showTensor(&b);
    QTRY_VERIFY_WITH_TIMEOUT(panel.analysis() != nullptr, 30000);
    QCOMPARE(panel.analysis()->tensorName, QStringLiteral("second"));
    QCOMPARE(panel.channelChart()->channelCount(), 256);
    QTest::qWait(50); // a late result of the first job must not replace it
    QCOMPARE(panel.analysis()->tensorName, QStringLiteral("second"));
    QCOMPARE(ready.count(), 1);
}

void TestTensorPanel::outlierChannelsMarked()
{
    const std::int64_t rows = 16, cols = 8;
    std::vector<float> v(static_cast<std::size_t>(rows * cols), 0.1f);
    v[7 * cols + 3] = 5.0f; // channel 7: 50x the median absmax
    v[12 * cols] = -0.25f;  // channel 12: 2.5x, below the outlier factor
    const auto t = makeTensor("outliers", {rows, cols}, v);
    TensorPanel panel;
    panel.showTensor(&t);
    QVERIFY(panel.analysis());
    QCOMPARE(panel.channelChart()->outlierChannels(), std::vector<int>{7});
    QCOMPARE(panel.analysis()->stats.maxChannel, std::int64_t{7});
    QVERIFY(panel.fieldText(TensorPanel::Field::ChannelRatio).contains(QStringLiteral("7")));
}

void TestTensorPanel::logScaleToggle()
{
    TensorPanel panel;
    const auto t = makeTensor("t", {4, 4}, gaussian(16, 5));
    panel.showTensor(&t);
    panel.logScaleCheckBox()->setChecked(false);
    auto yType = [&] { return panel.histogramChart()->chart()->axes(Qt::Vertical).value(0)->type(); };
    QCOMPARE(yType(), QAbstractAxis::AxisTypeValue);
    panel.logScaleCheckBox()->setChecked(true);
    QVERIFY(panel.histogramChart()->logScale());
    QCOMPARE(yType(), QAbstractAxis::AxisTypeLogValue);
    QCOMPARE(panel.histogramChart()->pointCount(), 2 * lowbit::studio::kHistogramBins);
    panel.logScaleCheckBox()->setChecked(false);
    QCOMPARE(yType(), QAbstractAxis::AxisTypeValue);
}

void TestTensorPanel::clearEmptiesCharts()
{
    TensorPanel panel;
    const auto t = makeTensor("t", {4, 4}, gaussian(16, 9));
    panel.showTensor(&t);
    QVERIFY(panel.analysis());
    panel.clear();
    QVERIFY(!panel.analysis());
    QVERIFY(panel.tensorName().isEmpty());
    QCOMPARE(panel.histogramChart()->binCount(), 0);
    QCOMPARE(panel.histogramChart()->pointCount(), 0);
    QCOMPARE(panel.channelChart()->channelCount(), 0);
    QCOMPARE(panel.fieldText(TensorPanel::Field::Mean), QStringLiteral("—"));
}

void TestTensorPanel::nonFiniteValuesWarn()
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const auto t = makeTensor("nan", {2, 2}, {1.f, nan, -1.f, std::numeric_limits<float>::infinity()});
    TensorPanel panel;
    panel.showTensor(&t);
    QVERIFY(panel.analysis());
    QCOMPARE(panel.fieldText(TensorPanel::Field::NanInf), QStringLiteral("1 / 1"));
    auto *status = panel.findChild<QLabel *>(QStringLiteral("tensorStatus"));
    QVERIFY(status);
    QVERIFY2(status->text().contains(QStringLiteral("non-finite")), qPrintable(status->text()));
    QVERIFY(status->text().contains(QStringLiteral("layer 0")));
    const auto clean = makeTensor("clean", {2, 2}, {1.f, 2.f, 3.f, 4.f});
    panel.showTensor(&clean);
    QVERIFY(!status->text().contains(QStringLiteral("non-finite")));
}

QTEST_MAIN(TestTensorPanel)
#include "tst_tensor_panel.moc"
