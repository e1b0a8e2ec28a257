// SPDX-License-Identifier: GPL-3.0-or-later
// VPTQ Hugging Face export (core/export/vptq_layout.h, exportVptq): a hand-built VQ tensor
// (residual, outliers, perm, normalization, rows % v ≠ 0) exported and its packed index words,
// perm, outlier indices and config checked against hand-computed ones; codebook padding and fp32
// codebooks (converted when exact, rounded and reported otherwise, refused with strict); every
// linear of a stories260K VPTQ quantization re-read by our reader bit-exactly; an interleaved
// (llama2.c) source's q/k re-expressed exactly in rotate_half order with half-length vectors, or
// (v ∤ head_dim) written dense and listed in modules_to_not_convert, refused with strict.
#include "core/calib/calibration.h"
#include "core/dtypes/scalar_convert.h"
#include "core/export/hf_exports.h"
#include "core/export/hf_folder.h"
#include "core/export/vptq_layout.h"
#include "core/io/safetensors_reader.h"
#include "core/methods/quantize_model.h"
#include "core/methods/vptq.h"
#include "core/methods/vq_tensor.h"
#include "core/model/model_config.h"
#include "core/util/json.h"
#include "core/util/mapped_file.h"

#include "export_fixture.h"
#include "test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <cstring>
#include <random>

using namespace lowbit;
using lowbit::test::findView;
using lowbit::test::readJson;

namespace {

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

const char *kTinyLlama = R"({"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":16,
 "intermediate_size":10,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":2,"vocab_size":32,
 "max_position_embeddings":64,"rms_norm_eps":1e-05,"rope_theta":10000.0,"tie_word_embeddings":true})";

/// The hand-built tensor: W [10, 16], v = 4 (3 vectors per column, the last padded by 2 rows),
/// 2 outlier columns (k0 = 3), main k = 4 (2 bits) + residual k = 2 (1 bit): 14 positions × 3
/// bits = 42 bits = 2 words per vector row; perm p → (5p + 3) mod 16; per-column scale and bias.
VqContent handContent()
{
    VqContent c;
    c.rows = 10;
    c.cols = 16;
    c.vectorLength = 4;
    c.outlierColumns = 2;
    const std::int64_t R = c.vectorsPerColumn(), gs = c.cols - c.outlierColumns;
    c.main.entries = 4;
    c.residual.entries = 2;
    c.outlier.entries = 3;
    for (int i = 0; i < 4; ++i)
        for (int d = 0; d < 4; ++d)
            c.main.values.push_back(0.25f * float(i) - 0.5f + 0.0625f * float(d));
    for (int j = 0; j < 2; ++j)
        for (int d = 0; d < 4; ++d)
            c.residual.values.push_back((j ? 0.03125f : -0.03125f) * float(d + 1));
    for (int i = 0; i < 3; ++i)
        for (int d = 0; d < 4; ++d)
            c.outlier.values.push_back(2.0f + float(i) + 0.5f * float(d));
    for (std::int64_t j = 0; j < gs; ++j) // studio order: position-major, code j·R + n
        for (std::int64_t n = 0; n < R; ++n) {
            c.mainIndices.push_back(static_cast<std::uint16_t>((j + n) % 4));
            c.residualIndices.push_back(static_cast<std::uint16_t>(((j >> 1) + n) % 2));
        }
    for (std::int64_t p = 0; p < c.outlierColumns; ++p)
        for (std::int64_t n = 0; n < R; ++n)
            c.outlierIndices.push_back(static_cast<std::uint16_t>((p + 2 * n) % 3));
    for (std::int64_t p = 0; p < c.cols; ++p)
        c.perm.push_back(static_cast<std::int32_t>((5 * p + 3) % 16));
    for (std::int64_t k = 0; k < c.cols; ++k) {
        c.scale.push_back(0.5f + 0.25f * float(k % 4));
        c.bias.push_back(-0.125f * float(k % 3));
    }
    return c;
}

