// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow: the format plan (apply, clear, measure), the quantize job (start, progress, end)
// and the export and quantize dialogs.
#include "app/studio/main_window.h"

#include "app/studio/design/format_choice.h"
#include "app/studio/dialogs/export_dialog.h"
#include "app/studio/dialogs/quantize_dialog.h"
#include "app/studio/jobs/plan_measure_job.h"
#include "app/studio/jobs/quantize_job.h"
#include "app/studio/models/layer_tree_model.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/undo/set_format_command.h"
#include "app/studio/views/format_designer.h"
#include "app/studio/views/model_tree_panel.h"
#include "core/model/model.h"

#include <QAction>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>

namespace lowbit::studio {

int MainWindow::applyDesignerFormat(ApplyScope scope, const QString &pattern)
{
    const auto &spec = m_designer->spec();
    LayerTreeModel *tree = m_treePanel->layerTreeModel();
    if (!spec || !m_model)
        return 0;
    std::vector<int> targets;
    QString text;
    switch (scope) {
    case ApplyScope::Selection:
        targets = m_treePanel->selectedTensorIndices();
        text = tr("Set %1 on the selection").arg(specDisplayName(*spec));
        break;
    case ApplyScope::All:
        targets = tree->quantizableTensors();
        std::erase_if(targets, [&](int i) {
            const TensorRole role = m_model->tensors()[static_cast<std::size_t>(i)].role;
            return role == TensorRole::Embedding || role == TensorRole::Output; // "all linear layers", as quantizeModel's default
        });
        text = tr("Set %1 on all linear tensors").arg(specDisplayName(*spec));
        break;
    case ApplyScope::Matching: {
        const QRegularExpression re(pattern);
        if (pattern.isEmpty() || !re.isValid()) {
            statusBar()->showMessage(tr("Invalid pattern: %1").arg(re.errorString()), 8000);
            return 0;
        }
        for (const int i : tree->quantizableTensors())
            if (re.match(QString::fromStdString(m_model->tensors()[static_cast<std::size_t>(i)].view.name)).hasMatch())
                targets.push_back(i);
        text = tr("Set %1 on tensors matching “%2”").arg(specDisplayName(*spec), pattern);
        break;
    }
    }
    std::erase_if(targets, [&](int i) { return !tree->isQuantizable(i); });
    if (targets.empty()) {
        statusBar()->showMessage(tr("No quantizable tensor selected or matched."), 8000);
        return 0;
    }
    const int n = static_cast<int>(targets.size());
    m_undo->push(new SetFormatCommand(tree, std::move(targets), spec, text));
    return n;
}

int MainWindow::clearSelectedFormats()
{
    LayerTreeModel *tree = m_treePanel->layerTreeModel();
    std::vector<int> targets = m_treePanel->selectedTensorIndices();
    std::erase_if(targets, [&](int i) { return !tree->tensorFormat(i); });
    if (targets.empty())
        return 0;
    const int n = static_cast<int>(targets.size());
    m_undo->push(new SetFormatCommand(tree, std::move(targets), std::nullopt, tr("Clear the format of %n tensor(s)", nullptr, n)));
    return n;
}

void MainWindow::onFormatsChanged()
{
    m_treePanel->setPlanColumnsVisible(true);
    updateStatusBar();
    if (m_measureQueued)
        return;
    m_measureQueued = true; // a burst of edits (apply to all, undo of many) measures once
    QTimer::singleShot(50, this, [this] {
        m_measureQueued = false;
        measurePlan();
    });
}

void MainWindow::measurePlan()
{
    LayerTreeModel *tree = m_treePanel->layerTreeModel();
    if (!m_model)
        return;
    std::vector<PlanMeasureItem> items;
    for (const int i : tree->unmeasuredTensors())
        if (const auto spec = tree->tensorFormat(i))
            items.push_back({i, m_model->tensors()[static_cast<std::size_t>(i)].view, *spec});
    m_measure->start(std::move(items));
}

bool MainWindow::startQuantize(QuantizeParams params)
{
    if (params.threads == 0)
        params.threads = static_cast<unsigned>(Setting<int>(keys::kThreads, 0).value());
    if (params.evalDevice.isEmpty())
        params.evalDevice = Setting<QString>(keys::kDevice, QStringLiteral("cpu")).value();
    if (!m_quantJob->start(std::move(params)))
        return false;
    m_jobText = tr("Quantizing");
    for (QWidget *w : std::initializer_list<QWidget *>{m_jobLabel, m_jobProgress, m_jobCancel})
        w->show();
    m_jobProgress->setValue(0);
    m_jobLabel->setText(tr("Starting…"));
    m_quantizeAction->setEnabled(false);
    m_cancelJobAction->setEnabled(true);
    return true;
}

void MainWindow::showExportDialog()
{
    if (!m_model)
        return;
    auto *dialog = new ExportDialog(m_model, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showQuantizeDialog()
{
    if (!m_model || m_quantJob->isRunning())
        return;
    auto *dialog = new QuantizeDialog(m_model, m_treePanel->layerTreeModel()->formatPlan(), m_designer->spec(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (auto p = dialog->params())
            startQuantize(std::move(*p));
    });
    dialog->open();
}

void MainWindow::onJobProgress(double fraction, int stage, const QString &tensor)
{
    m_jobProgress->setValue(static_cast<int>(fraction * 1000.0));
    QString what;
    switch (static_cast<QuantizeJob::Stage>(stage)) {
    case QuantizeJob::Calibrating: what = tr("Calibrating"); break;
    case QuantizeJob::Quantizing: what = tensor.isEmpty() ? tr("Quantizing") : tr("Quantizing %1").arg(tensor); break;
    case QuantizeJob::Evaluating: what = tr("Measuring perplexity"); break;
    case QuantizeJob::Writing: what = tr("Writing the container"); break;
    }
    const double eta = m_quantJob->etaSeconds();
    const QLocale loc;
    QString text = tr("%1 — %2 %").arg(what, loc.toString(fraction * 100.0, 'f', 0));
    if (eta >= 0)
        text += QStringLiteral(" · ") + tr("ETA %1 s").arg(loc.toString(eta, 'f', eta < 10 ? 1 : 0));
    m_jobLabel->setText(text);
}

void MainWindow::onJobEnded()
{
    for (QWidget *w : std::initializer_list<QWidget *>{m_jobLabel, m_jobProgress, m_jobCancel})
        w->hide();
    m_quantizeAction->setEnabled(m_model != nullptr);
    m_cancelJobAction->setEnabled(false);
}

} // namespace lowbit::studio
