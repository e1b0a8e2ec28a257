// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit export from the command line: a studio container to GGUF (carried codes, same tensors
// as the container), --type, --strict, --json, GPTQ, fake-quant and VPTQ folders, refusal without
// --force, usage errors.
#include "app/cli/commands.h"
#include "core/io/gguf_reader.h"
#include "core/io/studio_container.h"
#include "core/model/model.h"
#include "core/util/json.h"
#include "core/util/mapped_file.h"

#include "cli_runner.h"
#include "export_fixture.h"
#include "test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace lowbit;

namespace {

int run(std::vector<std::string> args, std::string &out, std::string &err) { return lowbit::test::runLowbit(std::move(args), out, err); }

/// stories260K with q/k/v/o and gate/up as int4 g32 fp16, written as a studio container.
std::string writeContainer(const QTemporaryDir &dir, const std::string &format, const std::string &storage)
{
    auto hf = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
    if (!hf)
        qFatal("%s", hf.error().message().c_str());
    auto q = lowbit::test::quantizeForExport(*hf, lowbit::test::exportSpec(format, 32, storage), false, true);
    if (!q)
        qFatal("%s", q.error().message().c_str());
    const std::string path = dir.path().toStdString() + "/stories-" + format + std::string(kStudioContainerSuffix);
    ContainerWriteOptions o;
    o.tokenizerPath = lowbit::test::sharedPath("models/stories260K/tok512.bin");
    const Status s = writeStudioContainer(*q, path, o);
    if (!s)
        qFatal("%s", s.error().message().c_str());
    return path;
}

} // namespace

class TestCliExport : public QObject {
    Q_OBJECT
private slots:
    void containerToGguf()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const std::string container = writeContainer(dir, "int4", "fp16");
        const std::string gguf = dir.path().toStdString() + "/s.gguf";
        std::string out, err;
        QCOMPARE(run({"export", container, "--to", "gguf", "--out", gguf, "--json"}, out, err), 0);
        auto report = parseJson(out);
        QVERIFY2(report.ok(), out.c_str());
        QCOMPARE(report->find("format")->asString(), std::string("gguf"));
        int carried = 0;
        for (const Json &t : report->find("tensors")->asArray())
            carried += t.find("action")->asString() == "carried";
        QCOMPARE(carried, 30); // q/k/v/o/gate/up of 5 layers (down, 172 columns, was not quantized)
        // every tensor decodes to what the container holds (q/k rows interleaved, checked in core tests)
        auto src = Model::open(container);
        auto back = Model::open(gguf);
        QVERIFY(src.ok() && back.ok());
        const ModelTensor *v = back->find(TensorRole::V, 2);
        QCOMPARE(v->view.dtype, DType::Q4_0);
        const auto a = *v->view.toFloatVector(), b = *src->find(TensorRole::V, 2)->view.toFloatVector();
        QVERIFY(std::memcmp(a.data(), b.data(), a.size() * 4) == 0);
        auto f = readGguf(gguf);
        QCOMPARE(ggufFind(f->header.kvs, "tokenizer.ggml.tokens")->array.size(), std::size_t(512)); // the embedded tokenizer

