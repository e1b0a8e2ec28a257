// SPDX-License-Identifier: GPL-3.0-or-later
// VPTQ (core/methods/vptq.h) and its "vq" QuantizedTensor (core/methods/vq_tensor.h): decoding
// equals the method's own Ŵ and a by-hand reconstruction, lossless serialization, hostile arrays,
// exact bits per weight, error feedback and residual lower the error, bad Hessians, cancellation,
// the option syntax and the registry entry.

#include "core/methods/kmeans.h"
#include "core/methods/method.h"
#include "core/methods/proxy_error.h"
#include "core/methods/vptq.h"

#include <QTest>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

using namespace lowbit;

namespace {

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

/// A layer with correlated inputs (x = z·A, A random) and weights with a few strong input columns.
struct Layer {
    std::int64_t rows = 0, cols = 0;
    std::vector<float> w;
    ActivationStats stats;
    LayerInput input() const
    {
        LayerInput in;
        in.name = "test.weight";
        in.weight = w.data();
        in.rows = rows;
        in.cols = cols;
        in.stats = &stats;
        return in;
    }
};

Layer makeLayer(std::int64_t rows, std::int64_t cols, std::int64_t tokens, std::uint64_t seed, float mix = 0.3f)
{
    std::mt19937_64 g(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    Layer l;
    l.rows = rows;
    l.cols = cols;
    l.w.resize(uz(rows * cols));
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c)
            l.w[uz(r * cols + c)] = 0.05f * nd(g) * (c % 11 == 0 ? 3.0f : 1.0f);
    std::vector<float> a(uz(cols * cols));
    for (std::int64_t i = 0; i < cols; ++i)
        for (std::int64_t j = 0; j < cols; ++j)
            a[uz(i * cols + j)] = (i == j ? 1.0f : 0.0f) + mix * nd(g) / std::sqrt(static_cast<float>(cols));
    std::vector<float> x(uz(tokens * cols)), z(uz(cols));
    for (std::int64_t t = 0; t < tokens; ++t) {
        for (float &v : z)
            v = nd(g);
        for (std::int64_t j = 0; j < cols; ++j) {
            float s = 0;
            for (std::int64_t i = 0; i < cols; ++i)
                s += z[uz(i)] * a[uz(i * cols + j)];
            x[uz(t * cols + j)] = s * (j % 7 == 0 ? 4.0f : 1.0f);
        }
    }
    l.stats.dim = cols;
    l.stats.accumulate(x.data(), tokens);
    return l;
}

VqOptions baseOptions()
{
    VqOptions o;
    o.vectorLength = 4;
    o.centroids = 16;
    o.kmeansIterations = 30;
    o.seed = 7;
    return o;
}

std::vector<float> decodeAll(const QuantizedTensor &t)
{
    std::vector<float> out(uz(t.rows() * t.cols()));
    const Status s = t.decodeRows(out.data(), 0, t.rows());
    return s.ok() ? out : std::vector<float>{};
}

bool bitwiseEqual(const std::vector<float> &a, const std::vector<float> &b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// Serialized arrays copied into owned views, looked up by suffix (what a container reader gives).
struct Stored {
    Json meta;
    std::map<std::string, TensorView> views;
    std::map<std::string, std::vector<std::byte>> bytes;

    explicit Stored(const QuantizedTensor &t) : meta(t.metadata())
    {
        for (const QuantArrayRef &a : t.arrays()) {
            bytes[a.suffix] = std::vector<std::byte>(a.data.begin(), a.data.end());
            TensorView v;
            v.name = "w." + a.suffix;
            v.dtype = a.dtype;
            v.shape = a.shape;
            v.data = bytes[a.suffix].data();
            v.nbytes = a.data.size();
            views[a.suffix] = v;
        }
    }
    void setData(const std::string &suffix, std::vector<std::byte> b, std::vector<std::int64_t> shape)
    {
        bytes[suffix] = std::move(b);
        views[suffix].data = bytes[suffix].data();
        views[suffix].nbytes = bytes[suffix].size();
        views[suffix].shape = std::move(shape);
    }
    Result<QuantizedTensorPtr> load() const
    {
        return loadQuantizedTensor(meta, [this](std::string_view s) -> const TensorView * {
            const auto it = views.find(std::string(s));
            return it == views.end() ? nullptr : &it->second;
        });
    }
};

double proxyOf(const Layer &l, const std::vector<float> &deq)
{
    return proxyError(l.w.data(), deq.data(), l.rows, l.cols, l.stats.hessian.data());
}

} // namespace

class TestVptq : public QObject {
    Q_OBJECT
private slots:
    void decodeIsExact_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("res");
        QTest::addColumn<double>("outliers");
        QTest::addColumn<bool>("perm");
        QTest::addColumn<bool>("norm");
        QTest::addColumn<bool>("fp32");
        QTest::addColumn<bool>("feedback");
        QTest::newRow("plain") << 32 << 0 << 0.0 << false << false << false << true;
        QTest::newRow("residual") << 32 << 8 << 0.0 << false << false << false << true;
        QTest::newRow("outliers") << 32 << 0 << 0.1 << false << false << false << true;
        QTest::newRow("perm") << 32 << 0 << 0.0 << true << false << false << true;
        QTest::newRow("norm") << 32 << 0 << 0.0 << false << true << false << true;
        QTest::newRow("everything, padded rows") << 30 << 8 << 0.1 << true << true << false << true;
        QTest::newRow("everything fp32") << 33 << 8 << 0.1 << true << true << true << true;
        QTest::newRow("no feedback, padded") << 31 << 4 << 0.05 << false << true << false << false;
        QTest::newRow("no feedback, outliers") << 32 << 0 << 0.1 << false << false << false << false;
    }
    void decodeIsExact()
    {
        QFETCH(int, rows);
        QFETCH(int, res);
        QFETCH(double, outliers);
        QFETCH(bool, perm);
        QFETCH(bool, norm);
        QFETCH(bool, fp32);
        QFETCH(bool, feedback);
        const Layer l = makeLayer(rows, 40, 200, 3);
        VqOptions o = baseOptions();
        o.residualCentroids = res;
        o.outlierFraction = outliers;
        o.outlierCentroids = 8;
        o.permute = perm;
        o.normalize = norm;
        o.errorFeedback = feedback;
        auto r = quantizeVptq(l.input(), o, fp32 ? VqCodebookType::F32 : VqCodebookType::F16, 2);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().detail.c_str());
        const VqQuantizedTensor &t = *r->tensor;
        QCOMPARE(t.rows(), std::int64_t{rows});
        QCOMPARE(t.cols(), std::int64_t{40});
        const std::vector<float> deq = decodeAll(t);
        QVERIFY(bitwiseEqual(deq, r->dequantized));

