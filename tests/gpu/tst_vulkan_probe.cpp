// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/device/vulkan_probe.h"

#include "test_support.h"

#include <QTest>

using namespace lowbit;

class TestVulkanProbe : public QObject {
    Q_OBJECT
private slots:
    void listsDevices()
    {
        auto devices = gpu::listVulkanDevices();
        if (!devices.ok() || devices->empty()) {
            // CI installs Mesa's lavapipe, so a missing device there is a failure, not a skip.
            if (lowbit::test::runningInCi())
                QFAIL("CI=true but no Vulkan device was found (is mesa-vulkan-drivers installed?)");
            QSKIP("no Vulkan device on this machine");
        }
        for (const auto &d : *devices) {
            QVERIFY(!d.name.empty());
            QVERIFY(d.apiVersion >= (1u << 22)); // at least Vulkan 1.0
        }
    }
};

QTEST_APPLESS_MAIN(TestVulkanProbe)
#include "tst_vulkan_probe.moc"
