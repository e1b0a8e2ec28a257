// SPDX-License-Identifier: GPL-3.0-or-later
// The studio container: lossless round trip of every packed format family, the engine reading it,
// the embedded tokenizer, and hostile or mismatched files rejected with clear errors.
#include "core/export/gguf_export.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/io/safetensors_reader.h"
#include "core/io/safetensors_writer.h"
#include "core/io/studio_container.h"
#include "core/methods/quantize_model.h"
#include "core/quant/quantized_tensor.h"
#include "core/util/mapped_file.h"
#include "reference_forward.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace lowbit;

namespace {

Model randomModel() { return test::makeRandomModel(64, 96, 2, 4, 2, 80, RopeLayout::HalfSplit, false, 7); }

FormatSpec specOf(const char *name, std::int64_t group, ScaleStorage storage)
{
    auto f = parseFormat(name);
    Q_ASSERT(f.ok());
    auto s = makeFormatSpec(*f, group, storage);
    Q_ASSERT(s.ok());
    return *s;
}

std::vector<float> decodeAll(const TensorView &v)
{
    auto r = v.toFloatVector();
    return r ? *r : std::vector<float>{};
}

std::string tmpPath(const QTemporaryDir &dir, const char *name) { return (dir.path() + QLatin1Char('/') + QLatin1String(name)).toStdString(); }

} // namespace

