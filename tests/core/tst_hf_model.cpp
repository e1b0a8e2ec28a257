// SPDX-License-Identifier: GPL-3.0-or-later
// Hugging Face folders: the shared stories260K folder, a generated 2-shard copy of it, a single
// .safetensors file, contradicting and missing config.json.
#include "core/io/model_readers.h"
#include "core/io/safetensors_reader.h"
#include "core/io/safetensors_writer.h"
#include "core/util/mapped_file.h"

#include "stories_golden.h"
#include "test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace lowbit;

namespace {

const char *const kSharedWeights = "models/stories260K/hf/model.safetensors";
const char *const kSharedConfig = "models/stories260K/hf/config.json";

bool writeText(const std::string &path, const std::string &text)
{
    QFile f(QString::fromStdString(path));
    if (!f.open(QIODevice::WriteOnly))
        return false;
    return f.write(text.data(), qint64(text.size())) == qint64(text.size());
}

std::vector<SafetensorsEntry> entriesOf(const std::vector<TensorView> &views, std::size_t from, std::size_t to)
{
    std::vector<SafetensorsEntry> out;
    for (std::size_t i = from; i < to; ++i)
        out.push_back({views[i].name, views[i].dtype, views[i].shape, {views[i].data, static_cast<std::size_t>(views[i].nbytes)}});
    return out;
}

/// Writes `dir`/config.json (`configText`) and the shared weights as `shards` files
/// (model-0000i-of-0000n.safetensors + index) or, for shards == 0, one model.safetensors.
/// Returns an empty string on success, else what failed.
std::string writeHfFolder(const std::string &dir, const std::string &configText, int shards)
{
    auto src = readSafetensors(lowbit::test::sharedPath(kSharedWeights));
    if (!src)
        return src.error().message();
    if (!writeText(dir + "/config.json", configText))
        return "cannot write config.json";
    const auto &views = src->tensors;
    if (shards == 0) {
        auto st = writeSafetensors(dir + "/model.safetensors", entriesOf(views, 0, views.size()), src->metadata);
        return st ? std::string() : st.error().message();
    }
    Json weightMap = Json::object();
    const std::size_t n = views.size();
    for (int s = 0; s < shards; ++s) {
        const std::size_t from = n * std::size_t(s) / std::size_t(shards), to = n * std::size_t(s + 1) / std::size_t(shards);
        const std::string name = "model-0000" + std::to_string(s + 1) + "-of-0000" + std::to_string(shards) + ".safetensors";
        auto st = writeSafetensors(dir + "/" + name, entriesOf(views, from, to), {{"format", "pt"}});
        if (!st)
            return st.error().message();
        for (std::size_t i = from; i < to; ++i)
            weightMap[views[i].name] = Json(name);
    }
    Json index = Json::object();
    index["metadata"] = Json::object();
    index["weight_map"] = std::move(weightMap);
    return writeText(dir + "/model.safetensors.index.json", index.dump()) ? std::string() : "cannot write the index";
}

std::string sharedConfigText()
{
    auto t = readTextFile(lowbit::test::sharedPath(kSharedConfig));
    return t ? *t : std::string();
}

/// The shared config with `key` set to `value` (a JSON literal).
std::string configWith(const std::string &key, const std::string &value)
{
    auto j = parseJson(sharedConfigText());
    if (!j)
        return {};
    auto v = parseJson(value);
    if (!v)
        return {};
    (*j)[key] = std::move(*v);
    return j->dump();
}

void compareTensors(const Model &a, const Model &b)
{
    QCOMPARE(a.tensors().size(), b.tensors().size());
    for (std::size_t i = 0; i < a.tensors().size(); ++i) {
        const ModelTensor &x = a.tensors()[i], &y = b.tensors()[i];
        QCOMPARE(x.view.name, y.view.name);
        QCOMPARE(x.view.dtype, y.view.dtype);
        QCOMPARE(x.view.shape, y.view.shape);
        QCOMPARE(x.role, y.role);
        QCOMPARE(x.layer, y.layer);
        QCOMPARE(x.view.nbytes, y.view.nbytes);
        QVERIFY2(std::memcmp(x.view.data, y.view.data, x.view.nbytes) == 0, x.view.name.c_str());
    }
}

} // namespace

