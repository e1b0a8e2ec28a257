// SPDX-License-Identifier: GPL-3.0-or-later
// stories260K from every source (llama2.c .bin, HF folder, converted folder, sharded folder):
// golden config and parameter count, identical tensors, and bad llama2.c files.
#include "core/io/convert_llama2c.h"
#include "core/io/llama2c_reader.h"
#include "core/io/safetensors_reader.h"
#include "core/io/tokenizer_bin.h"
#include "core/model/model.h"

#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace lowbit;

namespace {
void checkStoriesConfig(const Model &m)
{
    const ModelConfig &c = m.config();
    QCOMPARE(c.hiddenSize, std::int64_t(64));
    QCOMPARE(c.intermediateSize, std::int64_t(172));
    QCOMPARE(c.numLayers, std::int64_t(5));
    QCOMPARE(c.numHeads, std::int64_t(8));
    QCOMPARE(c.numKvHeads, std::int64_t(4));
    QCOMPARE(c.vocabSize, std::int64_t(512));
    QCOMPARE(c.maxPositions, std::int64_t(512));
    QVERIFY(c.tieWordEmbeddings);
    QCOMPARE(m.totalParams(), std::uint64_t(260032));
    QCOMPARE(m.find(TensorRole::K, 3)->view.shape, (std::vector<std::int64_t>{32, 64}));
    QVERIFY(m.find(TensorRole::Output) == nullptr);
}

QByteArray header(std::int32_t dim, std::int32_t hidden, std::int32_t layers, std::int32_t heads, std::int32_t kv, std::int32_t vocab, std::int32_t seq)
{
    const std::int32_t v[7] = {dim, hidden, layers, heads, kv, vocab, seq};
    return QByteArray(reinterpret_cast<const char *>(v), sizeof v);
}

/// A llama2.c file of exactly the right size for its header (weights = index · 0.001).
QByteArray tinyCheckpoint(std::int32_t vocab)
{
    Llama2cHeader h{8, 12, 2, 2, 1, vocab, 4, vocab > 0};
    const std::uint64_t floats = (llama2cLayout(h).end - 28) / 4;
    QByteArray data = header(8, 12, 2, 2, 1, vocab, 4);
    for (std::uint64_t i = 0; i < floats; ++i) {
        const float f = float(i) * 0.001f;
        data.append(reinterpret_cast<const char *>(&f), 4);
    }
    return data;
}

std::span<const std::byte> bytes(const QByteArray &a) { return {reinterpret_cast<const std::byte *>(a.constData()), std::size_t(a.size())}; }
} // namespace

