// SPDX-License-Identifier: GPL-3.0-or-later
// AdaQuant (core/methods/adaquant.h): the index-space parametrization against the reference
// quantizer for every family, and the method: lower proxy error than RTN under both rules, never worse than its start, the
// "Both" winner consistent with the separate runs, bad input refused, cancellation.
#include "core/methods/adaquant.h"
#include "core/methods/adaquant_layer.h"
#include "core/methods/adaquant_rules.h"
#include "core/methods/method.h"
#include "core/methods/proxy_error.h"
#include "core/quant/fast_format.h"

#include "core/calib/calibration.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/model/model.h"

#include "quant_inputs.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>

using namespace lowbit;
using lowbit::test::sameBits;
using lowbit::test::specOf;

namespace {

/// Correlated inputs: x = z·M with a random mixing matrix and per-channel magnitudes spread
/// over two decades, so H = Σ x xᵀ is far from diagonal.
ActivationStats correlatedStats(std::int64_t dim, std::int64_t tokens, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> mix(static_cast<std::size_t>(dim * dim));
    for (auto &v : mix)
        v = nd(rng);
    std::vector<float> scale(static_cast<std::size_t>(dim));
    for (std::int64_t c = 0; c < dim; ++c)
        scale[static_cast<std::size_t>(c)] = std::pow(10.0f, 2.0f * static_cast<float>(c % 7) / 6.0f - 1.0f);
    std::vector<float> x(static_cast<std::size_t>(tokens * dim)), z(static_cast<std::size_t>(dim));
    for (std::int64_t t = 0; t < tokens; ++t) {
        for (auto &v : z)
            v = nd(rng);
        for (std::int64_t c = 0; c < dim; ++c) {
            float acc = z[static_cast<std::size_t>(c)] * 2.0f;
            for (std::int64_t k = 0; k < 8; ++k) // a few shared factors: strong correlations
                acc += z[static_cast<std::size_t>(k)] * mix[static_cast<std::size_t>(k * dim + c)];
            x[static_cast<std::size_t>(t * dim + c)] = acc * scale[static_cast<std::size_t>(c)];
        }
    }
    ActivationStats s;
    s.dim = dim;
    s.accumulate(x.data(), tokens);
    return s;
}

std::vector<float> weights(std::int64_t rows, std::int64_t cols, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 0.05f);
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    for (auto &v : w)
        v = nd(rng) + (nd(rng) > 0.08f ? 0.03f : 0.0f); // a little skew for the asymmetric formats
    return w;
}

struct Layer {
    std::vector<float> w;
    ActivationStats stats;
    LayerInput in;
};

/// A layer with its own storage (LayerInput points into it).
std::unique_ptr<Layer> makeLayer(std::int64_t rows, std::int64_t cols, std::uint32_t seed)
{
    auto l = std::make_unique<Layer>();
    l->w = weights(rows, cols, seed);
    l->stats = correlatedStats(cols, 4 * cols, seed + 1);
    l->in.name = "test.weight";
    l->in.weight = l->w.data();
    l->in.rows = rows;
    l->in.cols = cols;
    l->in.stats = &l->stats;
    return l;
}

const MethodInfo &method(const char *name)
{
    auto m = findMethod(name);
    if (!m)
        qFatal("%s", m.error().message().c_str());
    return **m;
}

QuantizedLayer runOk(const char *name, const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt = {})
{
    auto r = method(name).run(in, spec, opt, {}, {});
    if (!r)
        qFatal("%s: %s", name, r.error().message().c_str());
    return std::move(*r);
}

std::vector<float> decodeAll(const QuantizedTensor &t)
{
    std::vector<float> out(static_cast<std::size_t>(t.rows() * t.cols()));
    if (!t.decodeRows(out.data(), 0, t.rows()))
        qFatal("decodeRows failed");
    return out;
}

} // namespace

class TestAdaQuant : public QObject {
    Q_OBJECT

private slots:
    // ---- the parametrization ------------------------------------------------------------------

