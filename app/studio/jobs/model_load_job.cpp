// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/jobs/model_load_job.h"

#include "core/model/model.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace lowbit::studio {
namespace {

std::uint64_t sizeOnDisk(const QString &path)
{
    const QFileInfo info(path);
    if (!info.isDir())
        return static_cast<std::uint64_t>(std::max<qint64>(0, info.size()));
    std::uint64_t total = 0;
    QDirIterator it(path, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        total += static_cast<std::uint64_t>(std::max<qint64>(0, it.fileInfo().size()));
    }
    return total;
}

} // namespace

ModelLoadResult loadModel(const QString &path)
{
    ModelLoadResult r;
    r.path = path;
    auto model = Model::open(path.toStdString());
    if (!model) {
        r.error = QString::fromStdString(model.error().message());
        return r;
    }
    r.model = std::make_shared<const Model>(std::move(model).value());
    r.bytesOnDisk = sizeOnDisk(path);
    return r;
}

ModelLoadJob::ModelLoadJob(QObject *parent) : QObject(parent) {}

ModelLoadJob::~ModelLoadJob() = default;

void ModelLoadJob::start(const QString &path)
{
    m_path = path;
    m_running = true;
    const quint64 generation = ++m_generation;
    auto *watcher = new QFutureWatcher<ModelLoadResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return;
        m_running = false;
        emit finished(watcher->result());
    });
    emit started(path);
    watcher->setFuture(QtConcurrent::run([path] { return loadModel(path); }));
}

} // namespace lowbit::studio
