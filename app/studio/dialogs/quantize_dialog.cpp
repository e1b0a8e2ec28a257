// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/dialogs/quantize_dialog.h"

#include "app/studio/design/format_choice.h"
#include "core/io/studio_container.h"
#include "core/model/model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace lowbit::studio {
namespace {

QString sharedText()
{
    const QString shared = qEnvironmentVariable("LOWBIT_SHARED_DIR");
    const QString path = shared + QStringLiteral("/data/tinystories_valid_first1000.txt");
    return !shared.isEmpty() && QFileInfo::exists(path) ? path : QString();
}

/// A line edit with a "…" button opening a file dialog.
QWidget *withBrowse(QLineEdit *edit, QWidget *parent, bool save, const QString &filter)
{
    auto *box = new QWidget(parent);
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *button = new QToolButton(box);
    button->setText(QStringLiteral("…"));
    layout->addWidget(edit, 1);
    layout->addWidget(button);
    QObject::connect(button, &QToolButton::clicked, edit, [edit, save, filter] {
        const QString path = save ? QFileDialog::getSaveFileName(edit, QString(), edit->text(), filter)
                                  : QFileDialog::getOpenFileName(edit, QString(), edit->text(), filter);
        if (!path.isEmpty())
            edit->setText(path);
    });
    return box;
}

} // namespace

QuantizeDialog::QuantizeDialog(std::shared_ptr<const Model> model, std::map<std::string, FormatSpec> plan,
                               std::optional<FormatSpec> fallback, QWidget *parent)
    : QDialog(parent), m_model(std::move(model)), m_plan(std::move(plan)), m_fallback(std::move(fallback))
{
    setObjectName(QStringLiteral("quantizeDialog"));
    setWindowTitle(tr("Quantize Model"));
    m_method = new QComboBox(this);
    m_method->setObjectName(QStringLiteral("methodCombo"));
    for (const MethodInfo &m : listMethods())
        m_method->addItem(QString::fromUtf8(m.name.data(), static_cast<qsizetype>(m.name.size())),
                          QString::fromUtf8(m.summary.data(), static_cast<qsizetype>(m.summary.size())));
    m_methodSummary = new QLabel(this);
    m_methodSummary->setWordWrap(true);
    m_methodSummary->setStyleSheet(QStringLiteral("color: #5a5a5a;"));
    m_calib = new QLineEdit(sharedText(), this);
    m_calib->setObjectName(QStringLiteral("calibrationEdit"));
    m_calib->setPlaceholderText(tr("none (RTN and clipping run without calibration)"));
    m_tokens = new QSpinBox(this);
    m_tokens->setRange(64, 10'000'000);
    m_tokens->setSingleStep(1024);
    m_tokens->setValue(4096);
    m_tokens->setSuffix(tr(" tokens"));
    m_evaluate = new QCheckBox(tr("Measure perplexity after quantizing"), this);
    m_evaluate->setObjectName(QStringLiteral("evaluateCheck"));
    m_evaluate->setChecked(!sharedText().isEmpty());
    m_evalText = new QLineEdit(sharedText(), this);
    m_evalDocs = new QSpinBox(this);
    m_evalDocs->setRange(1, 100000);
    m_evalDocs->setValue(20);
    m_evalDocs->setSuffix(tr(" documents"));
    m_unplanned = new QComboBox(this);
    m_unplanned->setObjectName(QStringLiteral("unplannedCombo"));
    m_unplanned->addItem(fallback ? tr("Quantize with the designer's format (%1)").arg(specDisplayName(*m_fallback))
                                  : tr("Quantize with the designer's format (invalid)"));
    m_unplanned->addItem(tr("Keep in original precision"));
    m_unplanned->setCurrentIndex(m_plan.empty() ? 0 : 1);
    m_embedding = new QCheckBox(tr("Also quantize the token embedding and a separate classifier"), this);
    const QString base = m_model ? QFileInfo(QString::fromStdString(m_model->path())).completeBaseName() : QStringLiteral("model");
    const QString dir = m_model ? QFileInfo(QString::fromStdString(m_model->path())).absolutePath() : QDir::homePath();
    m_output = new QLineEdit(QDir(QDir::tempPath()).filePath(base + QStringLiteral("-studio") + QString::fromLatin1(kStudioContainerSuffix.data(),
                                                                                                              static_cast<qsizetype>(kStudioContainerSuffix.size()))),
                             this);
    m_output->setObjectName(QStringLiteral("outputEdit"));
    Q_UNUSED(dir)
    m_summary = new QLabel(this);
    m_summary->setWordWrap(true);
    m_problem = new QLabel(this);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));

    auto *form = new QFormLayout;
    form->addRow(tr("Method:"), m_method);
    form->addRow(QString(), m_methodSummary);
    form->addRow(tr("Calibration text:"), withBrowse(m_calib, this, false, tr("Text files (*.txt);;All files (*)")));
    form->addRow(tr("Calibration tokens:"), m_tokens);
    form->addRow(QString(), m_evaluate);
    form->addRow(tr("Evaluation text:"), withBrowse(m_evalText, this, false, tr("Text files (*.txt);;All files (*)")));
    form->addRow(tr("Evaluate on:"), m_evalDocs);
    form->addRow(tr("Tensors without a plan:"), m_unplanned);
    form->addRow(QString(), m_embedding);
    form->addRow(tr("Output container:"), withBrowse(m_output, this, true, tr("Studio container (*.lowbit.safetensors)")));
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Quantize"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QuantizeDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QuantizeDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_summary);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    for (QLineEdit *e : {m_calib, m_evalText, m_output})
        connect(e, &QLineEdit::textChanged, this, &QuantizeDialog::updateState);
    connect(m_method, &QComboBox::currentIndexChanged, this, &QuantizeDialog::updateState);
    connect(m_unplanned, &QComboBox::currentIndexChanged, this, &QuantizeDialog::updateState);
    connect(m_evaluate, &QCheckBox::toggled, this, &QuantizeDialog::updateState);
    resize(640, sizeHint().height());
    updateState();
}

