// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit convert from the command line: success, refusal without --force, bad input, bad usage.
#include "app/cli/commands.h"

#include "cli_runner.h"
#include "test_support.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sstream>

using namespace lowbit;

namespace {
int run(std::vector<std::string> args, std::string &out, std::string &err) { return lowbit::test::runLowbit(std::move(args), out, err); }
} // namespace

class TestCliConvert : public QObject {
    Q_OBJECT
private slots:
    void convertsAndRefusesToOverwrite()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const std::string bin = lowbit::test::sharedPath("models/stories260K/stories260K.bin");
        QTemporaryDir dir;
        const std::string outDir = dir.path().toStdString() + "/hf";
        std::string out, err;
        QCOMPARE(run({"convert", bin, outDir}, out, err), 0);
        QVERIFY2(err.empty(), err.c_str());
        QVERIFY2(out.find("260,032") != std::string::npos, out.c_str());
        QVERIFY2(out.find(outDir + "/model.safetensors") != std::string::npos, out.c_str());
        QVERIFY2(out.find(outDir + "/config.json") != std::string::npos, out.c_str());
        const QString qOut = QString::fromStdString(outDir);
        const qint64 size = QFileInfo(qOut + QStringLiteral("/model.safetensors")).size();
        QVERIFY(size > 260032 * 4);
        QVERIFY(QFile::exists(qOut + QStringLiteral("/config.json")));

        QCOMPARE(run({"convert", bin, outDir}, out, err), 1);
        QVERIFY2(err.find("--force") != std::string::npos, err.c_str());
        QVERIFY(out.empty());

        QCOMPARE(run({"convert", bin, outDir, "--force"}, out, err), 0);
        QCOMPARE(QFileInfo(qOut + QStringLiteral("/model.safetensors")).size(), size);
        // only the two files, no temporaries left behind
        QCOMPARE(QDir(qOut).entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    void badInput_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("missing input") << QStringList{QStringLiteral("@/nope.bin"), QStringLiteral("@/out")} << 1;
        QTest::newRow("not a checkpoint") << QStringList{QStringLiteral("@/junk.bin"), QStringLiteral("@/out")} << 1;
        QTest::newRow("no output folder") << QStringList{QStringLiteral("@/junk.bin")} << 2;
        QTest::newRow("unknown option") << QStringList{QStringLiteral("@/junk.bin"), QStringLiteral("@/out"), QStringLiteral("--bogus")} << 2;
    }

    void badInput()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        QFile junk(dir.path() + QStringLiteral("/junk.bin"));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("definitely not a llama2.c checkpoint");
        junk.close();
        std::vector<std::string> argv{"convert"};
        for (QString a : args)
            argv.push_back(a.replace(QStringLiteral("@"), dir.path()).toStdString());
        std::string out, err;
        QCOMPARE(run(argv, out, err), exitCode);
        QVERIFY(!err.empty());
        QVERIFY(!QFile::exists(dir.path() + QStringLiteral("/out/config.json")));
        QVERIFY(!QFile::exists(dir.path() + QStringLiteral("/out/model.safetensors")));
        if (exitCode == 1)
            QVERIFY2(err.find(dir.path().toStdString()) != std::string::npos, err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestCliConvert)
#include "tst_cli_convert.moc"
