// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/dialogs/export_dialog.h"

#include "core/export/gguf_export.h"
#include "core/export/hf_exports.h"
#include "core/methods/vq_tensor.h"
#include "core/model/model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <atomic>
#include <mutex>
#include <thread>

namespace lowbit::studio {

struct ExportDialog::Worker {
    std::stop_source stop;
    std::atomic<unsigned long long> done{0}, total{0};
    std::atomic<bool> finished{false};
    std::optional<lowbit::ExportReport> report;
    QString error;
    bool cancelled = false;
    std::jthread thread;
};

namespace {
const char *const kGgufTypes[] = {"", "q8_0", "q6_K", "q5_1", "q5_0", "q4_K", "q4_1", "q4_0", "iq4_nl", "mxfp4", "f16", "bf16", "f32"};

std::optional<DType> dtypeByName(const std::string &name)
{
    for (std::size_t i = 0; i < kDTypeCount; ++i)
        if (dtypeName(static_cast<DType>(i)) == name)
            return static_cast<DType>(i);
    return std::nullopt;
}
} // namespace

ExportDialog::ExportDialog(std::shared_ptr<const lowbit::Model> model, QWidget *parent) : QDialog(parent), m_model(std::move(model))
{
    setWindowTitle(tr("Export Model"));
    m_target = new QComboBox(this);
    m_target->addItem(tr("GGUF (llama.cpp)"));
    m_target->addItem(tr("GPTQ checkpoint (transformers, vLLM)"));
    m_target->addItem(tr("compressed-tensors (vLLM)"));
    m_target->addItem(tr("Fake-quant safetensors (any framework)"));
    m_target->addItem(tr("VPTQ checkpoint (transformers)"));
    m_type = new QComboBox(this);
    for (const char *t : kGgufTypes)
        m_type->addItem(*t ? QString::fromLatin1(t) : tr("from the plan"), QString::fromLatin1(t));
    m_dtype = new QComboBox(this);
    for (const char *t : {"f16", "bf16", "f32"})
        m_dtype->addItem(QString::fromLatin1(t));
    m_strict = new QCheckBox(tr("Strict: refuse instead of re-quantizing what the target cannot carry"), this);
    m_overwrite = new QCheckBox(tr("Overwrite an existing output"), this);
    m_path = new QLineEdit(this);
    m_browse = new QPushButton(tr("Browse…"), this);
    m_preview = new QTableWidget(0, 4, this);
    m_preview->setHorizontalHeaderLabels({tr("Tensor"), tr("Studio format"), tr("Stored as"), tr("What happens")});
    m_preview->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->verticalHeader()->setVisible(false);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    m_export = new QPushButton(tr("Export"), this);
    m_cancel = new QPushButton(tr("Close"), this);

    auto *form = new QFormLayout;
    form->addRow(tr("Target"), m_target);
    form->addRow(tr("GGUF type"), m_type);
    form->addRow(tr("Fake-quant dtype"), m_dtype);
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(m_browse);
    form->addRow(tr("Output"), pathRow);
    form->addRow(QString(), m_strict);
    form->addRow(QString(), m_overwrite);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_export);
    buttons->addWidget(m_cancel);
    auto *root = new QVBoxLayout(this);
    root->addLayout(form);
    root->addWidget(m_preview, 1);
    root->addWidget(m_status);
    root->addLayout(buttons);
    resize(900, 600);

    m_poll = new QTimer(this);
    m_poll->setInterval(50);
    connect(m_poll, &QTimer::timeout, this, &ExportDialog::poll);
    connect(m_target, &QComboBox::currentIndexChanged, this, &ExportDialog::refreshPreview);
    connect(m_type, &QComboBox::currentIndexChanged, this, &ExportDialog::refreshPreview);
    connect(m_strict, &QCheckBox::toggled, this, &ExportDialog::refreshPreview);
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_export, &QPushButton::clicked, this, [this] { startExport(); });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_worker)
            cancel();
        else
            reject();
    });
    refreshPreview();
}

ExportDialog::~ExportDialog()
{
    if (m_worker) {
        m_worker->stop.request_stop();
        m_worker->thread = {};
    }
}

