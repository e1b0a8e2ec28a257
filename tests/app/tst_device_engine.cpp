// SPDX-License-Identifier: GPL-3.0-or-later
// loadEngineOn: every device string the front ends accept, the ones they refuse, and the same
// logits from the CPU engine and the Vulkan one (by index and by a part of the device's name).
#include "app/common/device_engine.h"

#include "tiny_model.h"
#include "test_support.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace lowbit;

class TestDeviceEngine : public QObject {
    Q_OBJECT

private slots:
    void deviceStrings()
    {
        QVERIFY(isVulkanDevice("vulkan"));
        QVERIFY(isVulkanDevice("vulkan:0"));
        QVERIFY(isVulkanDevice("vulkan:llvmpipe"));
        QVERIFY(!isVulkanDevice("cpu"));
        QVERIFY(!isVulkanDevice("vulkanx"));
        QVERIFY(!isVulkanDevice("gpu"));
    }

    void refusals()
    {
        const auto model = test::makeTinyModel();
        QVERIFY(model);
        auto unknown = loadEngineOn(*model, "gpu", {});
        QVERIFY(!unknown.ok());
        QCOMPARE(unknown.error().code, ErrorCode::InvalidArgument);
        DeviceEngineOptions int8;
        int8.int8Activations = true;
        auto cpuInt8 = loadEngineOn(*model, "cpu", int8);
        QVERIFY(!cpuInt8.ok());
        QCOMPARE(cpuInt8.error().code, ErrorCode::InvalidArgument);
        // a device the machine does not have, by index and by name: the error lists what there is
        for (const char *device : {"vulkan:99", "vulkan:no-such-gpu"}) {
            auto gone = loadEngineOn(*model, device, {});
            QVERIFY2(!gone.ok(), device);
            QVERIFY(!gone.error().message().empty());
        }
    }

    void cpuAndVulkanAgree()
    {
        const auto model = test::makeTinyModel();
        QVERIFY(model);
        auto cpu = loadEngineOn(*model, "cpu", {});
        QVERIFY2(cpu.ok(), cpu.ok() ? "" : cpu.error().message().c_str());
        QCOMPARE(cpu->deviceName, std::string("CPU"));
        QVERIFY(!cpu->vulkan);
        const std::vector<std::int32_t> tokens = {1, 5, 9, 2};
        auto want = cpu->engine->forward(tokens);
        QVERIFY(want.ok());
#ifdef LOWBIT_HAVE_VULKAN
        auto first = loadEngineOn(*model, "vulkan:0", {});
        if (!first.ok()) {
            if (test::runningInCi()) // lavapipe there
                QFAIL(first.error().message().c_str());
            QSKIP("no Vulkan device");
        }
        QVERIFY(first->vulkan);
        // the same device by a part of its name, in another case
        std::string part = first->deviceName.substr(0, std::min<std::size_t>(4, first->deviceName.size()));
        std::transform(part.begin(), part.end(), part.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        auto byName = loadEngineOn(*model, "vulkan:" + part, {});
        QVERIFY2(byName.ok(), byName.ok() ? "" : byName.error().message().c_str());
        QCOMPARE(byName->deviceName, first->deviceName);
        for (DeviceEngine *g : {&*first, &*byName}) {
            auto got = g->engine->forward(tokens);
            QVERIFY(got.ok());
            QCOMPARE(got->size(), want->size());
            double worst = 0;
            for (std::size_t i = 0; i < got->size(); ++i)
                worst = std::max(worst, std::fabs(double((*got)[i]) - double((*want)[i])));
            QVERIFY2(worst < 1e-4, qPrintable(QStringLiteral("max |Δlogit| %1").arg(worst)));
        }
#else
        auto none = loadEngineOn(*model, "vulkan", {});
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, ErrorCode::Unsupported);
#endif
    }
};

QTEST_APPLESS_MAIN(TestDeviceEngine)
#include "tst_device_engine.moc"
