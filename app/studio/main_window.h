// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The studio's main window: File/View/Help menus, an empty-state call to action, the tensor
/// tree dock, the Tensor panel and a status bar with the loaded model's summary. Models load
/// off the GUI thread; drag-and-drop of a file or folder opens it.

#include <QMainWindow>

#include <functional>
#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QStackedWidget;

namespace lowbit {
class Model;
}

namespace lowbit::studio {

class EmptyStateWidget;
class LanguageManager;
class ModelLoadJob;
class ModelTreePanel;
class TensorPanel;
struct ModelLoadResult;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// Shows a load error to the user: (title, message). The default opens a non-modal
    /// QMessageBox (objectName "loadErrorBox"); tests may inject their own.
    using ErrorReporter = std::function<void(const QString &title, const QString &message)>;

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Starts loading a model folder or file in the background; modelLoaded() or
    /// modelLoadFailed() follows. The current model stays on display until then.
    void openModel(const QString &path);
    /// Puts an already opened model on display (what a finished load does); nullptr returns to
    /// the empty state. `bytesOnDisk` is shown in the status bar.
    void showModel(std::shared_ptr<const lowbit::Model> model, std::uint64_t bytesOnDisk = 0);
    /// Selects the tensor `name` now, or as soon as the model being loaded is on display.
    void selectTensor(const QString &name);
    void setErrorReporter(ErrorReporter reporter);
    /// Adds View > Language, switching through `languages` (not owned; must outlive the window)
    /// and remembering the choice in the settings.
    void setLanguageManager(LanguageManager *languages);

    bool isLoading() const;
    bool isEmptyStateShown() const;
    std::shared_ptr<const lowbit::Model> currentModel() const { return m_model; }

    ModelTreePanel *treePanel() const { return m_treePanel; }
    TensorPanel *tensorPanel() const { return m_tensorPanel; }
    EmptyStateWidget *emptyState() const { return m_emptyState; }
    QDockWidget *treeDock() const { return m_treeDock; }

signals:
    void modelLoaded(const QString &path);
    void modelLoadFailed(const QString &path, const QString &message);

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createStatusBar();
    void retranslateUi();
    void updateRecentMenu();
    void updateStatusBar();
    void onLoadFinished(const ModelLoadResult &result);
    void openFolderDialog();
    void openFileDialog();
    void showAbout();

    std::shared_ptr<const lowbit::Model> m_model;
    std::uint64_t m_bytesOnDisk = 0;
    QString m_pendingSelection;
    ErrorReporter m_errorReporter;
    ModelLoadJob *m_loader = nullptr;

    QStackedWidget *m_stack = nullptr;
    EmptyStateWidget *m_emptyState = nullptr;
    TensorPanel *m_tensorPanel = nullptr;
    ModelTreePanel *m_treePanel = nullptr;
    QDockWidget *m_treeDock = nullptr;

    QMenu *m_fileMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QAction *m_systemLanguageAction = nullptr;
    QAction *m_openFolderAction = nullptr;
    QAction *m_openFileAction = nullptr;
    QAction *m_clearRecentAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;

    QProgressBar *m_busy = nullptr;
    QLabel *m_busyLabel = nullptr;
    QLabel *m_modelLabel = nullptr;
    QLabel *m_paramsLabel = nullptr;
    QLabel *m_sizeLabel = nullptr;
    QLabel *m_archLabel = nullptr;
};

} // namespace lowbit::studio
