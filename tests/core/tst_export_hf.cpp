// SPDX-License-Identifier: GPL-3.0-or-later
// Hugging Face-folder exports: GPTQ v1 (qweight/qzeros − 1/scales/g_idx, hand-checked words,
// act-order g_idx), compressed-tensors pack-quantized and NVFP4, fake-quant; every exported
// linear re-read by our readers decodes to what the studio tensor holds (bit-exact where the
// layout carries our codes, the reported error otherwise), configs as the loaders expect them.
#include "core/dtypes/scalar_convert.h"
#include "core/export/hf_exports.h"
#include "core/export/int_layouts.h"
#include "core/io/safetensors_reader.h"
#include "core/model/rope.h"
#include "core/util/json.h"
#include "core/util/mapped_file.h"

#include "export_fixture.h"
#include "test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <fstream>

using namespace lowbit;
using lowbit::test::findView;
using lowbit::test::readJson;
using lowbit::test::exportSpec;
using lowbit::test::quantizeForExport;

namespace {

template <class T>
TensorView ownedView(std::string name, DType d, std::vector<std::int64_t> shape, std::vector<T> values)
{
    auto buf = std::make_shared<std::vector<T>>(std::move(values));
    TensorView v;
    v.name = std::move(name);
    v.dtype = d;
    v.shape = std::move(shape);
    v.data = reinterpret_cast<const std::byte *>(buf->data());
    v.nbytes = buf->size() * sizeof(T);
    v.owner = buf;
    return v;
}

Model storiesHf()
{
    auto m = Model::open(lowbit::test::sharedPath("models/stories260K/hf"));
    if (!m)
        qFatal("%s", m.error().message().c_str());
    return std::move(*m);
}

/// stories260K with the first group of layer 0's q_proj made all positive (asymmetric zero point 0).
Model withPositiveGroup(const Model &m)
{
    std::vector<ModelTensor> tensors = m.tensors();
    for (ModelTensor &t : tensors)
        if (t.role == TensorRole::Q && t.layer == 0) {
            std::vector<float> v = *t.view.toFloatVector();
            for (int i = 0; i < 32; ++i)
                v[i] = 0.05f + 0.01f * float(i % 7);
            t.view = makeOwnedF32(t.view.name, t.view.shape, std::move(v));
        }
    auto r = Model::fromParts(m.source(), m.path(), m.config(), std::move(tensors));
    if (!r)
        qFatal("%s", r.error().message().c_str());
    return std::move(*r);
}

bool bitEqual(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

class TstExportHf : public QObject {
    Q_OBJECT
private slots:
    void gptqHandPackedWords()
    {
        // 4 bits, 8 outputs × 32 inputs, one group: codes q[o, i] = i mod 16, zero 8 stored as 7
        const std::int64_t out = 8, in = 32;
        std::vector<std::uint8_t> codes(out * in);
        for (std::int64_t o = 0; o < out; ++o)
            for (std::int64_t i = 0; i < in; ++i)
                codes[o * in + i] = static_cast<std::uint8_t>(i % 16);
        std::vector<std::uint16_t> scales(out, floatToFp16(0.5f));
        auto g = packGptq(4, out, in, codes, std::vector<std::uint8_t>(out, 8), scales, std::vector<std::int32_t>(in, 0), 1);
        QVERIFY(g.ok());
        QCOMPARE(g->qweight.size(), std::size_t(4 * 8)); // [in·4/32 = 4, out = 8]
        QCOMPARE(std::uint32_t(g->qweight[0]), 0x76543210u); // inputs 0..7 of output 0, LSB first
        QCOMPARE(std::uint32_t(g->qweight[1 * 8 + 3]), 0xFEDCBA98u); // inputs 8..15 of output 3
        QCOMPARE(g->qzeros.size(), std::size_t(1));
        QCOMPARE(std::uint32_t(g->qzeros[0]), 0x77777777u); // zero 8 stored as 8 − 1 for all 8 outputs
        auto w = dequantizeGptq(ownedView("qweight", DType::I32, {4, 8}, g->qweight), ownedView("qzeros", DType::I32, {1, 1}, g->qzeros),
                                ownedView("scales", DType::F16, {1, 8}, g->scales), ownedView("g_idx", DType::I32, {32}, g->gIdx), 4);
        QVERIFY(w.ok());
        QCOMPARE((*w)[0], 0.5f * (0 - 8));
        QCOMPARE((*w)[15], 0.5f * (15 - 8));
    }
    void gptq3BitIsOneBitStream()
    {
        // 3 bits: 32 inputs in 3 words, value j at bit 3j (AutoGPTQ's layout)
        const std::int64_t out = 32, in = 32;
        std::vector<std::uint8_t> codes(out * in, 0);
        codes[10] = 7; // output 0, input 10: bits 30, 31 of word 0 and bit 0 of word 1
        codes[21] = 5; // input 21: bits 63, 64, 65 → bit 31 of word 1, bits 0-1 of word 2
        auto g = packGptq(3, out, in, codes, std::vector<std::uint8_t>(out, 4), std::vector<std::uint16_t>(out, floatToFp16(1.0f)),
                          std::vector<std::int32_t>(in, 0), 1);
        QVERIFY(g.ok());
        QCOMPARE(std::uint32_t(g->qweight[0 * out]), 0xC0000000u);
        QCOMPARE(std::uint32_t(g->qweight[1 * out]), 0x80000001u);
        QCOMPARE(std::uint32_t(g->qweight[2 * out]), 0x00000002u);
        QVERIFY(!packGptq(3, 8, 32, std::vector<std::uint8_t>(8 * 32), std::vector<std::uint8_t>(8), std::vector<std::uint16_t>(8),
                          std::vector<std::int32_t>(32), 1).ok()); // out·3 not a multiple of 32
    }
    void gptqActOrderGIdx()
    {
        // act-order checkpoints: g_idx assigns columns to groups in any order
        const std::int64_t out = 8, in = 64, groups = 2;
        std::vector<std::uint8_t> codes(out * in), zeros(groups * out);
        std::vector<std::uint16_t> scales(groups * out);
        std::vector<std::int32_t> gIdx(in);
        for (std::int64_t i = 0; i < in; ++i)
            gIdx[i] = static_cast<std::int32_t>((i * 7) % 2); // interleaved groups
        for (std::size_t k = 0; k < codes.size(); ++k)
            codes[k] = static_cast<std::uint8_t>((k * 5) % 16);
        for (std::int64_t k = 0; k < groups * out; ++k) {
            zeros[k] = static_cast<std::uint8_t>(1 + k % 15);
            scales[k] = floatToFp16(0.01f * float(k + 1));
        }
        auto g = packGptq(4, out, in, codes, zeros, scales, gIdx, groups);
        QVERIFY(g.ok());
        auto w = dequantizeGptq(ownedView("qweight", DType::I32, {in / 8, out}, g->qweight), ownedView("qzeros", DType::I32, {groups, 1}, g->qzeros),
                                ownedView("scales", DType::F16, {groups, out}, g->scales), ownedView("g_idx", DType::I32, {in}, g->gIdx), 4);
        QVERIFY(w.ok());
        for (std::int64_t o = 0; o < out; ++o)
            for (std::int64_t i = 0; i < in; ++i) {
                const std::int64_t k = gIdx[i] * out + o;
                QCOMPARE((*w)[o * in + i], float(int(codes[o * in + i]) - int(zeros[k])) * fp16ToFloat(scales[k]));
            }
        std::vector<std::int32_t> bad = gIdx;
        bad[3] = 2;
        auto r = dequantizeGptq(ownedView("qweight", DType::I32, {in / 8, out}, g->qweight), ownedView("qzeros", DType::I32, {groups, 1}, g->qzeros),
                                ownedView("scales", DType::F16, {groups, out}, g->scales), ownedView("g_idx", DType::I32, {in}, bad), 4);
        QCOMPARE(r.error().code, ErrorCode::Malformed);
    }
    void gptqExportReReads_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<bool>("exact");
        QTest::newRow("int4 g32 sym") << "int4" << 32 << true;
        QTest::newRow("int3 g32 sym") << "int3" << 32 << true;
        QTest::newRow("int2 g64 sym") << "int2" << 64 << true;
        QTest::newRow("int8 per-channel") << "int8" << 0 << true;
        QTest::newRow("int4 g32 asym") << "int4-asym" << 32 << false; // a zero point of 0 has no v1 encoding
    }
    void gptqExportReReads()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(bool, exact);
        // GPTQ packs zeros along the output dimension: stories260K's gate/up (172 rows) stay fp32
        auto q = quantizeForExport(withPositiveGroup(storiesHf()), exportSpec(format.toStdString(), group, "fp16"), false, true, true);
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/gptq";
        auto r = exportGptq(*q, out);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readSafetensors(out + "/model.safetensors");
        QVERIFY(f.ok());
        const int bits = format.startsWith(QStringLiteral("int8")) ? 8 : format.startsWith(QStringLiteral("int3")) ? 3 : format.startsWith(QStringLiteral("int2")) ? 2 : 4;
        int linears = 0;
        for (std::size_t k = 0; k < q->tensors().size(); ++k) {
            const ModelTensor &t = q->tensors()[k];
            const ExportedTensor &e = r->tensors[k];
            if (!t.view.decoder || t.role == TensorRole::Embedding)
                continue;
            const std::string base = e.target;
            auto w = dequantizeGptq(*findView(*f, base + ".qweight"), *findView(*f, base + ".qzeros"), *findView(*f, base + ".scales"),
                                    *findView(*f, base + ".g_idx"), bits);
            QVERIFY2(w.ok(), w.ok() ? "" : w.error().message().c_str());
            const std::vector<float> studio = *t.view.toFloatVector();
            const double err = relativeSquaredError(w->data(), studio.data(), studio.size());
            QCOMPARE(err, e.relError); // the report tells the truth
            if (exact || t.role != TensorRole::Q || t.layer != 0) {
                QVERIFY2(bitEqual(*w, studio), t.view.name.c_str());
                QCOMPARE(e.action, ExportAction::Carried);
            } else { // the all-positive group has a zero point of 0: its top code is clipped by one step
                QCOMPARE(e.action, ExportAction::Requantized);
                QVERIFY(err > 0 && err < 1e-3);
            }
            ++linears;
        }
        QCOMPARE(linears, 20); // q/k/v/o of 5 layers
        const Json cfg = readJson(out + "/config.json");
        const Json *qc = cfg.find("quantization_config");
        QVERIFY(qc);
        QCOMPARE(qc->find("quant_method")->asString(), std::string("gptq"));
        QCOMPARE(*qc->find("bits")->asInt64(), std::int64_t(bits));
        QCOMPARE(*qc->find("group_size")->asInt64(), std::int64_t(group == 0 ? -1 : group));
        QCOMPARE(qc->find("sym")->asBool(), !format.contains(QStringLiteral("asym")));
        QCOMPARE(qc->find("desc_act")->asBool(), false);
        QCOMPARE(readJson(out + "/quantize_config.json").dump(), qc->dump());
        QVERIFY(QFileInfo::exists(QString::fromStdString(out + "/tok512.bin")));
        // the non-quantized tensors are there under their Hugging Face names
        QVERIFY(findView(*f, "model.embed_tokens.weight"));
        QVERIFY(findView(*f, "model.norm.weight"));
    }
    void gptqRefusesWhatItCannotHold()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        auto nf4 = quantizeForExport(storiesHf(), exportSpec("nf4", 32, "fp16"), false, true, true);
        auto r = exportGptq(*nf4, dir.path().toStdString() + "/a");
        QCOMPARE(r.error().code, ErrorCode::Unsupported);
        QVERIFY(QString::fromStdString(r.error().detail).contains(QStringLiteral("fakequant")));
        auto asym = quantizeForExport(withPositiveGroup(storiesHf()), exportSpec("int4-asym", 32, "fp16"), false, true, true);
        ExportOptions strict;
        strict.strict = true;
        QCOMPARE(exportGptq(*asym, dir.path().toStdString() + "/b", strict).error().code, ErrorCode::Unsupported);
        QVERIFY(!exportGptq(storiesHf(), dir.path().toStdString() + "/c").ok()); // nothing quantized
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), 0); // nothing left behind
    }
    void compressedTensorsInt_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("storage");
        QTest::newRow("int4 g32 sym fp16") << "int4" << 32 << "fp16";
        QTest::newRow("int4 g32 asym fp16") << "int4-asym" << 32 << "fp16";
        QTest::newRow("int8 channel bf16") << "int8" << 0 << "bf16";
        QTest::newRow("int2 g64 fp32") << "int2" << 64 << "fp32";
    }
    void compressedTensorsInt()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(QString, format);
        QFETCH(int, group);
        QFETCH(QString, storage);
        auto q = quantizeForExport(storiesHf(), exportSpec(format.toStdString(), group, storage.toStdString()), false, true);
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/ct";
        auto r = exportCompressedTensors(*q, out);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readSafetensors(out + "/model.safetensors");
        QVERIFY(f.ok());
        const int bits = format.startsWith(QStringLiteral("int8")) ? 8 : format.startsWith(QStringLiteral("int2")) ? 2 : 4;
        const bool asym = format.contains(QStringLiteral("asym"));
        for (std::size_t k = 0; k < q->tensors().size(); ++k) {
            const ModelTensor &t = q->tensors()[k];
            if (!t.view.decoder || t.role == TensorRole::Embedding)
                continue;
            const std::string base = r->tensors[k].target;
            const TensorView *zp = findView(*f, base + ".weight_zero_point");
            QCOMPARE(zp != nullptr, asym);
            auto w = dequantizeCompressedInt(*findView(*f, base + ".weight_packed"), *findView(*f, base + ".weight_scale"), zp, bits,
                                             group == 0 ? -1 : group);
            QVERIFY2(w.ok(), w.ok() ? "" : w.error().message().c_str());
            QVERIFY2(bitEqual(*w, *t.view.toFloatVector()), t.view.name.c_str()); // codes and scales carried exactly
            QCOMPARE(r->tensors[k].action, ExportAction::Carried);
            QCOMPARE(findView(*f, base + ".weight_shape")->dtype, DType::I64);
        }
        const Json qc = *readJson(out + "/config.json").find("quantization_config");
        QCOMPARE(qc.find("format")->asString(), std::string("pack-quantized"));
        QCOMPARE(qc.find("quantization_status")->asString(), std::string("compressed"));
        const Json *w = qc.find("config_groups")->find("group_0")->find("weights");
        QCOMPARE(*w->find("num_bits")->asInt64(), std::int64_t(bits));
        QCOMPARE(w->find("symmetric")->asBool(), !asym);
        QCOMPARE(w->find("strategy")->asString(), std::string(group == 0 ? "channel" : "group"));
        if (group > 0)
            QCOMPARE(*w->find("group_size")->asInt64(), std::int64_t(group));
        QCOMPARE(qc.find("ignore")->asArray()[0].asString(), std::string("lm_head"));
    }
    void compressedTensorsNvfp4()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto q = quantizeForExport(storiesHf(), exportSpec("nvfp4", 16, "e4m3"), false, true);
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/nv";
        auto r = exportCompressedTensors(*q, out);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto f = readSafetensors(out + "/model.safetensors");
        QVERIFY(f.ok());
        static constexpr float kE2M1[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
        for (std::size_t k = 0; k < q->tensors().size(); ++k) {
            const ModelTensor &t = q->tensors()[k];
            if (!t.view.decoder || t.role == TensorRole::Embedding)
                continue;
            const std::string base = r->tensors[k].target;
            const TensorView &packed = *findView(*f, base + ".weight_packed");
            const TensorView &scale = *findView(*f, base + ".weight_scale");
            const TensorView &global = *findView(*f, base + ".weight_global_scale");
            QCOMPARE(packed.dtype, DType::U8);
            QCOMPARE(scale.dtype, DType::F8_E4M3);
            const std::int64_t rows = t.view.rows(), cols = t.view.cols();
            QCOMPARE(packed.shape, (std::vector<std::int64_t>{rows, cols / 2}));
            float g;
            std::memcpy(&g, global.data, 4);
            const std::vector<float> studio = *t.view.toFloatVector();
            std::vector<float> w(studio.size());
            for (std::int64_t i = 0; i < rows * cols; ++i) { // compressed-tensors: fp4 · (scale / global_scale), low nibble first
                const int nib = (std::to_integer<int>(packed.data[i / 2]) >> (i % 2 ? 4 : 0)) & 0xF;
                w[i] = kE2M1[nib] * (fp8e4m3ToFloat(std::to_integer<std::uint8_t>(scale.data[i / 16])) / g);
            }
            const double err = relativeSquaredError(w.data(), studio.data(), studio.size());
            QCOMPARE(err, r->tensors[k].relError);
            QVERIFY2(err < 1e-12, qPrintable(QString::number(err))); // 1/t vs t: rounding of the last bit only
        }
        QCOMPARE(readJson(out + "/config.json").find("quantization_config")->find("format")->asString(), std::string("nvfp4-pack-quantized"));
    }
    void fakeQuant_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<double>("bound");
        QTest::newRow("f32") << int(DType::F32) << 0.0;
        QTest::newRow("f16") << int(DType::F16) << 1e-6;
        QTest::newRow("bf16") << int(DType::BF16) << 3e-5;
    }
    void fakeQuant()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QFETCH(int, dtype);
        QFETCH(double, bound);
        auto q = quantizeForExport(storiesHf(), exportSpec("bitmod-fp3", 32, "fp16"));
        QVERIFY(q.ok());
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/fq";
        ExportOptions o;
        o.fakeQuantDtype = static_cast<DType>(dtype);
        auto r = exportFakeQuant(*q, out, o);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().message().c_str());
        auto back = Model::open(out); // a plain Hugging Face folder
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().message().c_str());
        QCOMPARE(back->config().hiddenSize, std::int64_t(64));
        for (std::size_t k = 0; k < q->tensors().size(); ++k) {
            const ModelTensor &t = q->tensors()[k];
            const ModelTensor *g = back->find(t.role, t.layer);
            QVERIFY(g);
            QCOMPARE(int(g->view.dtype), dtype);
            const std::vector<float> got = *g->view.toFloatVector(), want = *t.view.toFloatVector();
            const double err = relativeSquaredError(got.data(), want.data(), want.size());
            QCOMPARE(err, r->tensors[k].relError);
            QVERIFY(err <= bound);
        }
        QCOMPARE(readJson(out + "/config.json").find("quantization_config"), nullptr);
    }
    void fakeQuantOfInterleavedModelHasHfRows()
    {
        // llama2.c .bin (interleaved q/k) → fake-quant f32 == the reference HF conversion, bit for bit
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        auto bin = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
        QVERIFY(bin.ok());
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/fq";
        ExportOptions o;
        o.fakeQuantDtype = DType::F32;
        QVERIFY(exportFakeQuant(*bin, out, o).ok());
        auto back = Model::open(out);
        QVERIFY(back.ok());
        const Model hf = storiesHf();
        for (const ModelTensor &t : hf.tensors()) {
            const ModelTensor *g = back->find(t.role, t.layer);
            QVERIFY(g);
            QVERIFY2(bitEqual(*g->view.toFloatVector(), *t.view.toFloatVector()), t.view.name.c_str());
        }
        QVERIFY(QFileInfo::exists(QString::fromStdString(out + "/tok512.bin")));
    }
    void folderOverwriteAndFailure()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/hf/model.safetensors");
        QTemporaryDir dir;
        const std::string out = dir.path().toStdString() + "/fq";
        QVERIFY(QDir().mkpath(QString::fromStdString(out)));
        { std::ofstream(out + "/keep.txt") << "old"; }
        const Model m = storiesHf();
        auto refused = exportFakeQuant(m, out);
        QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
        ExportOptions o;
        o.overwrite = true;
        o.failAfterBytes = 100000;
        auto failed = exportFakeQuant(m, out, o);
        QCOMPARE(failed.error().code, ErrorCode::Io);
        QVERIFY(QFileInfo::exists(QString::fromStdString(out + "/keep.txt"))); // the old folder is intact
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), 1); // no temporary left
        o.failAfterBytes = 0;
        QVERIFY(exportFakeQuant(m, out, o).ok());
        QVERIFY(!QFileInfo::exists(QString::fromStdString(out + "/keep.txt"))); // replaced as a whole
        QVERIFY(QFileInfo::exists(QString::fromStdString(out + "/model.safetensors")));
    }
};

QTEST_APPLESS_MAIN(TstExportHf)
#include "tst_export_hf.moc"