        // refuses to overwrite, then --force; --type for every matrix; text report
        QCOMPARE(run({"export", container, "--to", "gguf", "--out", gguf}, out, err), 2);
        QVERIFY2(err.find("--force") != std::string::npos, err.c_str());
        QCOMPARE(run({"export", container, "--to", "gguf", "--out", gguf, "--type", "Q8_0", "--force"}, out, err), 0);
        QVERIFY2(out.find("requantized") != std::string::npos, out.c_str());
        auto q8 = Model::open(gguf);
        QCOMPARE(q8->find(TensorRole::V, 2)->view.dtype, DType::Q8_0);
        QCOMPARE(q8->find(TensorRole::Embedding)->view.dtype, DType::Q8_0);
    }
    void strictRefusesRequantization()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const std::string container = writeContainer(dir, "nf4", "fp16");
        const std::string gguf = dir.path().toStdString() + "/n.gguf";
        std::string out, err;
        QCOMPARE(run({"export", container, "--to", "gguf", "--out", gguf, "--strict"}, out, err), 1);
        QVERIFY2(err.find("closest") != std::string::npos, err.c_str());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(gguf)));
        QCOMPARE(run({"export", container, "--to", "gguf", "--out", gguf}, out, err), 0);
        QVERIFY2(err.find("warning:") != std::string::npos, err.c_str());
        QVERIFY2(out.find("relative error") != std::string::npos, out.c_str());
    }
    void foldersFromTheCli()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const std::string container = writeContainer(dir, "int4", "fp16");
        std::string out, err;
        const std::string fq = dir.path().toStdString() + "/fq";
        QCOMPARE(run({"export", container, "--to", "fakequant", "--dtype", "f32", "--out", fq}, out, err), 0);
        auto m = Model::open(fq);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->find(TensorRole::Up, 1)->view.dtype, DType::F32);
        QVERIFY(QFileInfo::exists(QString::fromStdString(fq + "/tokenizer.bin")));
        // GPTQ needs out·bits to be whole words: stories260K's gate/up (172 rows) cannot be GPTQ'd
        const std::string gptq = dir.path().toStdString() + "/gptq";
        QCOMPARE(run({"export", container, "--to", "gptq", "--out", gptq}, out, err), 1);
        QVERIFY2(err.find("multiples of 32") != std::string::npos, err.c_str());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(gptq)));
        const std::string ct = dir.path().toStdString() + "/ct";
        QCOMPARE(run({"export", container, "--to", "compressed-tensors", "--out", ct}, out, err), 0);
        QVERIFY(QFileInfo::exists(QString::fromStdString(ct + "/model.safetensors")));
    }
    void vptqFromTheCli()
    {
        // a VPTQ container of the llama2.c checkpoint: its q/k vectors run along interleaved rows,
        // and v = 6 does not divide head_dim 8, so no exact rotate_half split exists — written
        // dense, refused with --strict (v | head_dim is converted exactly: core tests)
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        QTemporaryDir dir;
        const std::string container = dir.path().toStdString() + "/vq" + std::string(kStudioContainerSuffix);
        std::string out, err;
        QCOMPARE(run({"quantize", lowbit::test::sharedPath("models/stories260K/stories260K.bin"), "--method", "vptq", "--vq",
                      "v=6,k=32,res=8,outliers=2%,perm=1,norm=1,iters=5", "--calib",
                      lowbit::test::sharedPath("data/tinystories_valid_first1000.txt"), "--calib-tokens", "512", "--out", container},
                     out, err),
                 0);
        const std::string vptq = dir.path().toStdString() + "/vptq";
        QCOMPARE(run({"export", container, "--to", "vptq", "--out", vptq, "--strict"}, out, err), 1);
        QVERIFY2(err.find("rotate_half") != std::string::npos, err.c_str());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(vptq)));
        QCOMPARE(run({"export", container, "--to", "vptq", "--out", vptq, "--json"}, out, err), 0);
        auto report = parseJson(out);
        QVERIFY2(report.ok(), out.c_str());
        QCOMPARE(report->find("format")->asString(), std::string("vptq"));
        int carried = 0, rounded = 0;
        for (const Json &t : report->find("tensors")->asArray()) {
            carried += t.find("action")->asString() == "carried";
            rounded += t.find("action")->asString() == "rounded";
        }
        QCOMPARE(carried, 25); // v/o/gate/up/down of 5 layers
        QCOMPARE(rounded, 10); // q/k, dense f16
        QVERIFY2(err.find("modules_to_not_convert") != std::string::npos, err.c_str());
        auto cfg = readTextFile(vptq + "/config.json");
        QVERIFY(cfg.ok());
        const Json qc = *parseJson(*cfg)->find("quantization_config");
        QCOMPARE(qc.find("quant_method")->asString(), std::string("vptq"));
        QCOMPARE(qc.find("config_for_layers")->size(), std::size_t(25));
        QVERIFY(QFileInfo::exists(QString::fromStdString(vptq + "/tokenizer.bin")));
    }
    void vptqExportEvaluatesLikeItsContainer()
    {
        // from a Hugging Face source every linear is carried; Model::open reads the VPTQ folder
        // back as VQ tensors, so the perplexity is the container's to the last bit
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        QTemporaryDir dir;
        const std::string text = lowbit::test::sharedPath("data/tinystories_valid_first1000.txt");
        const std::string container = dir.path().toStdString() + "/hf-vq" + std::string(kStudioContainerSuffix);
        std::string out, err;
        QCOMPARE(run({"quantize", lowbit::test::sharedPath("models/stories260K/hf"), "--method", "vptq", "--vq",
                      "v=8,k=64,res=16,outliers=2%,perm=1,norm=1,iters=5", "--calib", text, "--calib-tokens", "512", "--out", container},
                     out, err),
                 0);
        const std::string vptq = dir.path().toStdString() + "/vptq";
        QCOMPARE(run({"export", container, "--to", "vptq", "--out", vptq, "--strict"}, out, err), 0);
        QVERIFY2(out.find("carried: 35") != std::string::npos, out.c_str());
        const auto ppl = [&](const std::string &model) {
            std::string o, e;
            if (run({"eval", model, "--text", text, "--max-docs", "10", "--json"}, o, e) != 0)
                return -1.0;
            auto j = parseJson(o);
            return j ? j->find("perplexity")->asDouble() : -1.0;
        };
        const double a = ppl(container), b = ppl(vptq);
        QVERIFY(a > 1);
        QCOMPARE(b, a);
    }
    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("no --to") << QStringList{QStringLiteral("m"), QStringLiteral("--out"), QStringLiteral("x")};
        QTest::newRow("no --out") << QStringList{QStringLiteral("m"), QStringLiteral("--to"), QStringLiteral("gguf")};
        QTest::newRow("unknown target") << QStringList{QStringLiteral("m"), QStringLiteral("--to"), QStringLiteral("onnx"), QStringLiteral("--out"), QStringLiteral("x")};
        QTest::newRow("bad type") << QStringList{QStringLiteral("m"), QStringLiteral("--to"), QStringLiteral("gguf"), QStringLiteral("--out"), QStringLiteral("x"),
                                                 QStringLiteral("--type"), QStringLiteral("Q4_K_M")};
        QTest::newRow("type for gptq") << QStringList{QStringLiteral("m"), QStringLiteral("--to"), QStringLiteral("gptq"), QStringLiteral("--out"), QStringLiteral("x"),
                                                      QStringLiteral("--type"), QStringLiteral("Q4_K")};
        QTest::newRow("bad dtype") << QStringList{QStringLiteral("m"), QStringLiteral("--to"), QStringLiteral("fakequant"), QStringLiteral("--out"), QStringLiteral("x"),
                                                  QStringLiteral("--dtype"), QStringLiteral("f8")};
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        std::vector<std::string> argv{"export"};
        for (const QString &s : args)
            argv.push_back(s.toStdString());
        std::string out, err;
        QCOMPARE(run(argv, out, err), 2);
        QVERIFY2(err.find("lowbit export:") != std::string::npos, err.c_str());
    }
};

QTEST_APPLESS_MAIN(TestCliExport)
#include "tst_cli_export.moc"
