// SPDX-License-Identifier: GPL-3.0-or-later
// The run panel's CPU fallback: a Vulkan failure (here a device index that does not exist, the
// same path as a device lost or out of memory) shows its error and a "Run on the CPU" button, and
// the button runs the same request on the CPU engine. Failures the CPU cannot help with (a model
// that does not open) offer nothing. (Generation itself: tst_studio_quantize::runPanelGenerates.)
#include "app/studio/dialogs/settings_dialog.h"
#include "app/studio/jobs/run_record.h"
#include "app/studio/models/run_history_model.h"
#include "app/studio/settings/setting.h"
#include "app/studio/settings/settings_keys.h"
#include "app/studio/views/run_panel.h"
#include "core/model/model.h"

#include "test_support.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QStandardPaths>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

using namespace lowbit::studio;

namespace {

/// Chooses a Vulkan device the machine does not have, as a stale setting would name.
void chooseMissingDevice(RunPanel &panel)
{
    panel.deviceCombo()->addItem(QStringLiteral("Vulkan: gone"), QStringLiteral("vulkan:99"));
    panel.deviceCombo()->setCurrentIndex(panel.deviceCombo()->count() - 1);
}

/// Starts generating and waits (a minute at most) for the outcome `done` records.
bool generateAndWait(RunPanel &panel, QSignalSpy &done, GenerationOutcome &outcome)
{
    const auto before = done.count();
    if (!panel.generate() || !QTest::qWaitFor([&] { return done.count() > before; }, 60000))
        return false;
    outcome = done.last().at(0).value<GenerationOutcome>();
    return true;
}

} // namespace

class TestRunPanel : public QObject {
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("LowbitTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_run_panel"));
    }

    void settingsListTheDevicesTheRunPanelHas()
    {
        // the settings' run device is one of the run panel's, every Vulkan device by name
        RunHistoryModel runs;
        RunPanel panel(&runs);
        SettingsDialog dlg;
        QComboBox *settings = dlg.deviceCombo();
        QCOMPARE(settings->count(), panel.deviceCombo()->count());
        QCOMPARE(settings->itemData(0).toString(), QStringLiteral("cpu"));
        for (int i = 1; i < settings->count(); ++i) {
            QCOMPARE(settings->itemData(i).toString(), QStringLiteral("vulkan:%1").arg(i - 1));
            QCOMPARE(settings->itemText(i), panel.deviceCombo()->itemText(i));
        }
#ifdef LOWBIT_HAVE_VULKAN
        if (lowbit::test::runningInCi() && settings->count() < 2) // lavapipe at least
            QFAIL("CI=true but no Vulkan device is listed");
#endif
        settings->setCurrentIndex(settings->count() - 1);
        QVERIFY(dlg.save());
        const QString saved = Setting<QString>(keys::kDevice, QStringLiteral("cpu")).value();
        QCOMPARE(saved, settings->currentData().toString());
        SettingsDialog again;
        QCOMPARE(again.deviceCombo()->currentData().toString(), saved);
        panel.setDevice(saved);
        QCOMPARE(panel.deviceCombo()->currentData().toString(), saved);
    }

    void vulkanFailureOffersTheCpu()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/config.json");
        auto m = lowbit::Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY(m.ok());
        RunHistoryModel runs;
        RunPanel panel(&runs);
        panel.setModel(std::make_shared<const lowbit::Model>(std::move(*m)));
        panel.show();
        panel.tokensSpin()->setValue(8);
        QVERIFY(panel.runOnCpuButton()->isHidden());
        chooseMissingDevice(panel);
        QSignalSpy done(&panel, &RunPanel::generationFinished);
        GenerationOutcome failed;
        QVERIFY(generateAndWait(panel, done, failed));
        QVERIFY(!failed.error.isEmpty());
        QVERIFY(failed.offerCpu);
        QCOMPARE(failed.tokens, std::int64_t(0));
        if (panel.deviceCombo()->count() > 2) { // the error names the devices there are
            const QString first = panel.deviceCombo()->itemText(1).section(QStringLiteral(": "), 1);
            QVERIFY2(failed.error.contains(QStringLiteral("0: ") + first), qPrintable(failed.error));
        }
        QVERIFY(!panel.runOnCpuButton()->isHidden());
        QVERIFY2(panel.statsText().contains(failed.error), qPrintable(panel.statsText()));
        QVERIFY2(!panel.statsText().contains(QLatin1String("--device")), qPrintable(panel.statsText())); // no CLI wording in the studio
        // one click: the same request on the CPU engine
        QTest::mouseClick(panel.runOnCpuButton(), Qt::LeftButton);
        QVERIFY(panel.isBusy());
        QVERIFY(panel.runOnCpuButton()->isHidden());
        QCOMPARE(panel.deviceCombo()->currentData().toString(), QStringLiteral("cpu"));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 2, 60000);
        const auto cpu = done.last().at(0).value<GenerationOutcome>();
        QVERIFY2(cpu.error.isEmpty(), qPrintable(cpu.error));
        QVERIFY(!cpu.offerCpu);
        QCOMPARE(cpu.device, QStringLiteral("cpu"));
        QVERIFY(cpu.tokens > 0 && cpu.tokens <= 8);
        QVERIFY(panel.runOnCpuButton()->isHidden());
    }

    void failuresTheCpuCannotHelpOfferNothing()
    {
        // a quantized run whose file is gone: the model does not open, on any device
        RunHistoryModel runs;
        RunRecord gone;
        gone.name = QStringLiteral("deleted run");
        gone.outputPath = QStringLiteral("/nonexistent/deleted.lowbit.safetensors");
        runs.addRun(gone);
        RunPanel panel(&runs);
        QCOMPARE(panel.sourceCombo()->count(), 1);
        chooseMissingDevice(panel);
        QSignalSpy done(&panel, &RunPanel::generationFinished);
        GenerationOutcome failed;
        QVERIFY(generateAndWait(panel, done, failed));
        QVERIFY(!failed.error.isEmpty());
        QVERIFY(!failed.offerCpu);
        QVERIFY(panel.runOnCpuButton()->isHidden());
        QVERIFY(panel.statsText().contains(failed.error));
    }
};

QTEST_MAIN(TestRunPanel)
#include "tst_run_panel.moc"
