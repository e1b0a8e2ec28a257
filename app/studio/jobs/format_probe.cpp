// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/jobs/format_probe.h"

#include <QtConcurrent/QtConcurrentRun>

namespace lowbit::studio {

FormatProbe::FormatProbe(QObject *parent) : QObject(parent)
{
    m_options.maxElements = kSampleElements;
    m_options.bins = kBins;
    m_options.levels = true;
    m_options.heatMapMaxSide = kHeatMapSide;
}

FormatProbe::~FormatProbe()
{
    m_stop.request_stop();
    if (m_watcher)
        m_watcher->waitForFinished(); // the job reads the tensor view this object owns a copy of
}

void FormatProbe::setTensor(std::optional<TensorView> tensor)
{
    m_tensor = std::move(tensor);
    schedule();
}

void FormatProbe::setSpec(std::optional<FormatSpec> spec)
{
    m_spec = std::move(spec);
    schedule();
}

void FormatProbe::schedule()
{
    m_result.reset();
    if (!m_tensor || !m_spec) {
        m_pending = false;
        if (m_watcher)
            m_stop.request_stop();
        emit evaluated();
        return;
    }
    if (m_watcher) { // coalesce: the running job is stale, one follow-up replaces it
        m_stop.request_stop();
        m_pending = true;
        return;
    }
    startJob();
}

void FormatProbe::startJob()
{
    m_pending = false;
    m_stop = std::stop_source();
    auto *watcher = new QFutureWatcher<FormatEvaluation>(this);
    m_watcher = watcher;
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_watcher = nullptr;
        if (m_pending && m_tensor && m_spec) {
            startJob();
            return;
        }
        FormatEvaluation r = watcher->result();
        if (r.failure == QLatin1String("cancelled"))
            return;
        m_result = std::move(r);
        emit evaluated();
    });
    emit started();
    const TensorView view = *m_tensor;
    const FormatSpec spec = *m_spec;
    const EvaluationOptions options = m_options;
    const std::stop_token token = m_stop.get_token();
    watcher->setFuture(QtConcurrent::run([view, spec, options, token] { return evaluateFormat(view, spec, options, token); }));
}

} // namespace lowbit::studio
