// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Export the open (quantized) model: GGUF, GPTQ, compressed-tensors or fake-quant, the same core
/// exporters as `lowbit export`. Before anything is written the dialog lists, tensor by tensor,
/// what each target does with the plan — carried bit-exactly, converted, or re-quantized to which
/// type — so a format the target cannot carry is said plainly. The export runs off the GUI thread
/// with progress and Cancel; a cancelled or failed export leaves nothing behind.

#include "core/export/export_common.h"

#include <QDialog>

#include <memory>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;

namespace lowbit {
class Model;
}

namespace lowbit::studio {

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    enum class Target { Gguf, Gptq, CompressedTensors, FakeQuant, Vptq };

    explicit ExportDialog(std::shared_ptr<const lowbit::Model> model, QWidget *parent = nullptr);
    ~ExportDialog() override;

    void setTarget(Target t);
    void setGgufType(const QString &type); ///< "" = from the plan, else "q4_K", "q8_0", …
    void setStrict(bool strict);
    void setOutputPath(const QString &path);
    void setOverwrite(bool overwrite);

    /// Starts the export; false (with the reason in statusText()) when the inputs are invalid.
    bool startExport();
    void cancel();
    bool isRunning() const { return m_worker != nullptr; }
    void waitForFinished();

    // What is shown (tests).
    int previewRows() const;
    QString previewAction(int row) const;
    QString statusText() const;
    std::optional<lowbit::ExportReport> report() const { return m_report; }

signals:
    void exported(const QString &path);
    void failed(const QString &message);

private:
    struct Worker;

    void refreshPreview();
    void poll();
    void browse();
    lowbit::ExportOptions options() const;

    std::shared_ptr<const lowbit::Model> m_model;
    std::shared_ptr<Worker> m_worker;
    std::optional<lowbit::ExportReport> m_report;
    QComboBox *m_target = nullptr;
    QComboBox *m_type = nullptr;
    QComboBox *m_dtype = nullptr;
    QCheckBox *m_strict = nullptr;
    QCheckBox *m_overwrite = nullptr;
    QLineEdit *m_path = nullptr;
    QPushButton *m_browse = nullptr;
    QTableWidget *m_preview = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_cancel = nullptr;
    QTimer *m_poll = nullptr;
};

} // namespace lowbit::studio
