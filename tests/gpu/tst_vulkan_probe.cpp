// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/device/context.h"

#include "test_support.h"

#include <QTest>

using namespace lowbit;

class TestVulkanProbe : public QObject {
    Q_OBJECT
private slots:
    void listsDevices()
    {
        auto devices = gpu::listDevices();
        if (!devices.ok() || devices->empty()) {
            // CI installs Mesa's lavapipe, so a missing device there is a failure, not a skip.
            if (lowbit::test::runningInCi())
                QFAIL("CI=true but no Vulkan device was found (is mesa-vulkan-drivers installed?)");
            QSKIP("no Vulkan device on this machine");
        }
        for (const auto &d : *devices) {
            QVERIFY(!d.name.empty());
            QVERIFY(d.apiVersion >= VK_API_VERSION_1_0);
            QVERIFY(d.subgroupSize >= 1);
            QVERIFY(d.maxStorageBufferRange >= (1u << 27) || d.type != "cpu");
        }
    }
    void selectionErrors()
    {
        auto devices = gpu::listDevices();
        if (!devices.ok() || devices->empty())
            QSKIP("no Vulkan device");
        gpu::DeviceSelection bad;
        bad.index = 99;
        auto c = gpu::Context::create(bad);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::InvalidArgument);
        gpu::DeviceSelection byName;
        byName.nameContains = "no-such-gpu-anywhere";
        QCOMPARE(gpu::Context::create(byName).error().code, ErrorCode::InvalidArgument);
        gpu::DeviceSelection first;
        first.nameContains = (*devices)[0].name.substr(0, 4);
        auto ok = gpu::Context::create(first);
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().message().c_str());
    }
};

QTEST_APPLESS_MAIN(TestVulkanProbe)
#include "tst_vulkan_probe.moc"
