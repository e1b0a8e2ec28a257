// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/model.h"
#include "core/model/model_config.h"
#include "core/model/tensor_role.h"

#include <QTest>

using namespace lowbit;

namespace {
const char *kLlama = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":64,
 "intermediate_size":172,"num_hidden_layers":2,"num_attention_heads":8,"num_key_value_heads":4,"vocab_size":512,
 "max_position_embeddings":512,"rms_norm_eps":1e-05,"rope_theta":10000.0,"tie_word_embeddings":true})";

std::vector<ModelTensor> tensorsFor(const ModelConfig &c)
{
    std::vector<ModelTensor> out;
    auto add = [&](TensorRole r, int layer, std::vector<std::int64_t> shape) {
        std::size_t n = 1;
        for (auto d : shape)
            n *= static_cast<std::size_t>(d);
        out.push_back({makeOwnedF32(hfTensorName(r, layer), shape, std::vector<float>(n, 0.5f)), r, layer});
    };
    add(TensorRole::Embedding, -1, {c.vocabSize, c.hiddenSize});
    for (int l = 0; l < c.numLayers; ++l) {
        add(TensorRole::AttnNorm, l, {c.hiddenSize});
        add(TensorRole::Q, l, {c.hiddenSize, c.hiddenSize});
        add(TensorRole::K, l, {c.kvDim(), c.hiddenSize});
        add(TensorRole::V, l, {c.kvDim(), c.hiddenSize});
        add(TensorRole::O, l, {c.hiddenSize, c.hiddenSize});
        add(TensorRole::FfnNorm, l, {c.hiddenSize});
        add(TensorRole::Gate, l, {c.intermediateSize, c.hiddenSize});
        add(TensorRole::Up, l, {c.intermediateSize, c.hiddenSize});
        add(TensorRole::Down, l, {c.hiddenSize, c.intermediateSize});
    }
    add(TensorRole::FinalNorm, -1, {c.hiddenSize});
    return out;
}
} // namespace

