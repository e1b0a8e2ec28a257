// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Quantize Model: method (listMethods()), calibration text and token count, an optional
/// perplexity evaluation, what happens to tensors the plan leaves out (the designer's format or
/// their original precision) and the output container. Builds QuantizeParams; the main window
/// runs them as a QuantizeJob.

#include "app/studio/jobs/quantize_job.h"

#include <QDialog>

#include <map>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace lowbit::studio {

class QuantizeDialog : public QDialog {
    Q_OBJECT
public:
    /// `plan`: the tree's format plan; `fallback`: the designer's format (nullopt when invalid).
    QuantizeDialog(std::shared_ptr<const lowbit::Model> model, std::map<std::string, lowbit::FormatSpec> plan,
                   std::optional<lowbit::FormatSpec> fallback, QWidget *parent = nullptr);

    /// The job's parameters from the controls; nullopt (with `error` set) when they are incomplete.
    std::optional<QuantizeParams> params(QString *error = nullptr) const;

    QComboBox *methodCombo() const { return m_method; }
    QLineEdit *calibrationEdit() const { return m_calib; }
    QLineEdit *outputEdit() const { return m_output; }
    QCheckBox *evaluateCheck() const { return m_evaluate; }
    QComboBox *unplannedCombo() const { return m_unplanned; }

    void accept() override;

private:
    void updateState();

    std::shared_ptr<const lowbit::Model> m_model;
    std::map<std::string, lowbit::FormatSpec> m_plan;
    std::optional<lowbit::FormatSpec> m_fallback;
    QComboBox *m_method = nullptr;
    QLabel *m_methodSummary = nullptr;
    QLineEdit *m_calib = nullptr;
    QSpinBox *m_tokens = nullptr;
    QCheckBox *m_evaluate = nullptr;
    QLineEdit *m_evalText = nullptr;
    QSpinBox *m_evalDocs = nullptr;
    QComboBox *m_unplanned = nullptr;
    QCheckBox *m_embedding = nullptr;
    QLineEdit *m_output = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_problem = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace lowbit::studio
