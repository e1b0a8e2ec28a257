// SPDX-License-Identifier: GPL-3.0-or-later
// VPTQ (vptq.h): column order, normalization, codebooks, passes with error feedback, residual.
#include "core/methods/vptq.h"

#include "core/methods/kmeans.h"
#include "core/methods/vptq_hessian.h"

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace lowbit {

namespace {

constexpr std::int64_t kBlock = 128; // columns per lazy-update block (GPTQ's B)

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

Error invalid(const LayerInput &in, std::string msg) { return makeError(ErrorCode::InvalidArgument, in.name + ": VPTQ: " + std::move(msg)); }

struct Shape {
    std::int64_t rows = 0, cols = 0;
    int v = 0;
    std::int64_t perCol = 0; ///< vectors per column, R = ceil(rows / v)
    std::int64_t full = 0;   ///< whole vectors per column
    int tail = 0;            ///< rows of the padded last vector (0: none)
};

/// Position → original column: outliers (largest diag H) first, then the rest by descending
/// diag H (permute) or in their own order. Ties keep the lower column first.
std::vector<std::int64_t> columnOrder(const std::vector<double> &diag, std::int64_t nOut, bool permute)
{
    const auto cols = static_cast<std::int64_t>(diag.size());
    std::vector<std::int64_t> byDiag(uz(cols));
    std::iota(byDiag.begin(), byDiag.end(), std::int64_t{0});
    std::stable_sort(byDiag.begin(), byDiag.end(), [&](std::int64_t a, std::int64_t b) { return diag[uz(a)] > diag[uz(b)]; });
    if (permute)
        return byDiag;
    std::vector<std::int64_t> order(byDiag.begin(), byDiag.begin() + nOut);
    std::vector<bool> isOut(uz(cols), false);
    for (const std::int64_t c : order)
        isOut[uz(c)] = true;
    for (std::int64_t c = 0; c < cols; ++c)
        if (!isOut[uz(c)])
            order.push_back(c);
    return order;
}

struct ColumnNorm {
    std::vector<float> scale, bias; ///< per original column; empty: not normalized
    float s(std::int64_t c) const { return scale.empty() ? 1.0f : scale[uz(c)]; }
    float b(std::int64_t c) const { return bias.empty() ? 0.0f : bias[uz(c)]; }
};

Result<ColumnNorm> columnNormalization(const LayerInput &in, VqCodebookType type)
{
    ColumnNorm n;
    n.scale.resize(uz(in.cols));
    n.bias.resize(uz(in.cols));
    std::vector<float> mn(uz(in.cols), std::numeric_limits<float>::infinity()), mx(uz(in.cols), -std::numeric_limits<float>::infinity());
    for (std::int64_t r = 0; r < in.rows; ++r)
        for (std::int64_t c = 0; c < in.cols; ++c) {
            const float w = in.weight[r * in.cols + c];
            mn[uz(c)] = std::min(mn[uz(c)], w);
            mx[uz(c)] = std::max(mx[uz(c)], w);
        }
    for (std::int64_t c = 0; c < in.cols; ++c) {
        const float b = vqRoundToStorage(mn[uz(c)], type);
        float s = vqRoundToStorage(mx[uz(c)] - b, type);
        if (!std::isfinite(b) || !std::isfinite(s))
            return invalid(in, "column " + std::to_string(c) + " exceeds the fp16 range of the scales; use fp32 codebooks");
        if (!(s > 0))
            s = 1.0f; // a constant column: any positive scale reproduces it
        n.scale[uz(c)] = s;
        n.bias[uz(c)] = b;
    }
    return n;
}

/// Fits one codebook on `vecs` (n × v) and rounds it to the storage type.
Result<VqCodebook> fitCodebook(const LayerInput &in, std::string_view what, const std::vector<float> &vecs, const std::vector<float> &weights,
                               int v, int k, const VqOptions &o, VqCodebookType type, unsigned threads, const KMeansProgressFn &progress,
                               std::stop_token stop, std::string &detail, std::vector<double> *inertia)
{
    const auto n = static_cast<std::int64_t>(vecs.size() / uz(v));
    const int kk = static_cast<int>(std::min<std::int64_t>(k, n));
    if (kk < 2)
        return invalid(in, std::string(what) + " has only " + std::to_string(n) + " whole vectors; too few for a codebook");
    KMeansOptions ko;
    ko.clusters = kk;
    ko.maxIterations = o.kmeansIterations;
    ko.tolerance = o.kmeansTolerance;
    ko.sample = o.kmeansSample;
    ko.seed = o.seed;
    ko.assignAll = false;
    ko.threads = threads;
    auto km = kmeans(vecs, v, weights, ko, progress, std::move(stop));
    if (!km)
        return km.error().withContext(in.name + ": VPTQ " + std::string(what));
    VqCodebook cb;
    cb.entries = kk;
    cb.values = std::move(km->centroids);
    for (float &x : cb.values) {
        x = vqRoundToStorage(x, type);
        if (!std::isfinite(x))
            return invalid(in, std::string(what) + " has a centroid beyond the fp16 range; use fp32 codebooks or normalization");
    }
    detail += std::string(what) + " k=" + std::to_string(kk) + (kk < k ? " (capped by the vectors)" : "") + ": " +
              std::to_string(km->iterations) + " k-means iterations" + (km->converged ? " (converged)" : "") + " on " +
              std::to_string(km->fitted) + " of " + std::to_string(n) + " vectors (" +
              std::to_string(std::lround(100.0 * static_cast<double>(km->searches) /
                                         (static_cast<double>(km->fitted) * static_cast<double>(km->inertia.size())))) +
              "% searched per step); ";
    if (inertia)
        *inertia = km->inertia;
    return cb;
}

struct PassSetup {
    Shape sh;
    std::int64_t nOut = 0;
    const std::vector<std::int64_t> *colOf = nullptr;
    const ColumnNorm *norm = nullptr;
    const std::vector<float> *colWeight = nullptr; ///< per position: k-means weight of its vectors
    const CentroidSearch *main = nullptr, *residual = nullptr, *outlier = nullptr;
    const float *hinv = nullptr;                    ///< cols × cols upper factor in position order; null: no feedback
    bool collectErrors = false;
    unsigned threads = 0;
};

struct PassOutput {
    std::vector<std::uint16_t> mainIdx, resIdx, outIdx;
    std::vector<float> what;          ///< positions × rows: Ŵ column by column
    std::vector<float> errVecs, errW; ///< first-pass errors of the main positions' whole vectors (normalized units)
};

struct Scratch {
    std::vector<float> xn, y, tmp;
    std::vector<std::uint32_t> i1, i2;
};

/// Quantizes position q's column x (rows values, as updated so far) into out.what[q].
void quantizeColumn(const PassSetup &ps, std::int64_t q, const float *x, Scratch &s, PassOutput &out)
{
    const Shape &sh = ps.sh;
    const int v = sh.v;
    const std::int64_t col = (*ps.colOf)[uz(q)];
    const bool outlier = q < ps.nOut;
    const bool normalized = !ps.norm->scale.empty();
    const float sc = ps.norm->s(col), bi = ps.norm->b(col);
    std::fill(s.xn.begin(), s.xn.end(), 0.0f);
    for (std::int64_t i = 0; i < sh.rows; ++i)
        s.xn[uz(i)] = normalized ? (x[i] - bi) / sc : x[i];
    const CentroidSearch &cs = outlier ? *ps.outlier : *ps.main;
    cs.assign(s.xn.data(), sh.full, s.i1.data(), ps.threads);
    if (sh.tail)
        s.i1[uz(sh.full)] = cs.nearestPrefix(s.xn.data() + sh.full * v, sh.tail);
    const CentroidSearch *res = outlier ? nullptr : ps.residual;
    if (res) {
        for (std::int64_t r = 0; r < sh.perCol; ++r) {
            const float *c = cs.centroid(s.i1[uz(r)]);
            for (int d = 0; d < v; ++d)
                s.y[uz(r * v + d)] = s.xn[uz(r * v + d)] - c[d];
        }
        res->assign(s.y.data(), sh.full, s.i2.data(), ps.threads);
        if (sh.tail)
            s.i2[uz(sh.full)] = res->nearestPrefix(s.y.data() + sh.full * v, sh.tail);
    }
    float *what = out.what.data() + uz(q * sh.rows);
    for (std::int64_t r = 0; r < sh.perCol; ++r) {
        vqDecodeVector(cs.centroid(s.i1[uz(r)]), res ? res->centroid(s.i2[uz(r)]) : nullptr, v, normalized, sc, bi, s.tmp.data());
        const std::int64_t len = std::min<std::int64_t>(v, sh.rows - r * v);
        std::copy_n(s.tmp.data(), len, what + r * v);
        const auto code = static_cast<std::uint16_t>(s.i1[uz(r)]);
        if (outlier) {
            out.outIdx[uz(q * sh.perCol + r)] = code;
        } else {
            const std::int64_t slot = (q - ps.nOut) * sh.perCol + r;
            out.mainIdx[uz(slot)] = code;
            if (res)
                out.resIdx[uz(slot)] = static_cast<std::uint16_t>(s.i2[uz(r)]);
        }
    }
    if (ps.collectErrors && !outlier) {
        const std::int64_t base = (q - ps.nOut) * sh.full;
        for (std::int64_t r = 0; r < sh.full; ++r) {
            const float *c = cs.centroid(s.i1[uz(r)]);
            for (int d = 0; d < v; ++d)
                out.errVecs[uz((base + r) * v + d)] = s.xn[uz(r * v + d)] - c[d];
            out.errW[uz(base + r)] = (*ps.colWeight)[uz(q)];
        }
    }
}

/// One pass over the columns in position order; wt: positions × rows (updated in place).
Status runPass(const PassSetup &ps, std::vector<float> wt, PassOutput &out, const std::function<void(double)> &progress,
               const std::stop_token &stop, const std::string &name)
{
    const Shape &sh = ps.sh;
    const std::int64_t rows = sh.rows, cols = sh.cols;
    const std::int64_t mainCount = (cols - ps.nOut) * sh.perCol;
    out.mainIdx.assign(uz(mainCount), 0);
    out.resIdx.assign(ps.residual ? uz(mainCount) : 0, 0);
    out.outIdx.assign(uz(ps.nOut * sh.perCol), 0);
    out.what.assign(uz(rows * cols), 0.0f);
    if (ps.collectErrors) {
        out.errVecs.assign(uz((cols - ps.nOut) * sh.full * sh.v), 0.0f);
        out.errW.assign(uz((cols - ps.nOut) * sh.full), 0.0f);
    }
    Scratch s;
    s.xn.resize(uz(sh.perCol * sh.v));
    s.y.resize(s.xn.size());
    s.tmp.resize(uz(sh.v));
    s.i1.resize(uz(sh.perCol));
    s.i2.resize(uz(sh.perCol));
    std::vector<float> err(ps.hinv ? uz(kBlock * rows) : 0);
    using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    for (std::int64_t b0 = 0; b0 < cols; b0 += kBlock) {
        if (stop.stop_requested())
            return makeError(ErrorCode::Cancelled, name + ": cancelled");
        const std::int64_t b1 = std::min(cols, b0 + kBlock);
        for (std::int64_t q = b0; q < b1; ++q) {
            float *x = wt.data() + uz(q * rows);
            quantizeColumn(ps, q, x, s, out);
            if (!ps.hinv)
                continue;
            const float *uq = ps.hinv + q * cols;
            const float *what = out.what.data() + uz(q * rows);
            float *e = err.data() + uz((q - b0) * rows);
            for (std::int64_t i = 0; i < rows; ++i)
                e[i] = (x[i] - what[i]) / uq[q];
            for (std::int64_t j = q + 1; j < b1; ++j) {
                const float u = uq[j];
                float *xj = wt.data() + uz(j * rows);
                for (std::int64_t i = 0; i < rows; ++i)
                    xj[i] -= u * e[i];
            }
        }
        if (ps.hinv && b1 < cols) {
            // Lazy update of the later columns: W[b1:] −= U[b0:b1, b1:]ᵀ · E.
            Eigen::Map<RowMat> rest(wt.data() + uz(b1 * rows), cols - b1, rows);
            const Eigen::Map<const RowMat, 0, Eigen::OuterStride<>> ub(ps.hinv + b0 * cols + b1, b1 - b0, cols - b1, Eigen::OuterStride<>(cols));
            const Eigen::Map<const RowMat> eb(err.data(), b1 - b0, rows);
            rest.noalias() -= ub.transpose() * eb;
        }
        if (progress)
            progress(static_cast<double>(b1) / static_cast<double>(cols));
    }
    return {};
}

/// A progress callback mapping [0, 1] into [lo, hi] of the layer's progress.
std::function<void(double)> subRange(const LayerProgressFn &p, double lo, double hi)
{
    if (!p)
        return {};
    return [p, lo, hi](double f) { p(lo + (hi - lo) * std::clamp(f, 0.0, 1.0)); };
}

} // namespace

Result<VptqResult> quantizeVptq(const LayerInput &in, const VqOptions &o, VqCodebookType type, unsigned threads,
                                const LayerProgressFn &progress, std::stop_token stop)
{
    LOWBIT_CHECK(checkLayerInput(in, true));
    if (auto ok = validateVqOptions(o, in.rows, in.cols); !ok)
        return ok.error().withContext(in.name);
    Shape sh{in.rows, in.cols, o.vectorLength, (in.rows + o.vectorLength - 1) / o.vectorLength, in.rows / o.vectorLength,
             static_cast<int>(in.rows % o.vectorLength)};
    const std::int64_t rows = sh.rows, cols = sh.cols;
    const int v = sh.v;
    const ActivationStats &st = *in.stats;
    std::vector<double> diag(uz(cols));
    for (std::int64_t c = 0; c < cols; ++c)
        diag[uz(c)] = st.hessian[uz(c * cols + c)];

    VptqResult res;
    std::int64_t nOut = 0;
    if (o.outlierFraction > 0)
        nOut = std::clamp<std::int64_t>(std::llround(o.outlierFraction * static_cast<double>(cols)), 1, cols - 1);
    const std::vector<std::int64_t> colOf = columnOrder(diag, nOut, o.permute);
    ColumnNorm norm;
    if (o.normalize) {
        LOWBIT_TRY(norm, columnNormalization(in, type));
    }

    // Transposed working copy in position order, and the k-means weight of each position.
    std::vector<float> wt0(uz(rows * cols)), colWeight(uz(cols));
    for (std::int64_t q = 0; q < cols; ++q) {
        const std::int64_t c = colOf[uz(q)];
        for (std::int64_t r = 0; r < rows; ++r)
            wt0[uz(q * rows + r)] = in.weight[r * cols + c];
        const double s = norm.s(c);
        colWeight[uz(q)] = static_cast<float>(diag[uz(c)] * s * s);
    }
    const auto trainingSet = [&](std::int64_t q0, std::int64_t q1, std::vector<float> &vecs, std::vector<float> &w) {
        vecs.resize(uz((q1 - q0) * sh.full * v));
        w.resize(uz((q1 - q0) * sh.full));
        for (std::int64_t q = q0; q < q1; ++q) {
            const std::int64_t c = colOf[uz(q)];
            for (std::int64_t i = 0; i < sh.full * v; ++i)
                vecs[uz((q - q0) * sh.full * v + i)] = norm.scale.empty() ? wt0[uz(q * rows + i)] : (wt0[uz(q * rows + i)] - norm.b(c)) / norm.s(c);
            std::fill_n(w.begin() + static_cast<std::ptrdiff_t>((q - q0) * sh.full), sh.full, colWeight[uz(q)]);
        }
    };
    const bool withRes = o.residualCentroids > 0;
    const double passShare = withRes ? 0.3 : 0.6;

    std::string detail;
    VqContent content;
    {
        std::vector<float> vecs, w;
        trainingSet(nOut, cols, vecs, w);
        LOWBIT_TRY(content.main, fitCodebook(in, "main", vecs, w, v, o.centroids, o, type, threads, subRange(progress, 0.0, 0.3), stop, detail,
                                             &res.inertia));
        if (nOut > 0) {
            trainingSet(0, nOut, vecs, w);
            LOWBIT_TRY(content.outlier, fitCodebook(in, "outlier", vecs, w, v, o.outlierCentroids > 0 ? o.outlierCentroids : o.centroids, o, type,
                                                    threads, subRange(progress, 0.3, 0.35), stop, detail, nullptr));
        }
    }
    std::vector<float> hinv;
    if (o.errorFeedback) {
        LOWBIT_TRY(hinv, inverseCholeskyUpper(st.hessian.data(), cols, colOf, o.damp, in.name));
    }
    if (stop.stop_requested())
        return makeError(ErrorCode::Cancelled, in.name + ": cancelled");

    const CentroidSearch mainSearch(content.main.values, content.main.entries, v);
    const CentroidSearch outSearch = nOut ? CentroidSearch(content.outlier.values, content.outlier.entries, v) : CentroidSearch();
    PassSetup ps;
    ps.sh = sh;
    ps.nOut = nOut;
    ps.colOf = &colOf;
    ps.norm = &norm;
    ps.colWeight = &colWeight;
    ps.main = &mainSearch;
    ps.outlier = nOut ? &outSearch : nullptr;
    ps.hinv = hinv.empty() ? nullptr : hinv.data();
    ps.collectErrors = withRes;
    ps.threads = threads;
    PassOutput pass;
    LOWBIT_CHECK(runPass(ps, wt0, pass, subRange(progress, 0.35, 0.35 + passShare), stop, in.name));
    CentroidSearch resSearch;
    if (withRes) {
        LOWBIT_TRY(content.residual, fitCodebook(in, "residual", pass.errVecs, pass.errW, v, o.residualCentroids, o, type, threads,
                                                 subRange(progress, 0.65, 0.7), stop, detail, nullptr));
        resSearch = CentroidSearch(content.residual.values, content.residual.entries, v);
        ps.residual = &resSearch;
        ps.collectErrors = false;
        pass = PassOutput{};
        LOWBIT_CHECK(runPass(ps, std::move(wt0), pass, subRange(progress, 0.7, 0.99), stop, in.name));
    }

    content.rows = rows;
    content.cols = cols;
    content.vectorLength = v;
    content.codebookType = type;
    content.outlierColumns = nOut;
    bool identity = true;
    for (std::int64_t q = 0; q < cols; ++q)
        identity = identity && colOf[uz(q)] == q;
    if (!identity)
        for (const std::int64_t c : colOf)
            content.perm.push_back(static_cast<std::int32_t>(c));
    content.mainIndices = std::move(pass.mainIdx);
    content.residualIndices = std::move(pass.resIdx);
    content.outlierIndices = std::move(pass.outIdx);
    content.scale = norm.scale;
    content.bias = norm.bias;
    res.centroids = content.main.entries;
    res.residualCentroids = content.residual.entries;
    res.outlierCentroids = content.outlier.entries;
    res.outlierColumns = nOut;
    auto tensor = VqQuantizedTensor::create(std::move(content));
    if (!tensor)
        return makeError(ErrorCode::Internal, in.name + ": VPTQ built an invalid tensor: " + tensor.error().detail);
    res.tensor = std::move(*tensor);
    res.dequantized.resize(uz(rows * cols));
    for (std::int64_t q = 0; q < cols; ++q) {
        const std::int64_t c = colOf[uz(q)];
        for (std::int64_t r = 0; r < rows; ++r)
            res.dequantized[uz(r * cols + c)] = pass.what[uz(q * rows + r)];
    }
    if (nOut)
        detail += std::to_string(nOut) + " outlier columns; ";
    detail += o.errorFeedback ? "error feedback" : "no error feedback";
    res.detail = std::move(detail);
    if (progress)
        progress(1.0);
    return res;
}

Result<QuantizedLayer> runVptq(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt, const LayerProgressFn &progress,
                               std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    VqCodebookType type;
    if (spec.scaleStorage == FastScaleRound::F32)
        type = VqCodebookType::F32;
    else if (spec.scaleStorage == FastScaleRound::F16)
        type = VqCodebookType::F16;
    else
        return invalid(in, "codebooks are stored as fp16 or fp32, not " + std::string(scaleStorageName(spec.scaleStorage)) +
                               " (set the scale storage to fp16 or fp32)");
    LOWBIT_TRY(VptqResult r, quantizeVptq(in, opt.vq, type, opt.threads, progress, std::move(stop)));
    QuantizedLayer out;
    out.tensor = r.tensor;
    out.report.method = "vptq";
    out.report.detail = std::move(r.detail);
    finishReport(in, *out.tensor, out.report);
    out.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

} // namespace lowbit