/// The tiny llama with layer 0's gate_proj replaced by a VQ tensor of `c` (the others stay f32).
Model tinyModelWith(const VqContent &c, const std::string &path)
{
    auto cfg = parseHfConfig(kTinyLlama, "tiny/config.json");
    if (!cfg)
        qFatal("%s", cfg.error().message().c_str());
    std::vector<ModelTensor> tensors;
    std::mt19937 g(3);
    std::normal_distribution<float> nd(0.0f, 0.1f);
    const auto add = [&](TensorRole r, int layer, std::vector<std::int64_t> shape) {
        std::vector<float> v(uz(shape.size() == 2 ? shape[0] * shape[1] : shape[0]));
        for (float &x : v)
            x = nd(g);
        tensors.push_back({makeOwnedF32(hfTensorName(r, layer), shape, std::move(v)), r, layer});
    };
    const std::int64_t h = cfg->hiddenSize, f = cfg->intermediateSize;
    add(TensorRole::Embedding, -1, {cfg->vocabSize, h});
    add(TensorRole::AttnNorm, 0, {h});
    add(TensorRole::Q, 0, {h, h});
    add(TensorRole::K, 0, {h, h});
    add(TensorRole::V, 0, {h, h});
    add(TensorRole::O, 0, {h, h});
    add(TensorRole::FfnNorm, 0, {h});
    auto vq = VqQuantizedTensor::create(c);
    if (!vq)
        qFatal("%s", vq.error().message().c_str());
    tensors.push_back({makeDecodedView(hfTensorName(TensorRole::Gate, 0), *vq), TensorRole::Gate, 0});
    add(TensorRole::Up, 0, {f, h});
    add(TensorRole::Down, 0, {h, f});
    add(TensorRole::FinalNorm, -1, {h});
    auto m = Model::fromParts(ModelSource::HfFolder, path, *cfg, std::move(tensors));
    if (!m)
        qFatal("%s", m.error().message().c_str());
    return std::move(*m);
}

template <class T> std::vector<T> valuesOf(const TensorView &v)
{
    std::vector<T> out(uz(static_cast<std::int64_t>(v.nbytes / sizeof(T))));
    std::memcpy(out.data(), v.data, v.nbytes);
    return out;
}

/// The exported linear `base` dequantized by our reader from the written folder.
Result<std::vector<float>> readBack(const SafetensorsFile &f, const Json &config, const std::string &base,
                                    VptqArithmetic arithmetic = VptqArithmetic::Exact)
{
    const Json *entry = config.find("quantization_config")->find("config_for_layers")->find(base);
    if (!entry)
        return makeError(ErrorCode::NotFound, base + ": no config_for_layers entry");
    LOWBIT_TRY(const VptqLayerConfig c, parseVptqLayerConfig(*entry));
    return dequantizeVptq(
        c, [&](std::string_view suffix) { return findView(f, base + "." + std::string(suffix)); }, arithmetic);
}

