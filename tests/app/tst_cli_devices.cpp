// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit devices: the text and --json listings carry every device's limits and the GEMV layout
// its large tensors get (rows on CPU implementations with 8-lane subgroups, tree elsewhere).
#include "app/cli/commands.h"
#include "core/util/json.h"
#include "cli_runner.h"
#include "test_support.h"

#include <QTest>

using namespace lowbit;

class TestCliDevices : public QObject {
    Q_OBJECT

private slots:
    void listsLimitsAndLayout()
    {
#ifndef LOWBIT_HAVE_VULKAN
        QSKIP("built without Vulkan");
#else
        std::string out, err;
        const int rc = test::runLowbit({"devices", "--json"}, out, err);
        if (rc != 0) {
            if (qEnvironmentVariable("CI") == QLatin1String("true"))
                QFAIL(err.c_str());
            QSKIP("no Vulkan driver on this machine");
        }
        auto j = parseJson(out);
        QVERIFY2(j, out.c_str());
        QVERIFY(j->isArray());
        QVERIFY(j->size() > 0);
        for (std::size_t i = 0; i < j->size(); ++i) {
            const Json &d = j->asArray()[i];
            QVERIFY(d.find("max_uniform_buffer_range")->asDouble() >= 16384); // Vulkan's minimum
            QVERIFY(d.find("max_compute_shared_memory")->asDouble() >= 16384); // (the tiled GEMMs and VQ kernels want 24 KiB)
            const std::string layout = d.find("gemv_layout")->asString();
            // the rows layout also needs texel views as large as a storage buffer, and subgroup
            // broadcasts and shuffles
            const bool texels = d.find("max_texel_buffer_elements")->asDouble() * 16 >= d.find("max_storage_buffer_range")->asDouble();
            const bool ops = d.find("subgroup_ballot")->asBool() && d.find("subgroup_shuffle")->asBool();
            const bool rows = d.find("type")->asString() == "cpu" && d.find("subgroup_size")->asDouble() == 8 && texels && ops;
            QCOMPARE(QString::fromStdString(layout), QLatin1String(rows ? "rows" : "tree"));
            // the integer dot product: said, and fast only where it exists
            const Json *dot = d.find("integer_dot_product");
            const Json *fast = d.find("integer_dot_4x8_accelerated");
            QVERIFY(dot && dot->isBool() && fast && fast->isBool());
            QVERIFY(!fast->asBool() || dot->asBool());
        }
        QCOMPARE(test::runLowbit({"devices"}, out, err), 0);
        QVERIFY2(out.find("uniform-buffer range") != std::string::npos && out.find("texel buffers") != std::string::npos && out.find("workgroup memory") != std::string::npos
                     && out.find("GEMV layout") != std::string::npos, out.c_str());
#endif
    }
};

QTEST_GUILESS_MAIN(TestCliDevices)
#include "tst_cli_devices.moc"
