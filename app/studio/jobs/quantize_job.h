// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Quantizes a model off the GUI thread: optional calibration on a text (the CPU engine),
/// quantizeModel() with the studio's format plan, optional perplexity on an evaluation text, and
/// writeStudioContainer(). Progress (fraction, stage, tensor) arrives on the GUI thread at most
/// ~30 times a second with an ETA; Cancel maps to std::stop_source::request_stop() and leaves no
/// output file (the container is written atomically, and removed if the stop came during the
/// write). Params in, RunRecord out (qBittorrent's TorrentCreator pattern).

#include "app/studio/jobs/run_record.h"
#include "core/methods/quantize_model.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QObject>

#include <atomic>
#include <memory>
#include <stop_token>

class QTimer;

namespace lowbit {
class Model;
}

namespace lowbit::studio {

struct QuantizeParams {
    std::shared_ptr<const lowbit::Model> model; ///< required
    lowbit::QuantizeConfig config;
    QString calibrationTextPath;     ///< empty: no calibration (methods that need it fail)
    std::int64_t calibrationTokens = 4096;
    QString evalTextPath;            ///< empty: no perplexity
    std::int64_t evalDocuments = 20; ///< documents of the evaluation text (document protocol)
    /// Where perplexity is measured: "cpu" (also when empty) or "vulkan[:N]". When the Vulkan
    /// device fails, the CPU measures it and the run says why (RunRecord::perplexityNote).
    QString evalDevice;
    QString outputPath;              ///< must end in .lowbit.safetensors
    bool overwrite = true;
    unsigned threads = 0;            ///< 0: all
    QString runName;                 ///< empty: "<method> · <plan summary>"
};

struct QuantizeJobResult {
    std::optional<RunRecord> run;
    QString error;                   ///< core message when failed
    bool cancelled = false;
};

/// The whole job, synchronously (any thread). `progress(fraction, stage)` may be empty.
QuantizeJobResult runQuantizeJob(const QuantizeParams &params, const std::function<void(double, int, const std::string &)> &progress,
                                 std::stop_token stop);

class QuantizeJob : public QObject {
    Q_OBJECT
public:
    enum Stage { Calibrating, Quantizing, Evaluating, Writing };
    Q_ENUM(Stage)

    explicit QuantizeJob(QObject *parent = nullptr);
    /// Requests a stop and waits for the worker (it never touches this object afterwards).
    ~QuantizeJob() override;

    /// Starts the job; false (and nothing started) while another one runs.
    bool start(QuantizeParams params);
    /// Asks the running job to stop; cancelled() follows.
    void cancel();
    bool isRunning() const { return m_watcher != nullptr; }
    double fraction() const { return m_fraction; }
    /// Seconds left, extrapolated from the progress so far; negative when unknown.
    double etaSeconds() const;
    /// Blocks until the running job ends (tests, application exit). No signals are lost.
    void waitForFinished();

signals:
    void progressChanged(double fraction, lowbit::studio::QuantizeJob::Stage stage, const QString &tensor);
    void finished(const lowbit::studio::RunRecord &run);
    void failed(const QString &message);
    void cancelled();

private:
    struct Shared; ///< progress the worker publishes, read by a GUI timer
    void onFinished();
    void publishProgress();

    QFutureWatcher<QuantizeJobResult> *m_watcher = nullptr;
    std::stop_source m_stop;
    std::shared_ptr<Shared> m_shared;
    QElapsedTimer m_clock;
    double m_fraction = 0;
    QTimer *m_timer = nullptr;
};

} // namespace lowbit::studio
