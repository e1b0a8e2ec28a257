// SPDX-License-Identifier: GPL-3.0-or-later
// llama2.c checkpoints: stories260K opened zero-copy with the golden config, converted to a
// Hugging Face folder byte-identical to the reference, bad headers and sizes, an unshared classifier.
#include "core/io/convert_llama2c.h"
#include "core/io/llama2c_reader.h"
#include "core/io/model_readers.h"
#include "core/io/safetensors_reader.h"
#include "core/model/model.h"
#include "core/util/json.h"
#include "core/util/mapped_file.h"

#include "stories_golden.h"
#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace lowbit;

Q_DECLARE_METATYPE(lowbit::ErrorCode)

namespace {

const char *kBin = "models/stories260K/stories260K.bin";

QByteArray header(std::int32_t dim, std::int32_t hidden, std::int32_t layers, std::int32_t heads, std::int32_t kv,
                  std::int32_t vocab, std::int32_t seq)
{
    const std::int32_t v[7] = {dim, hidden, layers, heads, kv, vocab, seq};
    return QByteArray(reinterpret_cast<const char *>(v), sizeof v);
}

/// Number of floats after the header for these sizes, computed here independently of the reader.
std::int64_t expectedFloats(std::int64_t d, std::int64_t hd, std::int64_t L, std::int64_t h, std::int64_t kvh, std::int64_t vocab,
                            std::int64_t seq)
{
    const std::int64_t V = vocab < 0 ? -vocab : vocab, hs = d / h, kv = kvh * hs;
    std::int64_t n = V * d + L * (d + d * d + 2 * kv * d + d * d + d + 3 * hd * d) + d + seq * hs;
    if (vocab < 0)
        n += V * d;
    return n;
}

/// A checkpoint of exactly the right size; float i of the payload is i · 0.5.
QByteArray checkpoint(std::int32_t d, std::int32_t hd, std::int32_t L, std::int32_t h, std::int32_t kv, std::int32_t vocab, std::int32_t seq)
{
    QByteArray data = header(d, hd, L, h, kv, vocab, seq);
    const std::int64_t n = expectedFloats(d, hd, L, h, kv, vocab, seq);
    for (std::int64_t i = 0; i < n; ++i) {
        const float f = static_cast<float>(i) * 0.5f;
        data.append(reinterpret_cast<const char *>(&f), 4);
    }
    return data;
}

std::string writeTemp(const QTemporaryDir &dir, const QByteArray &data, const char *name = "m.bin")
{
    const QString p = dir.path() + QLatin1Char('/') + QLatin1String(name);
    QFile f(p);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(data);
    return p.toStdString();
}

float floatAt(const TensorView &v, std::size_t i)
{
    float f = 0;
    std::memcpy(&f, v.data + i * 4, 4);
    return f;
}

std::string readText(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

} // namespace

class TestLlama2c : public QObject {
    Q_OBJECT
private slots:
    void opensStories260K()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const std::string path = lowbit::test::sharedPath(kBin);
        auto m = openLlama2cModel(path);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        const ModelConfig &c = m->config();
        QCOMPARE(m->source(), ModelSource::Llama2c);
        lowbit::test::verifyStories260KConfig(*m);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(c.ropeLayout, RopeLayout::Interleaved);
        QCOMPARE(c.bosTokenId, std::int64_t(1));
        QCOMPARE(c.eosTokenId, std::int64_t(2));
        QCOMPARE(m->totalParams(), std::uint64_t(260032));
        // 1 embedding + 9 per layer + final norm; no freq_cis, no lm_head
        QCOMPARE(m->tensors().size(), std::size_t(1 + 9 * 5 + 1));
        QVERIFY(m->find(TensorRole::Output) == nullptr);
        QVERIFY(m->findByName("model.layers.4.mlp.down_proj.weight") != nullptr);
        QVERIFY(m->findByName("model.norm.weight") != nullptr);

