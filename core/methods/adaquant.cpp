// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/adaquant.h"

#include "core/infer/matmul.h"
#include "core/methods/adaquant_layer.h"
#include "core/methods/proxy_error.h"
#include "core/quant/fast_format.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

namespace lowbit {

namespace {

/// What both rules share: the fp32 Hessian, the normalization and the start.
struct Problem {
    const LayerInput *in = nullptr;
    std::vector<float> hessian; ///< cols × cols fp32, H·hessianScale
    double hessianScale = 1;    ///< 1 / the largest diagonal entry of H
    double denominator = 0;     ///< tr(W H Wᵀ)
    QuantizedMatrix start;
    double startError = 0;      ///< relative proxy error of the start (fp64)
    std::string startName;      ///< "rtn" or "gptq"
};

struct RuleOutcome {
    QuantizedMatrix q;
    double error = 0;       ///< relative proxy error (fp64)
    int bestIteration = -1; ///< −1: no iterate beat the start, which is returned
};

std::string fmt(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string_view ruleName(ada::Rule r) { return r == ada::Rule::Ste ? "ste" : "continuous"; }

Status validateOptions(const AdaQuantOptions &o)
{
    auto bad = [](const std::string &what) { return makeError(ErrorCode::InvalidArgument, "adaquant: " + what); };
    if (o.iterations < 0 || o.iterations > 100000)
        return bad("iterations must be in [0, 100000], got " + std::to_string(o.iterations));
    if (!(o.learningRate > 0.0 && o.learningRate <= 1.0))
        return bad("learning rate must be in (0, 1], got " + fmt(o.learningRate));
    if (!(o.temperatureStart > 0.0 && std::isfinite(o.temperatureStart)) || !(o.temperatureEnd > 0.0 && std::isfinite(o.temperatureEnd)))
        return bad("temperatures must be positive and finite, got " + fmt(o.temperatureStart) + " and " + fmt(o.temperatureEnd));
    return {};
}

/// Relative proxy error of a quantized matrix in fp64 (the library's dequantization).
double relativeError(const Problem &pb, const QuantizedMatrix &q)
{
    std::vector<float> deq(q.codes.size());
    dequantizeRef(q, deq.data());
    return proxyError(pb.in->weight, deq.data(), pb.in->rows, pb.in->cols, pb.in->stats->hessian.data());
}

Result<QuantizedMatrix> startFromGptq(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt, std::stop_token stop)
{
    LOWBIT_TRY(const MethodInfo *gptq, findMethod("gptq"));
    LOWBIT_TRY(QuantizedLayer layer, gptq->run(in, spec, opt, {}, stop));
    const auto *packed = dynamic_cast<const PackedQuantizedTensor *>(layer.tensor.get());
    if (!packed)
        return makeError(ErrorCode::Internal, "adaquant: gptq did not return a packed tensor");
    return unpackMatrix(packed->packed());
}

Result<Problem> prepare(const LayerInput &in, const FormatSpec &specIn, const MethodOptions &opt, std::string &note,
                        std::stop_token stop)
{
    LOWBIT_CHECK(checkLayerInput(in, true));
    LOWBIT_CHECK(validateOptions(opt.ada));
    LOWBIT_TRY(const FormatSpec spec, makeFormatSpec(specIn.format, specIn.groupSize, specIn.scaleStorage, specIn.clip));
    if (spec.format.family == FormatFamily::Q4_0)
        return makeError(ErrorCode::Unsupported, in.name + ": adaquant does not train q4_0 (ggml's truncating rule); use rtn or gptq");
    Problem pb;
    pb.in = &in;
    pb.startName = "rtn";
    if (opt.ada.startFromGptq) {
        if (findMethod("gptq")) {
            LOWBIT_TRY(pb.start, startFromGptq(in, spec, opt, stop));
            pb.startName = "gptq";
        } else
            note = "gptq is not available, started from rtn; ";
    }
    if (pb.startName == "rtn") {
        LOWBIT_TRY(pb.start, quantizeFastMatrix(in.weight, in.rows, in.cols, spec, nullptr, opt.threads));
    }
    // fp32 H scaled to a unit largest diagonal (the objective is relative, so the scale cancels;
    // a Hessian summed over many tokens may exceed the fp32 range otherwise).
    const std::vector<double> &h = in.stats->hessian;
    double maxDiag = 0;
    for (std::int64_t i = 0; i < in.cols; ++i)
        maxDiag = std::max(maxDiag, h[static_cast<std::size_t>(i * in.cols + i)]);
    pb.hessianScale = maxDiag > 0 ? 1.0 / maxDiag : 1.0;
    pb.hessian.resize(h.size());
    for (std::size_t i = 0; i < h.size(); ++i) {
        pb.hessian[i] = static_cast<float>(h[i] * pb.hessianScale);
        if (!std::isfinite(pb.hessian[i]))
            return makeError(ErrorCode::InvalidArgument, in.name + ": calibration Hessian entries beyond the fp32 range relative to its diagonal");
    }
    pb.denominator = hessianQuadratic(in.weight, in.rows, in.cols, h.data());
    pb.startError = relativeError(pb, pb.start);
    return pb;
}

/// out = e · H (rows × cols, fp32): the engine's oneDNN matmul (JIT kernels for the running CPU,
/// on the OpenMP threads), computing e·Hᵀ, which is e·H as H is symmetric. Eigen's product, which
/// this build compiles for baseline x86-64 only, made a 768 × 288 layer's 200 STE iterations
/// take 1.76 s of CPU instead of 1.05 s.
void hessianProduct(const Problem &pb, Matmul &mm, const float *e, float *out)
{
    mm.run(e, pb.in->rows, pb.in->cols, pb.hessian.data(), pb.in->cols, out);
}

/// Multiply-adds of one Hessian product (rows·cols²) below which a layer runs single-threaded.
constexpr std::int64_t kParallelWork = std::int64_t{1} << 22;

/// Sets the OpenMP thread count of the calling thread's next parallel regions (0: leave it),
/// restoring the previous one on exit.
class OmpThreadsScope {
public:
    explicit OmpThreadsScope(int threads) : m_previous(omp_get_max_threads())
    {
        if (threads > 0)
            omp_set_num_threads(threads);
    }
    ~OmpThreadsScope() { omp_set_num_threads(m_previous); }
    OmpThreadsScope(const OmpThreadsScope &) = delete;
    OmpThreadsScope &operator=(const OmpThreadsScope &) = delete;

private:
    int m_previous;
};

/// The Adam loop of one rule. progress(fraction of this rule).
Result<RuleOutcome> optimize(const Problem &pb, ada::Rule rule, const MethodOptions &opt, const std::function<void(double)> &progress,
                             std::stop_token stop)
{
    const LayerInput &in = *pb.in;
    RuleOutcome out;
    out.q = pb.start;
    out.error = pb.startError;
    const int iterations = opt.ada.iterations;
    if (iterations == 0 || !(pb.denominator > 0.0) || !(pb.startError > 0.0)) {
        if (progress)
            progress(1.0);
        return out; // nothing to gain (or nothing to normalize by)
    }
    LOWBIT_TRY(ada::LayerQuantizer layer, ada::LayerQuantizer::create(in.weight, pb.start));
    const std::int64_t rows = in.rows, cols = in.cols;
    // Threads of this layer's OpenMP regions (the matmul's included): small layers run on one, as
    // waking a team per iteration costs more than their work.
    const OmpThreadsScope threadScope(rows * cols * cols < kParallelWork ? 1 : static_cast<int>(opt.threads));
    const unsigned threads = static_cast<unsigned>(omp_get_max_threads());
    const auto n = static_cast<std::size_t>(rows * cols);
    std::vector<float> wq(n), e(n), eh(n);
    Matmul matmul;
    std::vector<double> rowLoss(static_cast<std::size_t>(rows));
    const std::int64_t rowGrain = std::max<std::int64_t>(1, 16384 / cols); // ~16k weights per thread at least
    ada::AdamSettings adam;
    adam.lrScales = static_cast<float>(opt.ada.learningRate * kScaleLearningRateFactor);
    adam.lrOffsets = static_cast<float>(opt.ada.learningRate);
    // Gradient of the relative loss, scaled by the element count so per-weight gradients are O(1)
    // against Adam's ε.
    const double denominator = pb.denominator * pb.hessianScale; // of the scaled fp32 H
    const auto gradScale = static_cast<float>(2.0 * static_cast<double>(n) / denominator);
    const double tStart = opt.ada.temperatureStart, tEnd = opt.ada.temperatureEnd;
    double best = std::numeric_limits<double>::infinity();
    int bestIteration = -1;
    QuantizedMatrix bestQ;
    for (int k = 0; k <= iterations; ++k) {
        if (stop.stop_requested())
            return makeError(ErrorCode::Cancelled, in.name + ": cancelled");
        ada::ompChunks(rows, threads, rowGrain, [&](std::int64_t r0, std::int64_t r1) {
            layer.forward(r0, r1, wq.data());
            for (auto i = static_cast<std::size_t>(r0 * cols); i < static_cast<std::size_t>(r1 * cols); ++i)
                e[i] = wq[i] - in.weight[i];
        });
        hessianProduct(pb, matmul, e.data(), eh.data());
        ada::ompChunks(rows, threads, rowGrain, [&](std::int64_t r0, std::int64_t r1) {
            for (std::int64_t r = r0; r < r1; ++r) {
                double s = 0;
                for (auto i = static_cast<std::size_t>(r * cols); i < static_cast<std::size_t>((r + 1) * cols); ++i)
                    s += static_cast<double>(e[i]) * static_cast<double>(eh[i]);
                rowLoss[static_cast<std::size_t>(r)] = s;
            }
        });
        double loss = 0;
        for (const double s : rowLoss)
            loss += s;
        loss /= denominator;
        if (!std::isfinite(loss))
            break; // fp32 overflow (extreme weights): keep the best so far
        if (loss < best) {
            best = loss;
            bestIteration = k;
            bestQ = layer.snapshot();
        }
        if (k == iterations)
            break;
        const double frac = iterations > 1 ? static_cast<double>(k) / static_cast<double>(iterations - 1) : 1.0;
        const auto temperature = static_cast<float>(tStart * std::pow(tEnd / tStart, frac));
        ada::ompChunks(rows, threads, rowGrain, [&](std::int64_t r0, std::int64_t r1) {
            for (auto i = static_cast<std::size_t>(r0 * cols); i < static_cast<std::size_t>(r1 * cols); ++i)
                eh[i] *= gradScale;
            layer.backward(r0, r1, eh.data(), rule, temperature);
        });
        layer.step(adam, k + 1, threads);
        if (progress)
            progress(static_cast<double>(k + 1) / static_cast<double>(iterations));
    }
    if (bestIteration >= 0) {
        const double exact = relativeError(pb, bestQ);
        if (exact < pb.startError) { // never worse than the start, judged in fp64
            out.q = std::move(bestQ);
            out.error = exact;
            out.bestIteration = bestIteration;
        }
    }
    return out;
}

std::string describeOutcome(const Problem &pb, ada::Rule rule, const RuleOutcome &o, int iterations)
{
    std::string s = "rule " + std::string(ruleName(rule)) + ": start " + pb.startName + " " + fmt(pb.startError);
    if (o.bestIteration < 0)
        return s + ", no iterate beat the start (kept)";
    return s + " -> " + fmt(o.error) + " (best iterate " + std::to_string(o.bestIteration) + " of " + std::to_string(iterations) + ")";
}

Result<QuantizedLayer> run(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt, const LayerProgressFn &progress,
                           std::stop_token stop, GradientRule rule, std::string_view method)
{
    const auto t0 = std::chrono::steady_clock::now();
    std::string note;
    LOWBIT_TRY(const Problem pb, prepare(in, spec, opt, note, stop));
    RuleOutcome chosen;
    std::string detail;
    if (rule == GradientRule::Both) {
        auto half = [&](double offset) {
            return [&progress, offset](double f) {
                if (progress)
                    progress(offset + 0.5 * f);
            };
        };
        LOWBIT_TRY(RuleOutcome ste, optimize(pb, ada::Rule::Ste, opt, half(0.0), stop));
        LOWBIT_TRY(RuleOutcome cont, optimize(pb, ada::Rule::Continuous, opt, half(0.5), stop));
        const bool steWins = ste.error <= cont.error; // ties: STE
        detail = std::string("winner ") + (steWins ? "ste" : "continuous") + " (ste " + fmt(ste.error) + ", continuous " +
                 fmt(cont.error) + "; start " + pb.startName + " " + fmt(pb.startError) + ")";
        chosen = steWins ? std::move(ste) : std::move(cont);
    } else {
        const ada::Rule r = rule == GradientRule::Ste ? ada::Rule::Ste : ada::Rule::Continuous;
        LOWBIT_TRY(chosen, optimize(pb, r, opt, progress, stop));
        detail = describeOutcome(pb, r, chosen, opt.ada.iterations);
    }
    LOWBIT_TRY(QuantizedTensorPtr tensor, packMatrix(chosen.q));
    QuantizedLayer out;
    out.tensor = std::move(tensor);
    out.report.method = std::string(method);
    out.report.detail = note + detail;
    finishReport(in, *out.tensor, out.report);
    out.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (progress)
        progress(1.0);
    return out;
}

} // namespace

Result<QuantizedLayer> runAdaQuant(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt, const LayerProgressFn &progress,
                                   std::stop_token stop)
{
    return run(in, spec, opt, progress, std::move(stop), opt.ada.rule, "adaquant");
}

Result<QuantizedLayer> runAdaQuantSte(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                                      const LayerProgressFn &progress, std::stop_token stop)
{
    return run(in, spec, opt, progress, std::move(stop), GradientRule::Ste, "adaquant-ste");
}

Result<QuantizedLayer> runAdaQuantContinuous(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                                             const LayerProgressFn &progress, std::stop_token stop)
{
    return run(in, spec, opt, progress, std::move(stop), GradientRule::Continuous, "adaquant-cont");
}

} // namespace lowbit
