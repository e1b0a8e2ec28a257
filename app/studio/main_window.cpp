// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/main_window.h"

#include "app/studio/design/format_choice.h"
#include "app/studio/dialogs/settings_dialog.h"
#include "app/studio/jobs/format_probe.h"
#include "app/studio/jobs/model_load_job.h"
#include "app/studio/jobs/plan_measure_job.h"
#include "app/studio/jobs/quantize_job.h"
#include "app/studio/language_manager.h"
#include "app/studio/models/layer_tree_model.h"
#include "app/studio/models/run_history_model.h"
#include "app/studio/util/chart_export.h"
#include "app/studio/views/budget_view.h"
#include "app/studio/views/compare_view.h"
#include "app/studio/views/distribution_view.h"
#include "app/studio/views/error_view.h"
#include "app/studio/views/format_designer.h"
#include "app/studio/views/run_panel.h"
#include "app/studio/settings/recent_models.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/util/app_icon.h"
#include "app/studio/util/display_format.h"
#include "app/studio/views/empty_state_widget.h"
#include "app/studio/views/model_tree_panel.h"
#include "app/studio/views/tensor_panel.h"
#include "core/model/model.h"

#include <QFile>
#include <unistd.h>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QMenuBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>

namespace lowbit::studio {
namespace {

/// The first local path among dropped URLs, "" when there is none.
QString droppedPath(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile())
            return url.toLocalFile();
    return {};
}

/// "stories260K/hf" for a folder (its own name is often generic), the file name otherwise.
QString displayName(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir()) {
        const QDir dir(info.absoluteFilePath());
        const QString parent = QFileInfo(dir.absolutePath()).dir().dirName();
        return parent.isEmpty() ? dir.dirName() : parent + QLatin1Char('/') + dir.dirName();
    }
    return info.fileName();
}

