// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/jobs/quantize_job.h"

#include "app/common/device_engine.h"
#include "core/calib/calibration.h"
#include "core/eval/perplexity.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/io/studio_container.h"
#include "core/model/model.h"
#include "core/quant/quantized_tensor.h"
#include "core/util/mapped_file.h"

#include <QFile>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <vector>

namespace lowbit::studio {
namespace {

// Share of the whole job each stage takes on the progress bar (calibration and evaluation run
// the model forward and are of the same order as RTN on small models).
constexpr double kCalibShare = 0.25, kEvalShare = 0.15, kWriteShare = 0.05;

Json reportJson(const RunRecord &r)
{
    Json layers = Json::array();
    for (const LayerOutcome &l : r.outcome.layers) {
        Json j = Json::object();
        j["tensor"] = Json(l.tensor);
        j["method"] = Json(l.method);
        j["format"] = Json(l.format);
        j["skipped"] = Json(l.skipped);
        j["relative_mse"] = Json(l.report.weightRelMse);
        if (std::isfinite(l.report.proxyError))
            j["proxy_error"] = Json(l.report.proxyError);
        j["bits_per_weight"] = Json(l.report.bitsPerWeight);
        layers.push(std::move(j));
    }
    Json j = Json::object();
    j["tool"] = Json(std::string("lowbit-studio"));
    j["method"] = Json(r.method.toStdString());
    j["average_bpw"] = Json(r.averageBpw);
    j["relative_mse"] = Json(r.relativeMse);
    j["calibration_tokens"] = Json(static_cast<long long>(r.calibrationTokens));
    if (r.hasPerplexity()) {
        j["perplexity"] = Json(r.perplexity);
        j["perplexity_device"] = Json(r.perplexityDevice.toStdString());
    }
    j["layers"] = std::move(layers);
    return j;
}

QString planSummary(const QuantizeConfig &c)
{
    std::map<std::string, int> counts;
    for (const auto &[name, spec] : c.plan)
        ++counts[describeSpec(spec)];
    if (counts.empty())
        return QString::fromStdString(describeSpec(c.defaultSpec));
    if (counts.size() == 1 && c.skipPattern.empty())
        return QString::fromStdString(counts.begin()->first);
    if (counts.size() == 1)
        return QString::fromStdString(counts.begin()->first) + QStringLiteral(" (%1)").arg(counts.begin()->second);
    return QStringLiteral("mixed: %1 formats").arg(counts.size());
}

} // namespace

QuantizeJobResult runQuantizeJob(const QuantizeParams &p, const std::function<void(double, int, const std::string &)> &progress,
                                 std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    QuantizeJobResult out;
    auto fail = [&](const Error &e) {
        out.cancelled = e.code == ErrorCode::Cancelled || stop.stop_requested();
        out.error = QString::fromStdString(e.message());
        return out;
    };
    double reported = 0; // never backwards, also when the evaluation starts again on the CPU
    auto report = [&](double f, QuantizeJob::Stage s, const std::string &tensor) {
        reported = std::max(reported, std::clamp(f, 0.0, 1.0));
        if (progress)
            progress(reported, static_cast<int>(s), tensor);
    };
    if (!p.model)
        return fail(makeError(ErrorCode::InvalidArgument, "no model to quantize"));
    if (!isStudioContainerPath(p.outputPath.toStdString()))
        return fail(makeError(ErrorCode::InvalidArgument, "the output must end in " + std::string(kStudioContainerSuffix)));
    const Model &model = *p.model;
    const bool calibrate_ = !p.calibrationTextPath.isEmpty();
    const bool evaluate = !p.evalTextPath.isEmpty();
    const double quantStart = calibrate_ ? kCalibShare : 0.0;
    const double quantShare = 1.0 - quantStart - (evaluate ? kEvalShare : 0.0) - kWriteShare;

    EngineOptions eo;
    eo.threads = p.threads;
    std::unique_ptr<Tokenizer> tokenizer;
    if (calibrate_ || evaluate) {
        auto tok = loadTokenizer(model.path(), model.config().vocabSize);
        if (!tok)
            return fail(tok.error());
        tokenizer = std::move(*tok);
    }

    RunRecord run;
    std::optional<CalibrationStats> stats;
    if (calibrate_) {
        report(0.0, QuantizeJob::Calibrating, {});
        auto text = readTextFile(p.calibrationTextPath.toStdString());
        if (!text)
            return fail(text.error());
        auto engine = CpuModel::load(model, eo);
        if (!engine)
            return fail(engine.error());
        CalibrationOptions co;
        co.maxTokens = p.calibrationTokens;
        auto s = calibrate(**engine, *tokenizer, *text, co,
                           [&](std::int64_t done, std::int64_t total) {
                               report(kCalibShare * static_cast<double>(done) / static_cast<double>(std::max<std::int64_t>(1, total)),
                                      QuantizeJob::Calibrating, {});
                           },
                           stop);
        if (!s)
            return fail(s.error());
        run.calibrationTokens = static_cast<std::int64_t>(s->tokens);
        stats = std::move(*s);
    }
    if (stop.stop_requested())
        return fail(makeError(ErrorCode::Cancelled, "cancelled"));

    QuantizeConfig config = p.config;
    config.options.threads = p.threads;
    auto q = quantizeModel(model, stats ? &*stats : nullptr, config,
                           [&](std::int64_t done, std::int64_t total, const std::string &tensor, double f) {
                               // (done counts the tensor whose fraction f is given only once it is finished,
                               // but a last call may carry both: never past the stage's share)
                               const double frac = std::min(1.0, (static_cast<double>(done) + f) / static_cast<double>(std::max<std::int64_t>(1, total)));
                               report(quantStart + quantShare * frac, QuantizeJob::Quantizing, tensor);
                           },
                           stop);
    if (!q)
        return fail(q.error());
    auto &[quantized, outcome] = *q;
    run.outcome = std::move(outcome);
    run.method = QString::fromStdString(config.method);
    run.modelPath = QString::fromStdString(model.path());
    summarizeRun(run);

    if (evaluate) {
        report(quantStart + quantShare, QuantizeJob::Evaluating, {});
        auto text = readTextFile(p.evalTextPath.toStdString());
        if (!text)
            return fail(text.error());
        EvalOptions o;
        o.maxDocuments = p.evalDocuments;
        auto measureOn = [&](const std::string &device) -> Result<double> {
            auto engine = loadEngineOn(quantized, device, {eo, false});
            if (!engine)
                return engine.error();
            auto r = evaluatePerplexity(*engine->engine, *tokenizer, *text, o,
                                        [&](std::int64_t done, std::int64_t total) {
                                            report(quantStart + quantShare
                                                       + kEvalShare * static_cast<double>(done) / static_cast<double>(std::max<std::int64_t>(1, total)),
                                                   QuantizeJob::Evaluating, {});
                                        },
                                        stop);
            if (!r)
                return r.error();
            run.perplexityDevice = QString::fromStdString(engine->deviceName);
            return r->perplexity;
        };
        const std::string device = p.evalDevice.isEmpty() ? std::string("cpu") : p.evalDevice.toStdString();
        auto r = measureOn(device);
        if (!r && isVulkanDevice(device) && r.error().code != ErrorCode::Cancelled && !stop.stop_requested()) {
            // the Vulkan device could not (no such device, out of its memory, lost): the CPU can
            run.perplexityNote = QString::fromStdString(r.error().message());
            r = measureOn("cpu");
        }
        if (!r)
            return fail(r.error());
        run.perplexity = *r;
    }
    if (stop.stop_requested())
        return fail(makeError(ErrorCode::Cancelled, "cancelled"));

    report(1.0 - kWriteShare, QuantizeJob::Writing, {});
    ContainerWriteOptions wo;
    wo.overwrite = p.overwrite;
    wo.report = reportJson(run);
    const std::string path = p.outputPath.toStdString();
    if (auto st = writeStudioContainer(quantized, path, wo); !st)
        return fail(st.error());
    if (stop.stop_requested()) { // the stop came during the write: keep the promise of no output
        QFile::remove(p.outputPath);
        return fail(makeError(ErrorCode::Cancelled, "cancelled"));
    }
    run.outputPath = p.outputPath;
    run.name = p.runName.isEmpty() ? run.method + QStringLiteral(" · ") + planSummary(config) : p.runName;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run.finished = QDateTime::currentDateTime();
    report(1.0, QuantizeJob::Writing, {});
    out.run = std::move(run);
    return out;
}

struct QuantizeJob::Shared {
    std::mutex mutex;
    double fraction = 0;
    int stage = 0;
    std::string tensor;
    bool dirty = false;
    /// The last report of each stage the worker left since the GUI last looked: the timer
    /// coalesces reports, but every stage still reaches the GUI (a fast stage could otherwise
    /// start and end between two ticks and never be shown).
    struct Report {
        double fraction;
        int stage;
        std::string tensor;
    };
    std::vector<Report> leftStages;
};

QuantizeJob::QuantizeJob(QObject *parent) : QObject(parent)
{
    m_timer = new QTimer(this);
    m_timer->setInterval(33); // progress reaches the GUI at most ~30 times a second
    connect(m_timer, &QTimer::timeout, this, &QuantizeJob::publishProgress);
}

QuantizeJob::~QuantizeJob()
{
    m_stop.request_stop();
    if (m_watcher) {
        disconnect(m_watcher, nullptr, this, nullptr);
        m_watcher->waitForFinished();
    }
}

bool QuantizeJob::start(QuantizeParams params)
{
    if (m_watcher)
        return false;
    m_stop = std::stop_source();
    m_shared = std::make_shared<Shared>();
    m_fraction = 0;
    m_clock.start();
    m_watcher = new QFutureWatcher<QuantizeJobResult>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &QuantizeJob::onFinished);
    const std::shared_ptr<Shared> shared = m_shared;
    auto progress = [shared](double f, int stage, const std::string &tensor) {
        const std::lock_guard lock(shared->mutex);
        if (shared->dirty && stage != shared->stage)
            shared->leftStages.push_back({shared->fraction, shared->stage, shared->tensor});
        shared->fraction = f;
        shared->stage = stage;
        shared->tensor = tensor;
        shared->dirty = true;
    };
    const std::stop_token token = m_stop.get_token();
    m_watcher->setFuture(QtConcurrent::run([params = std::move(params), progress, token] {
        return runQuantizeJob(params, progress, token);
    }));
    m_timer->start();
    emit progressChanged(0.0, Calibrating, QString());
    return true;
}

