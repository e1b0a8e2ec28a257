// SPDX-License-Identifier: GPL-3.0-or-later
// The export dialog on a quantized stories260K: the per-tensor preview says what GGUF carries and
// what it re-quantizes, Strict refuses plainly, the export runs off the GUI thread and re-opens,
// and a refused or cancelled export leaves no file; a VPTQ model to the VPTQ layout.
#include "app/studio/dialogs/export_dialog.h"

#include "core/calib/calibration.h"
#include "core/methods/quantize_model.h"
#include "core/methods/vptq.h"
#include "core/model/model.h"

#include "test_support.h"

#include <QApplication>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <random>

using namespace lowbit;
using lowbit::studio::ExportDialog;

namespace {
std::shared_ptr<const Model> quantized(const Model &m, const char *format)
{
    QuantizeConfig cfg;
    cfg.defaultSpec = *makeFormatSpec(*parseFormat(format), 32, ScaleStorage::F16);
    auto q = quantizeModel(m, nullptr, cfg);
    return q ? std::make_shared<const Model>(std::move(q->first)) : nullptr;
}

/// Every block linear VPTQ-quantized, with statistics from random activations.
std::shared_ptr<const Model> vptqQuantized(const Model &m)
{
    CalibrationStats stats;
    std::mt19937 g(5);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    const ModelConfig &c = m.config();
    for (int l = 0; l < c.numLayers; ++l)
        for (const auto &[which, dim] : {std::pair{LinearInput::AttnIn, c.hiddenSize}, std::pair{LinearInput::AttnOut, c.hiddenSize},
                                         std::pair{LinearInput::MlpIn, c.hiddenSize}, std::pair{LinearInput::MlpOut, c.intermediateSize}}) {
            ActivationStats a;
            a.dim = dim;
            std::vector<float> x(static_cast<std::size_t>(128 * dim));
            for (float &v : x)
                v = nd(g);
            a.accumulate(x.data(), 128);
            stats.inputs[{l, which}] = std::move(a);
        }
    QuantizeConfig cfg;
    cfg.method = "vptq";
    cfg.defaultSpec = *makeFormatSpec(*parseFormat("int4"), 32, ScaleStorage::F16);
    cfg.options.vq = *parseVqOptions("v=6,k=32,iters=4"); // v ∤ head_dim 8: q/k of the llama2.c source go dense
    auto q = quantizeModel(m, &stats, cfg);
    return q ? std::make_shared<const Model>(std::move(q->first)) : nullptr;
}
} // namespace

class TestExportDialog : public QObject {
    Q_OBJECT
    std::optional<Model> m_model;

private slots:
    void initTestCase()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        auto m = Model::open(test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(m.ok());
        m_model = std::move(*m);
    }

    void ggufCarriesInt4AndReopens()
    {
        auto q = quantized(*m_model, "int4");
        QVERIFY(q);
        ExportDialog d(q);
        d.setTarget(ExportDialog::Target::Gguf);
        QVERIFY2(d.previewRows() >= 35, qPrintable(QString::number(d.previewRows()))); // the linears (+ the embedding)
        int carried = 0;
        for (int r = 0; r < d.previewRows(); ++r)
            carried += d.previewAction(r) == QLatin1String("carried");
        QCOMPARE(carried, 30); // the 5 down projections have 172 inputs: not whole 32-weight blocks, so no Q4_0 rows
        QTemporaryDir dir;
        const QString out = dir.path() + QStringLiteral("/s.gguf");
        d.setOutputPath(out);
        QSignalSpy ok(&d, &ExportDialog::exported);
        QVERIFY(d.startExport());
        d.waitForFinished();
        QCOMPARE(ok.count(), 1);
        QVERIFY(d.report().has_value());
        QVERIFY(d.statusText().contains(QStringLiteral("30 tensors carried")));
        auto back = Model::open(out.toStdString());
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        // exporting again without Overwrite refuses and keeps the file
        const auto size = std::filesystem::file_size(out.toStdString());
        QSignalSpy bad(&d, &ExportDialog::failed);
        QVERIFY(d.startExport());
        d.waitForFinished();
        QCOMPARE(bad.count(), 1);
        QCOMPARE(std::filesystem::file_size(out.toStdString()), size);
    }

    void strictRefusesWhatGgufCannotCarry()
    {
        auto q = quantized(*m_model, "fp4-asym"); // AFPQ two scales: no GGUF type holds them
        QVERIFY(q);
        ExportDialog d(q);
        d.setTarget(ExportDialog::Target::Gguf);
        bool sawRequant = false;
        for (int r = 0; r < d.previewRows(); ++r)
            sawRequant = sawRequant || d.previewAction(r).startsWith(QStringLiteral("re-quantized to"));
        QVERIFY(sawRequant);
        QVERIFY(d.statusText().contains(QStringLiteral("re-quantized")));
        d.setStrict(true);
        QVERIFY(d.statusText().contains(QStringLiteral("refused")));
        QTemporaryDir dir;
        const QString out = dir.path() + QStringLiteral("/strict.gguf");
        d.setOutputPath(out);
        QSignalSpy bad(&d, &ExportDialog::failed);
        QVERIFY(d.startExport());
        d.waitForFinished();
        QCOMPARE(bad.count(), 1);
        QVERIFY(!QFileInfo::exists(out));
        QVERIFY(QDir(dir.path()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty()); // no temporary left
    }

    void fakeQuantFolder()
    {
        auto q = quantized(*m_model, "nf4");
        ExportDialog d(q);
        d.setTarget(ExportDialog::Target::FakeQuant);
        QTemporaryDir dir;
        const QString out = dir.path() + QStringLiteral("/fq");
        d.setOutputPath(out);
        QVERIFY(d.startExport());
        d.waitForFinished();
        QVERIFY2(d.report().has_value(), qPrintable(d.statusText()));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/config.json")));
        QVERIFY(!d.startExport() || (d.waitForFinished(), true)); // a second run refuses to overwrite (no crash either way)
    }

    void vptqFolder()
    {
        auto q = vptqQuantized(*m_model);
        QVERIFY(q);
        ExportDialog d(q);
        d.setTarget(ExportDialog::Target::Vptq);
        int vq = 0;
        for (int r = 0; r < d.previewRows(); ++r)
            vq += d.previewAction(r).startsWith(QStringLiteral("carried when"));
        QCOMPARE(vq, 35);
        QTemporaryDir dir;
        // the llama2.c checkpoint's q/k rows are interleaved and v = 6 cannot be split: Strict refuses dense ones
        d.setStrict(true);
        d.setOutputPath(dir.path() + QStringLiteral("/strict"));
        QSignalSpy bad(&d, &ExportDialog::failed);
        QVERIFY(d.startExport());
        d.waitForFinished();
        QCOMPARE(bad.count(), 1);
        d.setStrict(false);
        const QString out = dir.path() + QStringLiteral("/vptq");
        d.setOutputPath(out);
        QVERIFY(d.startExport());
        d.waitForFinished();
        const std::optional<ExportReport> report = d.report();
        QVERIFY2(report.has_value(), qPrintable(d.statusText()));
        int carried = 0;
        for (const ExportedTensor &t : report->tensors)
            carried += t.action == ExportAction::Carried;
        QCOMPARE(carried, 25);
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/config.json")));
        QVERIFY(!QFileInfo::exists(dir.path() + QStringLiteral("/strict")));
    }
};

QTEST_MAIN(TestExportDialog)
#include "tst_export_dialog.moc"
