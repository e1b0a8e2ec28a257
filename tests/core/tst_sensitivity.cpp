// SPDX-License-Identifier: GPL-3.0-or-later
// Sensitivities for the bit budget: the menu, measured ΔL on stories260K (more bits never
// much worse), the proxy against an independent computation, the cache (a hit measures
// nothing, a grown menu measures only the new options, a corrupt file is refused), cancel.
#include "core/alloc/sensitivity.h"
#include "core/alloc/sensitivity_cache.h"

#include "core/eval/perplexity.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/quant/fast_quantize.h"
#include "core/util/mapped_file.h"
#include "test_support.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>

using namespace lowbit;

namespace {

struct Stories {
    Model model;
    std::unique_ptr<Tokenizer> tok;
    CalibrationStats stats;
    std::string text;
};

/// stories260K with calibration statistics over its first 2,000 tokens of TinyStories.
std::unique_ptr<Stories> loadStories()
{
    const std::string path = test::sharedPath("models/stories260K/stories260K.bin");
    auto m = Model::open(path);
    if (!m)
        return nullptr;
    auto tok = loadTokenizer(path, m->config().vocabSize);
    auto text = readTextFile(test::sharedPath("data/tinystories_valid_first1000.txt"));
    if (!tok || !text)
        return nullptr;
    auto engine = CpuModel::load(*m);
    if (!engine)
        return nullptr;
    CalibrationOptions co;
    co.maxTokens = 2000;
    auto stats = calibrate(**engine, **tok, *text, co);
    if (!stats)
        return nullptr;
    return std::make_unique<Stories>(Stories{std::move(*m), std::move(*tok), std::move(*stats), std::move(*text)});
}

std::vector<MenuOption> menuOf(const char *formats, std::vector<std::int64_t> groups = {32}, std::string method = "rtn")
{
    const std::vector<std::string> methods{std::move(method)};
    auto m = buildMenu(formats, groups, ScaleStorage::F16, methods);
    return m ? *m : std::vector<MenuOption>{};
}

} // namespace

class TestSensitivity : public QObject {
    Q_OBJECT
    std::unique_ptr<Stories> m_s;

