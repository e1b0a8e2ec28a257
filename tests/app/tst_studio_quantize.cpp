// SPDX-License-Identifier: GPL-3.0-or-later
// Quantize job on stories260K: progress rises to 100 % and the run (container, report, figures)
// lands in the history; Cancel midway leaves no output file; the event loop stays responsive
// while a job runs (a timer probe measures the largest gap); bad parameters fail cleanly. Also
// the run summaries (per-layer error, Pareto front) and the compare view with two runs.
#include "app/studio/jobs/quantize_job.h"
#include "app/studio/jobs/run_record.h"
#include "app/studio/main_window.h"
#include "app/studio/models/run_history_model.h"
#include "app/studio/studio_resources.h"
#include "app/studio/views/compare_view.h"
#include "app/studio/views/error_view.h"
#include "app/studio/views/run_panel.h"
#include "core/io/studio_container.h"
#include "core/model/model.h"
#include "test_support.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QSpinBox>
#include <QFileInfo>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <cmath>

using namespace lowbit::studio;

namespace {

const char *kText = "data/tinystories_valid_first1000.txt";

std::shared_ptr<const lowbit::Model> openStories()
{
    auto m = lowbit::Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
    if (!m)
        return nullptr;
    return std::make_shared<const lowbit::Model>(std::move(*m));
}

QuantizeParams rtnParams(std::shared_ptr<const lowbit::Model> model, const QString &format, const QString &out)
{
    QuantizeParams p;
    p.model = std::move(model);
    p.config.method = "rtn";
    p.config.defaultSpec = *lowbit::makeFormatSpec(*lowbit::parseFormat(format.toStdString()), 32, lowbit::ScaleStorage::F16);
    p.outputPath = out;
    return p;
}

/// Records the largest gap between ticks of a 5 ms timer: how long the event loop was blocked.
class LoopProbe : public QObject {
public:
    LoopProbe()
    {
        m_timer.setInterval(5);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            m_max = std::max(m_max, m_clock.restart());
        });
        m_clock.start();
        m_timer.start();
    }
    qint64 maxGapMs() const { return m_max; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_max = 0;
};

RunRecord fakeRun(const QString &name, double bpw, double mse, std::vector<std::pair<int, double>> layers)
{
    RunRecord r;
    r.name = name;
    for (const auto &[layer, e] : layers) {
        lowbit::LayerOutcome l;
        l.layer = layer;
        l.rows = 10;
        l.cols = 10;
        l.report.weightRelMse = e;
        l.report.bitsPerWeight = bpw;
        r.outcome.layers.push_back(l);
    }
    r.outcome.averageBpw = bpw;
    summarizeRun(r);
    if (mse >= 0)
        r.relativeMse = mse;
    return r;
}

} // namespace

class TestStudioQuantize : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void paretoFront();
    void runSummary();
    void jobRunsToCompletion();
    void cancelMidwayLeavesNoFile();
    void badParamsFail();
    void compareViewShowsTwoRuns();
    void quantizeFromMainWindow();
    void runPanelGenerates();
    void perplexityOnTheChosenDevice();

private:
    QTemporaryDir m_dir;
};

void TestStudioQuantize::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LowbitTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_studio_quantize"));
    initStudioResources();
    QVERIFY(m_dir.isValid());
}

void TestStudioQuantize::paretoFront()
{
    // (bpw, error): (4, 0.01) and (3, 0.05) and (2, 0.2) are on the front; (4.5, 0.02) and (3, 0.06) are dominated.
    const std::vector<std::pair<double, double>> pts = {{4, 0.01}, {4.5, 0.02}, {3, 0.05}, {3, 0.06}, {2, 0.2}, {NAN, 0.001}};
    const std::vector<int> front = lowbit::studio::paretoFront(pts);
    QCOMPARE(front, (std::vector<int>{4, 2, 0}));
    // Brute force: a point is on the front iff nothing dominates it.
    for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
        bool dominated = false;
        for (std::size_t j = 0; j + 1 < pts.size(); ++j)
            dominated |= j != i && pts[j].first <= pts[i].first && pts[j].second <= pts[i].second
                         && (pts[j].first < pts[i].first || pts[j].second < pts[i].second);
        QCOMPARE(std::find(front.begin(), front.end(), static_cast<int>(i)) != front.end(), !dominated);
    }
}