bool bitEqual(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<float> decoded(const ModelTensor &t) { return *t.view.toFloatVector(); }

bool listed(const Json &qc, const std::string &module)
{
    for (const Json &m : qc.find("modules_to_not_convert")->asArray())
        if (m.asString() == module)
            return true;
    return false;
}

/// Calibration statistics from random activations (enough for VPTQ's diag(H) and error feedback).
CalibrationStats randomStats(const ModelConfig &c)
{
    CalibrationStats s;
    std::mt19937 g(11);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (int l = 0; l < c.numLayers; ++l)
        for (const auto &[which, dim] : {std::pair{LinearInput::AttnIn, c.hiddenSize}, std::pair{LinearInput::AttnOut, c.hiddenSize},
                                         std::pair{LinearInput::MlpIn, c.hiddenSize}, std::pair{LinearInput::MlpOut, c.intermediateSize}}) {
            ActivationStats a;
            a.dim = dim;
            std::vector<float> x(uz(256 * dim));
            for (std::size_t i = 0; i < x.size(); ++i)
                x[i] = nd(g) * (i % 5 == 0 ? 3.0f : 1.0f);
            a.accumulate(x.data(), 256);
            s.inputs[{l, which}] = std::move(a);
        }
    s.tokens = 256;
    return s;
}

/// stories260K (HF folder or llama2.c .bin) with every block linear VPTQ-quantized.
Model vptqStories(const std::string &rel, const std::string &storage,
                  const char *options = "v=6,k=64,res=16,outliers=3%,outlier_k=16,perm=1,norm=1,iters=8,seed=5")
{
    auto m = Model::open(lowbit::test::sharedPath(rel.c_str()));
    if (!m)
        qFatal("%s", m.error().message().c_str());
    const CalibrationStats stats = randomStats(m->config());
    QuantizeConfig cfg;
    cfg.method = "vptq";
    cfg.defaultSpec = lowbit::test::exportSpec("int4", 32, storage);
    cfg.options.vq = *parseVqOptions(options);
    auto q = quantizeModel(*m, &stats, cfg);
    if (!q)
        qFatal("%s", q.error().message().c_str());
    return std::move(q->first);
}

} // namespace

