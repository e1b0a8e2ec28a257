// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/jobs/plan_measure_job.h"

#include "app/studio/design/format_evaluation.h"
#include "app/studio/jobs/format_probe.h"

#include <QMetaObject>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace lowbit::studio {

PlanMeasureJob::PlanMeasureJob(QObject *parent) : QObject(parent) {}

PlanMeasureJob::~PlanMeasureJob()
{
    m_stop.request_stop();
    m_future.waitForFinished();
}

bool PlanMeasureJob::isRunning() const { return m_future.isRunning(); }

void PlanMeasureJob::waitForFinished() { m_future.waitForFinished(); }

void PlanMeasureJob::cancel() { m_stop.request_stop(); }

void PlanMeasureJob::start(std::vector<PlanMeasureItem> items)
{
    m_stop.request_stop();
    m_future.waitForFinished(); // one tensor at most: a few ms, even for big ones (sampled)
    m_stop = std::stop_source();
    if (items.empty()) {
        emit idle();
        return;
    }
    const std::stop_token token = m_stop.get_token();
    QPointer<PlanMeasureJob> self(this);
    m_future = QtConcurrent::run([items = std::move(items), token, self] {
        EvaluationOptions o;
        o.maxElements = FormatProbe::kSampleElements;
        o.threads = 1; // leave the other cores to the GUI's own probe and the user
        for (const PlanMeasureItem &item : items) {
            if (token.stop_requested())
                break;
            const FormatEvaluation r = evaluateFormat(item.view, item.spec, o, token);
            if (!r.ok())
                continue;
            const int index = item.tensorIndex;
            const FormatSpec spec = item.spec;
            const double mse = r.relativeMse(), sqnr = r.sqnrDb();
            QMetaObject::invokeMethod(self.data(), [self, index, spec, mse, sqnr] {
                if (self)
                    emit self->measured(index, spec, mse, sqnr);
            }, Qt::QueuedConnection);
        }
        QMetaObject::invokeMethod(self.data(), [self] {
            if (self)
                emit self->idle();
        }, Qt::QueuedConnection);
    });
}

} // namespace lowbit::studio
