// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Run: generate text from the open model or a quantized run's container, on the CPU engine or a
/// Vulkan device (when the build has one), off the GUI thread. Text streams in as it is produced;
/// tokens per second are shown at the end. Stop maps to request_stop(). When the Vulkan engine
/// fails (no such device, out of its memory, the device lost mid-way) the panel offers the CPU
/// engine: one click runs the same request there.

#include <QFutureWatcher>
#include <QWidget>

#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace lowbit {
class Model;
}

namespace lowbit::studio {

class RunHistoryModel;

struct GenerationOutcome {
    QString text;
    std::int64_t tokens = 0;
    double tokensPerSecond = 0;
    std::int64_t promptTokens = 0;      ///< the prefill: the prompt's tokens with BOS
    double promptTokensPerSecond = 0;
    double loadSeconds = 0;
    QString device;
    QString error; ///< empty on success
    /// The Vulkan engine failed (its device, its memory): the CPU engine may run what it could not.
    /// False on success, for the CPU engine, a stop, or a model or tokenizer that does not open.
    bool offerCpu = false;
};

class RunPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunPanel(RunHistoryModel *runs, QWidget *parent = nullptr);
    ~RunPanel() override;

    void setModel(std::shared_ptr<const lowbit::Model> model);
    /// "cpu" or "vulkan:N": the device combo's choice.
    void setDevice(const QString &device);
    void setThreads(unsigned threads) { m_threads = threads; }

    /// Starts generating with the current settings; false when busy or nothing to run.
    bool generate();
    /// The CPU fallback: chooses the CPU device and generates again (the button shown after a
    /// Vulkan failure). False when busy or nothing to run.
    bool runOnCpu();
    void stop();
    bool isBusy() const { return m_watcher != nullptr; }
    QString outputText() const;
    QString statsText() const;
    QComboBox *sourceCombo() const { return m_source; }
    QComboBox *deviceCombo() const { return m_device; }
    QComboBox *kvCacheCombo() const { return m_kvCache; }
    QComboBox *activationsCombo() const { return m_activations; }
    QLineEdit *promptEdit() const { return m_prompt; }
    QSpinBox *tokensSpin() const { return m_tokens; }
    QPushButton *runOnCpuButton() const { return m_runOnCpu; }

signals:
    void generationFinished(const lowbit::studio::GenerationOutcome &outcome);

protected:
    void changeEvent(QEvent *event) override;

private:
    void fillSources();
    void fillDevices();
    void retranslateUi();
    void drainStream();

    RunHistoryModel *m_runs;
    std::shared_ptr<const lowbit::Model> m_model;
    unsigned m_threads = 0;
    QLabel *m_sourceLabel = nullptr, *m_deviceLabel = nullptr, *m_promptLabel = nullptr, *m_tokensLabel = nullptr,
           *m_tempLabel = nullptr, *m_kvLabel = nullptr, *m_actLabel = nullptr, *m_stats = nullptr;
    QComboBox *m_source = nullptr;
    QComboBox *m_device = nullptr;
    QComboBox *m_kvCache = nullptr; ///< "f32" / "f16" (KvCacheType)
    /// "f32" / "int8" (GpuModelOptions::int8Activations): enabled for Vulkan devices only
    QComboBox *m_activations = nullptr;
    QLineEdit *m_prompt = nullptr;
    QSpinBox *m_tokens = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QPushButton *m_generate = nullptr, *m_stop = nullptr;
    QPushButton *m_runOnCpu = nullptr; ///< shown after a failure that offerCpu marks
    QPlainTextEdit *m_output = nullptr;
    QTimer *m_drain = nullptr;
    QFutureWatcher<GenerationOutcome> *m_watcher = nullptr;
    std::stop_source m_stopSource;
    struct Stream {
        std::mutex mutex;
        std::string pending;
    };
    std::shared_ptr<Stream> m_stream;
};

} // namespace lowbit::studio