        // zero copy: views point into the file at the offsets llama2.c's order gives
        const std::int64_t d = 64, hd = 172, kv = 32, V = 512, L = 5;
        auto file = MappedFile::open(path);
        QVERIFY(file.ok());
        const std::byte *base = (*file)->data();
        const auto viewOffset = [&](const char *name) {
            const ModelTensor *t = m->findByName(name);
            return t ? static_cast<std::int64_t>(t->view.data - m->findByName("model.embed_tokens.weight")->view.data) : -1;
        };
        const std::int64_t wq = V * d + L * d, wk = wq + L * d * d, w1 = wk + 2 * L * kv * d + L * d * d + L * d;
        QCOMPARE(viewOffset("model.layers.0.self_attn.q_proj.weight"), wq * 4);
        QCOMPARE(viewOffset("model.layers.2.self_attn.k_proj.weight"), (wk + 2 * kv * d) * 4);
        QCOMPARE(viewOffset("model.layers.3.mlp.gate_proj.weight"), (w1 + 3 * hd * d) * 4);
        QCOMPARE(viewOffset("model.layers.1.mlp.up_proj.weight"), (w1 + L * hd * d + L * d * hd + hd * d) * 4);
        const TensorView &emb = m->findByName("model.embed_tokens.weight")->view;
        QVERIFY(std::memcmp(emb.data, base + 28, 64) == 0);
        QCOMPARE(m->findByName("model.layers.2.self_attn.k_proj.weight")->view.shape, (std::vector<std::int64_t>{32, 64}));
        QCOMPARE(m->findByName("model.layers.2.mlp.down_proj.weight")->view.shape, (std::vector<std::int64_t>{64, 172}));
    }

    void convertMatchesReferenceFolder()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/new/hf"; // created by the converter
        auto r = convertLlama2cToHf(lowbit::test::sharedPath(kBin), out, false);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        QCOMPARE(r->tensors, std::uint64_t(47));
        QCOMPARE(r->params, std::uint64_t(260032));

        auto mine = readSafetensors(out + "/model.safetensors");
        auto ref = readSafetensors(lowbit::test::sharedPath("models/stories260K/hf/model.safetensors"));
        QVERIFY2(mine.ok(), mine.ok() ? "" : mine.error().message().c_str());
        QVERIFY(ref.ok());
        QCOMPARE(mine->tensors.size(), ref->tensors.size());
        for (std::size_t i = 0; i < ref->tensors.size(); ++i) {
            const TensorView &a = mine->tensors[i], &b = ref->tensors[i];
            QCOMPARE(a.name, b.name);
            QCOMPARE(a.dtype, DType::F32);
            QCOMPARE(a.dtype, b.dtype);
            QCOMPARE(a.shape, b.shape);
            QCOMPARE(a.nbytes, b.nbytes);
            QVERIFY2(std::memcmp(a.data, b.data, static_cast<std::size_t>(a.nbytes)) == 0, a.name.c_str());
        }
        const auto fmt = std::find_if(mine->metadata.begin(), mine->metadata.end(), [](const auto &kv) { return kv.first == "format"; });
        QVERIFY(fmt != mine->metadata.end());
        QCOMPARE(fmt->second, std::string("pt"));

        // q/k permutation by hand: HF row i of head 0 = llama2.c row 2i, row hd/2+i = row 2i+1
        auto src = openLlama2cModel(lowbit::test::sharedPath(kBin));
        QVERIFY(src.ok());
        const TensorView &q = src->findByName("model.layers.1.self_attn.q_proj.weight")->view;
        const TensorView *hq = nullptr;
        for (const TensorView &t : mine->tensors)
            if (t.name == q.name)
                hq = &t;
        QVERIFY(hq);
        for (std::size_t i = 0; i < 4; ++i)
            for (std::size_t col = 0; col < 64; col += 21) {
                QCOMPARE(floatAt(*hq, i * 64 + col), floatAt(q, 2 * i * 64 + col));
                QCOMPARE(floatAt(*hq, (4 + i) * 64 + col), floatAt(q, (2 * i + 1) * 64 + col));
            }

