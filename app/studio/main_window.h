// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The studio's main window: File/Edit/View/Quantize/Help menus, an empty-state call to action,
/// the tensor tree dock (left), the format designer dock (right) and the views as tabs (Tensor,
/// Distribution, Errors, Compare, Run); a status bar with the model's summary, the plan's average
/// bits per weight, memory, and the running job's progress, ETA and Cancel. Models load off the
/// GUI thread; drag-and-drop of a file or folder opens it. Format edits are undoable commands.

#include <QMainWindow>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QUndoStack;

namespace lowbit {
class Model;
}

namespace lowbit::studio {

class BudgetView;
class CompareView;
class DistributionView;
class EmptyStateWidget;
class ErrorView;
class FormatDesigner;
class FormatProbe;
class LanguageManager;
class ModelLoadJob;
class ModelTreePanel;
class PlanMeasureJob;
class QuantizeJob;
class RunHistoryModel;
class RunPanel;
class TensorPanel;
struct ModelLoadResult;
struct QuantizeParams;
struct RunRecord;

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

    /// The views, in tab order; viewName() gives their stable names ("tensor", "distribution",
    /// "errors", "compare", "run") for --view and tests.
    enum class View { Tensor, Distribution, Errors, Compare, Run, Budget };
    static constexpr int kViewCount = 6;
    static QString viewName(View view);
    static std::optional<View> viewFromName(const QString &name);
    void setCurrentView(View view);
    View currentView() const;

    enum class ApplyScope { Selection, Matching, All };
    /// Plans the designer's format for the selection / the tensors whose name matches `pattern`
    /// (ECMAScript-like QRegularExpression) / every quantizable tensor, as one undoable command.
    /// Returns the number of tensors changed (0: nothing to do, invalid format or pattern).
    int applyDesignerFormat(ApplyScope scope, const QString &pattern = {});
    /// Clears the planned format of the selected tensors (undoable).
    int clearSelectedFormats();
    /// Starts a quantization job; false while one runs. Progress, ETA and Cancel show in the
    /// status bar; the finished run goes to the history.
    bool startQuantize(QuantizeParams params);
    /// Opens the Quantize dialog (non-modal) and starts the job when accepted.
    void showQuantizeDialog();
    /// The export dialog over the open model (GGUF, GPTQ, compressed-tensors, fake-quant).
    void showExportDialog();

    bool isLoading() const;
    bool isEmptyStateShown() const;
    std::shared_ptr<const lowbit::Model> currentModel() const { return m_model; }

    ModelTreePanel *treePanel() const { return m_treePanel; }
    TensorPanel *tensorPanel() const { return m_tensorPanel; }
    EmptyStateWidget *emptyState() const { return m_emptyState; }
    QDockWidget *treeDock() const { return m_treeDock; }
    QDockWidget *designerDock() const { return m_designerDock; }
    FormatDesigner *formatDesigner() const { return m_designer; }
    DistributionView *distributionView() const { return m_distribution; }
    ErrorView *errorView() const { return m_errors; }
    CompareView *compareView() const { return m_compare; }
    RunPanel *runPanel() const { return m_runPanel; }
    BudgetView *budgetView() const { return m_budgetView; }
    QTabWidget *viewTabs() const { return m_tabs; }
    QUndoStack *undoStack() const { return m_undo; }
    RunHistoryModel *runHistory() const { return m_runs; }
    QuantizeJob *quantizeJob() const { return m_quantJob; }
    FormatProbe *formatProbe() const { return m_probe; }
    PlanMeasureJob *planMeasureJob() const { return m_measure; }
    QAction *undoAction() const { return m_undoAction; }
    QAction *redoAction() const { return m_redoAction; }
    QAction *quantizeAction() const { return m_quantizeAction; }

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
    void showSettings();
    void applySettings();
    void onCurrentTensorChanged();
    void onFormatsChanged();
    void measurePlan();
    void onJobProgress(double fraction, int stage, const QString &tensor);
    void onJobEnded();
    void exportCurrentChart();
    void updateMemory();
    std::shared_ptr<const lowbit::Model> m_model;
    std::uint64_t m_bytesOnDisk = 0;
    QString m_pendingSelection;
    ErrorReporter m_errorReporter;
    ModelLoadJob *m_loader = nullptr;

    QStackedWidget *m_stack = nullptr;
    EmptyStateWidget *m_emptyState = nullptr;
    QTabWidget *m_tabs = nullptr;
    TensorPanel *m_tensorPanel = nullptr;
    DistributionView *m_distribution = nullptr;
    ErrorView *m_errors = nullptr;
    CompareView *m_compare = nullptr;
    RunPanel *m_runPanel = nullptr;
    BudgetView *m_budgetView = nullptr;
    ModelTreePanel *m_treePanel = nullptr;
    QDockWidget *m_treeDock = nullptr;
    FormatDesigner *m_designer = nullptr;
    QDockWidget *m_designerDock = nullptr;
    QUndoStack *m_undo = nullptr;
    RunHistoryModel *m_runs = nullptr;
    FormatProbe *m_probe = nullptr;
    PlanMeasureJob *m_measure = nullptr;
    QuantizeJob *m_quantJob = nullptr;
    LanguageManager *m_languages = nullptr;
    bool m_measureQueued = false;

    QMenu *m_fileMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_editMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_quantizeMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QAction *m_systemLanguageAction = nullptr;
    QAction *m_openFolderAction = nullptr;
    QAction *m_openFileAction = nullptr;
    QAction *m_clearRecentAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QAction *m_undoAction = nullptr;
    QAction *m_redoAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_quantizeAction = nullptr;
    QAction *m_exportModelAction = nullptr;
    QAction *m_cancelJobAction = nullptr;
    QAction *m_exportChartAction = nullptr;
    std::vector<QAction *> m_viewActions;

    QProgressBar *m_busy = nullptr;
    QLabel *m_busyLabel = nullptr;
    QLabel *m_modelLabel = nullptr;
    QLabel *m_paramsLabel = nullptr;
    QLabel *m_sizeLabel = nullptr;
    QLabel *m_archLabel = nullptr;
    QLabel *m_planLabel = nullptr;
    QLabel *m_memoryLabel = nullptr;
    QProgressBar *m_jobProgress = nullptr;
    QLabel *m_jobLabel = nullptr;
    QPushButton *m_jobCancel = nullptr;
    QString m_jobText;
};

} // namespace lowbit::studio
