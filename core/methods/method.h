// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Quantization methods as plug-ins (algorithms.md). A method takes one weight matrix W [out, in]
/// (row-major fp32, as stored), the calibration statistics of its input (H = Σ x xᵀ over tokens,
/// may be absent), a format spec (any scalar format of the registry — formats are plug-ins too:
/// methods only call quantize_ref.h's per-group functions and the fast paths) and options, and
/// returns a QuantizedTensor plus a report. Methods never hard-code INT.
///
/// Registered methods (kMethods in method.cpp): rtn, clip, gptq, vptq, adaquant (runs both
/// gradient rules and keeps the better), adaquant-ste, adaquant-cont.

#include "core/calib/calibration.h"
#include "core/quant/format.h"
#include "core/quant/quantize_ref.h"
#include "core/quant/quantized_tensor.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// One layer handed to a method.
struct LayerInput {
    std::string name;                       ///< tensor name, for messages
    const float *weight = nullptr;          ///< rows × cols, row-major ([out, in])
    std::int64_t rows = 0, cols = 0;
    const ActivationStats *stats = nullptr; ///< input statistics (dim == cols); nullptr: none
    /// Optional calibration inputs X (tokens × cols, row-major) for methods that need samples
    /// (clip with the output objective, AdaQuant); empty: methods derive what they need from H.
    std::span<const float> samples;
    std::int64_t sampleCount = 0;
};

enum class ClipObjective : std::uint8_t { WeightMse, OutputError };
enum class GroupParamsSource : std::uint8_t {
    BlockStart, ///< GPTQ reference code: group parameters from the weights as of the start of the current block
    Updated,    ///< from the fully updated weights when the group's first column is reached
};
enum class GradientRule : std::uint8_t { Ste, Continuous, Both };

struct ClipOptions {
    bool asymmetric = true;           ///< BitDistiller's independent (i, j) grid; false: one α
    int steps = 20;                   ///< n shrink steps
    double maxShrink = 0.5;
    ClipObjective objective = ClipObjective::OutputError; ///< falls back to WeightMse without stats
    std::int64_t sampleTokens = 512;
};

struct GptqOptions {
    double damp = 0.01;               ///< λ: H += λ·mean(diag H)·I
    std::int64_t blockSize = 128;
    bool actOrder = false;
    bool staticGroups = true;         ///< with act-order: groups keep the original column order
    GroupParamsSource paramsFrom = GroupParamsSource::BlockStart;
};

struct VqOptions {
    int vectorLength = 8;             ///< v (along the output dimension)
    int centroids = 4096;             ///< k
    int residualCentroids = 0;        ///< 0: no residual codebook
    double outlierFraction = 0.0;     ///< fraction of input columns (by diag H) with their own codebook
    int outlierCentroids = 0;         ///< k0 (0: same as k)
    bool permute = false;             ///< columns by descending diag(H)
    bool normalize = false;           ///< per-column normalization
    int kmeansIterations = 100;       ///< Lloyd cap
    double kmeansTolerance = 1e-4;    ///< relative change of weighted inertia
    std::int64_t kmeansSample = 0;    ///< > 0: fit the codebook on this many sampled vectors
    std::uint64_t seed = 1234;
    bool errorFeedback = true;        ///< channel-independent second-order update (GPTQ-style)
    double damp = 0.01;
};

struct AdaQuantOptions {
    GradientRule rule = GradientRule::Both;
    int iterations = 200;
    double learningRate = 1e-3;
    double temperatureStart = 2.0;    ///< continuous rule: T annealed upward
    double temperatureEnd = 20.0;
    bool startFromGptq = false;       ///< initial codes from GPTQ instead of RTN
    std::uint64_t seed = 1234;
};

struct MethodOptions {
    ClipOptions clip;
    GptqOptions gptq;
    VqOptions vq;
    AdaQuantOptions ada;
    unsigned threads = 0;             ///< 0: all
};

struct MethodReport {
    std::string method;               ///< the method's name ("adaquant" reports the winning rule in `detail`)
    double proxyError = std::numeric_limits<double>::quiet_NaN(); ///< tr(ΔW H ΔWᵀ)/tr(W H Wᵀ); NaN without stats
    double weightRelMse = 0;          ///< ‖W−Ŵ‖²/‖W‖²
    double seconds = 0;
    double bitsPerWeight = 0;
    std::string detail;               ///< free text: winner of AdaQuant, k-means iterations, …
};

struct QuantizedLayer {
    QuantizedTensorPtr tensor;
    MethodReport report;
};

/// Progress within one layer in [0, 1]; may be empty.
using LayerProgressFn = std::function<void(double)>;

using MethodFn = Result<QuantizedLayer> (*)(const LayerInput &, const FormatSpec &, const MethodOptions &,
                                            const LayerProgressFn &, std::stop_token);

struct MethodInfo {
    std::string_view name;
    std::string_view summary;
    bool needsCalibration; ///< true: refuses to run without stats (clip/rtn do not need them)
    bool vector;           ///< true: ignores the scalar format's grid (VPTQ); the spec gives scale storage only
    MethodFn run;
};

const std::vector<MethodInfo> &listMethods();
/// Errors: InvalidArgument naming the valid methods.
Result<const MethodInfo *> findMethod(std::string_view name);

/// Checks a layer input: shape positive, weight finite (NaN/Inf weights are an InvalidArgument
/// naming the first one), stats dim == cols, Hessian finite and (when `needPositive`) with a
/// positive diagonal somewhere. Methods call it first.
Status checkLayerInput(const LayerInput &in, bool needStats);

/// Fills report fields every method shares: weight error, proxy error (when stats exist), bpw.
void finishReport(const LayerInput &in, const QuantizedTensor &q, MethodReport &report);

/// The scalar methods' shared tail: wraps a QuantizedMatrix as a packed QuantizedTensor.
Result<QuantizedTensorPtr> packMatrix(const QuantizedMatrix &q);

/// RTN (the baseline; also the start of the others).
Result<QuantizedLayer> runRtn(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                              const LayerProgressFn &progress, std::stop_token stop);

} // namespace lowbit