        auto cfg = parseJson(readText(out + "/config.json"));
        auto refCfg = parseJson(readText(lowbit::test::sharedPath("models/stories260K/hf/config.json")));
        QVERIFY2(cfg.ok(), cfg.ok() ? "" : cfg.error().message().c_str());
        QVERIFY(refCfg.ok());
        for (const auto &[key, want] : refCfg->asObject()) {
            const Json *got = cfg->find(key);
            QVERIFY2(got, key.c_str());
            if (want.isNumber())
                QVERIFY2(got->isNumber() && got->asDouble() == want.asDouble(), key.c_str());
            else
                QVERIFY2(got->dump() == want.dump(), key.c_str());
        }
        QVERIFY(readText(out + "/config.json").find('\n') != std::string::npos); // pretty-printed
    }

    void refusesToOverwrite()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString();
        {
            std::ofstream f(out + "/config.json");
            f << "keep me";
        }
        auto r = convertLlama2cToHf(lowbit::test::sharedPath(kBin), out, false);
        QVERIFY(!r.ok());
        QVERIFY(r.error().detail.find("config.json") != std::string::npos);
        QCOMPARE(readText(out + "/config.json"), std::string("keep me"));
        QVERIFY(!QFile::exists(dir.path() + QStringLiteral("/model.safetensors")));
        auto forced = convertLlama2cToHf(lowbit::test::sharedPath(kBin), out, true);
        QVERIFY2(forced.ok(), forced.ok() ? "" : forced.error().message().c_str());
        QVERIFY(readText(out + "/config.json") != "keep me");
    }

    void badCheckpoints_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<lowbit::ErrorCode>("code");
        QTest::addColumn<QString>("needle");
        const QByteArray good = checkpoint(8, 12, 2, 2, 1, 16, 4);
        QTest::newRow("empty") << QByteArray() << ErrorCode::Truncated << QStringLiteral("header");
        QTest::newRow("truncated header") << good.left(20) << ErrorCode::Truncated << QStringLiteral("header");
        QTest::newRow("truncated data") << good.left(good.size() - 4) << ErrorCode::Truncated << QStringLiteral("implies");
        QTest::newRow("header only") << good.left(28) << ErrorCode::Truncated << QStringLiteral("implies");
        QTest::newRow("trailing bytes") << good + QByteArray(6, '\0') << ErrorCode::Malformed << QStringLiteral("6 trailing bytes");
        QTest::newRow("zero dim") << header(0, 12, 2, 2, 1, 16, 4) << ErrorCode::Malformed << QStringLiteral("positive");
        QTest::newRow("negative layers") << header(8, 12, -2, 2, 1, 16, 4) << ErrorCode::Malformed << QStringLiteral("positive");
        QTest::newRow("zero vocab") << header(8, 12, 2, 2, 1, 0, 4) << ErrorCode::Malformed << QStringLiteral("positive");
        QTest::newRow("INT_MIN vocab") << header(8, 12, 2, 2, 1, INT32_MIN, 4) << ErrorCode::Malformed << QStringLiteral("positive");
        QTest::newRow("zero seq_len") << header(8, 12, 2, 2, 1, 16, 0) << ErrorCode::Malformed << QStringLiteral("positive");
        QTest::newRow("heads do not divide dim") << header(8, 12, 2, 3, 1, 16, 4) << ErrorCode::Malformed << QStringLiteral("not a multiple");
        QTest::newRow("kv heads > heads") << header(8, 12, 2, 2, 4, 16, 4) << ErrorCode::Malformed << QStringLiteral("kv heads");
        QTest::newRow("kv heads do not divide heads") << header(12, 12, 2, 4, 3, 16, 4) << ErrorCode::Malformed << QStringLiteral("kv heads");
        QTest::newRow("odd head size") << header(6, 12, 2, 2, 1, 16, 4) << ErrorCode::Malformed << QStringLiteral("odd");
        QTest::newRow("absurd sizes") << header(INT32_MAX, INT32_MAX, INT32_MAX, 1, 1, INT32_MAX, INT32_MAX) << ErrorCode::Malformed
                                      << QStringLiteral("large");
        // at the bounds the byte count needs ~2^55 bytes: computed without overflow, reported as truncated
        QTest::newRow("huge but bounded") << header(1 << 20, 1 << 20, 4096, 1 << 10, 1 << 10, 1 << 24, 1 << 24) << ErrorCode::Truncated
                                          << QStringLiteral("implies");
    }

    void badCheckpoints()
    {
        QFETCH(QByteArray, file);
        QFETCH(lowbit::ErrorCode, code);
        QFETCH(QString, needle);
        const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(file.constData()), static_cast<std::size_t>(file.size()));
        auto h = parseLlama2cHeader(bytes, "bad.bin");
        QVERIFY(!h.ok());
        QCOMPARE(h.error().code, code);
        QVERIFY2(h.error().detail.find("bad.bin") != std::string::npos, h.error().detail.c_str());
        QVERIFY2(h.error().detail.find(needle.toStdString()) != std::string::npos, h.error().detail.c_str());

        if (file.isEmpty())
            return; // a zero-length file cannot be memory-mapped on every system; the parser was checked above
        QTemporaryDir dir;
        const std::string path = writeTemp(dir, file);
        auto m = openLlama2cModel(path);
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, code);
        QVERIFY2(m.error().detail.find(path) != std::string::npos, m.error().detail.c_str());
    }

    void syntheticSharedAndUnshared_data()
    {
        QTest::addColumn<int>("vocab");
        QTest::newRow("shared") << 16;
        QTest::newRow("unshared") << -16;
    }

    void syntheticSharedAndUnshared()
    {
        QFETCH(int, vocab);
        const std::int32_t d = 8, hd = 12, L = 2, h = 2, kvh = 1, seq = 4;
        const QByteArray data = checkpoint(d, hd, L, h, kvh, vocab, seq);
        QTemporaryDir dir;
        auto m = openLlama2cModel(writeTemp(dir, data));
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->config().vocabSize, std::int64_t(16));
        QCOMPARE(m->config().tieWordEmbeddings, vocab > 0);
        const ModelTensor *out = m->find(TensorRole::Output);
        const std::int64_t freq = seq * (d / h); // freq_cis real + imag are not parameters
        QCOMPARE(static_cast<std::int64_t>(m->totalParams()), expectedFloats(d, hd, L, h, kvh, vocab, seq) - freq);
        if (vocab > 0) {
            QVERIFY(out == nullptr);
            return;
        }
        QVERIFY(out);
        QCOMPARE(out->view.name, std::string("lm_head.weight"));
        QCOMPARE(out->view.shape, (std::vector<std::int64_t>{16, 8}));
        // the classifier is the last 16·8 floats of the file
        const std::int64_t n = expectedFloats(d, hd, L, h, kvh, vocab, seq);
        QCOMPARE(floatAt(out->view, 0), static_cast<float>(n - 128) * 0.5f);
        QCOMPARE(floatAt(out->view, 127), static_cast<float>(n - 1) * 0.5f);
        // and a conversion keeps it, last
        const std::string outDir = dir.path().toStdString() + "/hf";
        auto r = convertLlama2cToHf(dir.path().toStdString() + "/m.bin", outDir, false);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto st = readSafetensors(outDir + "/model.safetensors");
        QVERIFY(st.ok());
        QCOMPARE(st->tensors.back().name, std::string("lm_head.weight"));
        QVERIFY(std::memcmp(st->tensors.back().data, out->view.data, 128 * 4) == 0);
        const std::string cfg = readText(outDir + "/config.json");
        QVERIFY(cfg.find("\"tie_word_embeddings\": false") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestLlama2c)
#include "tst_llama2c.moc"