void TestStudioQuantize::runSummary()
{
    RunRecord r = fakeRun(QStringLiteral("a"), 4.5, -1, {{0, 0.01}, {0, 0.03}, {1, 0.02}, {-1, 0.5}});
    QCOMPARE(r.relativeMse, (0.01 + 0.03 + 0.02 + 0.5) / 4);
    QVERIFY(!r.hasProxyError());
    const auto perLayer = perLayerError(r);
    QCOMPARE(perLayer.size(), std::size_t(3));
    QCOMPARE(perLayer.at(0), 0.02);
    QCOMPARE(perLayer.at(1), 0.02);
    QCOMPARE(perLayer.at(-1), 0.5);
    QVERIFY(perLayerError(r, true).empty()); // no proxy error without calibration
}

void TestStudioQuantize::jobRunsToCompletion()
{
    LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
    LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
    auto model = openStories();
    QVERIFY(model);
    const QString out = m_dir.filePath(QStringLiteral("int4.lowbit.safetensors"));
    QuantizeParams p = rtnParams(model, QStringLiteral("int4"), out);
    p.calibrationTextPath = lowbit::test::sharedDir() + QLatin1Char('/') + QString::fromLatin1(kText);
    p.calibrationTokens = 2048;
    p.evalTextPath = p.calibrationTextPath;
    p.evalDocuments = 10;
    QuantizeJob job;
    QSignalSpy progress(&job, &QuantizeJob::progressChanged);
    QSignalSpy finished(&job, &QuantizeJob::finished);
    LoopProbe probe;
    QVERIFY(job.start(p));
    QVERIFY(!job.start(p)); // one at a time
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    qInfo("largest event-loop gap while a quantize job ran: %lld ms", static_cast<long long>(probe.maxGapMs()));
    QVERIFY2(probe.maxGapMs() < 1000, "the GUI thread was blocked"); // generous for a busy 2-core CI box
    QVERIFY(progress.count() >= 2);
    double last = -1;
    bool sawCalibration = false, sawQuantizing = false;
    for (const QList<QVariant> &args : progress) {
        const double f = args.at(0).toDouble();
        QVERIFY(f >= last - 1e-12); // never goes back
        last = f;
        sawCalibration |= args.at(1).value<QuantizeJob::Stage>() == QuantizeJob::Calibrating;
        sawQuantizing |= args.at(1).value<QuantizeJob::Stage>() == QuantizeJob::Quantizing;
    }
    QCOMPARE(last, 1.0);
    QVERIFY(sawCalibration && sawQuantizing);
    const RunRecord run = finished.first().at(0).value<RunRecord>();
    QCOMPARE(run.outputPath, out);
    QVERIFY(QFileInfo::exists(out));
    QCOMPARE(run.outcome.layers.size(), std::size_t(35));
    QVERIFY(run.averageBpw > 4.4 && run.averageBpw < 4.6); // int4 g32 fp16: 4 + 16/32
    QVERIFY(run.relativeMse > 0 && run.relativeMse < 0.05);
    QVERIFY(run.hasProxyError());     // calibrated
    QVERIFY(run.hasPerplexity() && run.perplexity > 1 && run.perplexity < 100);
    QVERIFY(run.calibrationTokens > 0);
    // The container opens as a model with the quantized tensors and carries the report.
    auto reopened = lowbit::Model::open(out.toStdString());
    QVERIFY2(reopened, reopened ? "" : reopened.error().message().c_str());
    int quantized = 0;
    for (const auto &t : reopened->tensors())
        quantized += t.view.isQuantizedByStudio() ? 1 : 0;
    QCOMPARE(quantized, 35);
    auto report = lowbit::readContainerReport(out.toStdString());
    QVERIFY(report && !report->isNull());
    // the perplexity travels with the container, with where it was measured
    QCOMPARE(run.perplexityDevice, QStringLiteral("CPU"));
    QVERIFY(run.perplexityNote.isEmpty());
    QCOMPARE(report->find("perplexity")->asDouble(), run.perplexity);
    QCOMPARE(report->find("perplexity_device")->asString(), std::string("CPU"));
}