class TstExportVptq : public QObject {
    Q_OBJECT
private slots:
    void handBuiltLayout()
    {
        QTemporaryDir dir;
        const VqContent c = handContent();
        const Model m = tinyModelWith(c, dir.path().toStdString() + "/tiny");
        const std::string out = dir.path().toStdString() + "/vptq";
        auto r = exportVptq(m, out);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readSafetensors(out + "/model.safetensors");
        QVERIFY(f.ok());
        const std::string base = "model.layers.0.mlp.gate_proj";
        // merged code (res << 2) | idx of vector row n, position j: idx = (j + n) mod 4,
        // res = (⌊j/2⌋ + n) mod 2; 3 bits each, LSB first. Row 0: 0,1,6,7,0,1,6,7,0,1,6,7,0,1 →
        // word 0 bits 3j (j = 10 straddles: bits 30-31 here, bit 0 of word 1), word 1 the rest.
        const TensorView *idx = findView(*f, base + ".indices");
        QVERIFY(idx);
        QCOMPARE(idx->dtype, DType::I32);
        QCOMPARE(idx->shape, (std::vector<std::int64_t>{1, 3, 2}));
        const std::vector<std::uint32_t> words = valuesOf<std::uint32_t>(*idx);
        const std::vector<std::uint32_t> want = {0x88F88F88u, 0x8Fu, 0xF50F50F5u, 0x350u, 0x1AB1AB1Au, 0x1ABu};
        QCOMPARE(words, want);
        // outlier indices int16 [1, R, outlier_size], row-major over (n, p): (p + 2n) mod 3
        const TensorView *oi = findView(*f, base + ".outlier_indices");
        QCOMPARE(oi->dtype, DType::I16);
        QCOMPARE(oi->shape, (std::vector<std::int64_t>{1, 3, 2}));
        QCOMPARE(valuesOf<std::int16_t>(*oi), (std::vector<std::int16_t>{0, 1, 2, 0, 1, 2}));
        const TensorView *perm = findView(*f, base + ".perm");
        QCOMPARE(perm->dtype, DType::I16);
        QCOMPARE(valuesOf<std::int16_t>(*perm), (std::vector<std::int16_t>{3, 8, 13, 2, 7, 12, 1, 6, 11, 0, 5, 10, 15, 4, 9, 14}));
        const TensorView *cent = findView(*f, base + ".centroids.weight");
        QCOMPARE(cent->dtype, DType::F16);
        QCOMPARE(cent->shape, (std::vector<std::int64_t>{1, 16})); // [num_codebooks, k·v]
        QCOMPARE(valuesOf<std::uint16_t>(*cent)[5], floatToFp16(-0.25f + 0.0625f)); // entry 1, d = 1
        QCOMPARE(findView(*f, base + ".res_centroids.weight")->shape, (std::vector<std::int64_t>{1, 8}));
        QCOMPARE(findView(*f, base + ".outlier_centroids.weight")->shape, (std::vector<std::int64_t>{1, 12}));
        QCOMPARE(valuesOf<std::uint16_t>(*findView(*f, base + ".weight_scale"))[3], floatToFp16(1.25f)); // original column 3
        QCOMPARE(valuesOf<std::uint16_t>(*findView(*f, base + ".weight_bias"))[2], floatToFp16(-0.25f));

        const Json config = readJson(out + "/config.json");
        const Json &qc = *config.find("quantization_config");
        QCOMPARE(qc.find("quant_method")->asString(), std::string("vptq"));
        const Json &e = *qc.find("config_for_layers")->find(base);
        QCOMPARE(*e.find("in_features")->asInt64(), std::int64_t(16));
        QCOMPARE(*e.find("out_features")->asInt64(), std::int64_t(10));
        QCOMPARE(e.find("vector_lens")->dump(), std::string("[4,4]"));
        QCOMPARE(e.find("num_centroids")->dump(), std::string("[3,4]"));
        QCOMPARE(e.find("num_res_centroids")->dump(), std::string("[-1,2]"));
        QCOMPARE(*e.find("group_num")->asInt64(), std::int64_t(1));
        QCOMPARE(*e.find("group_size")->asInt64(), std::int64_t(14));
        QCOMPARE(*e.find("outlier_size")->asInt64(), std::int64_t(2));
        QVERIFY(e.find("is_indice_packed")->asBool() && e.find("enable_norm")->asBool() && e.find("enable_perm")->asBool());
        QCOMPARE(qc.find("config_for_layers")->size(), std::size_t(1));
        // every other linear is unquantized: listed so transformers leaves it an nn.Linear
        for (const char *mod : {"lm_head", "model.layers.0.self_attn.q_proj", "model.layers.0.mlp.up_proj", "model.layers.0.mlp.down_proj"})
            QVERIFY2(listed(qc, mod), mod);
        QVERIFY(!listed(qc, base));
        QCOMPARE(config.find("torch_dtype")->asString(), std::string("float16"));

        // the reader gives the studio decoding bit for bit; the report says carried
        const ModelTensor *gate = m.find(TensorRole::Gate, 0);
        auto back = readBack(*f, config, base);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QVERIFY(bitEqual(*back, decoded(*gate)));
        for (const ExportedTensor &t : r->tensors)
            if (t.target == base) {
                QCOMPARE(t.action, ExportAction::Carried);
                QCOMPARE(t.relError, 0.0);
                QCOMPARE(t.targetType, std::string("vptq v4 k4 res2 outliers 2×k3"));
            }
        // one value by hand: row 9 (vector row 2, d = 1) of original column 0 = position 9
        // (main position j = 7): idx (7 + 2) mod 4 = 1, res (3 + 2) mod 2 = 1
        const float value = (-0.25f + 0.0625f) + 0.0625f;
        QCOMPARE((*back)[9 * 16 + 0], value * 0.5f + 0.0f);
        // torch's float16 dequantization: every value here is exact in fp16
        auto fp16 = readBack(*f, config, base, VptqArithmetic::TorchFp16);
        QVERIFY(bitEqual(*fp16, *back));
    }
    void packedRowsStraddleWords()
    {
        // 13-bit merged codes (k = 256 main + 32 residual): code 2 at bits 26..38
        std::vector<std::uint32_t> merged(5, 0);
        merged[2] = 0x1ABCu;
        const std::vector<std::int32_t> w = packVptqIndexRows(merged, 1, 5, 13);
        QCOMPARE(w.size(), std::size_t(3)); // ceil(65 / 32)
        QCOMPARE(std::uint32_t(w[0]), 0x1ABCu << 26);
        QCOMPARE(std::uint32_t(w[1]), 0x1ABCu >> 6);
        QCOMPARE(std::uint32_t(w[2]), 0u);
    }
    void codebooksPaddedAndIdentityNorm()
    {
        // k = 5 → 8 entries; residual 16 > main → main padded to 16 (VPTQ's torch dequant masks
        // the residual index with the main index width); no perm/norm in the studio tensor →
        // identity perm, scale 1, bias −0 (keeps −0.0 values)
        VqContent c;
        c.rows = 8;
        c.cols = 6;
        c.vectorLength = 2;
        c.main.entries = 5;
        c.residual.entries = 16;
        for (int i = 0; i < 5 * 2; ++i)
            c.main.values.push_back(i == 3 ? -0.0f : 0.125f * float(i - 4));
        for (int i = 0; i < 16 * 2; ++i)
            c.residual.values.push_back(i % 3 == 0 ? -0.0f : 0.015625f * float(i % 7));
        for (int i = 0; i < 6 * 4; ++i) {
            c.mainIndices.push_back(static_cast<std::uint16_t>(i % 5));
            c.residualIndices.push_back(static_cast<std::uint16_t>(i % 3 == 1 ? 0 : (i * 7) % 16));
        }
        auto l = vptqFromVq(c);
        QVERIFY(l.ok());
        QCOMPARE(l->config.centroids, 16);
        QCOMPARE(l->config.residualCentroids, 16);
        QCOMPARE(l->config.indexBits(), 4u);
        QVERIFY(!l->roundedToFp16);
        QCOMPARE(l->notes.size(), std::size_t(1));
        QCOMPARE(l->bias[0], std::uint16_t(0x8000));
        const auto views = vptqTensorViews(*l);
        auto back = dequantizeVptq(l->config, [&](std::string_view s) -> const TensorView * {
            for (const auto &[suffix, v] : views)
                if (suffix == s)
                    return &v;
            return nullptr;
        });
        QVERIFY(back.ok());
        auto t = VqQuantizedTensor::create(c);
        std::vector<float> studio(48);
        QVERIFY((*t)->decodeRows(studio.data(), 0, 8).ok());
        QVERIFY(std::any_of(studio.begin(), studio.end(), [](float x) { return x == 0.0f && std::signbit(x); })); // code 6: −0 + −0
        QVERIFY(bitEqual(*back, studio)); // signed zeros included
        // what the layout cannot hold
        VqContent wide = c;
        wide.cols = 70000;
        QCOMPARE(vptqFromVq(wide).error().code, ErrorCode::Unsupported);
    }
    void fp32Codebooks()
    {
        QTemporaryDir dir;
        VqContent c = handContent();
        c.codebookType = VqCodebookType::F32;
        {
            // every value an fp16 value: converted exactly
            const Model m = tinyModelWith(c, dir.path().toStdString() + "/a");
            auto r = exportVptq(m, dir.path().toStdString() + "/exact");
            QVERIFY(r.ok());
            for (const ExportedTensor &t : r->tensors)
                if (t.target == "model.layers.0.mlp.gate_proj") {
                    QCOMPARE(t.action, ExportAction::Converted);
                    QCOMPARE(t.relError, 0.0);
                }
        }
        c.main.values[5] = 0.1f; // not an fp16 value
        c.scale[4] = 1.0f / 3.0f;
        const Model m = tinyModelWith(c, dir.path().toStdString() + "/b");
        ExportOptions strict;
        strict.strict = true;
        auto refused = exportVptq(m, dir.path().toStdString() + "/strict", strict);
        QCOMPARE(refused.error().code, ErrorCode::Unsupported);
        QVERIFY(!QFileInfo::exists(dir.path() + QStringLiteral("/strict")));
        const std::string out = dir.path().toStdString() + "/rounded";
        auto r = exportVptq(m, out);
        QVERIFY(r.ok());
        auto f = readSafetensors(out + "/model.safetensors");
        const Json config = readJson(out + "/config.json");
        auto back = readBack(*f, config, "model.layers.0.mlp.gate_proj");
        QVERIFY(back.ok());
        const std::vector<float> studio = decoded(*m.find(TensorRole::Gate, 0));
        const double err = relativeSquaredError(back->data(), studio.data(), studio.size());
        bool seen = false;
        for (const ExportedTensor &t : r->tensors)
            if (t.target == "model.layers.0.mlp.gate_proj") {
                QCOMPARE(t.action, ExportAction::Rounded);
                QCOMPARE(t.relError, err); // the report tells the truth
                seen = true;
            }
        QVERIFY(seen && err > 0 && err < 1e-6);
    }
    void storiesEveryLinearBitExact()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        const Model q = vptqStories("models/stories260K/hf", "fp16");
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/vptq";
        auto r = exportVptq(q, out);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readSafetensors(out + "/model.safetensors");
        QVERIFY(f.ok());
        const Json config = readJson(out + "/config.json");
        int linears = 0;
        double worstFp16 = 0;
        for (std::size_t k = 0; k < q.tensors().size(); ++k) {
            const ModelTensor &t = q.tensors()[k];
            const ExportedTensor &e = r->tensors[k];
            if (!dynamic_cast<const VqQuantizedTensor *>(t.view.decoder.get()))
                continue;
            QCOMPARE(e.action, ExportAction::Carried);
            auto back = readBack(*f, config, e.target);
            QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
            const std::vector<float> studio = decoded(t);
            QVERIFY2(bitEqual(*back, studio), t.view.name.c_str());
            auto fp16 = readBack(*f, config, e.target, VptqArithmetic::TorchFp16);
            worstFp16 = std::max(worstFp16, relativeSquaredError(fp16->data(), studio.data(), studio.size()));
            ++linears;
        }
        QCOMPARE(linears, 35); // q/k/v/o/gate/up/down of 5 layers
        QCOMPARE(config.find("quantization_config")->find("config_for_layers")->size(), std::size_t(35));
        // a float16 model evaluates (c + r)·scale + bias with fp16 roundings: tiny, documented
        qInfo("worst relative error of torch's fp16 dequantization: %.3g", worstFp16);
        QVERIFY(worstFp16 < 1e-5); // measured 1.1e-6: fp16 rounding of (c + r)·scale before + bias (bias ≈ −min)
        QVERIFY(QFileInfo::exists(QString::fromStdString(out + "/tok512.bin")));
        QVERIFY(findView(*f, "model.embed_tokens.weight"));
        // Model::open reads the folder back as VQ tensors that decode to the same bits
        auto back = Model::open(out);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        for (const ModelTensor &t : q.tensors()) {
            const ModelTensor *b = back->find(t.role, t.layer);
            QVERIFY2(b, t.view.name.c_str());
            if (dynamic_cast<const VqQuantizedTensor *>(t.view.decoder.get()))
                QVERIFY(dynamic_cast<const VqQuantizedTensor *>(b->view.decoder.get()));
            QVERIFY2(bitEqual(decoded(*b), decoded(t)), t.view.name.c_str());
        }
    }
    void readerTwoCodebooksAndMalformed()
    {
        // group_num 2 (the layout allows several codebooks, the studio writes one): W [2, 4], v 2, k 2, group_size 2;
        // codebook g entry e = (4g + 2e + 1, 4g + 2e + 2); indices g0 = (1, 0), g1 = (0, 1)
        VptqLayerConfig c;
        c.inFeatures = 4;
        c.outFeatures = 2;
        c.vectorLength = 2;
        c.centroids = 2;
        c.groupNum = 2;
        c.groupSize = 2;
        auto centView = makeOwnedF32("centroids.weight", {2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
        const std::vector<std::int32_t> words = {0b01, 0b10};
        TensorView idx;
        idx.dtype = DType::I32;
        idx.shape = {2, 1, 1};
        idx.data = reinterpret_cast<const std::byte *>(words.data());
        idx.nbytes = 8;
        std::map<std::string, const TensorView *> parts{{"centroids.weight", &centView}, {"indices", &idx}};
        const VptqTensorLookup lookup = [&parts](std::string_view s) -> const TensorView * {
            const auto it = parts.find(std::string(s));
            return it == parts.end() ? nullptr : it->second;
        };
        auto w = dequantizeVptq(c, lookup);
        QVERIFY2(w.ok(), w.ok() ? "" : w.error().message().c_str());
        QCOMPARE(*w, (std::vector<float>{3, 1, 5, 7, 4, 2, 6, 8}));
        QCOMPARE(vqFromVptq(c, lookup).error().code, ErrorCode::Unsupported); // the studio has one codebook
        {
            // a folder's tensors: the parts become one dequantized "<module>.weight" in their place
            Json layers = Json::object();
            layers["model.layers.0.mlp.up_proj"] = vptqLayerConfigJson(c);
            Json qc = Json::object();
            qc["quant_method"] = "vptq";
            qc["config_for_layers"] = std::move(layers);
            Json cfg = Json::object();
            cfg["quantization_config"] = std::move(qc);
            std::vector<ModelTensor> ts;
            ts.push_back({makeOwnedF32("model.norm.weight", {4}, {1, 1, 1, 1}), TensorRole::FinalNorm, -1});
            for (const auto &[suffix, view] : parts) {
                TensorView renamed = *view;
                renamed.name = "model.layers.0.mlp.up_proj." + suffix;
                ts.push_back({renamed, TensorRole::Other, -1});
            }
            auto r = resolveVptqLinears(cfg, ts);
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
            QCOMPARE(r->size(), std::size_t(2));
            const ModelTensor &up = (*r)[1];
            QCOMPARE(up.view.name, std::string("model.layers.0.mlp.up_proj.weight"));
            QCOMPARE(up.role, TensorRole::Up);
            QCOMPARE(up.layer, 0);
            QCOMPARE(*up.view.toFloatVector(), *w);
        }
        // config round trip and malformed inputs
        auto again = parseVptqLayerConfig(vptqLayerConfigJson(c));
        QVERIFY(again.ok());
        QCOMPARE(vptqLayerConfigJson(*again).dump(), vptqLayerConfigJson(c).dump());
        Json bad = vptqLayerConfigJson(c);
        bad["num_centroids"] = Json(Json::Array{Json(-1), Json(3)});
        QCOMPARE(parseVptqLayerConfig(bad).error().code, ErrorCode::Malformed); // not a power of two
        bad = vptqLayerConfigJson(c);
        bad["group_size"] = 3;
        QCOMPARE(parseVptqLayerConfig(bad).error().code, ErrorCode::Malformed); // groups do not cover in_features
        bad = vptqLayerConfigJson(c);
        bad["is_indice_packed"] = false;
        QCOMPARE(parseVptqLayerConfig(bad).error().code, ErrorCode::Malformed);
        parts.erase("indices");
        QCOMPARE(dequantizeVptq(c, lookup).error().code, ErrorCode::Malformed); // missing tensor
        idx.shape = {2, 2, 1};
        parts["indices"] = &idx;
        QCOMPARE(dequantizeVptq(c, lookup).error().code, ErrorCode::Malformed); // wrong shape
        idx.shape = {2, 1, 1};
        c.enablePerm = true;
        const std::vector<std::int16_t> perm = {0, 1, 1, 3};
        TensorView pv;
        pv.dtype = DType::I16;
        pv.shape = {4};
        pv.data = reinterpret_cast<const std::byte *>(perm.data());
        pv.nbytes = 8;
        parts["perm"] = &pv;
        QCOMPARE(dequantizeVptq(c, lookup).error().code, ErrorCode::Malformed); // not a permutation
    }
    void interleavedSourceQkHalvedExactly_data()
    {
        QTest::addColumn<QString>("options");
        QTest::addColumn<int>("half");
        QTest::newRow("v4 res outliers") << "v=4,k=64,res=16,outliers=3%,outlier_k=16,perm=1,norm=1,iters=6" << 2;
        QTest::newRow("v2 res") << "v=2,k=32,res=8,iters=6" << 1;
    }
    void interleavedSourceQkHalvedExactly()
    {
        // head_dim 8 is a multiple of v: each interleaved vector is two rotate_half half-vectors
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        QFETCH(QString, options);
        QFETCH(int, half);
        const Model q = vptqStories("models/stories260K/stories260K.bin", "fp16", options.toStdString().c_str());
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/v";
        ExportOptions strict;
        strict.strict = true; // exact: nothing to refuse
        auto r = exportVptq(q, out, strict);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readSafetensors(out + "/model.safetensors");
        const Json config = readJson(out + "/config.json");
        QCOMPARE(config.find("quantization_config")->find("config_for_layers")->size(), std::size_t(35));
        int converted = 0;
        for (std::size_t k = 0; k < q.tensors().size(); ++k) {
            const ModelTensor &t = q.tensors()[k];
            const ExportedTensor &e = r->tensors[k];
            if (!t.view.decoder)
                continue;
            const bool qk = t.role == TensorRole::Q || t.role == TensorRole::K;
            QCOMPARE(e.action, qk ? ExportAction::Converted : ExportAction::Carried);
            converted += qk;
            auto back = readBack(*f, config, e.target);
            QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
            QVERIFY2(bitEqual(*back, *decodedHfRows(q, t)), t.view.name.c_str()); // Hugging Face row order
            const Json &entry = *config.find("quantization_config")->find("config_for_layers")->find(e.target);
            const int v = int(*entry.find("vector_lens")->asArray()[1].asInt64());
            QCOMPARE(v, qk ? half : 2 * half);
        }
        QCOMPARE(converted, 10);
    }
    void interleavedSourceQkDenseAndStrict()
    {
        // v = 6 does not divide head_dim 8: no rotate_half split, q/k written dense
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        const Model q = vptqStories("models/stories260K/stories260K.bin", "fp16");
        QTemporaryDir dir;
        ExportOptions strict;
        strict.strict = true;
        auto refused = exportVptq(q, dir.path().toStdString() + "/s", strict);
        QCOMPARE(refused.error().code, ErrorCode::Unsupported);
        QVERIFY2(refused.error().detail.find("rotate_half") != std::string::npos, refused.error().detail.c_str());
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), 0);
        const std::string out = dir.path().toStdString() + "/v";
        auto r = exportVptq(q, out);
        QVERIFY(r.ok());
        auto f = readSafetensors(out + "/model.safetensors");
        const Json config = readJson(out + "/config.json");
        const Json &qc = *config.find("quantization_config");
        QCOMPARE(qc.find("config_for_layers")->size(), std::size_t(25)); // v/o/gate/up/down
        for (int l = 0; l < 5; ++l) {
            const std::string qName = "model.layers." + std::to_string(l) + ".self_attn.q_proj";
            QVERIFY(listed(qc, qName));
            // q in Hugging Face row order, dequantized as f16
            const TensorView *w = findView(*f, qName + ".weight");
            QVERIFY(w && w->dtype == DType::F16);
            const std::string vName = "model.layers." + std::to_string(l) + ".self_attn.v_proj";
            auto back = readBack(*f, config, vName);
            QVERIFY(back.ok());
            QVERIFY(bitEqual(*back, decoded(*q.find(TensorRole::V, l))));
        }
        int rounded = 0;
        for (const ExportedTensor &t : r->tensors)
            rounded += t.action == ExportAction::Rounded && t.source.rfind("vptq", 0) == 0;
        QCOMPARE(rounded, 10);
    }
};

QTEST_APPLESS_MAIN(TstExportVptq)
#include "tst_export_vptq.moc"
