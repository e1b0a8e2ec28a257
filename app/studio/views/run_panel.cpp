// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/views/run_panel.h"

#include "app/common/device_engine.h"
#include "app/studio/models/run_history_model.h"
#include "app/studio/util/vulkan_devices.h"
#include "core/infer/cpu_model.h"
#include "core/infer/generate.h"
#include "core/infer/tokenizer.h"
#include "core/model/model.h"


#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <chrono>

namespace lowbit::studio {
namespace {

struct GenerateRequest {
    std::shared_ptr<const Model> model; ///< the open model, or nullptr to open `path`
    std::string path;
    std::string device;
    unsigned threads = 0;
    KvCacheType kvCache = KvCacheType::F32;
    bool int8Activations = false; ///< Vulkan only
    std::string prompt;
    std::int64_t maxTokens = 64;
    float temperature = 0.8f;
};

GenerationOutcome runGeneration(const GenerateRequest &req, const std::function<void(const std::string &)> &onToken, std::stop_token stop)
{
    GenerationOutcome out;
    out.device = QString::fromStdString(req.device);
    const auto t0 = std::chrono::steady_clock::now();
    std::shared_ptr<const Model> model = req.model;
    if (!model) {
        auto m = Model::open(req.path);
        if (!m) {
            out.error = QString::fromStdString(m.error().message());
            return out;
        }
        model = std::make_shared<const Model>(std::move(*m));
    }
    auto tok = loadTokenizer(model->path(), model->config().vocabSize);
    if (!tok) {
        out.error = QString::fromStdString(tok.error().message());
        return out;
    }
    DeviceEngineOptions eo;
    eo.engine.threads = req.threads;
    eo.engine.kvCache = req.kvCache;
    eo.int8Activations = req.int8Activations && isVulkanDevice(req.device);
    auto loaded = loadEngineOn(*model, req.device, eo);
    if (!loaded) {
        out.error = QString::fromStdString(loaded.error().message());
        out.offerCpu = isVulkanDevice(req.device);
        return out;
    }
    InferenceModel *engine = loaded->engine.get();
    out.loadSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    SamplerOptions so;
    so.temperature = req.temperature;
    so.seed = 42;
    auto r = generate(*engine, **tok, req.prompt, req.maxTokens, so, onToken, stop);
    if (!r) {
        out.error = QString::fromStdString(r.error().message());
        out.offerCpu = loaded->vulkan && r.error().code != ErrorCode::Cancelled; // e.g. the device lost
        return out;
    }
    out.text = QString::fromStdString(r->text);
    out.tokens = r->generated;
    out.tokensPerSecond = r->tokensPerSecond;
    out.promptTokens = r->promptTokens;
    out.promptTokensPerSecond = r->promptTokensPerSecond;
    return out;
}

} // namespace

RunPanel::RunPanel(RunHistoryModel *runs, QWidget *parent) : QWidget(parent), m_runs(runs)
{
    setObjectName(QStringLiteral("runPanel"));
    m_sourceLabel = new QLabel(this);
    m_deviceLabel = new QLabel(this);
    m_promptLabel = new QLabel(this);
    m_tokensLabel = new QLabel(this);
    m_tempLabel = new QLabel(this);
    m_kvLabel = new QLabel(this);
    m_actLabel = new QLabel(this);
    m_source = new QComboBox(this);
    m_source->setObjectName(QStringLiteral("runSource"));
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_source->setMinimumContentsLength(24);
    m_device = new QComboBox(this);
    m_device->setObjectName(QStringLiteral("runDevice"));
    m_kvCache = new QComboBox(this);
    m_kvCache->setObjectName(QStringLiteral("runKvCache"));
    m_kvCache->addItem(QString(), QStringLiteral("f32"));
    m_kvCache->addItem(QString(), QStringLiteral("f16"));
    m_activations = new QComboBox(this);
    m_activations->setObjectName(QStringLiteral("runActivations"));
    m_activations->addItem(QString(), QStringLiteral("f32"));
    m_activations->addItem(QString(), QStringLiteral("int8"));
    m_prompt = new QLineEdit(QStringLiteral("Once upon a time"), this);
    m_prompt->setObjectName(QStringLiteral("runPrompt"));
    m_tokens = new QSpinBox(this);
    m_tokens->setRange(1, 4096);
    m_tokens->setValue(100);
    m_temperature = new QDoubleSpinBox(this);
    m_temperature->setRange(0.0, 2.0);
    m_temperature->setSingleStep(0.1);
    m_temperature->setValue(0.8);
    m_generate = new QPushButton(this);
    m_generate->setObjectName(QStringLiteral("generateButton"));
    m_stop = new QPushButton(this);
    m_stop->setEnabled(false);
    m_runOnCpu = new QPushButton(this);
    m_runOnCpu->setObjectName(QStringLiteral("runOnCpuButton"));
    m_runOnCpu->hide();
    m_output = new QPlainTextEdit(this);
    m_output->setObjectName(QStringLiteral("runOutput"));
    m_output->setReadOnly(true);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_stats = new QLabel(this);
    m_stats->setObjectName(QStringLiteral("runStats"));
    m_stats->setWordWrap(true);

    auto *form = new QFormLayout;
    form->addRow(m_sourceLabel, m_source);
    form->addRow(m_deviceLabel, m_device);
    form->addRow(m_kvLabel, m_kvCache);
    form->addRow(m_actLabel, m_activations);
    form->addRow(m_promptLabel, m_prompt);
    auto *row = new QHBoxLayout;
    row->addWidget(m_tokensLabel);
    row->addWidget(m_tokens);
    row->addWidget(m_tempLabel);
    row->addWidget(m_temperature);
    row->addStretch(1);
    row->addWidget(m_generate);
    row->addWidget(m_stop);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(row);
    layout->addWidget(m_output, 1);
    auto *statsRow = new QHBoxLayout;
    statsRow->addWidget(m_stats, 1);
    statsRow->addWidget(m_runOnCpu);
    layout->addLayout(statsRow);

    m_drain = new QTimer(this);
    m_drain->setInterval(33);
    connect(m_drain, &QTimer::timeout, this, &RunPanel::drainStream);
    connect(m_generate, &QPushButton::clicked, this, &RunPanel::generate);
    connect(m_prompt, &QLineEdit::returnPressed, this, &RunPanel::generate);
    connect(m_stop, &QPushButton::clicked, this, &RunPanel::stop);
    connect(m_runOnCpu, &QPushButton::clicked, this, &RunPanel::runOnCpu);
    connect(m_runs, &RunHistoryModel::runsChanged, this, &RunPanel::fillSources);
    // int8 activations are the Vulkan engine's (its integer kernels)
    connect(m_device, &QComboBox::currentIndexChanged, this,
            [this] { m_activations->setEnabled(m_device->currentData().toString().startsWith(QStringLiteral("vulkan"))); });
    fillDevices();
    m_activations->setEnabled(m_device->currentData().toString().startsWith(QStringLiteral("vulkan")));
    retranslateUi();
}

RunPanel::~RunPanel()
{
    m_stopSource.request_stop();
    if (m_watcher) {
        disconnect(m_watcher, nullptr, this, nullptr);
        m_watcher->waitForFinished();
    }
}

void RunPanel::setModel(std::shared_ptr<const Model> model)
{
    m_model = std::move(model);
    fillSources();
}

void RunPanel::setDevice(const QString &device)
{
    const int i = m_device->findData(device);
    if (i >= 0)
        m_device->setCurrentIndex(i);
}

void RunPanel::fillDevices()
{
    m_device->clear();
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    for (const VulkanDeviceChoice &d : vulkanDeviceChoices())
        m_device->addItem(tr("Vulkan: %1").arg(d.name), d.id);
}

void RunPanel::fillSources()
{
    const QString current = m_source->currentData().toString();
    const QSignalBlocker block(m_source);
    m_source->clear();
    if (m_model)
        m_source->addItem(tr("Open model (%1)").arg(QFileInfo(QString::fromStdString(m_model->path())).fileName()), QString());
    for (int i = 0; i < m_runs->runCount(); ++i)
        m_source->addItem(tr("Run: %1").arg(m_runs->run(i).name), m_runs->run(i).outputPath);
    const int again = m_source->findData(current);
    m_source->setCurrentIndex(again >= 0 ? again : 0);
    m_generate->setEnabled(m_source->count() > 0 && !isBusy());
}

void RunPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QWidget::changeEvent(event);
}