void TestStudioQuantize::perplexityOnTheChosenDevice()
{
    // The settings' compute device measures the run's perplexity; a Vulkan device that fails
    // leaves it to the CPU, and the run says why.
    LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
    LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
    auto model = openStories();
    QVERIFY(model);
    auto measure = [&](const QString &device) {
        QuantizeParams p = rtnParams(model, QStringLiteral("int4"), m_dir.filePath(QStringLiteral("ppl-on-device.lowbit.safetensors")));
        p.evalTextPath = lowbit::test::sharedDir() + QLatin1Char('/') + QString::fromLatin1(kText);
        p.evalDocuments = 5;
        p.evalDevice = device;
        return runQuantizeJob(p, {}, {});
    };
    const QuantizeJobResult cpu = measure(QStringLiteral("cpu"));
    QVERIFY2(cpu.run, qPrintable(cpu.error));
    QCOMPARE(cpu.run->perplexityDevice, QStringLiteral("CPU"));
    // a device the machine does not have
    const QuantizeJobResult gone = measure(QStringLiteral("vulkan:99"));
    QVERIFY2(gone.run, qPrintable(gone.error));
    QCOMPARE(gone.run->perplexityDevice, QStringLiteral("CPU"));
    QCOMPARE(gone.run->perplexity, cpu.run->perplexity);
    QVERIFY2(!gone.run->perplexityNote.isEmpty(), "the fallback is not silent");
    RunHistoryModel runs;
    runs.addRun(*gone.run);
    const QString tip = runs.data(runs.index(0, RunHistoryModel::PerplexityColumn), Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(gone.run->perplexityNote), qPrintable(tip));
#ifdef LOWBIT_HAVE_VULKAN
    // the Vulkan engine (lavapipe in CI) measures the same perplexity within 1e-3
    const QuantizeJobResult gpu = measure(QStringLiteral("vulkan"));
    QVERIFY2(gpu.run, qPrintable(gpu.error));
    QVERIFY2(gpu.run->perplexityNote.isEmpty(), qPrintable(gpu.run->perplexityNote));
    QVERIFY(gpu.run->perplexityDevice != QStringLiteral("CPU") && !gpu.run->perplexityDevice.isEmpty());
    qInfo("int4 perplexity over 5 documents: %.6f on the CPU, %.6f on %s", cpu.run->perplexity, gpu.run->perplexity,
          qPrintable(gpu.run->perplexityDevice));
    QVERIFY(std::fabs(gpu.run->perplexity / cpu.run->perplexity - 1) < 1e-3);
#endif
}

void TestStudioQuantize::cancelMidwayLeavesNoFile()
{
    LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
    LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
    auto model = openStories();
    QVERIFY(model);
    const QString out = m_dir.filePath(QStringLiteral("cancelled.lowbit.safetensors"));
    // A slow job: a large calibration pass; cancel once it is under way.
    QuantizeParams p = rtnParams(model, QStringLiteral("int3"), out);
    p.calibrationTextPath = lowbit::test::sharedDir() + QLatin1Char('/') + QString::fromLatin1(kText);
    p.calibrationTokens = 10'000'000;
    p.config.method = "gptq";
    QuantizeJob job;
    QSignalSpy cancelled(&job, &QuantizeJob::cancelled);
    QSignalSpy finished(&job, &QuantizeJob::finished);
    double seen = 0;
    connect(&job, &QuantizeJob::progressChanged, this, [&](double f) { seen = f; });
    LoopProbe probe;
    QVERIFY(job.start(p));
    QTRY_VERIFY_WITH_TIMEOUT(seen > 0.0, 60000);
    QVERIFY(seen < 1.0);
    QVERIFY(job.isRunning());
    job.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 60000);
    qInfo("cancelled at %.3f %%; largest event-loop gap: %lld ms", seen * 100.0, static_cast<long long>(probe.maxGapMs()));
    QCOMPARE(finished.count(), 0);
    QVERIFY(!job.isRunning());
    QVERIFY(!QFileInfo::exists(out));
    QVERIFY(!QFileInfo::exists(out + QStringLiteral(".tmp")));
    QVERIFY(probe.maxGapMs() < 1000);
}

