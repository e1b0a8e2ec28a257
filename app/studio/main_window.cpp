// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/main_window.h"

#include "app/studio/jobs/model_load_job.h"
#include "app/studio/language_manager.h"
#include "app/studio/settings/recent_models.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/util/app_icon.h"
#include "app/studio/util/display_format.h"
#include "app/studio/views/empty_state_widget.h"
#include "app/studio/views/model_tree_panel.h"
#include "app/studio/views/tensor_panel.h"
#include "core/model/model.h"

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
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QStackedWidget>
#include <QStatusBar>

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

    m_emptyState = new EmptyStateWidget(this);
    m_tensorPanel = new TensorPanel(this);
    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_emptyState);
    m_stack->addWidget(m_tensorPanel);
    setCentralWidget(m_stack);

    m_treePanel = new ModelTreePanel(this);
    m_treeDock = new QDockWidget(this);
    m_treeDock->setObjectName(QStringLiteral("tensorTreeDock"));
    m_treeDock->setWidget(m_treePanel);
    m_treeDock->setMinimumWidth(360);
    addDockWidget(Qt::LeftDockWidgetArea, m_treeDock);
    resizeDocks({m_treeDock}, {620}, Qt::Horizontal);
    m_treeDock->hide(); // shown with the first model

    connect(m_treePanel, &ModelTreePanel::currentTensorChanged, m_tensorPanel, &TensorPanel::showTensor);
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

void MainWindow::createActions()
{
    m_openFolderAction = new QAction(QIcon::fromTheme(QStringLiteral("folder-open")), QString(), this);
    m_openFolderAction->setShortcut(QKeySequence::Open);
    connect(m_openFolderAction, &QAction::triggered, this, &MainWindow::openFolderDialog);
    m_openFileAction = new QAction(QIcon::fromTheme(QStringLiteral("document-open")), QString(), this);
    m_openFileAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(m_openFileAction, &QAction::triggered, this, &MainWindow::openFileDialog);
    m_clearRecentAction = new QAction(this);
    connect(m_clearRecentAction, &QAction::triggered, this, [this] {
        clearRecentModels();
        updateRecentMenu();
    });
    m_quitAction = new QAction(QIcon::fromTheme(QStringLiteral("application-exit")), QString(), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    m_aboutAction = new QAction(this);
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
    m_aboutQtAction = new QAction(this);
    m_aboutQtAction->setMenuRole(QAction::AboutQtRole);
    connect(m_aboutQtAction, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_fileMenu->addAction(m_openFolderAction);
    m_fileMenu->addAction(m_openFileAction);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);
    m_viewMenu = menuBar()->addMenu(QString());
    m_viewMenu->addAction(m_treeDock->toggleViewAction());
    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->addAction(m_aboutAction);
    m_helpMenu->addAction(m_aboutQtAction);
}

void MainWindow::createStatusBar()
{
    m_busy = new QProgressBar(this);
    m_busy->setRange(0, 0); // indeterminate
    m_busy->setMaximumWidth(120);
    m_busy->setMaximumHeight(16);
    m_busy->setTextVisible(false);
    m_busy->hide();
    m_busyLabel = new QLabel(this);
    m_busyLabel->hide();
    m_modelLabel = new QLabel(this);
    m_modelLabel->setObjectName(QStringLiteral("statusModel"));
    m_archLabel = new QLabel(this);
    m_archLabel->setObjectName(QStringLiteral("statusArch"));
    m_paramsLabel = new QLabel(this);
    m_paramsLabel->setObjectName(QStringLiteral("statusParams"));
    m_sizeLabel = new QLabel(this);
    m_sizeLabel->setObjectName(QStringLiteral("statusSize"));
    statusBar()->addWidget(m_busy);
    statusBar()->addWidget(m_busyLabel);
    statusBar()->addWidget(m_modelLabel);
    statusBar()->addWidget(m_archLabel, 1);
    statusBar()->addPermanentWidget(m_paramsLabel);
    statusBar()->addPermanentWidget(m_sizeLabel);
}

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
    m_model = std::move(model);
    m_bytesOnDisk = bytesOnDisk;
    m_treePanel->setModel(m_model);
    m_stack->setCurrentWidget(m_model ? static_cast<QWidget *>(m_tensorPanel) : m_emptyState);
    m_treeDock->setVisible(m_model != nullptr);
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
        return;
    }
    const QString path = QString::fromStdString(m_model->path());
    m_modelLabel->setText(displayName(path));
    m_modelLabel->setToolTip(QDir::toNativeSeparators(path));
    m_archLabel->setText(architectureSummary(m_model->config()));
    m_paramsLabel->setText(tr("%1 params").arg(formatCount(m_model->totalParams())));
    m_sizeLabel->setText(tr("%1 on disk").arg(formatBytes(m_bytesOnDisk)));
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

} // namespace lowbit::studio
