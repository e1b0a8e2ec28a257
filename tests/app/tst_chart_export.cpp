// SPDX-License-Identifier: GPL-3.0-or-later
// Chart export: a Qt Charts view written as PNG, SVG and PDF, each a real file of its kind; an
// unwritable path is an error text, not a crash.
#include "app/studio/util/chart_export.h"

#include <QApplication>
#include <QTemporaryDir>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtTest>

using lowbit::studio::exportWidget;

class TestChartExport : public QObject {
    Q_OBJECT
private slots:
    void pngSvgPdf_data()
    {
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<QByteArray>("magic");
        QTest::newRow("png") << QStringLiteral("png") << QByteArray("\x89PNG");
        QTest::newRow("svg") << QStringLiteral("svg") << QByteArray("<?xml");
        QTest::newRow("pdf") << QStringLiteral("pdf") << QByteArray("%PDF");
    }
    void pngSvgPdf()
    {
        QFETCH(QString, suffix);
        QFETCH(QByteArray, magic);
        auto *chart = new QChart;
        auto *series = new QLineSeries;
        series->setName(QStringLiteral("frontier"));
        for (int i = 0; i < 10; ++i)
            series->append(i, i * i);
        chart->addSeries(series);
        chart->createDefaultAxes();
        chart->setTitle(QStringLiteral("bpw vs error"));
        QChartView view(chart);
        view.resize(640, 400);
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/chart.") + suffix;
        QCOMPARE(exportWidget(&view, path), QString());
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        QVERIFY(bytes.size() > 500);
        QVERIFY(bytes.startsWith(magic));
        if (suffix == QLatin1String("svg")) {
            QVERIFY(bytes.contains("<svg"));
            QVERIFY(bytes.contains("bpw vs error")); // the title is text, not pixels
        }
        QVERIFY(!exportWidget(&view, QStringLiteral("/nonexistent-dir/x.") + suffix).isEmpty());
    }
};

QTEST_MAIN(TestChartExport)
#include "tst_chart_export.moc"
