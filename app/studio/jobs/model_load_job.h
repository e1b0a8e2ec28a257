// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Opens a model off the GUI thread (QtConcurrent::run + QFutureWatcher). Starting a new load
/// while one runs makes the older result be dropped (Model::open cannot be interrupted).

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <cstdint>
#include <memory>

namespace lowbit {
class Model;
}

namespace lowbit::studio {

struct ModelLoadResult {
    QString path;                              ///< as asked for
    std::shared_ptr<const lowbit::Model> model; ///< nullptr on failure
    std::uint64_t bytesOnDisk = 0;             ///< the file, or every file under the folder
    QString error;                             ///< the core error message, empty on success

    bool ok() const { return model != nullptr; }
};

/// Model::open plus the size on disk; runs on any thread, never throws.
ModelLoadResult loadModel(const QString &path);

class ModelLoadJob : public QObject {
    Q_OBJECT
public:
    explicit ModelLoadJob(QObject *parent = nullptr);
    ~ModelLoadJob() override;

    /// Starts loading `path`; finished() follows on the GUI thread.
    void start(const QString &path);
    bool isRunning() const { return m_running; }
    QString path() const { return m_path; }

signals:
    void started(const QString &path);
    /// The outcome of the latest start(); earlier, superseded loads emit nothing.
    void finished(const lowbit::studio::ModelLoadResult &result);

private:
    QString m_path;
    quint64 m_generation = 0;
    bool m_running = false;
};

} // namespace lowbit::studio