void RunPanel::retranslateUi()
{
    m_sourceLabel->setText(tr("Model:"));
    m_deviceLabel->setText(tr("Device:"));
    m_kvLabel->setText(tr("KV cache:"));
    m_kvCache->setItemText(0, tr("fp32 (exact)"));
    m_kvCache->setItemText(1, tr("fp16 (half the memory)"));
    m_kvCache->setToolTip(tr("How keys and values are stored: fp16 rounds them as llama.cpp's default cache does"));
    m_actLabel->setText(tr("Activations:"));
    m_activations->setItemText(0, tr("fp32 (exact)"));
    m_activations->setItemText(1, tr("int8 (integer kernels: faster)"));
    m_activations->setToolTip(tr("int8 quantizes the inputs of 2- to 4-bit INT linears, as llama.cpp does, for integer kernels: per 32 values on "
                                 "CPU Vulkan devices, per 8 on GPUs that accelerate the integer dot product (there for decoding only); "
                                 "the Vulkan engine only"));
    m_promptLabel->setText(tr("Prompt:"));
    m_tokensLabel->setText(tr("Tokens:"));
    m_tempLabel->setText(tr("Temperature:"));
    m_generate->setText(tr("Generate"));
    m_generate->setToolTip(tr("Generate text (Return in the prompt)"));
    m_stop->setText(tr("Stop"));
    m_runOnCpu->setText(tr("Run on the CPU"));
    m_runOnCpu->setToolTip(tr("Generate the same text with the CPU engine"));
    m_device->setItemText(0, tr("CPU"));
    fillSources();
    if (!isBusy() && m_stats->text().isEmpty())
        m_stats->setText(tr("Generates on the chosen device; tokens per second appear when it ends."));
}