Setting<QString> lastOpenDirSetting() { return {keys::kLastOpenDir, QDir::homePath()}; }

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(appIcon());
    setAcceptDrops(true);
    resize(1280, 800);

    m_loader = new ModelLoadJob(this);
    connect(m_loader, &ModelLoadJob::finished, this, &MainWindow::onLoadFinished);

    m_undo = new QUndoStack(this);
    m_runs = new RunHistoryModel(this);
    m_probe = new FormatProbe(this);
    m_probe->setThreads(static_cast<unsigned>(Setting<int>(keys::kThreads, 0).value()));
    m_measure = new PlanMeasureJob(this);
    m_quantJob = new QuantizeJob(this);

    m_emptyState = new EmptyStateWidget(this);
    m_tensorPanel = new TensorPanel(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("viewTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_tensorPanel, QString());
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_emptyState);
    m_stack->addWidget(m_tabs);
    setCentralWidget(m_stack);

    m_treePanel = new ModelTreePanel(this);
    m_treeDock = new QDockWidget(this);
    m_treeDock->setObjectName(QStringLiteral("tensorTreeDock"));
    m_treeDock->setWidget(m_treePanel);
    m_treeDock->setMinimumWidth(320);
    addDockWidget(Qt::LeftDockWidgetArea, m_treeDock);
    resizeDocks({m_treeDock}, {620}, Qt::Horizontal);
    m_treeDock->hide(); // shown with the first model

    m_designer = new FormatDesigner(this);
    m_designerDock = new QDockWidget(this);
    m_designerDock->setObjectName(QStringLiteral("designerDock"));
    m_designerDock->setWidget(m_designer);
    m_designerDock->setMinimumWidth(320);
    addDockWidget(Qt::RightDockWidgetArea, m_designerDock);
    m_designerDock->hide(); // shown with the first model
    m_distribution = new DistributionView(this);
    m_errors = new ErrorView(m_treePanel->layerTreeModel(), m_runs, this);
    m_compare = new CompareView(m_runs, this);
    m_runPanel = new RunPanel(m_runs, this);
    m_runPanel->setThreads(static_cast<unsigned>(Setting<int>(keys::kThreads, 0).value()));
    m_runPanel->setDevice(Setting<QString>(keys::kDevice, QStringLiteral("cpu")).value());
    m_tabs->addTab(m_distribution, QString());
    m_tabs->addTab(m_errors, QString());
    m_tabs->addTab(m_compare, QString());
    m_tabs->addTab(m_runPanel, QString());
    m_budgetView = new BudgetView(this);
    m_tabs->addTab(m_budgetView, QString());
    m_distribution->setProbe(m_probe);
    m_designer->setProbe(m_probe);
    {
        // The designer starts from the default format of the settings (when it is a valid name).
        const QString name = Setting<QString>(keys::kDefaultFormat, QStringLiteral("int4")).value();
        if (auto f = parseFormat(name.toStdString()); f)
            if (auto spec = makeFormatSpec(*f, Setting<qlonglong>(keys::kDefaultGroup, 32).value(), ScaleStorage::F16); spec)
                m_designer->setChoice(choiceForSpec(*spec));
    }

    connect(m_treePanel, &ModelTreePanel::currentTensorChanged, m_tensorPanel, &TensorPanel::showTensor);
    connect(m_treePanel, &ModelTreePanel::currentTensorChanged, this, &MainWindow::onCurrentTensorChanged);
    connect(m_treePanel->layerTreeModel(), &LayerTreeModel::formatsChanged, this, &MainWindow::onFormatsChanged);
    connect(m_measure, &PlanMeasureJob::measured, m_treePanel->layerTreeModel(), &LayerTreeModel::setTensorError);
    connect(m_designer, &FormatDesigner::applyToSelectionRequested, this, [this] { applyDesignerFormat(ApplyScope::Selection); });
    connect(m_designer, &FormatDesigner::applyToAllRequested, this, [this] { applyDesignerFormat(ApplyScope::All); });
    connect(m_designer, &FormatDesigner::applyToMatchingRequested, this,
            [this](const QString &pattern) { applyDesignerFormat(ApplyScope::Matching, pattern); });
    connect(m_designer, &FormatDesigner::clearSelectionRequested, this, &MainWindow::clearSelectedFormats);
    connect(m_quantJob, &QuantizeJob::progressChanged, this,
            [this](double f, QuantizeJob::Stage stage, const QString &tensor) { onJobProgress(f, static_cast<int>(stage), tensor); });
    connect(m_quantJob, &QuantizeJob::finished, this, [this](const RunRecord &run) {
        m_runs->addRun(run);
        onJobEnded();
        QString text = tr("Run “%1” finished: %2 bits/weight, written to %3")
                           .arg(run.name, QLocale().toString(run.averageBpw, 'f', 3), QDir::toNativeSeparators(run.outputPath));
        if (!run.perplexityNote.isEmpty()) // a Vulkan failure is not silent, though the CPU measured it
            text += QStringLiteral(" · ") + tr("perplexity measured on the CPU: %1").arg(run.perplexityNote);
        statusBar()->showMessage(text, 15000);
    });
    connect(m_quantJob, &QuantizeJob::cancelled, this, [this] {
        onJobEnded();
        statusBar()->showMessage(tr("Quantization cancelled; no file was written."), 10000);
    });
    connect(m_quantJob, &QuantizeJob::failed, this, [this](const QString &message) {
        onJobEnded();
        if (m_errorReporter)
            m_errorReporter(tr("Quantization failed"), message);
    });
    connect(m_emptyState, &EmptyStateWidget::openFolderRequested, this, &MainWindow::openFolderDialog);
    connect(m_emptyState, &EmptyStateWidget::openFileRequested, this, &MainWindow::openFileDialog);

    m_errorReporter = [this](const QString &title, const QString &message) {
        auto *box = new QMessageBox(QMessageBox::Critical, title, message, QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("loadErrorBox"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open(); // window-modal but non-blocking: the event loop (and tests) keep running
    };

    createActions();
    createMenus();
    createStatusBar();
    retranslateUi();
    updateRecentMenu();
    updateStatusBar();

    const QByteArray geometry = Setting<QByteArray>(keys::kWindowGeometry, {}).value();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
}

MainWindow::~MainWindow() = default;

void MainWindow::retranslateUi()
{
    setWindowTitle(m_model ? tr("%1 — Lowbit Studio").arg(displayName(QString::fromStdString(m_model->path())))
                           : tr("Lowbit Studio"));
    m_fileMenu->setTitle(tr("&File"));
    m_openFolderAction->setText(tr("Open &Folder…"));
    m_openFolderAction->setStatusTip(tr("Open a Hugging Face model folder"));
    m_openFileAction->setText(tr("Open F&ile…"));
    m_openFileAction->setStatusTip(tr("Open a .gguf, .safetensors or llama2.c .bin file"));
    m_recentMenu->setTitle(tr("Open &Recent"));
    m_clearRecentAction->setText(tr("&Clear List"));
    m_quitAction->setText(tr("&Quit"));
    m_viewMenu->setTitle(tr("&View"));
    m_treeDock->setWindowTitle(tr("Tensors"));
    m_designerDock->setWindowTitle(tr("Format Designer"));
    m_editMenu->setTitle(tr("&Edit"));
    m_undoAction->setText(tr("&Undo"));
    m_redoAction->setText(tr("&Redo"));
    m_settingsAction->setText(tr("&Settings…"));
    m_quantizeMenu->setTitle(tr("&Quantize"));
    m_quantizeAction->setText(tr("&Quantize Model…"));
    m_quantizeAction->setStatusTip(tr("Quantize the model with the planned formats and a method"));
    m_cancelJobAction->setText(tr("&Cancel Job"));
    m_exportModelAction->setText(tr("E&xport Model…"));
    m_exportModelAction->setStatusTip(tr("Write the open model as GGUF, GPTQ, compressed-tensors or fake-quant safetensors"));
    m_exportChartAction->setText(tr("&Export Chart…"));
    m_jobCancel->setText(tr("Cancel"));
    const QString viewTitles[] = {tr("Tensor"), tr("Distribution"), tr("Errors"), tr("Compare"), tr("Run"), tr("Bit Budget")};
    for (int i = 0; i < kViewCount; ++i) {
        m_tabs->setTabText(i, viewTitles[i]);
        m_viewActions[static_cast<std::size_t>(i)]->setText(tr("Show %1").arg(viewTitles[i]));
    }
    m_helpMenu->setTitle(tr("&Help"));
    if (m_languageMenu) {
        m_languageMenu->setTitle(tr("&Language"));
        m_systemLanguageAction->setText(tr("System Default"));
    }
    m_aboutAction->setText(tr("&About Lowbit Studio"));
    m_aboutQtAction->setText(tr("About &Qt"));
    m_busyLabel->setText(tr("Loading…"));
    updateStatusBar();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    Setting<QByteArray>(keys::kWindowGeometry, {}).setValue(saveGeometry());
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedPath(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openModel(path);
}

void MainWindow::setErrorReporter(ErrorReporter reporter) { m_errorReporter = std::move(reporter); }

void MainWindow::setLanguageManager(LanguageManager *languages)
{
    if (m_languageMenu || !languages)
        return;
    m_languages = languages;
    m_viewMenu->addSeparator();
    m_languageMenu = m_viewMenu->addMenu(QString());
    m_languageMenu->setObjectName(QStringLiteral("languageMenu"));
    auto *group = new QActionGroup(m_languageMenu);
    auto addLanguage = [&](QAction *action, const QString &code) {
        action->setCheckable(true);
        action->setChecked(languages->language() == code);
        action->setData(code);
        group->addAction(action);
        connect(action, &QAction::triggered, this, [languages, code] {
            languages->setLanguage(code);
            Setting<QString>(keys::kLanguage, QString()).setValue(code);
        });
    };
    m_systemLanguageAction = m_languageMenu->addAction(QString());
    addLanguage(m_systemLanguageAction, QString());
    m_languageMenu->addSeparator();
    for (const QString &code : LanguageManager::availableLanguages()) {
        const QLocale locale(code);
        // Each language names itself ("Deutsch"), so it can be found whatever the current one is.
        QString name = locale.nativeLanguageName();
        if (!name.isEmpty())
            name[0] = name[0].toUpper();
        addLanguage(m_languageMenu->addAction(name.isEmpty() ? code : name), code);
    }
    retranslateUi();
}

bool MainWindow::isLoading() const { return m_loader->isRunning(); }

bool MainWindow::isEmptyStateShown() const { return m_stack->currentWidget() == m_emptyState; }

void MainWindow::openModel(const QString &path)
{
    m_busy->show();
    m_busyLabel->show();
    m_openFolderAction->setEnabled(false);
    m_openFileAction->setEnabled(false);
    m_loader->start(path);
}

void MainWindow::selectTensor(const QString &name)
{
    if (isLoading() || !m_model || !m_treePanel->selectTensor(name))
        m_pendingSelection = name;
    else
        m_pendingSelection.clear();
}

void MainWindow::onLoadFinished(const ModelLoadResult &result)
{
    m_busy->hide();
    m_busyLabel->hide();
    m_openFolderAction->setEnabled(true);
    m_openFileAction->setEnabled(true);
    if (!result.ok()) {
        m_pendingSelection.clear();
        emit modelLoadFailed(result.path, result.error);
        if (m_errorReporter)
            m_errorReporter(tr("Could not open model"), tr("Could not open %1:\n\n%2").arg(result.path, result.error));
        return;
    }
    showModel(result.model, result.bytesOnDisk);
    addRecentModel(QFileInfo(result.path).absoluteFilePath());
    updateRecentMenu();
    emit modelLoaded(result.path);
}

void MainWindow::showModel(std::shared_ptr<const lowbit::Model> model, std::uint64_t bytesOnDisk)
{
    if (m_quantJob->isRunning()) {
        m_quantJob->cancel(); // it quantizes the old model; its result would not fit the new one
        m_quantJob->waitForFinished();
    }
    m_measure->start({});
    m_undo->clear(); // the commands refer to the old model's tensors
    m_model = std::move(model);
    m_bytesOnDisk = bytesOnDisk;
    m_treePanel->setModel(m_model);
    m_treePanel->setPlanColumnsVisible(m_model && std::any_of(m_model->tensors().begin(), m_model->tensors().end(),
                                                              [](const ModelTensor &t) { return t.view.isQuantizedByStudio(); }));
    m_runPanel->setModel(m_model);
    m_budgetView->setModel(m_model);
    m_designer->setModelParams(m_model ? static_cast<double>(m_model->totalParams()) : 0.0);
    m_stack->setCurrentWidget(m_model ? static_cast<QWidget *>(m_tabs) : m_emptyState);
    m_treeDock->setVisible(m_model != nullptr);
    m_designerDock->setVisible(m_model != nullptr);
    m_quantizeAction->setEnabled(m_model != nullptr);
    retranslateUi(); // window title and status bar
    if (m_model && !m_pendingSelection.isEmpty()) {
        m_treePanel->selectTensor(m_pendingSelection);
        m_pendingSelection.clear();
    }
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentModels();
    for (const QString &path : recent) {
        QAction *a = m_recentMenu->addAction(QDir::toNativeSeparators(path));
        connect(a, &QAction::triggered, this, [this, path] { openModel(path); });
    }
    if (!recent.isEmpty())
        m_recentMenu->addSeparator();
    m_recentMenu->addAction(m_clearRecentAction);
    m_clearRecentAction->setEnabled(!recent.isEmpty());
}

void MainWindow::updateStatusBar()
{
    if (!m_model) {
        m_modelLabel->setText(tr("No model loaded"));
        m_archLabel->clear();
        m_paramsLabel->clear();
        m_sizeLabel->clear();
        m_planLabel->clear();
        return;
    }
    const QString path = QString::fromStdString(m_model->path());
    m_modelLabel->setText(displayName(path));
    m_modelLabel->setToolTip(QDir::toNativeSeparators(path));
    m_archLabel->setText(architectureSummary(m_model->config()));
    m_paramsLabel->setText(tr("%1 params").arg(formatCount(m_model->totalParams())));
    m_sizeLabel->setText(tr("%1 on disk").arg(formatBytes(m_bytesOnDisk)));
    const LayerTreeModel *tree = m_treePanel->layerTreeModel();
    m_planLabel->setText(tree->plannedCount() == 0 ? tr("no format planned")
                                                   : tr("plan: %1 bits/weight over %n tensor(s)", nullptr, tree->plannedCount())
                                                         .arg(QLocale().toString(tree->plannedAverageBpw(), 'f', 3)));
}

void MainWindow::openFolderDialog()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), lastOpenDirSetting().value());
    if (dir.isEmpty())
        return;
    lastOpenDirSetting().setValue(QFileInfo(dir).absolutePath());
    openModel(dir);
}