class TestModelSources : public QObject {
    Q_OBJECT
private slots:
    void llama2cGolden()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        auto m = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->source(), ModelSource::Llama2c);
        QCOMPARE(m->config().ropeLayout, RopeLayout::Interleaved);
        checkStoriesConfig(*m);
    }
    void hfGolden()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto m = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->config().ropeLayout, RopeLayout::HalfSplit);
        checkStoriesConfig(*m);
        auto single = Model::open(lowbit::test::sharedPath("models/stories260K/hf/model.safetensors"));
        QVERIFY(single.ok());
        QCOMPARE(single->source(), ModelSource::Safetensors);
    }
    void convertEqualsReferenceFolder()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/hf";
        auto r = convertLlama2cToHf(lowbit::test::sharedPath("models/stories260K/stories260K.bin"), out, false);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto mine = readSafetensors(out + "/model.safetensors");
        auto ref = readSafetensors(lowbit::test::sharedPath("models/stories260K/hf/model.safetensors"));
        QVERIFY(mine.ok() && ref.ok());
        QCOMPARE(mine->tensors.size(), ref->tensors.size());
        for (std::size_t i = 0; i < ref->tensors.size(); ++i) {
            const TensorView &a = mine->tensors[i], &b = ref->tensors[i];
            QCOMPARE(a.name, b.name);
            QCOMPARE(a.shape, b.shape);
            QCOMPARE(a.nbytes, b.nbytes);
            QVERIFY2(std::memcmp(a.data, b.data, a.nbytes) == 0, a.name.c_str());
        }
        auto converted = Model::open(out);
        QVERIFY(converted.ok());
        checkStoriesConfig(*converted);
        // a second conversion refuses to overwrite, and leaves the files as they were
        auto again = convertLlama2cToHf(lowbit::test::sharedPath("models/stories260K/stories260K.bin"), out, false);
        QVERIFY(!again.ok());
        QVERIFY(again.error().detail.find("--force") != std::string::npos);
        QVERIFY(convertLlama2cToHf(lowbit::test::sharedPath("models/stories260K/stories260K.bin"), out, true).ok());
    }
    void shardedFolderEqualsSingleFile()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto ref = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY(ref.ok());
        QTemporaryDir dir;
        const QString d = dir.path();
        // split the tensors over two shards and write the index
        std::vector<SafetensorsEntry> s1, s2;
        QByteArray map = "{\"weight_map\":{";
        for (std::size_t i = 0; i < ref->tensors().size(); ++i) {
            const TensorView &v = ref->tensors()[i].view;
            (i % 2 ? s2 : s1).push_back({v.name, v.dtype, v.shape, v.bytes()});
            map += (i ? "," : "") + QByteArray("\"") + QByteArray::fromStdString(v.name) + (i % 2 ? "\":\"b.safetensors\"" : "\":\"a.safetensors\"");
        }
        map += "}}";
        QVERIFY(writeSafetensors((d + QStringLiteral("/a.safetensors")).toStdString(), s1).ok());
        QVERIFY(writeSafetensors((d + QStringLiteral("/b.safetensors")).toStdString(), s2).ok());
        QFile::copy(QString::fromStdString(lowbit::test::sharedPath("models/stories260K/hf/config.json")), d + QStringLiteral("/config.json"));
        QFile idx(d + QStringLiteral("/model.safetensors.index.json"));
        QVERIFY(idx.open(QIODevice::WriteOnly));
        idx.write(map);
        idx.close();
        auto sharded = Model::open(d.toStdString());
        QVERIFY2(sharded.ok(), sharded.ok() ? "" : sharded.error().message().c_str());
        checkStoriesConfig(*sharded);
        for (const auto &t : ref->tensors()) {
            const ModelTensor *s = sharded->findByName(t.view.name);
            QVERIFY(s);
            QVERIFY(std::memcmp(s->view.data, t.view.data, t.view.nbytes) == 0);
        }
    }
    void hfConfigContradictingShapes()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const QString d = dir.path();
        QFile::copy(QString::fromStdString(lowbit::test::sharedPath("models/stories260K/hf/model.safetensors")), d + QStringLiteral("/model.safetensors"));
        QFile cfg(d + QStringLiteral("/config.json"));
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write(R"({"model_type":"llama","hidden_size":64,"intermediate_size":256,"num_hidden_layers":5,"num_attention_heads":8,"num_key_value_heads":4,"vocab_size":512,"tie_word_embeddings":true})");
        cfg.close();
        auto m = Model::open(d.toStdString());
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::Inconsistent);
        QVERIFY2(m.error().detail.find("gate_proj") != std::string::npos, m.error().detail.c_str());
        QFile::remove(d + QStringLiteral("/config.json"));
        auto noConfig = Model::open(d.toStdString());
        QCOMPARE(noConfig.error().code, ErrorCode::NotFound);
        QVERIFY(noConfig.error().detail.find("config.json") != std::string::npos);
    }
    void unsharedClassifier()
    {
        QTemporaryDir dir;
        const QString path = dir.path() + QStringLiteral("/tiny.bin");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(tinyCheckpoint(-16));
        f.close();
        auto m = Model::open(path.toStdString());
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QVERIFY(!m->config().tieWordEmbeddings);
        const ModelTensor *out = m->find(TensorRole::Output);
        QVERIFY(out);
        QCOMPARE(out->view.shape, (std::vector<std::int64_t>{16, 8}));
        // the classifier is the last array of the file
        const auto all = m->tensors();
        const float last = (*out->view.toFloatVector()).back();
        QCOMPARE(last, float(double((QFileInfo(path).size() - 28) / 4 - 1)) * 0.001f);
        Q_UNUSED(all);
    }
    void badLlama2c_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("needle");
        const QByteArray good = tinyCheckpoint(16);
        QTest::newRow("truncated header") << good.left(20) << int(ErrorCode::Truncated) << "too short";
        QTest::newRow("truncated data") << good.left(good.size() - 4) << int(ErrorCode::Truncated) << "implies";
        QTest::newRow("trailing bytes") << good + QByteArray(12, 'x') << int(ErrorCode::Malformed) << "12 trailing bytes";
        QTest::newRow("zero dim") << header(0, 12, 2, 2, 1, 16, 4) << int(ErrorCode::Malformed) << "positive";
        QTest::newRow("negative layers") << header(8, 12, -2, 2, 1, 16, 4) << int(ErrorCode::Malformed) << "positive";
        QTest::newRow("heads not dividing dim") << header(8, 12, 2, 3, 1, 16, 4) << int(ErrorCode::Malformed) << "multiple";
        QTest::newRow("kv heads > heads") << header(8, 12, 2, 2, 4, 16, 4) << int(ErrorCode::Malformed) << "kv heads";
        QTest::newRow("odd head size") << header(6, 12, 2, 2, 1, 16, 4) << int(ErrorCode::Malformed) << "odd";
        QTest::newRow("absurd sizes") << header(1 << 30, 1 << 30, 4000, 2, 1, 16, 4) << int(ErrorCode::Malformed) << "implausibly";
    }
    void badLlama2c()
    {
        QFETCH(QByteArray, file);
        QFETCH(int, code);
        QFETCH(QString, needle);
        auto h = parseLlama2cHeader(bytes(file), "bad.bin");
        QVERIFY(!h.ok());
        QCOMPARE(int(h.error().code), code);
        QVERIFY2(h.error().detail.find(needle.toStdString()) != std::string::npos, h.error().detail.c_str());
        QVERIFY(h.error().detail.find("bad.bin") != std::string::npos);
    }
    void tokenizerBin()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/tok512.bin");
        auto t = readTokenizerBin(lowbit::test::sharedPath("models/stories260K/tok512.bin"), 512);
        QVERIFY2(t.ok(), t.ok() ? "" : t.error().message().c_str());
        QCOMPARE(t->pieces.size(), std::size_t(512));
        QCOMPARE(t->pieces[1], std::string("\n<s>\n")); // as llama2.c writes its specials
        QCOMPARE(t->pieces[2], std::string("\n</s>\n"));
        QCOMPARE(t->pieces[3 + 0x41], std::string("<0x41>")); // byte-fallback pieces follow the specials
        auto all = readTokenizerBin(lowbit::test::sharedPath("models/stories260K/tok512.bin"));
        QVERIFY(all.ok());
        QCOMPARE(all->pieces.size(), std::size_t(512));
        auto tooMany = readTokenizerBin(lowbit::test::sharedPath("models/stories260K/tok512.bin"), 600);
        QCOMPARE(tooMany.error().code, ErrorCode::Truncated);
        const QByteArray bad = QByteArray("\x10\x00\x00\x00", 4) + QByteArray("\x00\x00\x80\x3f\xff\xff\xff\xff", 8);
        QCOMPARE(parseTokenizerBin(bytes(bad), -1, "t.bin").error().code, ErrorCode::Malformed); // negative length
    }
};

QTEST_APPLESS_MAIN(TestModelSources)
#include "tst_model_sources.moc"