void ExportDialog::setTarget(Target t) { m_target->setCurrentIndex(static_cast<int>(t)); }
void ExportDialog::setGgufType(const QString &type) { m_type->setCurrentIndex(std::max(0, m_type->findData(type))); }
void ExportDialog::setStrict(bool strict) { m_strict->setChecked(strict); }
void ExportDialog::setOutputPath(const QString &path) { m_path->setText(path); }
void ExportDialog::setOverwrite(bool overwrite) { m_overwrite->setChecked(overwrite); }

lowbit::ExportOptions ExportDialog::options() const
{
    lowbit::ExportOptions o;
    o.overwrite = m_overwrite->isChecked();
    o.strict = m_strict->isChecked();
    const std::string type = m_type->currentData().toString().toStdString();
    if (!type.empty())
        o.ggufType = dtypeByName(type);
    o.fakeQuantDtype = m_dtype->currentIndex() == 0 ? DType::F16 : m_dtype->currentIndex() == 1 ? DType::BF16 : DType::F32;
    return o;
}

void ExportDialog::browse()
{
    const bool file = static_cast<Target>(m_target->currentIndex()) == Target::Gguf;
    const QString p = file ? QFileDialog::getSaveFileName(this, tr("Export to"), m_path->text(), tr("GGUF (*.gguf)"))
                           : QFileDialog::getExistingDirectory(this, tr("Export into a new folder inside"));
    if (!p.isEmpty())
        m_path->setText(file ? p : p + QStringLiteral("/exported-model"));
}

void ExportDialog::refreshPreview()
{
    const auto target = static_cast<Target>(m_target->currentIndex());
    m_type->setEnabled(target == Target::Gguf);
    m_dtype->setEnabled(target == Target::FakeQuant);
    m_preview->setRowCount(0);
    if (!m_model)
        return;
    const lowbit::ExportOptions o = options();
    int requantized = 0, refused = 0;
    for (const lowbit::ModelTensor &t : m_model->tensors()) {
        if (t.view.shape.size() != 2)
            continue;
        QString storedAs, what;
        if (target == Target::Gguf) {
            auto c = lowbit::chooseGgufTensor(*m_model, t, o);
            if (!c) {
                ++refused;
                storedAs = QStringLiteral("—");
                what = tr("refused: %1").arg(QString::fromStdString(c.error().detail));
            } else {
                storedAs = QString::fromLatin1(dtypeName(c->type).data(), static_cast<int>(dtypeName(c->type).size()));
                const auto action = QString::fromLatin1(lowbit::exportActionName(c->action).data());
                what = c->action == lowbit::ExportAction::Requantized ? tr("re-quantized to %1 (the error is measured during the export)").arg(storedAs)
                                                                      : action;
                requantized += c->action == lowbit::ExportAction::Requantized;
            }
        } else if (target == Target::Vptq) {
            const bool vq = dynamic_cast<const lowbit::VqQuantizedTensor *>(t.view.decoder.get()) != nullptr;
            storedAs = vq ? QStringLiteral("VPTQ") : t.view.decoder ? QStringLiteral("f16") : QString::fromLatin1(dtypeName(t.view.dtype).data());
            what = vq ? tr("carried when the layout holds it (codebooks rounded to fp16 are reported, refused with Strict)")
                 : t.view.decoder ? tr("decoded, stored as f16 (refused with Strict for a linear layer)")
                                  : tr("kept unquantized");
        } else if (target == Target::FakeQuant) {
            storedAs = m_dtype->currentText();
            what = t.view.decoder ? tr("decoded, stored as %1").arg(storedAs) : tr("converted");
        } else {
            storedAs = target == Target::Gptq ? QStringLiteral("GPTQ int") : QStringLiteral("pack-quantized");
            what = t.view.decoder ? tr("carried when the format is an INT grid the layout holds (else re-quantized or refused with Strict)")
                                  : tr("kept unquantized");
        }
        const int row = m_preview->rowCount();
        m_preview->insertRow(row);
        m_preview->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(t.view.name)));
        m_preview->setItem(row, 1, new QTableWidgetItem(t.view.decoder ? QString::fromStdString(t.view.decoder->describe())
                                                                       : QString::fromLatin1(dtypeName(t.view.dtype).data())));
        m_preview->setItem(row, 2, new QTableWidgetItem(storedAs));
        m_preview->setItem(row, 3, new QTableWidgetItem(what));
    }
    if (target == Target::Gguf)
        m_status->setText(refused ? tr("%1 tensors cannot be carried and Strict is on: the export will be refused.").arg(refused)
                          : requantized ? tr("%1 tensors have no exact GGUF type and will be re-quantized (shown above).").arg(requantized)
                                        : tr("Every tensor is carried exactly or copied."));
    else
        m_status->clear();
}