    void startIsReproducedForEveryFamily_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qlonglong>("group");
        QTest::addColumn<int>("storage");
        for (const char *n : {"int3", "int4-asym", "int2", "fp3", "fp3-asym", "nf3-asym", "nf4", "bitmod-fp3", "bitmod-fp4", "fp-e3m2",
                              "lut:-3,-1,0,0.25,2", "iq4nl", "mix:int3|fp3-asym|nf3", "mix:int3|int3-asym", "mxfp4", "mxfp6-e2m3", "nvfp4"})
            QTest::newRow(n) << QString::fromLatin1(n) << qlonglong{32} << static_cast<int>(ScaleStorage::F16);
        QTest::newRow("int4 per-channel bf16") << QStringLiteral("int4") << qlonglong{kPerChannel} << static_cast<int>(ScaleStorage::BF16);
        QTest::newRow("fp4-asym per-tensor") << QStringLiteral("fp4-asym") << qlonglong{kPerTensor} << static_cast<int>(ScaleStorage::F32);
        QTest::newRow("int3 g48 (short last group)") << QStringLiteral("int3") << qlonglong{48} << static_cast<int>(ScaleStorage::F32);
    }
    void startIsReproducedForEveryFamily()
    {
        QFETCH(QString, name);
        QFETCH(qlonglong, group);
        QFETCH(int, storage);
        const std::int64_t rows = 6, cols = 64;
        std::vector<float> w = lowbit::test::quantInputs(0, rows * cols, 11);
        w[5] = 0.0f; // exact zeros take the code of zero
        w[70] = -0.6f; // outliers
        w[200] = 0.9f;
        const FormatSpec spec = specOf(name.toLatin1().constData(), group, static_cast<ScaleStorage>(storage));
        const auto start = quantizeRef(w.data(), rows, cols, spec);
        QVERIFY(start.ok());
        auto layer = ada::LayerQuantizer::create(w.data(), *start);
        QVERIFY2(layer.ok(), layer ? "" : layer.error().message().c_str());
        std::vector<float> wq(w.size()), ref(w.size());
        layer->forward(0, rows, wq.data());
        dequantizeRef(*start, ref.data());
        QVERIFY(sameBits(wq, ref)); // the forward pass is the library's quantizer
        const QuantizedMatrix snap = layer->snapshot();
        QCOMPARE(snap.codes, start->codes);
        QVERIFY(sameBits(snap.scales, start->scales));
        QVERIFY(sameBits(snap.scales2, start->scales2));
        QCOMPARE(snap.selectors, start->selectors);
        QCOMPARE(layer->optimizesScales(),
                 spec.format.family != FormatFamily::Mx && spec.format.family != FormatFamily::Nvfp4);
        QVERIFY(pack(snap).ok());
    }

    void trainedScalesStayRepresentable()
    {
        // After real steps, every scale is a value of its storage (fp16 here) and packs.
        auto l = makeLayer(16, 64, 21);
        const FormatSpec spec = specOf("fp3-asym", 32, ScaleStorage::F16);
        const auto start = quantizeRef(l->w.data(), 16, 64, spec);
        auto layer = ada::LayerQuantizer::create(l->w.data(), *start);
        QVERIFY(layer.ok());
        std::vector<float> wq(l->w.size()), grad(l->w.size());
        ada::AdamSettings adam;
        adam.lrScales = 0.05f; // large steps so the scales move
        for (int t = 1; t <= 5; ++t) {
            layer->forward(0, 16, wq.data());
            for (std::size_t i = 0; i < grad.size(); ++i)
                grad[i] = wq[i] - l->w[i]; // ∂ of ½‖Ŵ − W‖²
            layer->backward(0, 16, grad.data(), ada::Rule::Ste, 2.0f);
            layer->step(adam, t, 1);
        }
        layer->forward(0, 16, wq.data());
        const QuantizedMatrix q = layer->snapshot();
        bool moved = false;
        for (std::size_t g = 0; g < q.scales.size(); ++g) {
            for (const float s : {q.scales[g], q.scales2[g]})
                QCOMPARE(roundScaleToStorage(s, ScaleStorage::F16), s);
            moved = moved || q.scales[g] != start->scales[g] || q.scales2[g] != start->scales2[g];
        }
        QVERIFY(moved);
        std::vector<float> ref(wq.size());
        dequantizeRef(q, ref.data());
        QVERIFY(sameBits(wq, ref));
        QVERIFY(pack(q).ok());
    }

    // ---- the method ---------------------------------------------------------------------------

    void registered()
    {
        for (const char *n : {"adaquant", "adaquant-ste", "adaquant-cont"}) {
            const MethodInfo &m = method(n);
            QVERIFY(m.needsCalibration);
            QVERIFY(!m.vector);
        }
    }

    void bothRulesLowerTheProxyError_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<QString>("method");
        for (const char *f : {"int3", "fp3-asym", "nf3-asym", "bitmod-fp3"})
            for (const char *m : {"adaquant-ste", "adaquant-cont"})
                QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(f), QLatin1String(m))))
                    << QString::fromLatin1(f) << QString::fromLatin1(m);
    }
    void bothRulesLowerTheProxyError()
    {
        QFETCH(QString, format);
        QFETCH(QString, method);
        auto l = makeLayer(48, 128, 3);
        const FormatSpec spec = specOf(format.toLatin1().constData(), 32, ScaleStorage::F16);
        const QuantizedLayer rtn = runOk("rtn", l->in, spec);
        const QuantizedLayer ada = runOk(method.toLatin1().constData(), l->in, spec);
        QVERIFY(std::isfinite(ada.report.proxyError));
        QVERIFY2(ada.report.proxyError < 0.9 * rtn.report.proxyError,
                 qPrintable(QStringLiteral("rtn %1, %2 %3 (%4)")
                                .arg(rtn.report.proxyError)
                                .arg(method)
                                .arg(ada.report.proxyError)
                                .arg(QString::fromStdString(ada.report.detail))));
        // Same storage cost, and the report's error is that of the stored tensor.
        QCOMPARE(ada.report.bitsPerWeight, rtn.report.bitsPerWeight);
        const std::vector<float> deq = decodeAll(*ada.tensor);
        QCOMPARE(proxyError(l->w.data(), deq.data(), 48, 128, l->stats.hessian.data()), ada.report.proxyError);
        QCOMPARE(ada.report.method, method.toStdString());
    }

    void neverWorseThanTheStart_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("iterations");
        QTest::addColumn<double>("learningRate");
        QTest::newRow("int4, one step") << QStringLiteral("int4") << 1 << 1e-3;
        QTest::newRow("int3, huge steps") << QStringLiteral("int3") << 20 << 1.0;
        QTest::newRow("mxfp4 (fixed scales)") << QStringLiteral("mxfp4") << 30 << 1e-3;
        QTest::newRow("nvfp4 (fixed scales)") << QStringLiteral("nvfp4") << 30 << 1e-3;
        QTest::newRow("iq4nl") << QStringLiteral("iq4nl") << 30 << 1e-3;
        QTest::newRow("int8 (little to gain)") << QStringLiteral("int8") << 10 << 1e-3;
        QTest::newRow("zero iterations") << QStringLiteral("int3") << 0 << 1e-3;
    }
    void neverWorseThanTheStart()
    {
        QFETCH(QString, format);
        QFETCH(int, iterations);
        QFETCH(double, learningRate);
        auto l = makeLayer(32, 96, 5);
        const FormatSpec spec = specOf(format.toLatin1().constData(), 32, ScaleStorage::F16);
        MethodOptions opt;
        opt.ada.iterations = iterations;
        opt.ada.learningRate = learningRate;
        const QuantizedLayer rtn = runOk("rtn", l->in, spec);
        for (const char *m : {"adaquant-ste", "adaquant-cont", "adaquant"}) {
            const QuantizedLayer ada = runOk(m, l->in, spec, opt);
            QVERIFY2(ada.report.proxyError <= rtn.report.proxyError, m);
            if (iterations == 0)
                QVERIFY(sameBits(decodeAll(*ada.tensor), decodeAll(*rtn.tensor)));
        }
    }

    void bothReportsTheWinnerOfTheSeparateRuns_data()
    {
        QTest::addColumn<QString>("format");
        QTest::newRow("int3") << QStringLiteral("int3");
        QTest::newRow("nf3-asym") << QStringLiteral("nf3-asym");
        QTest::newRow("int4-asym") << QStringLiteral("int4-asym");
    }
    void bothReportsTheWinnerOfTheSeparateRuns()
    {
        QFETCH(QString, format);
        auto l = makeLayer(32, 64, 9);
        const FormatSpec spec = specOf(format.toLatin1().constData(), 32, ScaleStorage::F16);
        MethodOptions opt;
        opt.ada.iterations = 60;
        opt.threads = 1; // bitwise determinism across the three runs
        const QuantizedLayer ste = runOk("adaquant-ste", l->in, spec, opt);
        const QuantizedLayer cont = runOk("adaquant-cont", l->in, spec, opt);
        const QuantizedLayer both = runOk("adaquant", l->in, spec, opt);
        const bool steWins = ste.report.proxyError <= cont.report.proxyError;
        QCOMPARE(both.report.proxyError, steWins ? ste.report.proxyError : cont.report.proxyError);
        QVERIFY(sameBits(decodeAll(*both.tensor), decodeAll(*(steWins ? ste : cont).tensor)));
        const std::string &d = both.report.detail;
        QVERIFY2(d.rfind(steWins ? "winner ste" : "winner continuous", 0) == 0, d.c_str());
        QVERIFY2(d.find("ste ") != std::string::npos && d.find("continuous ") != std::string::npos, d.c_str());
        QCOMPARE(both.report.method, std::string("adaquant"));
    }

    void hessianBeyondFp32IsHandled()
    {
        // H summed over very many tokens: beyond the fp32 range, the objective is the same.
        auto l = makeLayer(16, 64, 23);
        const FormatSpec spec = specOf("int3", 32, ScaleStorage::F16);
        MethodOptions opt;
        opt.ada.iterations = 60;
        const double plain = runOk("adaquant-ste", l->in, spec, opt).report.proxyError;
        for (double &h : l->stats.hessian)
            h *= 1e40;
        const QuantizedLayer rtn = runOk("rtn", l->in, spec, opt);
        const QuantizedLayer big = runOk("adaquant-ste", l->in, spec, opt);
        QVERIFY(std::isfinite(big.report.proxyError));
        QVERIFY(big.report.proxyError < 0.95 * rtn.report.proxyError);
        QVERIFY(std::fabs(big.report.proxyError - plain) < 0.05 * plain);
    }

    void badInputIsRefused_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<int>("code");
        for (const char *w : {"nan hessian", "inf hessian", "no stats", "wrong dim", "nan weight"})
            QTest::newRow(w) << QString::fromLatin1(w) << static_cast<int>(ErrorCode::InvalidArgument);
        for (const char *w : {"iterations", "learning rate", "temperature"})
            QTest::newRow(w) << QString::fromLatin1(w) << static_cast<int>(ErrorCode::InvalidArgument);
        QTest::newRow("q4_0") << QStringLiteral("q4_0") << static_cast<int>(ErrorCode::Unsupported);
    }
    void badInputIsRefused()
    {
        QFETCH(QString, what);
        QFETCH(int, code);
        auto l = makeLayer(8, 32, 13);
        FormatSpec spec = specOf("int3", 32);
        MethodOptions opt;
        ActivationStats other = correlatedStats(16, 64, 1);
        if (what == QLatin1String("nan hessian"))
            l->stats.hessian[33] = std::numeric_limits<double>::quiet_NaN();
        else if (what == QLatin1String("inf hessian"))
            l->stats.hessian[0] = std::numeric_limits<double>::infinity();
        else if (what == QLatin1String("no stats"))
            l->in.stats = nullptr;
        else if (what == QLatin1String("wrong dim"))
            l->in.stats = &other;
        else if (what == QLatin1String("nan weight"))
            l->w[3] = std::numeric_limits<float>::quiet_NaN();
        else if (what == QLatin1String("iterations"))
            opt.ada.iterations = -1;
        else if (what == QLatin1String("learning rate"))
            opt.ada.learningRate = std::numeric_limits<double>::quiet_NaN();
        else if (what == QLatin1String("temperature"))
            opt.ada.temperatureEnd = 0.0;
        else if (what == QLatin1String("q4_0"))
            spec = specOf("q4_0");
        for (const char *m : {"adaquant", "adaquant-ste", "adaquant-cont"}) {
            auto r = method(m).run(l->in, spec, opt, {}, {});
            QVERIFY2(!r.ok(), m);
            QCOMPARE(static_cast<int>(r.error().code), code);
            QVERIFY(!r.error().detail.empty());
        }
    }

    void cancellationAndProgress()
    {
        auto l = makeLayer(16, 64, 17);
        const FormatSpec spec = specOf("int3", 32);
        MethodOptions opt;
        opt.ada.iterations = 50;
        // Already stopped: nothing runs.
        std::stop_source stopped;
        stopped.request_stop();
        auto r = method("adaquant").run(l->in, spec, opt, {}, stopped.get_token());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        // Stopped from the progress callback in the middle: Cancelled, after some iterations.
        std::stop_source source;
        std::vector<double> seen;
        LayerProgressFn progress = [&](double f) {
            seen.push_back(f);
            if (f >= 0.3)
                source.request_stop();
        };
        r = method("adaquant-cont").run(l->in, spec, opt, progress, source.get_token());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        QVERIFY(!seen.empty() && seen.back() < 0.5);
        // A full run reports monotone progress ending at 1, once per iteration at least.
        seen.clear();
        r = method("adaquant").run(l->in, spec, opt, [&](double f) { seen.push_back(f); }, {});
        QVERIFY(r.ok());
        QVERIFY(seen.size() >= 2 * static_cast<std::size_t>(opt.ada.iterations));
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(seen.back(), 1.0);
    }

    void realLayersOfStories260K_data()
    {
        QTest::addColumn<int>("role");
        QTest::addColumn<int>("layer");
        QTest::addColumn<int>("input");
        QTest::newRow("layers.1 q (64 x 64)") << static_cast<int>(TensorRole::Q) << 1 << static_cast<int>(LinearInput::AttnIn);
        QTest::newRow("layers.2 down (64 x 172)") << static_cast<int>(TensorRole::Down) << 2 << static_cast<int>(LinearInput::MlpOut);
        QTest::newRow("layers.3 up (172 x 64)") << static_cast<int>(TensorRole::Up) << 3 << static_cast<int>(LinearInput::MlpIn);
    }
    void realLayersOfStories260K()
    {
        // Real weights and activations: calibrate on the start of the TinyStories text, then the
        // adaquant layer beats RTN on the calibration objective.
        LOWBIT_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        LOWBIT_REQUIRE_SHARED("data/tinystories_valid_first1000.txt");
        QFETCH(int, role);
        QFETCH(int, layer);
        QFETCH(int, input);
        if (!m_stories) { // calibrated once for all rows
            auto model = Model::open(lowbit::test::sharedPath("models/stories260K/stories260K.bin"));
            QVERIFY(model.ok());
            auto engine = CpuModel::load(*model);
            auto tok = loadTokenizer(model->path(), 512);
            QVERIFY(engine.ok() && tok.ok());
            std::ifstream f(lowbit::test::sharedPath("data/tinystories_valid_first1000.txt"));
            std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
            text.resize(std::min<std::size_t>(text.size(), 8000));
            CalibrationOptions co;
            co.maxTokens = 1500;
            auto calib = calibrate(**engine, **tok, text, co);
            QVERIFY(calib.ok());
            m_stories = std::make_unique<Stories>(Stories{std::move(*model), std::move(*calib)});
        }
        const Model *model = &m_stories->model;
        const CalibrationStats *calib = &m_stories->calib;
        const ActivationStats *stats = calib->find(layer, static_cast<LinearInput>(input));
        const ModelTensor *t = model->find(static_cast<TensorRole>(role), layer);
        QVERIFY(stats && t);
        auto w = t->view.toFloatVector();
        QVERIFY(w.ok());
        LayerInput in;
        in.name = "stories";
        in.weight = w->data();
        in.rows = t->view.rows();
        in.cols = t->view.cols();
        in.stats = stats;
        QCOMPARE(in.cols, stats->dim);
        const FormatSpec spec = specOf("int3", 32, ScaleStorage::F16);
        const QuantizedLayer rtn = runOk("rtn", in, spec);
        const QuantizedLayer ada = runOk("adaquant", in, spec);
        qInfo("rtn %.5f, adaquant %.5f: %s", rtn.report.proxyError, ada.report.proxyError, ada.report.detail.c_str());
        QVERIFY2(ada.report.proxyError < 0.9 * rtn.report.proxyError,
                 qPrintable(QStringLiteral("rtn %1, adaquant %2").arg(rtn.report.proxyError).arg(ada.report.proxyError)));
    }

    void startsFromGptqWhenAsked()
    {
        auto l = makeLayer(16, 64, 19);
        const FormatSpec spec = specOf("int3", 32, ScaleStorage::F16);
        MethodOptions opt;
        opt.ada.iterations = 30;
        opt.ada.startFromGptq = true;
        const QuantizedLayer ada = runOk("adaquant-ste", l->in, spec, opt);
        if (!findMethod("gptq")) {
            QVERIFY(ada.report.detail.find("gptq is not available") != std::string::npos);
            QSKIP("gptq is not registered in this build: checked the fallback only");
        }
        const QuantizedLayer gptq = runOk("gptq", l->in, spec, opt);
        QVERIFY(ada.report.detail.find("start gptq") != std::string::npos);
        QVERIFY(ada.report.proxyError <= gptq.report.proxyError);
    }

private:
    struct Stories {
        Model model;
        CalibrationStats calib;
    };
    std::unique_ptr<Stories> m_stories;
};

QTEST_APPLESS_MAIN(TestAdaQuant)
#include "tst_adaquant.moc"
