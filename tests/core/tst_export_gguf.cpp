// SPDX-License-Identifier: GPL-3.0-or-later
// GGUF export: exact carrying of studio codes (bit-exact after re-reading), re-quantization with
// its reported error, --type, --strict, metadata and tokenizer round trip, q/k permutation,
// refusing to overwrite, a failed or cancelled write leaving the old file intact, and stories260K
// evaluating to the same perplexity from the GGUF as from the quantized model it came from.
#include "core/dtypes/ggml_quants.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_corpus.h"
#include "core/export/gguf_export.h"
#include "core/export/gguf_mapping.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/infer/tokenizer_gguf.h"
#include "core/io/gguf_reader.h"
#include "core/model/rope.h"
#include "core/quant/fast_format.h"
#include "core/quant/quantize_ref.h"
#include "core/quant/quantized_tensor.h"

#include "export_fixture.h"
#include "gguf_fixture.h"
#include "test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fstream>
#include <random>

using namespace lowbit;
using lowbit::test::exportSpec;
using lowbit::test::quantizeForExport;

namespace {

std::vector<float> randomWeights(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> g(0.0f, 0.05f);
    std::vector<float> w(n);
    for (auto &v : w)
        v = g(rng);
    w[5] = 0.9f; // an outlier
    return w;
}

Model storiesHf()
{
    auto m = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
    if (!m)
        qFatal("%s", m.error().message().c_str());
    return std::move(*m);
}

/// The source tensor's decoded values in GGUF row order (q/k permuted for a Hugging Face model).
std::vector<float> expectedValues(const Model &m, const ModelTensor &t)
{
    std::vector<float> v = *t.view.toFloatVector();
    const ModelConfig &c = m.config();
    if (c.ropeLayout == RopeLayout::HalfSplit && (t.role == TensorRole::Q || t.role == TensorRole::K))
        v = permuteHalfSplitToInterleaved(v, t.role == TensorRole::Q ? c.numHeads : c.numKvHeads, c.headDim, c.hiddenSize);
    return v;
}

std::string readAll(const std::string &path)
{
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

bool bitEqual(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

double evalPpl(const Model &m, int docs)
{
    auto engine = CpuModel::load(m);
    if (!engine)
        qFatal("%s", engine.error().message().c_str());
    auto tok = loadTokenizer(lowbit::test::sharedPath("models/stories260K/hf"), 512);
    if (!tok)
        qFatal("%s", tok.error().message().c_str());
    const std::string text = *readTextFile(lowbit::test::sharedPath("data/tinystories_valid_first1000.txt"));
    EvalOptions o;
    o.maxDocuments = docs;
    auto r = evaluatePerplexity(**engine, **tok, text, o);
    if (!r)
        qFatal("%s", r.error().message().c_str());
    return r->perplexity;
}

} // namespace

class TstExportGguf : public QObject {
    Q_OBJECT
private slots:
    void exactMapping_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("storage");
        QTest::addColumn<int>("expected"); // -1: none
        QTest::newRow("q4_0") << "q4_0" << 32 << "fp16" << int(DType::Q4_0);
        QTest::newRow("int4 g32 fp16") << "int4" << 32 << "fp16" << int(DType::Q4_0);
        QTest::newRow("int3 g32 fp16") << "int3" << 32 << "fp16" << int(DType::Q4_0);
        QTest::newRow("int5 g32 fp16") << "int5" << 32 << "fp16" << int(DType::Q5_0);
        QTest::newRow("int8 g32 fp16") << "int8" << 32 << "fp16" << int(DType::Q8_0);
        QTest::newRow("iq4nl g32 fp16") << "iq4nl" << 32 << "fp16" << int(DType::IQ4_NL);
        QTest::newRow("mxfp4") << "mxfp4" << 32 << "e8m0" << int(DType::MXFP4);
        QTest::newRow("int4 fp32 scales") << "int4" << 32 << "fp32" << -1;
        QTest::newRow("int4 bf16 scales") << "int4" << 32 << "bf16" << -1;
        QTest::newRow("int4 g64") << "int4" << 64 << "fp16" << -1;
        QTest::newRow("int4-asym") << "int4-asym" << 32 << "fp16" << -1;
        QTest::newRow("nf4") << "nf4" << 32 << "fp16" << -1;
        QTest::newRow("fp4") << "fp4" << 32 << "fp16" << -1;
        QTest::newRow("nvfp4") << "nvfp4" << 16 << "e4m3" << -1;
    }
    void exactMapping()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(QString, storage);
        QFETCH(int, expected);
        const std::int64_t rows = 6, cols = 128;
        const std::vector<float> w = randomWeights(rows * cols, 11);
        const FormatSpec spec = exportSpec(format.toStdString(), group, storage.toStdString());
        auto q = quantizeRef(w.data(), rows, cols, spec);
        QVERIFY(q.ok());
        auto p = pack(*q);
        if (!p.ok() && p.error().code == ErrorCode::Unsupported)
            QSKIP(qPrintable(QStringLiteral("the studio cannot pack this format yet: ") + QString::fromStdString(p.error().message())));
        QVERIFY2(p.ok(), p.ok() ? "" : p.error().message().c_str());
        const std::optional<DType> t = exactGgufType(*p);
        if (expected < 0) {
            QVERIFY(!t);
            return;
        }
        QVERIFY(t);
        QCOMPARE(int(*t), expected);
        // carried blocks decode bit-exactly to the studio's decoding, rows in any order
        const std::vector<std::int64_t> rowOf = {5, 0, 3, 1, 4, 2};
        std::vector<std::byte> blocks(*dtypeByteCount(*t, rows * cols));
        QVERIFY(carryPackedRows(*p, *t, rowOf.data(), rows, blocks.data()).ok());
        std::vector<float> got(rows * cols), want(cols);
        QVERIFY(convertToFloat(*t, blocks.data(), got.data(), got.size()).ok());
        for (std::int64_t i = 0; i < rows; ++i) {
            QVERIFY(dequantizeRow(*p, rowOf[i], want.data()).ok());
            QVERIFY(std::memcmp(got.data() + i * cols, want.data(), cols * sizeof(float)) == 0);
        }
        // another type does not claim the tensor
        QCOMPARE(carryPackedRows(*p, *t == DType::MXFP4 ? DType::Q8_0 : DType::MXFP4, rowOf.data(), rows, blocks.data()).error().code,
                 ErrorCode::InvalidArgument);
    }
    void typeChoices()
    {
        QCOMPARE(ggufTypeForRow(DType::Q4_K, 4096), DType::Q4_K);
        QCOMPARE(ggufTypeForRow(DType::Q4_K, 64), DType::Q5_0);   // llama.cpp's substitute
        QCOMPARE(ggufTypeForRow(DType::Q6_K, 96), DType::Q8_0);
        QCOMPARE(ggufTypeForRow(DType::Q8_0, 172), DType::F32);   // not whole blocks
        QCOMPARE(closestGgufType(2.25, 4096), DType::Q4_K);
        QCOMPARE(closestGgufType(5.0, 4096), DType::Q5_0);
        QCOMPARE(closestGgufType(6.5, 4096), DType::Q6_K);
        QCOMPARE(closestGgufType(8.5, 4096), DType::Q8_0);
        QCOMPARE(closestGgufType(16, 4096), DType::F16);
        QCOMPARE(*parseGgufTypeName("q4_k"), DType::Q4_K);
        QCOMPARE(*parseGgufTypeName("IQ4_NL"), DType::IQ4_NL);
        QVERIFY(!parseGgufTypeName("Q4_K_M").ok());
    }
    void metadataAndTokenizerRoundTrip()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        const Model src = storiesHf();
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/s.gguf";
        auto r = exportGguf(src, path);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readGguf(path);
        QVERIFY(f.ok());
        const GgufKvs &kv = f->header.kvs;
        QCOMPARE(ggufFind(kv, "general.architecture")->s, std::string("llama"));
        QCOMPARE(*ggufFind(kv, "llama.embedding_length")->asInt(), std::int64_t(64));
        QCOMPARE(*ggufFind(kv, "llama.feed_forward_length")->asInt(), std::int64_t(172));
        QCOMPARE(*ggufFind(kv, "llama.block_count")->asInt(), std::int64_t(5));
        QCOMPARE(*ggufFind(kv, "llama.attention.head_count")->asInt(), std::int64_t(8));
        QCOMPARE(*ggufFind(kv, "llama.attention.head_count_kv")->asInt(), std::int64_t(4));
        QCOMPARE(*ggufFind(kv, "llama.rope.dimension_count")->asInt(), std::int64_t(8));
        QCOMPARE(*ggufFind(kv, "llama.context_length")->asInt(), std::int64_t(512));
        QCOMPARE(ggufFind(kv, "llama.attention.layer_norm_rms_epsilon")->f, double(1e-5f));
        QCOMPARE(ggufFind(kv, "llama.rope.freq_base")->f, 10000.0);
        QVERIFY(!ggufFind(kv, "general.quantization_version")); // all F32
        QCOMPARE(ggufFind(kv, "tokenizer.ggml.model")->s, std::string("llama"));
        QCOMPARE(ggufFind(kv, "tokenizer.ggml.tokens")->array.size(), std::size_t(512));
        QCOMPARE(ggufFind(kv, "tokenizer.ggml.token_type")->array[1].i, std::int64_t(3)); // BOS: control

