// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Settings: compute threads, the compute device (the Run panel's default, and where a
/// quantization run measures perplexity), the default format the
/// designer starts with (a public name and group size) and the interface language, kept in the
/// settings store (Setting<T>). save() writes them; the main window applies them.

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace lowbit::studio {

class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    explicit SettingsDialog(QWidget *parent = nullptr);

    /// Writes the controls to the store; false (nothing written) when the default format is not a
    /// valid name.
    bool save();
    QString language() const;

    QSpinBox *threadsSpin() const { return m_threads; }
    QLineEdit *formatEdit() const { return m_format; }
    QComboBox *languageCombo() const { return m_language; }
    /// "cpu", then each Vulkan device as "vulkan:N" (as the run panel lists them)
    QComboBox *deviceCombo() const { return m_device; }

    void accept() override;

private:
    QSpinBox *m_threads = nullptr;
    QComboBox *m_device = nullptr;
    QLineEdit *m_format = nullptr;
    QComboBox *m_group = nullptr;
    QComboBox *m_language = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace lowbit::studio