class TestStudioContainer : public QObject {
    Q_OBJECT
private slots:
    void roundTripEveryFamily_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<int>("storage");
        QTest::newRow("int4 g32 fp16") << "int4" << 32 << int(ScaleStorage::F16);
        QTest::newRow("int3-asym zero points") << "int3-asym" << 16 << int(ScaleStorage::F16);
        QTest::newRow("fp4-asym two scales") << "fp4-asym" << 32 << int(ScaleStorage::BF16);
        QTest::newRow("nf4 per-channel") << "nf4" << int(kPerChannel) << int(ScaleStorage::F32);
        QTest::newRow("bitmod-fp3 selectors") << "bitmod-fp3" << 32 << int(ScaleStorage::F16);
        QTest::newRow("fp6 planes") << "fp6-e3m2" << 32 << int(ScaleStorage::F16);
        QTest::newRow("mxfp4 e8m0") << "mxfp4" << 32 << int(ScaleStorage::E8M0);
        QTest::newRow("nvfp4 tensor scale") << "nvfp4" << 16 << int(ScaleStorage::E4M3);
        QTest::newRow("int2 per-tensor") << "int2" << int(kPerTensor) << int(ScaleStorage::F32);
    }
    void roundTripEveryFamily()
    {
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(int, storage);
        const Model m = randomModel();
        QuantizeConfig cfg;
        cfg.defaultSpec = specOf(format.toUtf8().constData(), group, static_cast<ScaleStorage>(storage));
        cfg.includeOutput = true;
        auto q = quantizeModel(m, nullptr, cfg);
        QVERIFY2(q.ok(), q.ok() ? "" : q.error().message().c_str());
        const Model &qm = q->first;
        QCOMPARE(q->second.layers.size(), std::size_t(2 * 7 + 1));

        QTemporaryDir dir;
        const std::string path = tmpPath(dir, "m.lowbit.safetensors");
        Json report = Json::object();
        report["note"] = "round trip";
        ContainerWriteOptions wo;
        wo.report = report;
        QVERIFY(writeStudioContainer(qm, path, wo).ok());
        auto back = Model::open(path);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QCOMPARE(back->source(), ModelSource::Studio);
        QCOMPARE(back->tensors().size(), qm.tensors().size());
        QCOMPARE(back->config().toJson().dump(), qm.config().toJson().dump());
        for (const ModelTensor &t : qm.tensors()) {
            const ModelTensor *u = back->findByName(t.view.name);
            QVERIFY2(u, t.view.name.c_str());
            QCOMPARE(u->role, t.role);
            QCOMPARE(u->layer, t.layer);
            QCOMPARE(u->view.shape, t.view.shape);
            QCOMPARE(bool(u->view.decoder), bool(t.view.decoder));
            const std::vector<float> a = decodeAll(t.view), b = decodeAll(u->view);
            QCOMPARE(a.size(), static_cast<std::size_t>(t.view.numel()));
            QVERIFY2(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0, t.view.name.c_str()); // bit-exact
            if (t.view.decoder) {
                QCOMPARE(u->view.decoder->bitsPerWeight(), t.view.decoder->bitsPerWeight());
                QCOMPARE(u->view.decoder->describe(), t.view.decoder->describe());
            }
        }
        auto r = readContainerReport(path);
        QVERIFY(r.ok());
        QCOMPARE(r->find("note")->asString(), std::string("round trip"));
    }

    void engineReadsContainerLikeMemory()
    {
        const Model m = randomModel();
        QuantizeConfig cfg;
        cfg.defaultSpec = specOf("int4-asym", 32, ScaleStorage::F16);
        auto q = quantizeModel(m, nullptr, cfg);
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string path = tmpPath(dir, "e.lowbit.safetensors");
        QVERIFY(writeStudioContainer(q->first, path).ok());
        auto back = Model::open(path);
        QVERIFY(back.ok());
        const std::vector<std::int32_t> tokens{1, 5, 9, 17, 33, 2};
        for (const WeightMode mode : {WeightMode::Resident, WeightMode::OnTheFly}) {
            EngineOptions eo;
            eo.weights = mode;
            auto a = CpuModel::load(q->first, eo);
            auto b = CpuModel::load(*back, eo);
            QVERIFY(a.ok() && b.ok());
            auto la = (*a)->forward(tokens), lb = (*b)->forward(tokens);
            QVERIFY(la.ok() && lb.ok());
            QCOMPARE(*la, *lb);
            // and the quantized model differs from the original (the engine really used the codes)
            auto c = CpuModel::load(m, eo);
            auto lc = (*c)->forward(tokens);
            QVERIFY(*lc != *la);
        }
    }

    void embedsTokenizerAndEvaluatesStories()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const std::string src = test::sharedPath("models/stories260K/stories260K.bin");
        auto m = Model::open(src);
        QVERIFY(m.ok());
        QuantizeConfig cfg;
        cfg.defaultSpec = specOf("int8", 32, ScaleStorage::F16);
        auto q = quantizeModel(*m, nullptr, cfg);
        QVERIFY(q.ok());
        QTemporaryDir dir; // a folder without any tokenizer file: the container must carry it
        const std::string path = tmpPath(dir, "s.lowbit.safetensors");
        QVERIFY(writeStudioContainer(q->first, path).ok());
        auto tok = loadTokenizer(path, m->config().vocabSize);
        QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().message().c_str());
        auto ref = loadTokenizer(src, m->config().vocabSize);
        QVERIFY(ref.ok());
        const std::string text = "Once upon a time, there was a little dog.";
        QCOMPARE((*tok)->encode(text, true), (*ref)->encode(text, true));
        // int8 is nearly lossless: greedy next token after a prompt matches the fp32 model
        auto back = Model::open(path);
        QVERIFY(back.ok());
        auto e8 = CpuModel::load(*back);
        auto e32 = CpuModel::load(*m);
        const std::vector<std::int32_t> ids = (*ref)->encode(text, true);
        auto l8 = (*e8)->forward(ids, false), l32 = (*e32)->forward(ids, false);
        QVERIFY(l8.ok() && l32.ok());
        const auto argmax = [](const std::vector<float> &v) { return std::max_element(v.begin(), v.end()) - v.begin(); };
        QCOMPARE(argmax(*l8), argmax(*l32));
    }

    void carriesAGgufTokenizer()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const std::string src = test::sharedPath("models/stories260K/stories260K.bin");
        auto m = Model::open(src);
        QVERIFY(m.ok());
        QTemporaryDir ggufDir, outDir; // the GGUF's folder has no tokenizer file: only its metadata has one
        const std::string gguf = tmpPath(ggufDir, "s.gguf");
        ExportOptions eo;
        eo.ggufType = DType::F32;
        auto ex = exportGguf(*m, gguf, eo);
        QVERIFY2(ex.ok(), ex.ok() ? "" : ex.error().message().c_str());
        auto g = Model::open(gguf);
        QVERIFY(g.ok());
        QuantizeConfig cfg;
        cfg.defaultSpec = specOf("int8", 32, ScaleStorage::F16);
        auto q = quantizeModel(*g, nullptr, cfg);
        QVERIFY(q.ok());
        const std::string path = tmpPath(outDir, "g.lowbit.safetensors");
        QVERIFY(writeStudioContainer(q->first, path).ok());
        // and once more from the container itself (re-saving keeps the embedded tokenizer)
        auto back = Model::open(path);
        QVERIFY(back.ok());
        const std::string again = tmpPath(outDir, "again.lowbit.safetensors");
        QVERIFY(writeStudioContainer(*back, again).ok());
        auto ref = loadTokenizer(src, m->config().vocabSize);
        QVERIFY(ref.ok());
        const std::string text = "The cat sat on a mat and was happy.";
        for (const std::string &p : {path, again}) {
            auto tok = loadTokenizer(p, m->config().vocabSize);
            QVERIFY2(tok.ok(), tok.ok() ? "" : tok.error().message().c_str());
            QCOMPARE((*tok)->encode(text, true), (*ref)->encode(text, true));
        }
    }

    void refusesOverwriteAndBadNames()
    {
        const Model m = randomModel();
        QTemporaryDir dir;
        const std::string path = tmpPath(dir, "o.lowbit.safetensors");
        QVERIFY(writeStudioContainer(m, path).ok());
        const auto before = std::filesystem::file_size(path);
        auto again = writeStudioContainer(m, path);
        QVERIFY(!again.ok());
        QVERIFY(again.error().detail.find("exists") != std::string::npos);
        QCOMPARE(std::filesystem::file_size(path), before);
        QVERIFY(!writeStudioContainer(m, tmpPath(dir, "plain.safetensors")).ok());
        ContainerWriteOptions wo;
        wo.overwrite = true;
        QVERIFY(writeStudioContainer(m, path, wo).ok());
    }

    void hostileFilesAreRejected()
    {
        const Model m = randomModel();
        QuantizeConfig cfg;
        cfg.defaultSpec = specOf("bitmod-fp3", 32, ScaleStorage::F16);
        auto q = quantizeModel(m, nullptr, cfg);
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string good = tmpPath(dir, "g.lowbit.safetensors");
        QVERIFY(writeStudioContainer(q->first, good).ok());
        auto file = readSafetensors(good);
        QVERIFY(file.ok());

        // Rewrite the container with one change to its metadata or arrays; every variant must fail cleanly.
        const auto rewrite = [&](const char *name, auto &&edit) {
            std::vector<SafetensorsEntry> entries;
            for (const TensorView &v : file->tensors)
                entries.push_back({v.name, v.dtype, v.shape, v.bytes()});
            SafetensorsMetadata meta = file->metadata;
            edit(entries, meta);
            const std::string p = tmpPath(dir, name);
            return writeSafetensors(p, entries, meta).ok() ? p : std::string("(write failed)");
        };
        const auto setMeta = [](SafetensorsMetadata &meta, const std::string &key, const std::string &value) {
            for (auto &[k, v] : meta)
                if (k == key)
                    v = value;
        };
        const std::string q0 = "model.layers.0.self_attn.q_proj.weight";
        const auto editTensorMeta = [&](SafetensorsMetadata &meta, const std::string &field, Json value) {
            for (auto &[k, v] : meta)
                if (k == "lowbit.tensors") {
                    auto j = parseJson(v);
                    (*j)[q0][field] = std::move(value);
                    v = j->dump();
                }
        };
        std::vector<std::pair<std::string, std::string>> bad; // path, expected words in the error
        bad.push_back({rewrite("v2.lowbit.safetensors", [&](auto &, auto &meta) { setMeta(meta, "lowbit.container", "2"); }), "version"});
        bad.push_back({rewrite("kind.lowbit.safetensors", [&](auto &, auto &meta) { editTensorMeta(meta, "kind", Json("warp")); }), "kind"});
        bad.push_back({rewrite("bits.lowbit.safetensors", [&](auto &, auto &meta) { editTensorMeta(meta, "code_bits", Json(5)); }), "array"});
        bad.push_back({rewrite("rows.lowbit.safetensors", [&](auto &, auto &meta) { editTensorMeta(meta, "rows", Json(1ll << 40)); }), "rows"});
        bad.push_back({rewrite("fmt.lowbit.safetensors", [&](auto &, auto &meta) { editTensorMeta(meta, "format", Json("int99")); }), "int99"});
        bad.push_back({rewrite("json.lowbit.safetensors", [&](auto &, auto &meta) { setMeta(meta, "lowbit.tensors", "{not json"); }), "JSON"});
        bad.push_back({rewrite("missing.lowbit.safetensors",
                               [&](auto &entries, auto &) {
                                   std::erase_if(entries, [&](const SafetensorsEntry &e) { return e.name == q0 + ".selectors"; });
                               }),
                       "selectors"});
        bad.push_back({rewrite("sel.lowbit.safetensors",
                               [&](auto &entries, auto &) {
                                   for (auto &e : entries)
                                       if (e.name == q0 + ".scales")
                                           e.shape = {e.shape[0] / 2}, e.data = e.data.first(e.data.size() / 2);
                               }),
                       "scales"});
        for (const auto &[p, words] : bad) {
            auto r = Model::open(p);
            QVERIFY2(!r.ok(), p.c_str());
            QVERIFY2(r.error().message().find(words) != std::string::npos, r.error().message().c_str());
        }
        // truncated file
        auto bytes = readTextFile(good);
        QVERIFY(bytes.ok());
        for (const std::size_t keep : {std::size_t(5), bytes->size() / 2, bytes->size() - 1}) {
            const std::string p = tmpPath(dir, "t.lowbit.safetensors");
            std::ofstream(p, std::ios::binary | std::ios::trunc).write(bytes->data(), static_cast<std::streamsize>(keep));
            QVERIFY(!Model::open(p).ok());
        }
    }

    void quantizeModelRulesSkipPlanAndErrors()
    {
        const Model m = randomModel();
        QuantizeConfig cfg;
        cfg.defaultSpec = specOf("int4", 32, ScaleStorage::F16);
        cfg.rules.push_back({"mlp\\.down", specOf("int8", 32, ScaleStorage::F16)});
        cfg.skipPattern = "layers\\.1\\.self_attn\\.[qk]_proj";
        cfg.plan["model.layers.1.self_attn.k_proj.weight"] = specOf("nf4", 64, ScaleStorage::F16); // plan beats skip
        auto q = quantizeModel(m, nullptr, cfg);
        QVERIFY(q.ok());
        std::map<std::string, std::string> fmt;
        for (const LayerOutcome &l : q->second.layers)
            fmt[l.tensor] = l.format;
        QCOMPARE(fmt.count("model.layers.1.self_attn.q_proj.weight"), std::size_t(0));
        QCOMPARE(fmt["model.layers.1.self_attn.k_proj.weight"], std::string("nf4 g64 fp16"));
        QCOMPARE(fmt["model.layers.0.mlp.down_proj.weight"], std::string("int8 g32 fp16"));
        QCOMPARE(fmt["model.layers.0.mlp.up_proj.weight"], std::string("int4 g32 fp16"));
        QCOMPARE(fmt.count("model.embed_tokens.weight"), std::size_t(0));
        QVERIFY(q->second.averageBpw > 4.4 && q->second.averageBpw < 8.6);

        QuantizeConfig badRegex = cfg;
        badRegex.skipPattern = "([";
        auto e1 = quantizeModel(m, nullptr, badRegex);
        QVERIFY(!e1.ok() && e1.error().code == ErrorCode::InvalidArgument);
        QuantizeConfig badMethod = cfg;
        badMethod.method = "magic";
        QVERIFY(!quantizeModel(m, nullptr, badMethod).ok());

        std::stop_source stop;
        stop.request_stop();
        auto c = quantizeModel(m, nullptr, cfg, {}, stop.get_token());
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, ErrorCode::Cancelled);

        // progress reaches the total
        std::int64_t lastDone = -1, lastTotal = 0;
        QVERIFY(quantizeModel(m, nullptr, cfg, [&](std::int64_t d, std::int64_t t, const std::string &, double) {
                    QVERIFY(d >= lastDone);
                    lastDone = d;
                    lastTotal = t;
                }).ok());
        QCOMPARE(lastDone, lastTotal);
    }

    void nanWeightIsAClearError()
    {
        const Model m = randomModel();
        std::vector<ModelTensor> tensors = m.tensors();
        for (ModelTensor &t : tensors)
            if (t.view.name == "model.layers.0.mlp.up_proj.weight") {
                auto v = t.view.toFloatVector();
                (*v)[5] = std::numeric_limits<float>::quiet_NaN();
                t.view = makeOwnedF32(t.view.name, t.view.shape, std::move(*v));
            }
        auto bad = Model::fromParts(m.source(), m.path(), m.config(), tensors);
        QVERIFY(bad.ok());
        QuantizeConfig cfg;
        cfg.defaultSpec = specOf("int4", 32, ScaleStorage::F16);
        auto q = quantizeModel(*bad, nullptr, cfg);
        QVERIFY(!q.ok());
        QVERIFY2(q.error().message().find("up_proj") != std::string::npos && q.error().message().find("NaN") != std::string::npos,
                 q.error().message().c_str());
        // skipping the tensor makes it work
        cfg.skipPattern = "layers\\.0\\.mlp\\.up_proj";
        QVERIFY(quantizeModel(*bad, nullptr, cfg).ok());
    }
};

QTEST_APPLESS_MAIN(TestStudioContainer)
#include "tst_studio_container.moc"
