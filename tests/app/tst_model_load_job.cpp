// SPDX-License-Identifier: GPL-3.0-or-later
// ModelLoadJob: errors come back as results on the GUI thread; a newer start() supersedes an older one.
#include "app/studio/jobs/model_load_job.h"
#include "core/model/model.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using lowbit::studio::ModelLoadJob;
using lowbit::studio::ModelLoadResult;

Q_DECLARE_METATYPE(lowbit::studio::ModelLoadResult)

class TestModelLoadJob : public QObject {
    Q_OBJECT
private slots:
    void missingPathIsAnError();
    void unknownExtensionIsAnError();
    void finishedOnGuiThread();
    void newerStartSupersedes();
};

void TestModelLoadJob::missingPathIsAnError()
{
    const ModelLoadResult r = lowbit::studio::loadModel(QStringLiteral("/nonexistent/x.gguf"));
    QVERIFY(!r.ok());
    QVERIFY(!r.model);
    QVERIFY2(r.error.contains(QStringLiteral("/nonexistent/x.gguf")), qPrintable(r.error));
    QCOMPARE(r.path, QStringLiteral("/nonexistent/x.gguf"));
}

void TestModelLoadJob::unknownExtensionIsAnError()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("weights.txt"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("hello");
    f.close();
    const ModelLoadResult r = lowbit::studio::loadModel(path);
    QVERIFY(!r.ok());
    QVERIFY2(r.error.contains(QStringLiteral("weights.txt")), qPrintable(r.error));
}

void TestModelLoadJob::finishedOnGuiThread()
{
    ModelLoadJob job;
    QThread *emittedOn = nullptr;
    QString error;
    connect(&job, &ModelLoadJob::finished, this, [&](const ModelLoadResult &r) {
        emittedOn = QThread::currentThread();
        error = r.error;
    });
    QSignalSpy started(&job, &ModelLoadJob::started);
    job.start(QStringLiteral("/nonexistent/a.bin"));
    QVERIFY(job.isRunning());
    QCOMPARE(started.count(), 1);
    QTRY_VERIFY(!job.isRunning());
    QCOMPARE(emittedOn, QThread::currentThread());
    QVERIFY(error.contains(QStringLiteral("a.bin")));
}

void TestModelLoadJob::newerStartSupersedes()
{
    ModelLoadJob job;
    QStringList paths;
    connect(&job, &ModelLoadJob::finished, this, [&](const ModelLoadResult &r) { paths << r.path; });
    job.start(QStringLiteral("/nonexistent/first.gguf"));
    job.start(QStringLiteral("/nonexistent/second.gguf"));
    QCOMPARE(job.path(), QStringLiteral("/nonexistent/second.gguf"));
    QTRY_VERIFY(!job.isRunning());
    QTest::qWait(50); // the first job's late result must stay silent
    QCOMPARE(paths, QStringList{QStringLiteral("/nonexistent/second.gguf")});
}

QTEST_MAIN(TestModelLoadJob)
#include "tst_model_load_job.moc"
