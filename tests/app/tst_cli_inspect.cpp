// SPDX-License-Identifier: GPL-3.0-or-later
// `lowbit inspect`: the same golden numbers from the llama2.c .bin, the HF folder and a GGUF.
#include "app/cli/commands.h"

#include "core/model/model.h"
#include "core/util/json.h"

#include "gguf_fixture.h"
#include "cli_runner.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <sstream>

using namespace lowbit;

namespace {
int run(std::vector<std::string> args, std::string &out, std::string &err) { return lowbit::test::runLowbit(std::move(args), out, err); }
} // namespace

class TestCliInspect : public QObject {
    Q_OBJECT
private slots:
    void goldenFromEverySource()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        QTemporaryDir dir;
        const std::string gguf = dir.path().toStdString() + "/stories.gguf";
        auto hf = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
        QVERIFY(hf.ok());
        QVERIFY(lowbit::test::writeModelAsGguf(*hf, gguf, DType::Q8_0).ok());
        for (const std::string &path : {lowbit::test::sharedPath("models/stories260K/stories260K.bin"),
                                         lowbit::test::sharedPath("models/stories260K/hf"), gguf}) {
            std::string out, err;
            QCOMPARE(run({"inspect", path, "--json"}, out, err), 0);
            auto j = parseJson(out);
            QVERIFY2(j.ok(), err.c_str());
            QCOMPARE(*j->find("total_params")->asUInt64(), std::uint64_t(260032));
            const Json *c = j->find("config");
            QCOMPARE(*c->find("dim")->asInt64(), std::int64_t(64));
            QCOMPARE(*c->find("hidden_dim")->asInt64(), std::int64_t(172));
            QCOMPARE(*c->find("n_layers")->asInt64(), std::int64_t(5));
            QCOMPARE(*c->find("n_heads")->asInt64(), std::int64_t(8));
            QCOMPARE(*c->find("n_kv_heads")->asInt64(), std::int64_t(4));
            QCOMPARE(*c->find("vocab_size")->asInt64(), std::int64_t(512));
            QCOMPARE(*c->find("seq_len")->asInt64(), std::int64_t(512));
            const Json *tensors = j->find("tensors");
            QCOMPARE(tensors->size(), std::size_t(47));
            for (const Json &t : tensors->asArray()) {
                QVERIFY(t.find("std")->asDouble() > 0);
                QCOMPARE(*t.find("nan_count")->asUInt64(), std::uint64_t(0));
                QVERIFY(t.find("max_channel_absmax_ratio")->asDouble() >= 1.0);
            }
        }
    }
    void tableOutputAndErrors()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        std::string out, err;
        QCOMPARE(run({"inspect", lowbit::test::sharedPath("models/stories260K/stories260K.bin")}, out, err), 0);
        QVERIFY(out.find("260,032") != std::string::npos);
        QVERIFY(out.find("model.layers.4.mlp.down_proj.weight") != std::string::npos);
        QCOMPARE(run({"inspect", "/no/such/model"}, out, err), 1);
        QVERIFY(err.find("no such file") != std::string::npos);
        QCOMPARE(run({"inspect"}, out, err), 2);
        QCOMPARE(run({"inspect", "x", "--bogus"}, out, err), 2);
        QCOMPARE(run({"inspect", "x", "--threads", "0"}, out, err), 2);
        QCOMPARE(run({"frobnicate"}, out, err), 2);
    }
    void nanWeightsAreReportedNotFatal()
    {
        QTemporaryDir dir;
        // a tiny HF folder whose q_proj holds a NaN and an Inf
        auto makeModel = [] {
            ModelConfig c;
            c.modelType = "llama";
            c.hiddenSize = 4;
            c.intermediateSize = 4;
            c.numLayers = 1;
            c.numHeads = 2;
            c.numKvHeads = 2;
            c.headDim = 2;
            c.vocabSize = 4;
            c.maxPositions = 8;
            c.tieWordEmbeddings = true;
            return c;
        };
        const ModelConfig c = makeModel();
        std::vector<ModelTensor> ts;
        auto add = [&](TensorRole r, int l, std::vector<std::int64_t> shape, float v) {
            std::size_t n = 1;
            for (auto s : shape)
                n *= std::size_t(s);
            std::vector<float> vals(n, v);
            if (r == TensorRole::Q) {
                vals[1] = NAN;
                vals[2] = INFINITY;
            }
            ts.push_back({makeOwnedF32(hfTensorName(r, l), shape, vals), r, l});
        };
        add(TensorRole::Embedding, -1, {4, 4}, 0.1f);
        for (TensorRole r : {TensorRole::AttnNorm, TensorRole::FfnNorm})
            add(r, 0, {4}, 1.0f);
        for (TensorRole r : {TensorRole::Q, TensorRole::K, TensorRole::V, TensorRole::O, TensorRole::Gate, TensorRole::Up, TensorRole::Down})
            add(r, 0, {4, 4}, 0.2f);
        add(TensorRole::FinalNorm, -1, {4}, 1.0f);
        auto m = Model::fromParts(ModelSource::HfFolder, "mem", c, ts);
        QVERIFY(m.ok());
        const std::string gguf = dir.path().toStdString() + "/nan.gguf";
        QVERIFY(lowbit::test::writeModelAsGguf(*m, gguf).ok());
        std::string out, err;
        QCOMPARE(run({"inspect", gguf}, out, err), 0);
        QVERIFY2(out.find("blk.0.attn_q.weight holds 1 NaN and 1 Inf values") != std::string::npos, out.c_str());
    }
};

QTEST_MAIN(TestCliInspect)
#include "tst_cli_inspect.moc"
