// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/screenshot.h"

#include "app/studio/design/format_choice.h"
#include "app/studio/jobs/format_probe.h"
#include "app/studio/jobs/plan_measure_job.h"
#include "app/studio/jobs/quantize_job.h"
#include "app/studio/main_window.h"
#include "app/studio/models/run_history_model.h"
#include "app/studio/views/format_designer.h"
#include "app/studio/views/model_tree_panel.h"

#include <QDockWidget>
#include "core/model/model.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPixmap>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <cstdio>

namespace lowbit::studio {
namespace {

void waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
}

void settle(int ms)
{
    QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

QString defaultTensor(const Model &model)
{
    const ModelTensor *best = nullptr;
    for (const ModelTensor &t : model.tensors())
        if (t.layer == 0 && isLinearRole(t.role) && (!best || t.view.numel() > best->view.numel()))
            best = &t;
    return best ? QString::fromStdString(best->view.name) : QString();
}

/// A few RTN runs of different formats (with perplexity when the shared text exists).
void addDemoRuns(MainWindow &w)
{
    static QTemporaryDir dir; // the containers live until the process ends
    const QString text = qEnvironmentVariable("LOWBIT_SHARED_DIR") + QStringLiteral("/data/tinystories_valid_first1000.txt");
    const bool haveText = QFileInfo::exists(text);
    const char *formats[][2] = {{"int4", "32"}, {"int3", "32"}, {"fp4", "32"}, {"nf3-asym", "64"}, {"int3-asym", "16"}, {"bitmod-fp3", "32"}};
    for (const auto &f : formats) {
        auto format = parseFormat(f[0]);
        if (!format)
            continue;
        auto spec = makeFormatSpec(*format, std::stoll(f[1]), ScaleStorage::F16);
        if (!spec)
            continue;
        QuantizeParams p;
        p.model = w.currentModel();
        p.config.method = "rtn";
        p.config.defaultSpec = *spec;
        if (haveText) {
            p.evalTextPath = text;
            p.evalDocuments = 40;
        }
        p.outputPath = dir.filePath(QStringLiteral("%1-g%2.lowbit.safetensors").arg(QString::fromLatin1(f[0]), QString::fromLatin1(f[1])));
        p.runName = QStringLiteral("rtn · %1 g%2").arg(QString::fromLatin1(f[0]), QString::fromLatin1(f[1]));
        const QuantizeJobResult r = runQuantizeJob(p, {}, {});
        if (r.run)
            w.runHistory()->addRun(*r.run);
        else
            std::fprintf(stderr, "lowbit-studio: demo run %s failed: %s\n", f[0], qPrintable(r.error));
    }
}

} // namespace

int takeScreenshot(MainWindow &w, const ScreenshotOptions &o)
{
    const auto view = MainWindow::viewFromName(o.view);
    if (!view) {
        std::fprintf(stderr, "lowbit-studio: unknown view '%s' (tensor, distribution, errors, compare, run)\n", qPrintable(o.view));
        return 2;
    }
    w.resize(o.size);
    w.show();
    bool loaded = false, failed = false;
    QObject::connect(&w, &MainWindow::modelLoaded, &w, [&] { loaded = true; });
    QObject::connect(&w, &MainWindow::modelLoadFailed, &w, [&](const QString &, const QString &message) {
        failed = true;
        std::fprintf(stderr, "lowbit-studio: %s\n", qPrintable(message));
    });
    w.setErrorReporter([](const QString &, const QString &) {});
    w.openModel(o.model);
    waitUntil([&] { return loaded || failed; }, 120000);
    if (!loaded)
        return 1;
    const QString tensor = o.tensor.isEmpty() ? defaultTensor(*w.currentModel()) : o.tensor;
    FormatChoice fp4;
    fp4.family = DesignerFamily::Fp;
    fp4.bits = 4;
    fp4.exponentBits = 2;
    fp4.groupSize = 32;
    w.formatDesigner()->setChoice(fp4);
    {
        // A plan (FP4 everywhere, INT3 on the MLP) so the tree's format, bits and error columns show.
        w.applyDesignerFormat(MainWindow::ApplyScope::All);
        FormatChoice int3;
        int3.bits = 3;
        int3.groupSize = 32;
        w.formatDesigner()->setChoice(int3);
        w.applyDesignerFormat(MainWindow::ApplyScope::Matching, QStringLiteral("mlp|ffn|w[123]"));
        w.formatDesigner()->setChoice(fp4);
    }
    if (*view == MainWindow::View::Compare)
        addDemoRuns(w);
    w.selectTensor(tensor);
    w.setCurrentView(*view);
    w.resizeDocks({w.treeDock(), w.designerDock()}, {o.size.width() * 26 / 100, o.size.width() * 20 / 100}, Qt::Horizontal);
    waitUntil([&] { return !w.formatProbe()->isBusy() && w.formatProbe()->result() && !w.formatDesigner()->isSplitTableBusy(); }, 30000);
    settle(300);
    waitUntil([&] { return !w.planMeasureJob()->isRunning(); }, 30000);
    settle(400);
    const QPixmap shot = w.grab();
    if (shot.isNull() || !shot.save(o.file, "PNG")) {
        std::fprintf(stderr, "lowbit-studio: cannot write %s\n", qPrintable(o.file));
        return 1;
    }
    std::fprintf(stderr, "lowbit-studio: wrote %s (%dx%d, view %s)\n", qPrintable(QDir::toNativeSeparators(o.file)), shot.width(), shot.height(),
                 qPrintable(o.view));
    return 0;
}

} // namespace lowbit::studio