std::optional<QuantizeParams> QuantizeDialog::params(QString *error) const
{
    auto failWith = [error](const QString &text) -> std::optional<QuantizeParams> {
        if (error)
            *error = text;
        return std::nullopt;
    };
    if (!m_model)
        return failWith(tr("No model is open."));
    QuantizeParams p;
    p.model = m_model;
    p.config.method = m_method->currentText().toStdString();
    p.config.plan = m_plan;
    const bool keepUnplanned = m_unplanned->currentIndex() == 1;
    if (keepUnplanned) {
        if (m_plan.empty())
            return failWith(tr("Nothing to quantize: plan formats in the designer or quantize the other tensors too."));
        p.config.skipPattern = ".*"; // the plan still applies: it overrides the skip pattern
        p.config.defaultSpec = m_plan.begin()->second;
    } else {
        if (!m_fallback)
            return failWith(tr("The designer's format is not valid."));
        p.config.defaultSpec = *m_fallback;
    }
    p.config.includeEmbedding = p.config.includeOutput = m_embedding->isChecked();
    for (const auto &[name, spec] : m_plan) {
        const ModelTensor *t = m_model->findByName(name);
        if (t && (t->role == TensorRole::Embedding || t->role == TensorRole::Output)) {
            // A planned embedding/classifier is quantized even without the check box.
            if (t->role == TensorRole::Embedding)
                p.config.includeEmbedding = true;
            else
                p.config.includeOutput = true;
        }
    }
    const auto method = findMethod(p.config.method);
    if (!method)
        return failWith(QString::fromStdString(method.error().message()));
    p.calibrationTextPath = m_calib->text().trimmed();
    if ((*method)->needsCalibration && p.calibrationTextPath.isEmpty())
        return failWith(tr("%1 needs a calibration text.").arg(m_method->currentText()));
    if (!p.calibrationTextPath.isEmpty() && !QFileInfo(p.calibrationTextPath).isFile())
        return failWith(tr("The calibration text %1 does not exist.").arg(QDir::toNativeSeparators(p.calibrationTextPath)));
    p.calibrationTokens = m_tokens->value();
    if (m_evaluate->isChecked()) {
        p.evalTextPath = m_evalText->text().trimmed();
        if (!QFileInfo(p.evalTextPath).isFile())
            return failWith(tr("The evaluation text %1 does not exist.").arg(QDir::toNativeSeparators(p.evalTextPath)));
        p.evalDocuments = m_evalDocs->value();
    }
    p.outputPath = m_output->text().trimmed();
    if (!isStudioContainerPath(p.outputPath.toStdString()))
        return failWith(tr("The output file name must end in %1.").arg(QString::fromLatin1(kStudioContainerSuffix.data(),
                                                                                            static_cast<qsizetype>(kStudioContainerSuffix.size()))));
    return p;
}

void QuantizeDialog::updateState()
{
    m_methodSummary->setText(m_method->currentData().toString());
    m_evalText->setEnabled(m_evaluate->isChecked());
    m_evalDocs->setEnabled(m_evaluate->isChecked());
    m_summary->setText(m_plan.empty() ? tr("No tensor has a planned format: every linear tensor gets the designer's format.")
                                      : tr("%n tensor(s) have a planned format from the designer.", nullptr, static_cast<int>(m_plan.size())));
    QString problem;
    const bool ok = params(&problem).has_value();
    m_problem->setText(ok ? QString() : problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
}

void QuantizeDialog::accept()
{
    if (params())
        QDialog::accept();
}

} // namespace lowbit::studio