        // By hand from the unpacked content.
        const VqContent c = t.content();
        QCOMPARE(c.perm.empty(), !perm && outliers == 0);
        QCOMPARE(c.scale.empty(), !norm);
        QCOMPARE(c.residual.entries, res);
        QCOMPARE(c.outlierColumns, static_cast<std::int64_t>(outliers > 0 ? std::llround(outliers * 40) : 0));
        const int v = c.vectorLength;
        const std::int64_t R = (rows + v - 1) / v;
        std::vector<float> hand(uz(rows * 40), std::nanf(""));
        for (std::int64_t p = 0; p < 40; ++p) {
            const std::int64_t col = c.perm.empty() ? p : c.perm[uz(p)];
            for (std::int64_t r0 = 0; r0 < R; ++r0)
                for (int d = 0; d < v; ++d) {
                    const std::int64_t row = r0 * v + d;
                    if (row >= rows)
                        continue;
                    float y;
                    if (p < c.outlierColumns) {
                        y = c.outlier.values[uz(c.outlierIndices[uz(p * R + r0)]) * uz(v) + uz(d)];
                    } else {
                        const std::int64_t slot = (p - c.outlierColumns) * R + r0;
                        y = c.main.values[uz(c.mainIndices[uz(slot)]) * uz(v) + uz(d)];
                        if (res)
                            y += c.residual.values[uz(c.residualIndices[uz(slot)]) * uz(v) + uz(d)];
                    }
                    if (norm)
                        y = y * c.scale[uz(col)] + c.bias[uz(col)];
                    hand[uz(row * 40 + col)] = y;
                }
        }
        QVERIFY(bitwiseEqual(hand, deq));
        // Codebooks hold storage-exact values.
        if (!fp32)
            for (const float x : c.main.values)
                QCOMPARE(vqRoundToStorage(x, VqCodebookType::F16), x);
        // Any row range decodes the same rows.
        std::vector<float> part(uz(5 * 40));
        QVERIFY(t.decodeRows(part.data(), 3, 5).ok());
        QVERIFY(std::memcmp(part.data(), deq.data() + 3 * 40, part.size() * sizeof(float)) == 0);
        QVERIFY(!t.decodeRows(part.data(), rows - 2, 5).ok());
        // Without feedback every main vector holds its nearest centroid (by the fp32 score).
        if (!feedback && res == 0 && !norm) {
            const CentroidSearch cs(c.main.values, c.main.entries, v);
            for (std::int64_t p = c.outlierColumns; p < 40; ++p)
                for (std::int64_t r0 = 0; r0 + 1 < R; ++r0) {
                    float x[64];
                    for (int d = 0; d < v; ++d)
                        x[d] = l.w[uz((r0 * v + d) * 40 + c.columnAt(p))];
                    const double got = squaredDistance(x, c.main.values.data() + uz(c.mainIndices[uz((p - c.outlierColumns) * R + r0)]) * uz(v), v);
                    const double best = squaredDistance(x, cs.centroid(cs.nearestReference(x)), v);
                    QVERIFY(got <= best + 1e-6);
                }
        }
        // The main codebook's k-means inertia decreased.
        QVERIFY(!r->inertia.empty());
        for (std::size_t i = 1; i < r->inertia.size(); ++i)
            QVERIFY(r->inertia[i] <= r->inertia[i - 1] * (1 + 1e-9));
    }

    void serializationRoundTrip_data()
    {
        QTest::addColumn<bool>("full");
        QTest::newRow("plain") << false;
        QTest::newRow("residual, outliers, perm, norm") << true;
    }
    void serializationRoundTrip()
    {
        QFETCH(bool, full);
        const Layer l = makeLayer(30, 24, 150, 4);
        VqOptions o = baseOptions();
        if (full) {
            o.residualCentroids = 8;
            o.outlierFraction = 0.1;
            o.permute = true;
            o.normalize = true;
        }
        auto r = quantizeVptq(l.input(), o, VqCodebookType::F16, 1);
        QVERIFY(r.ok());
        const Stored s(*r->tensor);
        QCOMPARE(s.meta.find("kind")->asString(), std::string("vq"));
        auto back = s.load();
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().detail.c_str());
        QCOMPARE((*back)->kind(), std::string_view("vq"));
        QVERIFY(bitwiseEqual(decodeAll(**back), r->dequantized));
        QCOMPARE((*back)->bitsPerWeight(), r->tensor->bitsPerWeight());
        QCOMPARE((*back)->storedBytes(), r->tensor->storedBytes());
        QCOMPARE((*back)->describe(), r->tensor->describe());
        QCOMPARE((*back)->metadata().dump(), s.meta.dump());
        const Stored again(**back);
        QVERIFY(again.bytes == s.bytes);
    }

    void hostileInputRejected_data()
    {
        QTest::addColumn<QString>("what");
        for (const char *w : {"truncate centroids", "truncate indices", "missing indices", "wrong dtype", "index past k", "perm duplicate",
                              "perm out of range", "NaN centroid", "Inf scale", "rows 0", "rows huge", "cols string", "vector length 0",
                              "k 1", "k huge", "codebook dtype", "outliers without codebook", "permuted missing array",
                              "missing residual", "negative outlier columns"})
            QTest::newRow(w) << QString::fromLatin1(w);
    }
    void hostileInputRejected()
    {
        QFETCH(QString, what);
        const Layer l = makeLayer(30, 24, 150, 5);
        VqOptions o = baseOptions();
        o.centroids = 12; // not a power of two: 4-bit indices can exceed k
        o.residualCentroids = 6;
        o.outlierFraction = 0.1;
        o.permute = true;
        o.normalize = true;
        auto r = quantizeVptq(l.input(), o, VqCodebookType::F16, 1);
        QVERIFY(r.ok());
        Stored s(*r->tensor);
        const auto shrink = [&](const std::string &suffix) {
            auto b = s.bytes[suffix];
            b.resize(b.size() - 4);
            s.setData(suffix, b, {static_cast<std::int64_t>(b.size() / (s.views[suffix].dtype == DType::F16 ? 2 : 4))});
        };
        const std::string w = what.toStdString();
        if (w == "truncate centroids")
            shrink("vq.centroids");
        else if (w == "truncate indices")
            shrink("vq.indices");
        else if (w == "missing indices")
            s.views.erase("vq.res_indices");
        else if (w == "wrong dtype")
            s.views["vq.indices"].dtype = DType::I32;
        else if (w == "index past k") {
            auto b = s.bytes["vq.indices"];
            b[0] = std::byte{0xFF}; // codes 15, 15 ≥ k = 12
            s.setData("vq.indices", b, s.views["vq.indices"].shape);
        } else if (w == "perm duplicate" || w == "perm out of range") {
            auto b = s.bytes["vq.perm"];
            const std::int32_t v = w == "perm duplicate" ? 0 : 24;
            std::memcpy(b.data() + 4, &v, 4);
            std::memcpy(b.data(), &v, 4);
            s.setData("vq.perm", b, s.views["vq.perm"].shape);
        } else if (w == "NaN centroid" || w == "Inf scale") {
            const std::string suffix = w == "NaN centroid" ? "vq.res_centroids" : "vq.scale";
            auto b = s.bytes[suffix];
            const std::uint16_t bad = w == "NaN centroid" ? 0x7E00 : 0x7C00;
            std::memcpy(b.data() + 2, &bad, 2);
            s.setData(suffix, b, s.views[suffix].shape);
        } else if (w == "rows 0")
            s.meta["rows"] = 0;
        else if (w == "rows huge")
            s.meta["rows"] = static_cast<long long>(1) << 40;
        else if (w == "cols string")
            s.meta["cols"] = "24";
        else if (w == "vector length 0")
            s.meta["vector_length"] = 0;
        else if (w == "k 1")
            s.meta["centroids"] = 1;
        else if (w == "k huge")
            s.meta["centroids"] = 1 << 20;
        else if (w == "codebook dtype")
            s.meta["codebook_dtype"] = "bf16";
        else if (w == "outliers without codebook")
            s.meta["outlier_centroids"] = 0;
        else if (w == "permuted missing array")
            s.views.erase("vq.perm");
        else if (w == "missing residual")
            s.views.erase("vq.res_centroids");
        else if (w == "negative outlier columns")
            s.meta["outlier_columns"] = -1;
        else
            QFAIL("unknown case");
        auto back = s.load();
        QVERIFY(!back.ok());
        QCOMPARE(back.error().code, ErrorCode::Malformed);
        QVERIFY(!back.error().detail.empty());
    }

    void bitsPerWeightExact()
    {
        // 64 × 48, v = 4, k = 16 (4 bits), residual 8 (3 bits), 3 outlier columns (1/16 of 48) with
        // k0 = 4 (2 bits), fp16 codebooks, permutation (32 bits per column), scale + bias (fp16).
        const Layer l = makeLayer(64, 48, 200, 6);
        VqOptions o = baseOptions();
        o.residualCentroids = 8;
        o.outlierFraction = 1.0 / 16;
        o.outlierCentroids = 4;
        o.permute = true;
        o.normalize = true;
        auto r = quantizeVptq(l.input(), o, VqCodebookType::F16, 1);
        QVERIFY(r.ok());
        const double indices = 45.0 * 16 * 4 + 45.0 * 16 * 3 + 3.0 * 16 * 2;
        const double codebooks = (16.0 + 8 + 4) * 4 * 16;
        const double columns = 48.0 * 32 + 2 * 48.0 * 16;
        QCOMPARE(r->tensor->bitsPerWeight(), (indices + codebooks + columns) / (64.0 * 48));
        const VqBitBreakdown b = r->tensor->bitBreakdown();
        QCOMPARE(b.indices, indices);
        QCOMPARE(b.codebooks, codebooks);
        QCOMPARE(b.columns, columns);
        // The plain case matches datatypes.md: log2(k)/v + k·v·16/(out·in).
        o = baseOptions();
        auto p = quantizeVptq(l.input(), o, VqCodebookType::F16, 1);
        QVERIFY(p.ok());
        QCOMPARE(p->tensor->bitsPerWeight(), 4.0 / 4 + 16.0 * 4 * 16 / (64.0 * 48));
        // Stored bytes: the arrays (index streams padded to whole words).
        std::uint64_t bytes = 0;
        for (const QuantArrayRef &a : r->tensor->arrays())
            bytes += a.data.size();
        QCOMPARE(r->tensor->storedBytes(), bytes);
    }

    void errorFeedbackLowersProxyError()
    {
        const Layer l = makeLayer(64, 64, 400, 8, 2.0f); // strongly correlated inputs, as in real layers
        VqOptions o = baseOptions();
        o.errorFeedback = false;
        auto without = quantizeVptq(l.input(), o, VqCodebookType::F32, 2);
        o.errorFeedback = true;
        auto with = quantizeVptq(l.input(), o, VqCodebookType::F32, 2);
        QVERIFY(without.ok() && with.ok());
        const double e0 = proxyOf(l, without->dequantized), e1 = proxyOf(l, with->dequantized);
        QVERIFY2(e1 < 0.9 * e0, qPrintable(QStringLiteral("with feedback %1, without %2").arg(e1).arg(e0)));
    }

    void residualLowersError()
    {
        const Layer l = makeLayer(64, 64, 400, 9);
        VqOptions o = baseOptions();
        auto one = quantizeVptq(l.input(), o, VqCodebookType::F32, 2);
        o.residualCentroids = 16;
        auto two = quantizeVptq(l.input(), o, VqCodebookType::F32, 2);
        QVERIFY(one.ok() && two.ok());
        const double e1 = proxyOf(l, one->dequantized), e2 = proxyOf(l, two->dequantized);
        QVERIFY2(e2 < 0.8 * e1, qPrintable(QStringLiteral("residual %1, none %2").arg(e2).arg(e1)));
        QVERIFY(two->tensor->bitsPerWeight() > one->tensor->bitsPerWeight());
    }

    void badHessianRejected_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("needle");
        QTest::newRow("NaN") << 0 << QStringLiteral("NaN");
        QTest::newRow("singular, no damping") << 1 << QStringLiteral("singular");
        QTest::newRow("not a Gram matrix") << 2 << QStringLiteral("positive definite");
        QTest::newRow("no statistics") << 3 << QStringLiteral("calibration");
        QTest::newRow("vector longer than rows") << 4 << QStringLiteral("exceeds");
    }
    void badHessianRejected()
    {
        QFETCH(int, which);
        QFETCH(QString, needle);
        Layer l = makeLayer(16, 16, which == 1 ? 4 : 100, 10); // 4 tokens: H has rank 4
        VqOptions o = baseOptions();
        LayerInput in = l.input();
        if (which == 0)
            l.stats.hessian[2] = std::nan("");
        if (which == 1)
            o.damp = 0;
        if (which == 2) {
            o.damp = 0;
            l.stats.hessian[1] = l.stats.hessian[16] = 10 * (l.stats.hessian[0] + l.stats.hessian[17]);
        }
        if (which == 3)
            in.stats = nullptr;
        if (which == 4)
            o.vectorLength = 32;
        auto r = quantizeVptq(in, o, VqCodebookType::F16, 1);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::InvalidArgument);
        QVERIFY2(QString::fromStdString(r.error().detail).contains(needle), r.error().detail.c_str());
    }

    void cancellation()
    {
        const Layer l = makeLayer(32, 300, 100, 11);
        std::stop_source src;
        src.request_stop();
        auto r = quantizeVptq(l.input(), baseOptions(), VqCodebookType::F16, 1, {}, src.get_token());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCode::Cancelled);
        // Mid-run, from the progress callback (after the codebook, during the pass).
        std::stop_source mid;
        double last = 0;
        auto m = quantizeVptq(l.input(), baseOptions(), VqCodebookType::F16, 1, [&](double f) {
            last = f;
            if (f > 0.4)
                mid.request_stop();
        }, mid.get_token());
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, ErrorCode::Cancelled);
        QVERIFY(last > 0.4 && last < 1.0);
    }

    void parseOptions()
    {
        auto o = parseVqOptions("v=8,k=4096,res=256,outliers=1%,perm=1,norm=1,iters=20,sample=5000,seed=9");
        QVERIFY2(o.ok(), o.ok() ? "" : o.error().detail.c_str());
        QCOMPARE(o->vectorLength, 8);
        QCOMPARE(o->centroids, 4096);
        QCOMPARE(o->residualCentroids, 256);
        QCOMPARE(o->outlierFraction, 0.01);
        QVERIFY(o->permute && o->normalize);
        QCOMPARE(o->kmeansIterations, 20);
        QCOMPARE(o->kmeansSample, std::int64_t{5000});
        QCOMPARE(o->seed, std::uint64_t{9});
        auto f = parseVqOptions(" outliers = 0.02 , outlier_k=64, tol=0.001, feedback=0, damp=0.1 ");
        QVERIFY(f.ok());
        QCOMPARE(f->outlierFraction, 0.02);
        QCOMPARE(f->outlierCentroids, 64);
        QCOMPARE(f->kmeansTolerance, 0.001);
        QVERIFY(!f->errorFeedback);
        QCOMPARE(f->damp, 0.1);
        QCOMPARE(f->centroids, VqOptions{}.centroids); // untouched keys keep the base
        QVERIFY(parseVqOptions("").ok());
        for (const char *bad : {"v=0", "v=300", "k=1", "k=70000", "res=1", "outliers=100%", "outliers=-1", "foo=1", "v", "iters=abc",
                                "perm=2", "seed=-1", "tol=nan", "k=12x"}) {
            auto e = parseVqOptions(bad);
            QVERIFY2(!e.ok(), bad);
            QCOMPARE(e.error().code, ErrorCode::InvalidArgument);
            QVERIFY2(e.error().detail.find(std::string(bad).substr(0, 2)) != std::string::npos, e.error().detail.c_str());
        }
    }

    void registeredMethod()
    {
        auto m = findMethod("vptq");
        QVERIFY(m.ok());
        QVERIFY((*m)->needsCalibration);
        QVERIFY((*m)->vector);
        const Layer l = makeLayer(32, 32, 200, 12);
        MethodOptions mo;
        mo.vq = baseOptions();
        mo.threads = 2;
        FormatSpec spec;
        spec.scaleStorage = FastScaleRound::F16;
        auto r = (*m)->run(l.input(), spec, mo, {}, {});
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().detail.c_str());
        QCOMPARE(r->report.method, std::string("vptq"));
        QCOMPARE(r->report.bitsPerWeight, r->tensor->bitsPerWeight());
        QVERIFY(std::isfinite(r->report.proxyError) && r->report.proxyError > 0 && r->report.proxyError < 1);
        QVERIFY(!r->report.detail.empty());
        QCOMPARE(r->tensor->kind(), std::string_view("vq"));
        // The same layer through quantizeVptq gives the same tensor.
        auto direct = quantizeVptq(l.input(), mo.vq, VqCodebookType::F16, 2);
        QVERIFY(direct.ok());
        QVERIFY(bitwiseEqual(decodeAll(*r->tensor), direct->dequantized));
        QCOMPARE(r->report.proxyError, proxyOf(l, direct->dequantized));
        spec.scaleStorage = FastScaleRound::E8M0;
        auto bad = (*m)->run(l.input(), spec, mo, {}, {});
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, ErrorCode::InvalidArgument);
    }
};

QTEST_APPLESS_MAIN(TestVptq)
#include "tst_vptq.moc"