void TestStudioQuantize::badParamsFail()
{
    QuantizeParams p;
    QuantizeJobResult r = runQuantizeJob(p, {}, {});
    QVERIFY(!r.run && !r.cancelled && !r.error.isEmpty());
    LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
    auto model = openStories();
    p = rtnParams(model, QStringLiteral("int4"), m_dir.filePath(QStringLiteral("bad-suffix.safetensors")));
    r = runQuantizeJob(p, {}, {});
    QVERIFY(!r.run);
    QVERIFY(r.error.contains(QLatin1String(".lowbit.safetensors")));
    p = rtnParams(model, QStringLiteral("int4"), m_dir.filePath(QStringLiteral("gptq.lowbit.safetensors")));
    p.config.method = "gptq"; // needs calibration
    r = runQuantizeJob(p, {}, {});
    QVERIFY(!r.run);
    QVERIFY(r.error.contains(QLatin1String("calibration")));
    QVERIFY(!QFileInfo::exists(p.outputPath));
}

void TestStudioQuantize::compareViewShowsTwoRuns()
{
    RunHistoryModel runs;
    CompareView view(&runs);
    QCOMPARE(view.plottedRunCount(), 0);
    runs.addRun(fakeRun(QStringLiteral("int4"), 4.5, -1, {{0, 0.01}, {1, 0.012}}));
    runs.addRun(fakeRun(QStringLiteral("int3"), 3.5, -1, {{0, 0.05}, {1, 0.04}}));
    QCOMPARE(view.plottedRunCount(), 2);
    QCOMPARE(view.paretoCount(), 2);
    QCOMPARE(view.barSetCount(), 2);
    QCOMPARE(runs.rowCount(), 2);
    QCOMPARE(runs.index(1, RunHistoryModel::NameColumn).data().toString(), QStringLiteral("int3"));
    // A dominated run is plotted but not on the front; unticking removes it from the charts.
    runs.addRun(fakeRun(QStringLiteral("worse"), 4.6, -1, {{0, 0.2}, {1, 0.2}}));
    QCOMPARE(view.plottedRunCount(), 3);
    QCOMPARE(view.paretoCount(), 2);
    QVERIFY(runs.setData(runs.index(2, 0), Qt::Unchecked, Qt::CheckStateRole));
    QCOMPARE(view.plottedRunCount(), 2);
    QCOMPARE(view.barSetCount(), 2);
    // Perplexity is not known for these runs: nothing to plot, no crash.
    view.setMetric(CompareView::Metric::Perplexity);
    QCOMPARE(view.plottedRunCount(), 0);
    view.setMetric(CompareView::Metric::RelativeMse);
    QCOMPARE(view.plottedRunCount(), 2);
}

void TestStudioQuantize::quantizeFromMainWindow()
{
    LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
    MainWindow w;
    w.show();
    QSignalSpy loaded(&w, &MainWindow::modelLoaded);
    w.openModel(lowbit::test::sharedDir() + QStringLiteral("/models/stories260K/hf"));
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 60000);
    QVERIFY(w.quantizeAction()->isEnabled());
    QStringList errors;
    w.setErrorReporter([&](const QString &, const QString &m) { errors << m; });
    for (const char *f : {"int4", "int3"}) {
        QuantizeParams p = rtnParams(w.currentModel(), QString::fromLatin1(f), m_dir.filePath(QStringLiteral("mw-%1.lowbit.safetensors").arg(QString::fromLatin1(f))));
        QVERIFY(w.startQuantize(p));
        QVERIFY(!w.quantizeAction()->isEnabled()); // one job at a time
        QTRY_VERIFY_WITH_TIMEOUT(!w.quantizeJob()->isRunning(), 60000);
        QTRY_VERIFY(w.quantizeAction()->isEnabled());
    }
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join(QLatin1Char('\n'))));
    QCOMPARE(w.runHistory()->runCount(), 2);
    QCOMPARE(w.compareView()->plottedRunCount(), 2);
    QCOMPARE(w.compareView()->barSetCount(), 2);
    // int3 is cheaper and worse: both are on the front.
    QCOMPARE(w.compareView()->paretoCount(), 2);
    QVERIFY(w.runHistory()->run(1).relativeMse > w.runHistory()->run(0).relativeMse);
    // The error view shows the latest run's 35 tensors.
    QTRY_COMPARE(w.errorView()->barCount(), 35);
}