void MainWindow::openFileDialog()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Open Model File"), lastOpenDirSetting().value(),
        tr("Model files (*.gguf *.safetensors *.bin);;GGUF (*.gguf);;safetensors (*.safetensors);;llama2.c checkpoint (*.bin);;All files (*)"));
    if (file.isEmpty())
        return;
    lastOpenDirSetting().setValue(QFileInfo(file).absolutePath());
    openModel(file);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About Lowbit Studio"),
        tr("<h3>Lowbit Studio %1</h3>"
           "<p>A studio for low-bit quantization of large language models.</p>"
           "<p>Copyright © 2026 the Lowbit Studio authors.<br>"
           "This program is free software: you can redistribute it and/or modify it under the terms of the "
           "GNU General Public License as published by the Free Software Foundation, either version 3 of the "
           "License, or (at your option) any later version. It comes WITHOUT ANY WARRANTY. "
           "Qt Charts is used under the GPL-3.0.</p>"
           "<p><b>Patent notice:</b> the BitMoD datatypes (extended FP3/FP4 grids and their per-group mixture) "
           "are the subject of a patent application by the method's authors' university. The GPL grants you the "
           "copyright licence to this code; it does not grant any patent licence for that method. Check your "
           "situation before using the BitMoD formats commercially.</p>")
            .arg(QStringLiteral(LOWBIT_VERSION)));
}