class TestModelConfig : public QObject {
    Q_OBJECT
private slots:
    void parsesLlama()
    {
        auto c = parseHfConfig(kLlama, "config.json");
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().message().c_str());
        QCOMPARE(c->hiddenSize, std::int64_t(64));
        QCOMPARE(c->numKvHeads, std::int64_t(4));
        QCOMPARE(c->headDim, std::int64_t(8));
        QCOMPARE(c->kvDim(), std::int64_t(32));
        QVERIFY(c->tieWordEmbeddings);
        QCOMPARE(c->ropeLayout, RopeLayout::HalfSplit);
        // round trip through the writer
        auto again = parseHfConfig(hfConfigJson(*c).dump(), "written");
        QVERIFY(again.ok());
        QCOMPARE(again->numLayers, c->numLayers);
        QCOMPARE(again->rmsNormEps, c->rmsNormEps);
    }
    void parsesQwen2AndRopeScaling()
    {
        const char *q = R"({"model_type":"qwen2","hidden_size":896,"intermediate_size":4864,"num_hidden_layers":24,
          "num_attention_heads":14,"num_key_value_heads":2,"vocab_size":151936,"rope_theta":1000000.0,
          "rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,
          "original_max_position_embeddings":8192},"eos_token_id":[151643,151645]})";
        auto c = parseHfConfig(q, "qwen/config.json");
        QVERIFY2(c.ok(), c.ok() ? "" : c.error().message().c_str());
        QCOMPARE(c->architecture, std::string("qwen2"));
        QVERIFY(c->attentionBias);
        QCOMPARE(c->headDim, std::int64_t(64));
        QCOMPARE(c->ropeScaling.type, std::string("llama3"));
        QCOMPARE(c->ropeScaling.factor, 8.0);
        QCOMPARE(c->eosTokenId, std::int64_t(151643));
    }
    void rejects_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("code");
        QTest::newRow("not json") << QByteArray("{") << int(ErrorCode::Malformed);
        QTest::newRow("gpt2") << QByteArray(R"({"model_type":"gpt2"})") << int(ErrorCode::Unsupported);
        QTest::newRow("missing hidden") << QByteArray(R"({"model_type":"llama","intermediate_size":4,"num_hidden_layers":1,"num_attention_heads":1,"vocab_size":4})") << int(ErrorCode::Malformed);
        QTest::newRow("string size") << QByteArray(R"({"model_type":"llama","hidden_size":"64","intermediate_size":4,"num_hidden_layers":1,"num_attention_heads":1,"vocab_size":4})") << int(ErrorCode::Malformed);
        QTest::newRow("heads not dividing") << QByteArray(R"({"model_type":"llama","hidden_size":64,"intermediate_size":4,"num_hidden_layers":1,"num_attention_heads":8,"num_key_value_heads":3,"vocab_size":4})") << int(ErrorCode::InvalidArgument);
        QTest::newRow("negative layers") << QByteArray(R"({"model_type":"llama","hidden_size":64,"intermediate_size":4,"num_hidden_layers":-1,"num_attention_heads":8,"vocab_size":4})") << int(ErrorCode::InvalidArgument);
    }
    void rejects()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, code);
        auto c = parseHfConfig(json.toStdString(), "bad/config.json");
        QVERIFY(!c.ok());
        QCOMPARE(int(c.error().code), code);
        QVERIFY2(c.error().detail.find("bad/config.json") != std::string::npos, c.error().detail.c_str());
    }
    void roleNames()
    {
        auto r = roleFromHfName("model.layers.12.mlp.down_proj.weight");
        QCOMPARE(r.role, TensorRole::Down);
        QCOMPARE(r.layer, 12);
        r = roleFromGgufName("blk.3.attn_k.weight");
        QCOMPARE(r.role, TensorRole::K);
        QCOMPARE(r.layer, 3);
        QCOMPARE(roleFromHfName("lm_head.weight").role, TensorRole::Output);
        QCOMPARE(roleFromHfName("model.layers.x.mlp.down_proj.weight").role, TensorRole::Other);
        QCOMPARE(hfTensorName(TensorRole::Q, 2), std::string("model.layers.2.self_attn.q_proj.weight"));
        QCOMPARE(ggufTensorName(TensorRole::FinalNorm, -1), std::string("output_norm.weight"));
        for (std::size_t i = 0; i + 1 < kTensorRoleCount; ++i) { // every named role maps back to itself
            const auto role = static_cast<TensorRole>(i);
            const std::string hf = hfTensorName(role, 1);
            if (!hf.empty())
                QCOMPARE(roleFromHfName(hf).role, role);
            const std::string gg = ggufTensorName(role, 1);
            if (!gg.empty())
                QCOMPARE(roleFromGgufName(gg).role, role);
        }
    }
    void modelShapesChecked()
    {
        auto c = parseHfConfig(kLlama, "config.json");
        QVERIFY(c.ok());
        auto ok = Model::fromParts(ModelSource::HfFolder, "mem", *c, tensorsFor(*c));
        QVERIFY2(ok.ok(), ok.ok() ? "" : ok.error().message().c_str());
        QVERIFY(ok->find(TensorRole::Output) == nullptr);
        QCOMPARE(ok->find(TensorRole::K, 1)->view.shape, (std::vector<std::int64_t>{32, 64}));

        auto wrong = tensorsFor(*c);
        wrong[3].view.shape = {64, 64}; // layer 0 k with the q shape
        auto bad = Model::fromParts(ModelSource::HfFolder, "mem", *c, wrong);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::Inconsistent);
        QVERIFY(bad.error().detail.find("k_proj") != std::string::npos);

        auto missing = tensorsFor(*c);
        missing.pop_back();
        QCOMPARE(Model::fromParts(ModelSource::HfFolder, "mem", *c, missing).error().code, ErrorCode::Inconsistent);

        ModelConfig untied = *c;
        untied.tieWordEmbeddings = false; // now lm_head is required
        QCOMPARE(Model::fromParts(ModelSource::HfFolder, "mem", untied, tensorsFor(*c)).error().code, ErrorCode::Inconsistent);
    }
};

QTEST_APPLESS_MAIN(TestModelConfig)
#include "tst_model_config.moc"