QString RunPanel::outputText() const { return m_output->toPlainText(); }
QString RunPanel::statsText() const { return m_stats->text(); }

bool RunPanel::generate()
{
    if (isBusy() || m_source->count() == 0)
        return false;
    GenerateRequest req;
    const QString path = m_source->currentData().toString();
    if (path.isEmpty())
        req.model = m_model;
    else
        req.path = path.toStdString();
    if (!req.model && req.path.empty())
        return false;
    req.device = m_device->currentData().toString().toStdString();
    req.threads = m_threads;
    req.kvCache = parseKvCacheType(m_kvCache->currentData().toString().toStdString()).value_or(KvCacheType::F32);
    req.int8Activations = m_activations->isEnabled() && m_activations->currentData().toString() == QStringLiteral("int8");
    req.prompt = m_prompt->text().toStdString();
    req.maxTokens = m_tokens->value();
    req.temperature = static_cast<float>(m_temperature->value());
    m_output->setPlainText(m_prompt->text());
    m_stats->setText(tr("Loading the model on %1…").arg(m_device->currentText()));
    m_stopSource = std::stop_source();
    m_stream = std::make_shared<Stream>();
    const std::shared_ptr<Stream> stream = m_stream;
    const std::stop_token token = m_stopSource.get_token();
    m_watcher = new QFutureWatcher<GenerationOutcome>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, [this] {
        QFutureWatcher<GenerationOutcome> *w = std::exchange(m_watcher, nullptr);
        w->deleteLater();
        m_drain->stop();
        drainStream();
        const GenerationOutcome r = w->result();
        const QLocale loc;
        m_stats->setText(r.error.isEmpty() ? tr("%1 tokens at %2 tokens/s on %3; prompt %4 tokens at %5 tokens/s (model loaded in %6 s)")
                                                 .arg(loc.toString(static_cast<qlonglong>(r.tokens)), loc.toString(r.tokensPerSecond, 'f', 1),
                                                      m_device->currentText(), loc.toString(static_cast<qlonglong>(r.promptTokens)),
                                                      loc.toString(r.promptTokensPerSecond, 'f', 1), loc.toString(r.loadSeconds, 'f', 2))
                                           : r.offerCpu ? tr("Generation failed on %1: %2. The CPU engine can run it instead.").arg(m_device->currentText(), r.error)
                                                        : tr("Generation failed: %1").arg(r.error));
        m_runOnCpu->setVisible(r.offerCpu);
        m_generate->setEnabled(true);
        m_stop->setEnabled(false);
        emit generationFinished(r);
    });
    m_generate->setEnabled(false);
    m_stop->setEnabled(true);
    m_runOnCpu->hide();
    m_drain->start();
    m_watcher->setFuture(QtConcurrent::run([req, stream, token] {
        return runGeneration(req, [stream](const std::string &piece) {
            const std::lock_guard lock(stream->mutex);
            stream->pending += piece;
        }, token);
    }));
    return true;
}

bool RunPanel::runOnCpu()
{
    if (isBusy())
        return false;
    setDevice(QStringLiteral("cpu"));
    return generate();
}

void RunPanel::stop() { m_stopSource.request_stop(); }

void RunPanel::drainStream()
{
    if (!m_stream)
        return;
    std::string text;
    {
        const std::lock_guard lock(m_stream->mutex);
        text.swap(m_stream->pending);
    }
    if (text.empty())
        return;
    m_output->moveCursor(QTextCursor::End);
    m_output->insertPlainText(QString::fromStdString(text));
}

} // namespace lowbit::studio