QString MainWindow::viewName(View view)
{
    switch (view) {
    case View::Tensor: return QStringLiteral("tensor");
    case View::Distribution: return QStringLiteral("distribution");
    case View::Errors: return QStringLiteral("errors");
    case View::Compare: return QStringLiteral("compare");
    case View::Run: return QStringLiteral("run");
    case View::Budget: return QStringLiteral("budget");
    }
    return {};
}

std::optional<MainWindow::View> MainWindow::viewFromName(const QString &name)
{
    for (int i = 0; i < kViewCount; ++i)
        if (viewName(static_cast<View>(i)) == name)
            return static_cast<View>(i);
    return std::nullopt;
}

void MainWindow::setCurrentView(View view) { m_tabs->setCurrentIndex(static_cast<int>(view)); }

MainWindow::View MainWindow::currentView() const { return static_cast<View>(std::max(0, m_tabs->currentIndex())); }

void MainWindow::onCurrentTensorChanged()
{
    const int index = m_treePanel->currentTensorIndex();
    const ModelTensor *t = m_treePanel->currentTensor();
    // The designer shows the planned format of the tensor the user looks at.
    if (const auto spec = m_treePanel->layerTreeModel()->tensorFormat(index))
        m_designer->setChoice(choiceForSpec(*spec));
    m_probe->setTensor(t && t->view.shape.size() >= 1 ? std::optional<TensorView>(t->view) : std::nullopt);
}

