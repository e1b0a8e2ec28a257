// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/method.h"

#include "core/methods/adaquant.h"
#include "core/methods/clip_search.h"
#include "core/methods/gptq.h"
#include "core/methods/proxy_error.h"
#include "core/methods/vptq.h"
#include "core/quant/error_measures.h"
#include "core/quant/fast_format.h"

#include <chrono>
#include <cmath>

namespace lowbit {

namespace {

// The registry: one line per method. Implementations live in core/methods/<name>.cpp.
const std::vector<MethodInfo> kMethods = {
    {"rtn", "round to nearest with the format's scale rule (baseline)", false, false, &runRtn},
    {"clip", "per-group clipping search (BitDistiller asymmetric grid), output-error or weight-MSE objective", false, false, &runClip},
    {"gptq", "second-order column-by-column quantization with error feedback (damping, act-order, blocked updates)", true, false, &runGptq},
    {"adaquant", "layer-wise Adam on rounding and scales, STE and continuous rules, the better kept", true, false, &runAdaQuant},
    {"adaquant-ste", "layer-wise Adam on rounding and scales, straight-through estimator", true, false, &runAdaQuantSte},
    {"adaquant-cont", "layer-wise Adam on rounding and scales, sigmoid round + soft clamp", true, false, &runAdaQuantContinuous},
    {"vptq", "vector quantization: diag(H)-weighted k-means codebooks, residual and outlier codebooks, second-order error feedback", true, true, &runVptq},
};

} // namespace

const std::vector<MethodInfo> &listMethods() { return kMethods; }

Result<const MethodInfo *> findMethod(std::string_view name)
{
    std::string valid;
    for (const MethodInfo &m : kMethods) {
        if (m.name == name)
            return &m;
        valid += (valid.empty() ? "" : ", ") + std::string(m.name);
    }
    return makeError(ErrorCode::InvalidArgument, "unknown method '" + std::string(name) + "' (valid: " + valid + ")");
}

Status checkLayerInput(const LayerInput &in, bool needStats)
{
    if (!in.weight || in.rows <= 0 || in.cols <= 0)
        return makeError(ErrorCode::InvalidArgument, in.name + ": empty weight");
    const std::int64_t n = in.rows * in.cols;
    for (std::int64_t i = 0; i < n; ++i)
        if (!std::isfinite(in.weight[i]))
            return makeError(ErrorCode::InvalidArgument, in.name + ": weight [" + std::to_string(i / in.cols) + ", " +
                                                             std::to_string(i % in.cols) + "] is " +
                                                             (std::isnan(in.weight[i]) ? "NaN" : "infinite") +
                                                             "; fix or skip this tensor before quantizing");
    if (needStats && !in.stats)
        return makeError(ErrorCode::InvalidArgument, in.name + ": this method needs calibration statistics (--calib)");
    if (in.stats) {
        const ActivationStats &s = *in.stats;
        if (s.dim != in.cols || s.hessian.size() != static_cast<std::size_t>(in.cols * in.cols))
            return makeError(ErrorCode::InvalidArgument, in.name + ": calibration statistics have dimension " +
                                                             std::to_string(s.dim) + ", the layer has " +
                                                             std::to_string(in.cols) + " inputs");
        bool anyPositive = false;
        for (std::int64_t i = 0; i < in.cols; ++i) {
            const double d = s.hessian[static_cast<std::size_t>(i * in.cols + i)];
            if (!std::isfinite(d) || d < 0)
                return makeError(ErrorCode::InvalidArgument, in.name + ": calibration Hessian has a " +
                                                                 (std::isfinite(d) ? "negative" : "non-finite") +
                                                                 " diagonal entry at " + std::to_string(i));
            anyPositive = anyPositive || d > 0;
        }
        for (const double v : s.hessian)
            if (!std::isfinite(v))
                return makeError(ErrorCode::InvalidArgument, in.name + ": calibration Hessian contains NaN or Inf");
        if (needStats && !anyPositive)
            return makeError(ErrorCode::InvalidArgument, in.name + ": calibration Hessian is zero (no tokens reached this layer)");
    }
    return {};
}

void finishReport(const LayerInput &in, const QuantizedTensor &q, MethodReport &report)
{
    std::vector<float> deq(static_cast<std::size_t>(in.rows * in.cols));
    if (!q.decodeRows(deq.data(), 0, in.rows))
        return;
    const ErrorStats e = measureError(in.weight, deq.data(), in.rows * in.cols);
    report.weightRelMse = e.relativeMse;
    report.bitsPerWeight = q.bitsPerWeight();
    if (in.stats)
        report.proxyError = proxyError(in.weight, deq.data(), in.rows, in.cols, in.stats->hessian.data());
}

Result<QuantizedTensorPtr> packMatrix(const QuantizedMatrix &q)
{
    LOWBIT_TRY(PackedTensor p, pack(q));
    return QuantizedTensorPtr(std::make_shared<PackedQuantizedTensor>(std::move(p)));
}

Result<QuantizedLayer> runRtn(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt, const LayerProgressFn &progress,
                              std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(checkLayerInput(in, false));
    if (stop.stop_requested())
        return makeError(ErrorCode::Cancelled, in.name + ": cancelled");
    LOWBIT_TRY(PackedTensor p, quantizePackedFast(in.weight, in.rows, in.cols, spec, nullptr, opt.threads));
    QuantizedLayer out;
    out.tensor = std::make_shared<PackedQuantizedTensor>(std::move(p));
    out.report.method = "rtn";
    finishReport(in, *out.tensor, out.report);
    out.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (progress)
        progress(1.0);
    return out;
}

} // namespace lowbit
