// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/util/atomic_file.h"
#include "core/util/mapped_file.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace lowbit;

namespace {
std::span<const std::byte> bytesOf(const std::string &s) { return std::as_bytes(std::span(s.data(), s.size())); }
int filesIn(const QString &dir) { return int(QDir(dir).entryList(QDir::Files | QDir::Hidden).size()); }
} // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT
private slots:
    void writesAndReplaces()
    {
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/out.bin")).toStdString();
        QVERIFY(writeFileAtomic(path, bytesOf("first")).ok());
        QVERIFY(writeFileAtomic(path, bytesOf("second")).ok());
        QCOMPARE(*readTextFile(path), std::string("second"));
        QCOMPARE(filesIn(dir.path()), 1); // no temporaries left
    }
    void uncommittedWriteLeavesOldFileIntact()
    {
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/model.safetensors")).toStdString();
        QVERIFY(writeFileAtomic(path, bytesOf("old contents")).ok());
        {
            auto w = AtomicFileWriter::create(path);
            QVERIFY(w.ok());
            QVERIFY(w->write(bytesOf("half of a new fi")).ok());
            // simulated failure: the writer goes out of scope without commit()
        }
        QCOMPARE(*readTextFile(path), std::string("old contents"));
        QCOMPARE(filesIn(dir.path()), 1);
    }
    void refusesToOverwrite()
    {
        QTemporaryDir dir;
        const std::string path = (dir.path() + QStringLiteral("/x")).toStdString();
        QVERIFY(writeFileAtomic(path, bytesOf("a")).ok());
        auto w = AtomicFileWriter::create(path, /*overwrite=*/false);
        QVERIFY(!w.ok());
        QCOMPARE(w.error().code, ErrorCode::InvalidArgument);
        QVERIFY(w.error().detail.find("--force") != std::string::npos);
    }
    void unwritableFolderIsAnError()
    {
        auto w = AtomicFileWriter::create("/nonexistent-folder/for/sure/x.bin");
        QVERIFY(!w.ok());
        QCOMPARE(w.error().code, ErrorCode::Io);
    }
    void mappedFileErrors()
    {
        auto m = MappedFile::open("/nonexistent/file");
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::NotFound);
        QTemporaryDir dir;
        auto d = MappedFile::open(dir.path().toStdString());
        QVERIFY(!d.ok()); // a folder is not a regular file
        const std::string empty = (dir.path() + QStringLiteral("/empty")).toStdString();
        QVERIFY(writeFileAtomic(empty, {}).ok());
        auto e = MappedFile::open(empty);
        QVERIFY(e.ok());
        QCOMPARE((*e)->size(), std::size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestAtomicFile)
#include "tst_atomic_file.moc"