void QuantizeJob::cancel()
{
    if (m_watcher)
        m_stop.request_stop();
}

void QuantizeJob::waitForFinished()
{
    if (m_watcher)
        m_watcher->waitForFinished();
}

double QuantizeJob::etaSeconds() const
{
    if (!m_watcher || m_fraction <= 0.01)
        return -1.0;
    const double elapsed = static_cast<double>(m_clock.elapsed()) / 1000.0;
    return elapsed * (1.0 - m_fraction) / m_fraction;
}

void QuantizeJob::publishProgress()
{
    if (!m_shared)
        return;
    double f = 0;
    int stage = 0;
    std::string tensor;
    std::vector<Shared::Report> left;
    {
        const std::lock_guard lock(m_shared->mutex);
        if (!m_shared->dirty)
            return;
        m_shared->dirty = false;
        f = m_shared->fraction;
        stage = m_shared->stage;
        tensor = m_shared->tensor;
        left.swap(m_shared->leftStages);
    }
    for (const Shared::Report &r : left)
        emit progressChanged(r.fraction, static_cast<Stage>(r.stage), QString::fromStdString(r.tensor));
    m_fraction = f;
    emit progressChanged(f, static_cast<Stage>(stage), QString::fromStdString(tensor));
}

void QuantizeJob::onFinished()
{
    publishProgress(); // what the worker reported since the last tick (every stage is shown)
    m_timer->stop();
    QFutureWatcher<QuantizeJobResult> *watcher = std::exchange(m_watcher, nullptr);
    watcher->deleteLater();
    QuantizeJobResult r = watcher->result();
    if (r.run) {
        m_fraction = 1.0;
        emit progressChanged(1.0, Writing, QString());
        emit finished(*r.run);
    } else if (r.cancelled) {
        emit cancelled();
    } else {
        emit failed(r.error);
    }
}

} // namespace lowbit::studio