int ExportDialog::previewRows() const { return m_preview->rowCount(); }
QString ExportDialog::previewAction(int row) const { return m_preview->item(row, 3) ? m_preview->item(row, 3)->text() : QString(); }
QString ExportDialog::statusText() const { return m_status->text(); }

bool ExportDialog::startExport()
{
    if (m_worker || !m_model)
        return false;
    const QString path = m_path->text().trimmed();
    if (path.isEmpty()) {
        m_status->setText(tr("Choose where to write the export."));
        return false;
    }
    m_report.reset();
    m_worker = std::make_shared<Worker>();
    std::shared_ptr<Worker> w = m_worker;
    lowbit::ExportOptions o = options();
    o.stop = w->stop.get_token();
    o.progress = [w](std::uint64_t d, std::uint64_t t, const std::string &) {
        w->done = d;
        w->total = t;
    };
    w->thread = std::jthread([w, o, model = m_model, target = static_cast<Target>(m_target->currentIndex()), p = path.toStdString()] {
        lowbit::Result<lowbit::ExportReport> r = target == Target::Gguf             ? lowbit::exportGguf(*model, p, o)
                                                 : target == Target::Gptq           ? lowbit::exportGptq(*model, p, o)
                                                 : target == Target::CompressedTensors ? lowbit::exportCompressedTensors(*model, p, o)
                                                 : target == Target::Vptq           ? lowbit::exportVptq(*model, p, o)
                                                                                       : lowbit::exportFakeQuant(*model, p, o);
        if (r)
            w->report = std::move(*r);
        else {
            w->cancelled = r.error().code == lowbit::ErrorCode::Cancelled;
            w->error = QString::fromStdString(r.error().message());
        }
        w->finished = true;
    });
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    m_export->setEnabled(false);
    m_cancel->setText(tr("Cancel"));
    m_status->setText(tr("Exporting…"));
    m_poll->start();
    return true;
}

void ExportDialog::cancel()
{
    if (m_worker)
        m_worker->stop.request_stop();
}

void ExportDialog::waitForFinished()
{
    while (m_worker) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        if (m_worker && m_worker->finished)
            poll();
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void ExportDialog::poll()
{
    if (!m_worker)
        return;
    const unsigned long long total = m_worker->total;
    if (total > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(static_cast<int>(1000.0 * static_cast<double>(m_worker->done) / static_cast<double>(total)));
    }
    if (!m_worker->finished)
        return;
    m_poll->stop();
    std::shared_ptr<Worker> w = std::move(m_worker);
    w->thread = {};
    m_progress->setVisible(false);
    m_export->setEnabled(true);
    m_cancel->setText(tr("Close"));
    if (!w->report) {
        m_status->setText(w->cancelled ? tr("Cancelled: nothing was written.") : tr("Export failed: %1").arg(w->error));
        if (!w->cancelled)
            emit failed(w->error);
        return;
    }
    m_report = std::move(w->report);
    int carried = 0, requantized = 0;
    double worst = 0;
    for (const lowbit::ExportedTensor &t : m_report->tensors) {
        carried += t.action == lowbit::ExportAction::Carried;
        if (t.action == lowbit::ExportAction::Requantized) {
            ++requantized;
            worst = std::max(worst, t.relError);
        }
    }
    QString text = tr("Wrote %1 (%2 MB in %3 s): %4 tensors carried exactly, %5 re-quantized")
                       .arg(QString::fromStdString(m_report->path))
                       .arg(static_cast<double>(m_report->bytes) / 1e6, 0, 'f', 2)
                       .arg(m_report->seconds, 0, 'f', 2)
                       .arg(carried)
                       .arg(requantized);
    if (requantized)
        text += tr(" (worst relative error %1)").arg(worst, 0, 'g', 3);
    for (const std::string &warning : m_report->warnings)
        text += QStringLiteral("\n") + QString::fromStdString(warning);
    m_status->setText(text);
    emit exported(QString::fromStdString(m_report->path));
}

} // namespace lowbit::studio