        // the embedded tokenizer tokenizes like the original tok512.bin
        auto fromGguf = tokenizerFromGguf(kv, path);
        auto original = loadTokenizer(lowbit::test::sharedPath("models/stories260K/hf"), 512);
        QVERIFY(fromGguf.ok() && *fromGguf && original.ok());
        const std::string text = "Once upon a time, there was a little girl named Lily. She said: \"Wow!\"\n";
        QCOMPARE((*fromGguf)->encode(text, true), (*original)->encode(text, true));

        // re-opened as a model: same config, every tensor equal (q/k rows interleaved), tied output
        auto back = Model::open(path);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QCOMPARE(back->config().hiddenSize, src.config().hiddenSize);
        QCOMPARE(back->config().numKvHeads, src.config().numKvHeads);
        QCOMPARE(back->config().vocabSize, std::int64_t(512));
        QVERIFY(back->config().tieWordEmbeddings);
        QCOMPARE(back->tensors().size(), src.tensors().size());
        for (const ModelTensor &t : src.tensors()) {
            const ModelTensor *g = back->find(t.role, t.layer);
            QVERIFY(g);
            QCOMPARE(g->view.dtype, DType::F32);
            QVERIFY(bitEqual(*g->view.toFloatVector(), expectedValues(src, t)));
        }
        for (const ExportedTensor &e : r->tensors)
            QCOMPARE(e.action, ExportAction::Copied);
        QVERIFY(r->warnings.empty());
    }
    void carriedFormatsAreBitExact_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("storage");
        QTest::addColumn<int>("type");
        QTest::newRow("q4_0") << "q4_0" << "fp16" << int(DType::Q4_0);
        QTest::newRow("int8") << "int8" << "fp16" << int(DType::Q8_0);
        QTest::newRow("iq4nl") << "iq4nl" << "fp16" << int(DType::IQ4_NL);
        QTest::newRow("mxfp4") << "mxfp4" << "e8m0" << int(DType::MXFP4);
        QTest::newRow("int5") << "int5" << "fp16" << int(DType::Q5_0);
    }
    void carriedFormatsAreBitExact()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(QString, format);
        QFETCH(QString, storage);
        QFETCH(int, type);
        auto q = quantizeForExport(storiesHf(), exportSpec(format.toStdString(), 32, storage.toStdString()));
        if (!q.ok() && q.error().code == ErrorCode::Unsupported)
            QSKIP(qPrintable(QStringLiteral("the studio cannot pack this format yet: ") + QString::fromStdString(q.error().message())));
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().message().c_str());
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/q.gguf";
        ExportOptions o;
        o.strict = false;
        auto r = exportGguf(*q, path, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto back = Model::open(path);
        QVERIFY(back.ok());
        int carried = 0;
        for (const ModelTensor &t : q->tensors()) {
            const ModelTensor *g = back->find(t.role, t.layer);
            QVERIFY(g);
            QVERIFY2(bitEqual(*g->view.toFloatVector(), expectedValues(*q, t)), t.view.name.c_str());
            if (t.view.decoder && t.view.cols() % 32 == 0) {
                QCOMPARE(int(g->view.dtype), type);
                ++carried;
            }
        }
        QCOMPARE(carried, 1 + 5 * 6); // embedding + q/k/v/o/gate/up per layer (down has 172 columns: F32)
        for (const ExportedTensor &e : r->tensors)
            QVERIFY(e.action != ExportAction::Requantized && e.relError == 0.0);
        auto f = readGguf(path);
        QCOMPARE(*ggufFind(f->header.kvs, "general.quantization_version")->asInt(), std::int64_t(2));
        // --strict accepts it: everything is carried or exact
        o.strict = true;
        o.overwrite = true;
        QVERIFY(exportGguf(*q, path, o).ok());
    }
    void requantizedWithReportedError()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto q = quantizeForExport(storiesHf(), exportSpec("nf4", 64, "fp16"));
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/nf4.gguf";
        ExportOptions strict;
        strict.strict = true;
        auto refused = exportGguf(*q, path, strict);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, ErrorCode::Unsupported);
        QVERIFY(QString::fromStdString(refused.error().detail).contains(QStringLiteral("closest")));
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path)));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 0);

        auto r = exportGguf(*q, path);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto back = Model::open(path);
        QVERIFY(back.ok());
        int requantized = 0;
        for (std::size_t i = 0; i < r->tensors.size(); ++i) {
            const ExportedTensor &e = r->tensors[i];
            const ModelTensor &t = q->tensors()[i];
            if (e.action != ExportAction::Requantized)
                continue;
            ++requantized;
            QCOMPARE(e.targetType, std::string("q5_0")); // closest to nf4 g64 (4.25 bpw) is Q4_K, rows of 64 → Q5_0
            const ModelTensor *g = back->find(t.role, t.layer);
            const std::vector<float> got = *g->view.toFloatVector(), want = expectedValues(*q, t);
            const double err = relativeSquaredError(got.data(), want.data(), got.size());
            QVERIFY(std::fabs(err - e.relError) <= 1e-9 * std::max(1.0, err)); // the report tells the truth
            QVERIFY2(err < 5e-3, qPrintable(QString::number(err)));          // Q5_0 on nf4 values: documented bound
            QVERIFY(err > 0);
        }
        QCOMPARE(requantized, 1 + 5 * 6);
        QCOMPARE(int(r->warnings.size()), requantized);
    }
    void typeOptionQuantizesEveryMatrix()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        const Model src = storiesHf();
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/q8.gguf";
        ExportOptions o;
        o.ggufType = DType::Q8_0;
        auto r = exportGguf(src, path, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readGguf(path);
        QVERIFY(f.ok());
        for (const ModelTensor &t : src.tensors()) {
            const std::string name = ggufTensorName(t.role, t.layer);
            const TensorView *g = nullptr;
            for (const TensorView &v : f->tensors)
                if (v.name == name)
                    g = &v;
            QVERIFY(g);
            const std::vector<float> want = expectedValues(src, t);
            if (t.view.shape.size() == 2 && t.view.cols() % 32 == 0) {
                QCOMPARE(g->dtype, DType::Q8_0);
                std::vector<std::byte> blocks(*dtypeByteCount(DType::Q8_0, want.size()));
                quantizeQ8_0Ref(want.data(), blocks.data(), want.size());
                QVERIFY(std::memcmp(blocks.data(), g->data, blocks.size()) == 0); // ggml's reference blocks
            } else {
                QCOMPARE(g->dtype, DType::F32);
                QVERIFY(bitEqual(*g->toFloatVector(), want));
            }
        }
    }
    void perplexityMatchesTheSource_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("type");
        QTest::addColumn<double>("minRatio");
        QTest::addColumn<double>("maxRatio");
        // README reference (first 100 stories, RTN on every matrix, blocks of 32): 8-bit +0.1 %, q4_0 +11.8 %
        QTest::newRow("Q8_0 (int8 g32 fp16)") << "int8" << int(DType::Q8_0) << 0.995 << 1.01;
        QTest::newRow("Q4_0 (int4 g32 fp16)") << "int4" << int(DType::Q4_0) << 1.03 << 1.4;
    }
    void perplexityMatchesTheSource()
    {
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(QString, format);
        QFETCH(int, type);
        QFETCH(double, minRatio);
        QFETCH(double, maxRatio);
        const Model fp32 = storiesHf();
        auto q = quantizeForExport(fp32, exportSpec(format.toStdString(), 32, "fp16"));
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/ppl.gguf";
        auto r = exportGguf(*q, path);
        QVERIFY(r.ok());
        auto back = Model::open(path);
        QVERIFY(back.ok());
        QCOMPARE(back->find(TensorRole::Q, 0)->view.dtype, DType(type));
        const int docs = 15;
        const double source = evalPpl(*q, docs), exported = evalPpl(*back, docs), base = evalPpl(fp32, docs);
        qInfo("stories260K, %d stories: fp32 %.4f, %s source %.6f, GGUF %.6f", docs, base, qPrintable(format), source, exported);
        QCOMPARE(exported, source); // the same weights, bit for bit
        QVERIFY(source / base > minRatio && source / base < maxRatio);
    }
    void typeQ4_0MatchesTheReferenceWriter()
    {
        // fp32 stories260K --type Q4_0 == the test fixture's independent GGUF writer (same ggml
        // reference blocks), so both evaluate to the same perplexity; README: Q4_0-style +11.8 %
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        const Model fp32 = storiesHf();
        QTemporaryDir dir;
        const std::string ours = dir.path().toStdString() + "/ours.gguf", fixture = dir.path().toStdString() + "/fixture.gguf";
        ExportOptions o;
        o.ggufType = DType::Q4_0;
        QVERIFY(exportGguf(fp32, ours, o).ok());
        QVERIFY(lowbit::test::writeModelAsGguf(fp32, fixture, DType::Q4_0).ok());
        auto a = Model::open(ours), b = Model::open(fixture);
        QVERIFY(a.ok() && b.ok());
        for (const ModelTensor &t : a->tensors()) {
            const ModelTensor *u = b->find(t.role, t.layer);
            QVERIFY(u);
            QCOMPARE(t.view.dtype, u->view.dtype);
            QVERIFY(t.view.nbytes == u->view.nbytes && std::memcmp(t.view.data, u->view.data, t.view.nbytes) == 0);
        }
        const int docs = 15;
        const double pa = evalPpl(*a, docs), pb = evalPpl(*b, docs), base = evalPpl(fp32, docs);
        qInfo("stories260K, %d stories: fp32 %.4f, --type Q4_0 %.4f", docs, base, pa);
        QCOMPARE(pa, pb);
        QVERIFY(pa / base > 1.05 && pa / base < 1.2);
    }
    void refusesToOverwrite()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/x.gguf";
        { std::ofstream(path) << "old"; }
        auto r = exportGguf(storiesHf(), path);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY(QString::fromStdString(r.error().detail).contains(QStringLiteral("--force")));
        QCOMPARE(readAll(path), std::string("old"));
        ExportOptions force;
        force.overwrite = true;
        QVERIFY(exportGguf(storiesHf(), path, force).ok());
        QVERIFY(readGguf(path).ok());
    }
    void failedOrCancelledWriteLeavesTheOldFile_data()
    {
        QTest::addColumn<bool>("cancel");
        QTest::newRow("write failure half way") << false;
        QTest::newRow("cancelled") << true;
    }
    void failedOrCancelledWriteLeavesTheOldFile()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(bool, cancel);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/x.gguf";
        { std::ofstream(path) << "old"; }
        std::stop_source stop;
        ExportOptions o;
        o.overwrite = true;
        std::uint64_t lastDone = 0;
        if (cancel) {
            o.stop = stop.get_token();
            o.progress = [&](std::uint64_t done, std::uint64_t, const std::string &) {
                lastDone = done;
                if (done > 300000)
                    stop.request_stop();
            };
        } else {
            o.failAfterBytes = 500000;
        }
        auto r = exportGguf(storiesHf(), path, o);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, cancel ? ErrorCode::Cancelled : ErrorCode::Io);
        QCOMPARE(readAll(path), std::string("old"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot).size(), 1); // no temporary left
        if (cancel)
            QVERIFY(lastDone > 300000);
    }
    void freeSpaceIsChecked()
    {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/big.gguf";
        auto free = freeDiskBytes(path);
        QVERIFY(free.ok() && *free > 0);
        QVERIFY(checkFreeSpace(path, 1024).ok());
        const Status s = checkFreeSpace(path, std::uint64_t(1) << 62);
        QCOMPARE(s.error().code, ErrorCode::Io);
        QVERIFY(QString::fromStdString(s.error().detail).contains(QStringLiteral("free")));
        QCOMPARE(checkExportTarget(dir.path().toStdString() + "/no/such/dir/x.gguf", false).error().code, ErrorCode::NotFound);
    }
};

QTEST_APPLESS_MAIN(TstExportGguf)
#include "tst_export_gguf.moc"
