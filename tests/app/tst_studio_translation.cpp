// SPDX-License-Identifier: GPL-3.0-or-later
// Run-time language switching of the studio's new views: German and Simplified Chinese are
// compiled in, and switching changes the visible labels of the tabs, the format designer, the
// compare and run views, and back to English. Also: every message of both .ts files is finished.
#include "app/studio/language_manager.h"
#include "app/studio/main_window.h"
#include "app/studio/studio_resources.h"
#include "app/studio/views/format_designer.h"
#include "app/studio/views/run_panel.h"

#include <QComboBox>

#include <QFile>
#include <QGroupBox>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QXmlStreamReader>

using namespace lowbit::studio;

class TestStudioTranslation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void languagesAvailable();
    void switchChangesVisibleLabels_data();
    void switchChangesVisibleLabels();
    void tsFilesComplete_data();
    void tsFilesComplete();
};

void TestStudioTranslation::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LowbitTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_studio_translation"));
    initStudioResources();
}

void TestStudioTranslation::languagesAvailable()
{
    const QStringList langs = LanguageManager::availableLanguages();
    QVERIFY(langs.contains(QStringLiteral("de")));
    QVERIFY(langs.contains(QStringLiteral("zh_CN")));
}

void TestStudioTranslation::switchChangesVisibleLabels_data()
{
    QTest::addColumn<QString>("lang");
    QTest::addColumn<QString>("distributionTab");
    QTest::addColumn<QString>("compareTab");
    QTest::addColumn<QString>("applyBox");
    QTest::addColumn<QString>("generate");
    QTest::newRow("de") << "de" << "Verteilung" << "Vergleich" << "Anwenden" << "Erzeugen";
    QTest::newRow("zh_CN") << "zh_CN" << "分布" << "比较" << "应用" << "生成";
}

void TestStudioTranslation::switchChangesVisibleLabels()
{
    QFETCH(QString, lang);
    QFETCH(QString, distributionTab);
    QFETCH(QString, compareTab);
    QFETCH(QString, applyBox);
    QFETCH(QString, generate);
    LanguageManager languages;
    MainWindow w;
    w.setLanguageManager(&languages);
    w.show();
    auto tabText = [&](MainWindow::View v) { return w.viewTabs()->tabText(static_cast<int>(v)); };
    auto applyTitle = [&] {
        for (QGroupBox *box : w.formatDesigner()->findChildren<QGroupBox *>())
            if (box->findChild<QPushButton *>(QStringLiteral("applyAll")))
                return box->title();
        return QString();
    };
    auto generateText = [&] { return w.runPanel()->findChild<QPushButton *>(QStringLiteral("generateButton"))->text(); };
    QCOMPARE(tabText(MainWindow::View::Distribution), QStringLiteral("Distribution"));
    QCOMPARE(applyTitle(), QStringLiteral("Apply"));
    QVERIFY(languages.setLanguage(lang));
    QTRY_COMPARE(tabText(MainWindow::View::Distribution), distributionTab);
    QCOMPARE(tabText(MainWindow::View::Compare), compareTab);
    QCOMPARE(applyTitle(), applyBox);
    QCOMPARE(generateText(), generate);
    QVERIFY(w.formatDesigner()->familyCombo()->itemText(0) != QStringLiteral("Integer (INT)"));
    QVERIFY(languages.setLanguage(QStringLiteral("en")));
    QTRY_COMPARE(tabText(MainWindow::View::Distribution), QStringLiteral("Distribution"));
    QCOMPARE(generateText(), QStringLiteral("Generate"));
    QCOMPARE(w.formatDesigner()->familyCombo()->itemText(0), QStringLiteral("Integer (INT)"));
}

void TestStudioTranslation::tsFilesComplete_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("de") << QFINDTESTDATA("../../translations/lowbit_de.ts");
    QTest::newRow("zh_CN") << QFINDTESTDATA("../../translations/lowbit_zh_CN.ts");
}

void TestStudioTranslation::tsFilesComplete()
{
    QFETCH(QString, file);
    QVERIFY2(!file.isEmpty(), "translations/*.ts not found next to the tests");
    QFile f(file);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(file));
    QXmlStreamReader xml(&f);
    int messages = 0, unfinished = 0;
    QString source;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("source"))
            source = xml.readElementText();
        else if (xml.name() == QLatin1String("translation")) {
            const QString type = xml.attributes().value(QLatin1String("type")).toString();
            if (type == QLatin1String("vanished") || type == QLatin1String("obsolete"))
                continue;
            ++messages;
            if (type == QLatin1String("unfinished")) {
                ++unfinished;
                qWarning("unfinished: %s", qPrintable(source));
            }
        }
    }
    QVERIFY(!xml.hasError());
    QVERIFY(messages > 250);
    QCOMPARE(unfinished, 0);
}

QTEST_MAIN(TestStudioTranslation)
#include "tst_studio_translation.moc"