void TestStudioQuantize::runPanelGenerates()
{
    LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
    auto model = openStories();
    QVERIFY(model);
    RunHistoryModel runs;
    RunPanel panel(&runs);
    panel.setModel(model);
    QCOMPARE(panel.sourceCombo()->count(), 1);
    QCOMPARE(panel.deviceCombo()->itemData(0).toString(), QStringLiteral("cpu"));
    panel.tokensSpin()->setValue(24);
    QSignalSpy done(&panel, &RunPanel::generationFinished);
    LoopProbe probe;
    QVERIFY(panel.generate());
    QVERIFY(!panel.generate()); // busy
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
    const auto outcome = done.first().at(0).value<GenerationOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QVERIFY(outcome.tokens > 0 && outcome.tokens <= 24);
    QVERIFY(outcome.tokensPerSecond > 0);
    QVERIFY(outcome.promptTokens > 1 && outcome.promptTokensPerSecond > 0); // BOS and "Once upon a time"
    QVERIFY(panel.outputText().startsWith(panel.promptEdit()->text()));
    QVERIFY(panel.outputText().size() > panel.promptEdit()->text().size()); // text streamed in
    QVERIFY(panel.statsText().contains(QLatin1String("tokens/s")));
    qInfo("run panel: %lld tokens at %.0f tokens/s on the CPU; largest event-loop gap %lld ms", static_cast<long long>(outcome.tokens),
          outcome.tokensPerSecond, static_cast<long long>(probe.maxGapMs()));
    // A quantized run appears as a source.
    const QString out = m_dir.filePath(QStringLiteral("run-panel.lowbit.safetensors"));
    const QuantizeJobResult r = runQuantizeJob(rtnParams(model, QStringLiteral("int4"), out), {}, {});
    QVERIFY(r.run);
    runs.addRun(*r.run);
    QCOMPARE(panel.sourceCombo()->count(), 2);
    panel.sourceCombo()->setCurrentIndex(1);
    // ... run with an fp16 KV cache
    QCOMPARE(panel.kvCacheCombo()->count(), 2);
    panel.kvCacheCombo()->setCurrentIndex(panel.kvCacheCombo()->findData(QStringLiteral("f16")));
    QCOMPARE(panel.kvCacheCombo()->currentIndex(), 1);
    QVERIFY(panel.generate());
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 60000);
    QVERIFY2(done.last().at(0).value<GenerationOutcome>().error.isEmpty(), qPrintable(done.last().at(0).value<GenerationOutcome>().error));
    // int8 activations are the Vulkan engine's: the choice is off for the CPU
    QCOMPARE(panel.activationsCombo()->count(), 2);
    QVERIFY(!panel.activationsCombo()->isEnabled());
    if (panel.deviceCombo()->count() > 1) { // a Vulkan device (lavapipe where there is no GPU)
        panel.deviceCombo()->setCurrentIndex(1);
        QVERIFY(panel.activationsCombo()->isEnabled());
        panel.activationsCombo()->setCurrentIndex(panel.activationsCombo()->findData(QStringLiteral("int8")));
        QVERIFY(panel.generate());
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 3, 60000);
        const auto g = done.last().at(0).value<GenerationOutcome>();
        QVERIFY2(g.error.isEmpty(), qPrintable(g.error));
        QVERIFY(g.tokens > 0);
        panel.deviceCombo()->setCurrentIndex(0);
        QVERIFY(!panel.activationsCombo()->isEnabled());
    }
}

QTEST_MAIN(TestStudioQuantize)
#include "tst_studio_quantize.moc"