    Stories *stories()
    {
        if (!m_s)
            m_s = loadStories();
        return m_s.get();
    }

private slots:
    void menuIsFormatsTimesGroupsWithoutDuplicates()
    {
        const std::vector<std::int64_t> groups{32, 64};
        const std::vector<std::string> methods{"rtn"};
        auto m = buildMenu(" int3, int4 ,mxfp4,int4", groups, ScaleStorage::F16, methods);
        QVERIFY2(m, m ? "" : m.error().message().c_str());
        // int3 ×2, int4 ×2, mxfp4 once (its group is fixed at 32); the repeated int4 is dropped
        QCOMPARE(m->size(), std::size_t(5));
        QCOMPARE((*m)[0].label(), std::string("int3 g32 fp16 rtn"));
        QCOMPARE((*m)[1].spec.groupSize, std::int64_t(64));
        QCOMPARE((*m)[4].spec.format.name, std::string("mxfp4"));
        QCOMPARE((*m)[4].spec.scaleStorage, ScaleStorage::E8M0);
        for (const MenuOption &o : *m)
            QCOMPARE(exactBits(o.spec, 64, 172), std::llround(bitsPerWeight(o.spec, 64, 172).total() * 64 * 172));
    }
    void menuErrors_data()
    {
        QTest::addColumn<QString>("formats");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("needle");
        QTest::newRow("empty") << "" << "rtn" << "no format";
        QTest::newRow("unknown format") << "int4,int99x" << "rtn" << "int99x";
        QTest::newRow("unknown method") << "int4" << "nosuch" << "nosuch";
        QTest::newRow("no fast path") << "q4_0" << "rtn" << "q4_0";
    }
    void menuErrors()
    {
        QFETCH(QString, formats);
        QFETCH(QString, method);
        QFETCH(QString, needle);
        const std::vector<std::int64_t> groups{32};
        const std::vector<std::string> methods{method.toStdString()};
        auto m = buildMenu(formats.toStdString(), groups, std::nullopt, methods);
        QVERIFY(!m);
        QCOMPARE(m.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(m.error().detail.find(needle.toStdString()) != std::string::npos, m.error().detail.c_str());
    }
    void planTensorsAreTheBlockLinears()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        Stories *s = stories();
        QVERIFY(s);
        const auto blocks = planTensors(s->model, false, false);
        QCOMPARE(blocks.size(), std::size_t(5 * 7));
        for (const ModelTensor *t : blocks)
            QVERIFY(t->layer >= 0 && isLinearRole(t->role));
        QCOMPARE(planTensors(s->model, true, false).size(), std::size_t(5 * 7 + 1)); // tied: no separate output
    }
    void moreBitsNeverMuchWorse_data()
    {
        QTest::addColumn<QString>("method");
        QTest::newRow("rtn") << "rtn";
        QTest::newRow("gptq") << "gptq";
    }
    void moreBitsNeverMuchWorse()
    {
        QFETCH(QString, method);
        // Measured ΔNLL of one layer at a time with RTN / GPTQ at 2, 3, 4 and 8 bits: loosely
        // non-increasing in the bits (a little noise allowed), 2-bit clearly harmful, 8-bit ~free.
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        Stories *s = stories();
        QVERIFY(s);
        const auto menu = menuOf("int2,int3,int4,int8", {32}, method.toStdString());
        QCOMPARE(menu.size(), std::size_t(4));
        QCOMPARE(menu[0].method, method.toStdString());
        SensitivityOptions o;
        o.evalTokens = 1500;
        o.tensorPattern = R"(layers\.0\.attention\.wq|layers\.0\.self_attn\.q_proj|layers\.4\..*(w2|down))";
        std::int64_t calls = 0;
        auto t = measureSensitivities(s->model, s->stats, *s->tok, s->text, menu, o,
                                      [&](std::int64_t done, std::int64_t total, const std::string &) {
                                          ++calls;
                                          QCOMPARE(total, std::int64_t(8));
                                          QCOMPARE(done, calls);
                                      });
        QVERIFY2(t, t ? "" : t.error().message().c_str());
        QCOMPARE(t->layers.size(), std::size_t(2));
        QCOMPARE(calls, std::int64_t(8));
        QVERIFY(t->evalTokens >= 1500);
        QVERIFY(t->baseLoss > 1.0 && t->baseLoss < 2.5);
        QCOMPARE(t->measured, std::int64_t(8));
        for (const LayerSensitivity &l : t->layers) {
            for (const OptionSensitivity &os : l.options)
                QCOMPARE(os.method, method.toStdString());
            const auto &op = l.options;
            QVERIFY2(op[0].deltaLoss > 0.01, l.tensor.c_str());
            for (std::size_t k = 1; k < op.size(); ++k) {
                QVERIFY(op[k].bits > op[k - 1].bits);
                QVERIFY2(op[k].deltaLoss <= op[k - 1].deltaLoss + 0.01 + 0.2 * std::fabs(op[k - 1].deltaLoss), l.tensor.c_str());
            }
            QVERIFY(std::fabs(op[3].deltaLoss) < 0.01);
            QVERIFY(op[0].proxyError > op[3].proxyError);
        }
    }
    void proxyEqualsIndependentOutputError()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        Stories *s = stories();
        QVERIFY(s);
        const auto menu = menuOf("int3,int4", {64});
        SensitivityOptions o;
        o.mode = SensitivityMode::Proxy;
        o.tensorPattern = R"(layers\.2\.)";
        auto t = measureSensitivities(s->model, s->stats, *s->tok, s->text, menu, o);
        QVERIFY2(t, t ? "" : t.error().message().c_str());
        QCOMPARE(t->layers.size(), std::size_t(7));
        QCOMPARE(t->evalTokens, std::uint64_t(0));
        for (const LayerSensitivity &l : t->layers) {
            const ModelTensor *mt = s->model.findByName(l.tensor);
            QVERIFY(mt);
            auto w = mt->view.toFloatVector();
            QVERIFY(w);
            const LinearInput which = l.role == TensorRole::O      ? LinearInput::AttnOut
                                      : l.role == TensorRole::Down ? LinearInput::MlpOut
                                      : (l.role == TensorRole::Gate || l.role == TensorRole::Up) ? LinearInput::MlpIn
                                                                                                 : LinearInput::AttnIn;
            const ActivationStats *st = s->stats.find(l.layer, which);
            QVERIFY(st);
            for (std::size_t k = 0; k < menu.size(); ++k) {
                auto plan = planForSpec(menu[k].spec);
                QVERIFY(plan);
                auto q = quantizeWithPlan(w->data(), l.rows, l.cols, *plan, nullptr, 1);
                QVERIFY(q);
                std::vector<float> back(w->size());
                QVERIFY(dequantizeWithPlan(*q, *plan, back.data(), 1));
                // Σ_tokens ‖ΔW x‖² / N in fp64, straight from the definition H = Σ x xᵀ
                double sum = 0;
                for (std::int64_t r = 0; r < l.rows; ++r)
                    for (std::int64_t i = 0; i < l.cols; ++i)
                        for (std::int64_t j = 0; j < l.cols; ++j) {
                            const double di = double((*w)[std::size_t(r * l.cols + i)]) - back[std::size_t(r * l.cols + i)];
                            const double dj = double((*w)[std::size_t(r * l.cols + j)]) - back[std::size_t(r * l.cols + j)];
                            sum += di * st->hessian[std::size_t(i * l.cols + j)] * dj;
                        }
                const double expected = sum / double(st->count);
                QVERIFY2(std::fabs(l.options[k].deltaLoss - expected) <= 1e-9 * std::fabs(expected) + 1e-15, l.tensor.c_str());
            }
            QVERIFY(l.options[0].deltaLoss > l.options[1].deltaLoss);
        }
    }
    void klIsNonNegative()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        Stories *s = stories();
        QVERIFY(s);
        const auto menu = menuOf("int2,int8");
        SensitivityOptions o;
        o.mode = SensitivityMode::Kl;
        o.evalTokens = 600;
        o.tensorPattern = R"(layers\.1\..*(w1|gate))";
        auto t = measureSensitivities(s->model, s->stats, *s->tok, s->text, menu, o);
        QVERIFY2(t, t ? "" : t.error().message().c_str());
        QCOMPARE(t->layers.size(), std::size_t(1));
        QCOMPARE(t->baseLoss, 0.0);
        QVERIFY(t->layers[0].options[1].deltaLoss >= 0);
        QVERIFY(t->layers[0].options[0].deltaLoss > t->layers[0].options[1].deltaLoss);
    }
    void cacheHitMeasuresNothing()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        Stories *s = stories();
        QVERIFY(s);
        QTemporaryDir dir;
        SensitivityOptions o;
        o.evalTokens = 500;
        o.tensorPattern = R"(layers\.3\..*(wk|k_proj))";
        o.cachePath = dir.filePath(QStringLiteral("sens.json")).toStdString();
        const auto menu = menuOf("int3,int4");
        auto first = measureSensitivities(s->model, s->stats, *s->tok, s->text, menu, o);
        QVERIFY2(first, first ? "" : first.error().message().c_str());
        QCOMPARE(first->measured, std::int64_t(2));
        QCOMPARE(first->cached, std::int64_t(0));

        auto again = measureSensitivities(s->model, s->stats, *s->tok, s->text, menu, o);
        QVERIFY(again);
        QCOMPARE(again->measured, std::int64_t(0));
        QCOMPARE(again->cached, std::int64_t(2));
        QCOMPARE(again->baseLoss, first->baseLoss);
        for (std::size_t k = 0; k < 2; ++k) {
            QCOMPARE(again->layers[0].options[k].deltaLoss, first->layers[0].options[k].deltaLoss);
            QCOMPARE(again->layers[0].options[k].bits, first->layers[0].options[k].bits);
            QVERIFY(again->layers[0].options[k].fromCache);
        }
        // A grown menu measures only the new option; another token budget is another key.
        const auto grown = menuOf("int3,int4,int2");
        auto third = measureSensitivities(s->model, s->stats, *s->tok, s->text, grown, o);
        QVERIFY(third);
        QCOMPARE(third->measured, std::int64_t(1));
        QCOMPARE(third->cached, std::int64_t(2));
        o.evalTokens = 700;
        auto fourth = measureSensitivities(s->model, s->stats, *s->tok, s->text, menu, o);
        QVERIFY(fourth);
        QCOMPARE(fourth->measured, std::int64_t(2));
    }
    void corruptCacheIsRefused_data()
    {
        QTest::addColumn<QString>("content");
        QTest::newRow("not json") << "{\"lowbit.sensitivity_cache\": 1, ";
        QTest::newRow("wrong version") << "{\"lowbit.sensitivity_cache\": 7, \"entries\": {}}";
        QTest::newRow("entries not object") << "{\"lowbit.sensitivity_cache\": 1, \"entries\": []}";
        QTest::newRow("negative bits")
            << "{\"lowbit.sensitivity_cache\": 1, \"entries\": {\"k\": {\"bits\": -3, \"delta_loss\": 1, \"proxy_error\": null, \"method\": \"rtn\"}}}";
        QTest::newRow("string loss")
            << "{\"lowbit.sensitivity_cache\": 1, \"entries\": {\"k\": {\"bits\": 3, \"delta_loss\": \"x\", \"proxy_error\": 1, \"method\": \"rtn\"}}}";
    }
    void corruptCacheIsRefused()
    {
        QFETCH(QString, content);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("c.json")).toStdString();
        std::ofstream(path) << content.toStdString();
        SensitivityCache c;
        const Status st = c.load(path);
        QVERIFY(!st);
        QCOMPARE(st.error().code, ErrorCode::Malformed);
        QVERIFY(st.error().detail.find(path) != std::string::npos);
    }
    void cancelBeforeAnyMeasurement()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        Stories *s = stories();
        QVERIFY(s);
        std::stop_source src;
        src.request_stop();
        SensitivityOptions o;
        o.mode = SensitivityMode::Proxy;
        auto t = measureSensitivities(s->model, s->stats, *s->tok, s->text, menuOf("int4"), o, {}, src.get_token());
        QVERIFY(!t);
        QCOMPARE(t.error().code, ErrorCode::Cancelled);
    }
    void fingerprintSeesWeights()
    {
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        Stories *s = stories();
        QVERIFY(s);
        const std::string fp = modelFingerprint(s->model);
        QCOMPARE(fp.size(), std::size_t(16));
        QCOMPARE(modelFingerprint(s->model), fp);
        std::vector<ModelTensor> tensors = s->model.tensors();
        auto w = tensors[3].view.toFloatVector();
        QVERIFY(w);
        (*w)[5] += 1e-3f;
        tensors[3].view = makeOwnedF32(tensors[3].view.name, tensors[3].view.shape, std::move(*w));
        auto changed = Model::fromParts(s->model.source(), s->model.path(), s->model.config(), std::move(tensors));
        QVERIFY(changed);
        QVERIFY(modelFingerprint(*changed) != fp);
    }
};

QTEST_APPLESS_MAIN(TestSensitivity)
#include "tst_sensitivity.moc"