class TestHfModel : public QObject {
    Q_OBJECT
private slots:
    void sharedFolder()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        const std::string dir = lowbit::test::sharedPath("models/stories260K/hf");
        auto m = openHfModel(dir);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->source(), ModelSource::HfFolder);
        lowbit::test::verifyStories260KConfig(*m);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(m->totalParams(), std::uint64_t(260032));

        const ModelTensor *q = m->find(TensorRole::Q, 3), *k = m->find(TensorRole::K, 3);
        QVERIFY(q && k);
        QCOMPARE(q->view.name, std::string("model.layers.3.self_attn.q_proj.weight"));
        QCOMPARE(q->view.shape, (std::vector<std::int64_t>{64, 64}));
        QCOMPARE(k->view.shape, (std::vector<std::int64_t>{32, 64}));
        QCOMPARE(m->find(TensorRole::Down, 4)->view.shape, (std::vector<std::int64_t>{64, 172}));
        QCOMPARE(m->find(TensorRole::Embedding)->view.shape, (std::vector<std::int64_t>{512, 64}));
        QVERIFY(m->find(TensorRole::Output) == nullptr); // tied
        QVERIFY(m->find(TensorRole::FinalNorm) != nullptr);

        // order as in the file, and zero copy: views point into the mapping they own
        auto f = readSafetensors(lowbit::test::sharedPath(kSharedWeights));
        QVERIFY(f.ok());
        QCOMPARE(m->tensors().size(), f->tensors.size());
        for (std::size_t i = 0; i < f->tensors.size(); ++i) {
            const TensorView &v = m->tensors()[i].view;
            QCOMPARE(v.name, f->tensors[i].name);
            auto mapped = std::static_pointer_cast<const MappedFile>(v.owner);
            QVERIFY(mapped);
            QVERIFY(v.data >= mapped->data() && v.data + v.nbytes <= mapped->data() + mapped->size());
        }

        // the same model through Model::open and through the file path
        auto viaOpen = Model::open(dir);
        QVERIFY(viaOpen.ok());
        compareTensors(*m, *viaOpen);
        auto single = openHfModel(lowbit::test::sharedPath(kSharedWeights));
        QVERIFY2(single.ok(), single.ok() ? "" : single.error().message().c_str());
        QCOMPARE(single->source(), ModelSource::Safetensors);
        compareTensors(*m, *single);
    }

    void shardedFolder_data()
    {
        QTest::addColumn<int>("shards");
        QTest::newRow("2 shards") << 2;
        QTest::newRow("3 shards") << 3;
    }
    void shardedFolder()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(int, shards);
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const std::string err = writeHfFolder(dir, sharedConfigText(), shards);
        QVERIFY2(err.empty(), err.c_str());
        auto ref = openHfModel(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY(ref.ok());
        auto m = openHfModel(dir);
        QVERIFY2(m.ok(), m.ok() ? "" : m.error().message().c_str());
        QCOMPARE(m->source(), ModelSource::HfFolder);
        QCOMPARE(m->totalParams(), std::uint64_t(260032));
        compareTensors(*ref, *m);
        // tensors of different shards live in different mappings
        QVERIFY(m->tensors().front().view.owner != m->tensors().back().view.owner);
        // the index file itself is accepted too
        auto viaIndex = openHfModel(dir + "/model.safetensors.index.json");
        QVERIFY2(viaIndex.ok(), viaIndex.ok() ? "" : viaIndex.error().message().c_str());
        compareTensors(*ref, *viaIndex);
        // a missing shard is reported by name
        const std::string gone = "model-00002-of-0000" + std::to_string(shards) + ".safetensors";
        QVERIFY(QFile::remove(QString::fromStdString(dir + "/" + gone)));
        auto missing = openHfModel(dir);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ErrorCode::NotFound);
        QVERIFY2(missing.error().detail.find(gone) != std::string::npos, missing.error().detail.c_str());
    }

    void contradictingConfig_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::newRow("hidden_size") << "hidden_size" << "128";
        QTest::newRow("intermediate_size") << "intermediate_size" << "176";
        QTest::newRow("num_key_value_heads") << "num_key_value_heads" << "8";
        QTest::newRow("vocab_size") << "vocab_size" << "1024";
        QTest::newRow("num_hidden_layers") << "num_hidden_layers" << "6";
        QTest::newRow("untied embeddings") << "tie_word_embeddings" << "false";
    }
    void contradictingConfig()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(QString, key);
        QFETCH(QString, value);
        const std::string config = configWith(key.toStdString(), value.toStdString());
        QVERIFY(!config.empty());
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        const std::string err = writeHfFolder(dir, config, 0);
        QVERIFY2(err.empty(), err.c_str());
        auto m = openHfModel(dir);
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::Inconsistent);
        QVERIFY2(m.error().detail.find(dir) != std::string::npos, m.error().detail.c_str());
        // the unmodified config in the same folder opens
        QVERIFY(writeText(dir + "/config.json", sharedConfigText()));
        QVERIFY(openHfModel(dir).ok());
    }

    void missingPieces()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir tmp;
        const std::string dir = tmp.path().toStdString();
        // empty folder: no weights
        auto empty = openHfModel(dir);
        QVERIFY(!empty.ok());
        QCOMPARE(empty.error().code, ErrorCode::NotFound);
        QVERIFY2(empty.error().detail.find("model.safetensors") != std::string::npos, empty.error().detail.c_str());
        // weights without config.json, as a folder and as a file
        QVERIFY(writeHfFolder(dir, sharedConfigText(), 0).empty());
        QVERIFY(QFile::remove(QString::fromStdString(dir + "/config.json")));
        for (const std::string &p : {dir, dir + "/model.safetensors"}) {
            auto m = openHfModel(p);
            QVERIFY(!m.ok());
            QCOMPARE(m.error().code, ErrorCode::NotFound);
            QVERIFY2(m.error().detail.find("config.json") != std::string::npos, m.error().detail.c_str());
        }
        // a path that does not exist
        auto none = openHfModel(dir + "/nothing.safetensors");
        QVERIFY(!none.ok());
        QCOMPARE(none.error().code, ErrorCode::NotFound);
        QVERIFY2(none.error().detail.find("nothing.safetensors") != std::string::npos, none.error().detail.c_str());
        // a broken config.json is reported as such
        QVERIFY(writeText(dir + "/config.json", "{\"hidden_size\": "));
        auto bad = openHfModel(dir);
        QVERIFY(!bad.ok());
        QVERIFY2(bad.error().detail.find("config.json") != std::string::npos, bad.error().detail.c_str());
    }
};

QTEST_APPLESS_MAIN(TestHfModel)
#include "tst_hf_model.moc"
