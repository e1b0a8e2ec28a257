// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: its actions, menus and status bar (their texts: retranslateUi).
#include "app/studio/main_window.h"

#include "app/studio/jobs/quantize_job.h"
#include "app/studio/language_manager.h"
#include "app/studio/settings/recent_models.h"
#include "app/studio/views/budget_view.h"
#include "app/studio/views/compare_view.h"
#include "app/studio/views/distribution_view.h"
#include "app/studio/views/error_view.h"
#include "app/studio/views/format_designer.h"
#include "app/studio/views/run_panel.h"
#include "app/studio/views/tensor_panel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>

namespace lowbit::studio {

void MainWindow::createActions()
{
    m_undoAction = m_undo->createUndoAction(this);
    m_undoAction->setShortcut(QKeySequence::Undo);
    m_undoAction->setObjectName(QStringLiteral("undoAction"));
    m_redoAction = m_undo->createRedoAction(this);
    m_redoAction->setShortcut(QKeySequence::Redo);
    m_redoAction->setObjectName(QStringLiteral("redoAction"));
    m_settingsAction = new QAction(QIcon::fromTheme(QStringLiteral("preferences-system")), QString(), this);
    m_settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::showSettings);
    m_exportModelAction = new QAction(QIcon::fromTheme(QStringLiteral("document-save-as")), QString(), this);
    m_exportModelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    connect(m_exportModelAction, &QAction::triggered, this, &MainWindow::showExportDialog);
    m_quantizeAction = new QAction(QIcon::fromTheme(QStringLiteral("system-run")), QString(), this);
    m_quantizeAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    m_quantizeAction->setEnabled(false);
    connect(m_quantizeAction, &QAction::triggered, this, &MainWindow::showQuantizeDialog);
    m_cancelJobAction = new QAction(QIcon::fromTheme(QStringLiteral("process-stop")), QString(), this);
    m_cancelJobAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_cancelJobAction->setEnabled(false);
    connect(m_cancelJobAction, &QAction::triggered, m_quantJob, &QuantizeJob::cancel);
    m_exportChartAction = new QAction(QString(), this);
    m_exportChartAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    connect(m_exportChartAction, &QAction::triggered, this, &MainWindow::exportCurrentChart);
    for (int i = 0; i < kViewCount; ++i) {
        auto *a = new QAction(this);
        a->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        connect(a, &QAction::triggered, this, [this, i] { setCurrentView(static_cast<View>(i)); });
        m_viewActions.push_back(a);
    }
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
    m_editMenu = menuBar()->addMenu(QString());
    m_editMenu->addAction(m_undoAction);
    m_editMenu->addAction(m_redoAction);
    m_editMenu->addSeparator();
    m_editMenu->addAction(m_settingsAction);
    m_viewMenu = menuBar()->addMenu(QString());
    m_viewMenu->addAction(m_treeDock->toggleViewAction());
    m_viewMenu->addAction(m_designerDock->toggleViewAction());
    m_viewMenu->addSeparator();
    for (QAction *a : m_viewActions)
        m_viewMenu->addAction(a);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_exportChartAction);
    m_quantizeMenu = menuBar()->addMenu(QString());
    m_quantizeMenu->addAction(m_quantizeAction);
    m_quantizeMenu->addAction(m_cancelJobAction);
    m_quantizeMenu->addSeparator();
    m_quantizeMenu->addAction(m_exportModelAction);
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
    auto namedLabel = [this](const char *name) {
        auto *label = new QLabel(this);
        label->setObjectName(QLatin1String(name));
        return label;
    };
    m_modelLabel = namedLabel("statusModel");
    m_archLabel = namedLabel("statusArch");
    m_paramsLabel = namedLabel("statusParams");
    m_sizeLabel = namedLabel("statusSize");
    statusBar()->addWidget(m_busy);
    statusBar()->addWidget(m_busyLabel);
    statusBar()->addWidget(m_modelLabel);
    statusBar()->addWidget(m_archLabel, 1);
    m_jobLabel = namedLabel("jobLabel");
    m_jobProgress = new QProgressBar(this);
    m_jobProgress->setObjectName(QStringLiteral("jobProgress"));
    m_jobProgress->setRange(0, 1000);
    m_jobProgress->setMaximumWidth(160);
    m_jobProgress->setMaximumHeight(16);
    m_jobProgress->setTextVisible(false);
    m_jobCancel = new QPushButton(this);
    m_jobCancel->setObjectName(QStringLiteral("jobCancel"));
    connect(m_jobCancel, &QPushButton::clicked, m_quantJob, &QuantizeJob::cancel);
    for (QWidget *w : std::initializer_list<QWidget *>{m_jobLabel, m_jobProgress, m_jobCancel}) {
        w->hide();
        statusBar()->addPermanentWidget(w);
    }
    m_planLabel = namedLabel("statusPlan");
    m_memoryLabel = namedLabel("statusMemory");
    statusBar()->addPermanentWidget(m_planLabel);
    statusBar()->addPermanentWidget(m_paramsLabel);
    statusBar()->addPermanentWidget(m_sizeLabel);
    statusBar()->addPermanentWidget(m_memoryLabel);
    auto *memoryTimer = new QTimer(this);
    memoryTimer->setInterval(2000);
    connect(memoryTimer, &QTimer::timeout, this, &MainWindow::updateMemory);
    memoryTimer->start();
    updateMemory();
}

} // namespace lowbit::studio
