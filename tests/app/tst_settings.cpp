// SPDX-License-Identifier: GPL-3.0-or-later
// Setting<T> over the one settings store, and the recent-models list built on it.
#include "app/studio/settings/recent_models.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"

#include <QStandardPaths>
#include <QTest>

using lowbit::studio::Setting;

class TestSettings : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void defaultUntilSet();
    void typedRoundTrip();
    void unconvertibleFallsBackToDefault();
    void recentMovesToFrontWithoutDuplicates();
    void recentKeepsAtMostMax();
    void recentRemoveAndClear();
};

void TestSettings::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LowbitTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_settings"));
}

void TestSettings::init()
{
    lowbit::studio::settingsStore().clear();
}

void TestSettings::defaultUntilSet()
{
    Setting<int> s(QStringLiteral("test/int"), 42);
    QCOMPARE(s.value(), 42);
    s.setValue(7);
    QCOMPARE(s.value(), 7);
    QCOMPARE(Setting<int>(QStringLiteral("test/int"), 0).value(), 7); // same key, same store
    s.reset();
    QCOMPARE(s.value(), 42);
}

void TestSettings::typedRoundTrip()
{
    Setting<QStringList> list(QStringLiteral("test/list"), {});
    list.setValue({QStringLiteral("a"), QStringLiteral("b")});
    QCOMPARE(list.value(), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    Setting<bool> flag(lowbit::studio::keys::kHistogramLogScale, false);
    flag.setValue(true);
    QCOMPARE(flag.value(), true);
    QCOMPARE(flag.key(), QStringLiteral("ui/histogramLogScale"));
}

void TestSettings::unconvertibleFallsBackToDefault()
{
    lowbit::studio::settingsStore().setValue(QStringLiteral("test/size"), QVariant::fromValue(QStringList{QStringLiteral("x")}));
    Setting<QSize> size(QStringLiteral("test/size"), QSize(3, 4));
    QCOMPARE(size.value(), QSize(3, 4));
}

void TestSettings::recentMovesToFrontWithoutDuplicates()
{
    using namespace lowbit::studio;
    QVERIFY(recentModels().isEmpty());
    addRecentModel(QStringLiteral("/a"));
    addRecentModel(QStringLiteral("/b"));
    addRecentModel(QStringLiteral("/c"));
    QCOMPARE(recentModels(), (QStringList{QStringLiteral("/c"), QStringLiteral("/b"), QStringLiteral("/a")}));
    addRecentModel(QStringLiteral("/a"));
    QCOMPARE(recentModels(), (QStringList{QStringLiteral("/a"), QStringLiteral("/c"), QStringLiteral("/b")}));
}

void TestSettings::recentKeepsAtMostMax()
{
    using namespace lowbit::studio;
    for (int i = 0; i < kMaxRecentModels + 3; ++i)
        addRecentModel(QStringLiteral("/m%1").arg(i));
    const QStringList list = recentModels();
    QCOMPARE(list.size(), kMaxRecentModels);
    QCOMPARE(list.first(), QStringLiteral("/m%1").arg(kMaxRecentModels + 2)); // newest first
    QCOMPARE(list.last(), QStringLiteral("/m3"));                            // oldest dropped
}

void TestSettings::recentRemoveAndClear()
{
    using namespace lowbit::studio;
    addRecentModel(QStringLiteral("/a"));
    addRecentModel(QStringLiteral("/b"));
    removeRecentModel(QStringLiteral("/a"));
    QCOMPARE(recentModels(), QStringList{QStringLiteral("/b")});
    clearRecentModels();
    QVERIFY(recentModels().isEmpty());
}

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