void MainWindow::exportCurrentChart()
{
    QWidget *target = m_tabs->currentWidget();
    switch (currentView()) {
    case View::Tensor: target = m_tensorPanel; break;
    case View::Distribution: target = m_distribution; break;
    case View::Errors: target = m_errors; break;
    case View::Compare: target = m_compare; break;
    case View::Run: target = m_runPanel; break;
    case View::Budget: target = m_budgetView; break;
    }
    exportWidgetWithDialog(target, QStringLiteral("lowbit-") + viewName(currentView()));
}

void MainWindow::showSettings()
{
    auto *dialog = new SettingsDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, &MainWindow::applySettings);
    dialog->open();
}

void MainWindow::applySettings()
{
    const auto threads = static_cast<unsigned>(Setting<int>(keys::kThreads, 0).value());
    m_probe->setThreads(threads);
    m_runPanel->setThreads(threads);
    m_runPanel->setDevice(Setting<QString>(keys::kDevice, QStringLiteral("cpu")).value());
    if (m_languages) {
        const QString lang = Setting<QString>(keys::kLanguage, QString()).value();
        if (lang != m_languages->language()) {
            m_languages->setLanguage(lang);
            if (m_languageMenu)
                for (QAction *a : m_languageMenu->actions())
                    if (a->isCheckable())
                        a->setChecked(a->data().toString() == lang);
        }
    }
}

void MainWindow::updateMemory()
{
    // Resident set size from /proc (Linux); elsewhere the label stays empty.
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    if (fields.size() < 2)
        return;
    const std::uint64_t pages = fields[1].toULongLong();
    const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    m_memoryLabel->setText(tr("%1 in memory").arg(formatBytes(pages * page)));
}

} // namespace lowbit::studio
