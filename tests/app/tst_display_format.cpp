// SPDX-License-Identifier: GPL-3.0-or-later
// Texts for counts, shapes, reals and model configurations (en_US locale for stable digits).
#include "app/studio/util/display_format.h"
#include "core/model/model_config.h"

#include <QLocale>
#include <QTest>

#include <cmath>

class TestDisplayFormat : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates)); }
    void count_data();
    void count();
    void shape_data();
    void shape();
    void real();
    void bytes();
    void architecture();
};

void TestDisplayFormat::count_data()
{
    QTest::addColumn<quint64>("n");
    QTest::addColumn<QString>("expected");
    QTest::newRow("zero") << quint64(0) << QStringLiteral("0");
    QTest::newRow("below a million") << quint64(292608) << QStringLiteral("292,608");
    QTest::newRow("millions") << quint64(1234567) << QStringLiteral("1.23 M");
    QTest::newRow("billions") << quint64(6738415616) << QStringLiteral("6.74 B");
    QTest::newRow("trillions") << quint64(1500000000000) << QStringLiteral("1.50 T");
}

void TestDisplayFormat::count()
{
    QFETCH(quint64, n);
    QFETCH(QString, expected);
    QCOMPARE(lowbit::studio::formatCount(n), expected);
}

void TestDisplayFormat::shape_data()
{
    QTest::addColumn<QList<qint64>>("dims");
    QTest::addColumn<QString>("expected");
    QTest::newRow("scalar") << QList<qint64>{} << QStringLiteral("[]");
    QTest::newRow("vector") << QList<qint64>{64} << QStringLiteral("[64]");
    QTest::newRow("matrix") << QList<qint64>{512, 64} << QStringLiteral("[512, 64]");
}

void TestDisplayFormat::shape()
{
    QFETCH(QList<qint64>, dims);
    QFETCH(QString, expected);
    QCOMPARE(lowbit::studio::formatShape(std::vector<std::int64_t>(dims.begin(), dims.end())), expected);
}

void TestDisplayFormat::real()
{
    QCOMPARE(lowbit::studio::formatReal(0.123456789), QStringLiteral("0.1235"));
    QCOMPARE(lowbit::studio::formatReal(-2.0), QStringLiteral("-2"));
    QCOMPARE(lowbit::studio::formatReal(std::nan("")), QStringLiteral("—"));
}

void TestDisplayFormat::bytes()
{
    QCOMPARE(lowbit::studio::formatBytes(1024), QStringLiteral("1.0 KiB"));
    QCOMPARE(lowbit::studio::formatBytes(3 * 1024 * 1024 / 2), QStringLiteral("1.5 MiB"));
}

void TestDisplayFormat::architecture()
{
    lowbit::ModelConfig c;
    c.modelType = "llama";
    c.numLayers = 5;
    c.hiddenSize = 64;
    c.numHeads = 8;
    c.numKvHeads = 4;
    c.intermediateSize = 172;
    c.vocabSize = 512;
    c.maxPositions = 512;
    QCOMPARE(lowbit::studio::architectureSummary(c),
             QStringLiteral("llama · 5 layers · dim 64 · 8/4 heads · ffn 172 · vocab 512 · ctx 512"));
    c.maxPositions = 0;
    QVERIFY(!lowbit::studio::architectureSummary(c).contains(QStringLiteral("ctx")));
}

QTEST_MAIN(TestDisplayFormat)
#include "tst_display_format.moc"
