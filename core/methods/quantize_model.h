// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Whole-model quantization: pick each linear tensor's format (default, regex rules, an exact
/// per-tensor plan from the bit allocator), run the method layer by layer with the calibration
/// statistics of its input, and return the quantized model (a Model whose quantized tensors are
/// decoder views, ready for the engines and for writeStudioContainer) with a per-layer report.

#include "core/calib/calibration.h"
#include "core/methods/method.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace lowbit {

struct FormatRule {
    std::string pattern;   ///< ECMAScript regex matched (search) against the tensor name
    FormatSpec spec;
};

struct QuantizeConfig {
    std::string method = "rtn";
    FormatSpec defaultSpec;                       ///< used where no rule or plan entry applies
    std::vector<FormatRule> rules;                ///< first match wins (--layer-format)
    std::map<std::string, FormatSpec> plan;       ///< exact tensor name → spec; overrides rules
    std::map<std::string, std::string> planMethod;///< exact tensor name → method; overrides `method`
    std::string skipPattern;                      ///< tensors matching stay unquantized (--skip)
    bool includeEmbedding = false;                ///< quantize the token embedding too
    bool includeOutput = false;                   ///< quantize a separate classifier too
    MethodOptions options;
};

struct LayerOutcome {
    std::string tensor;
    TensorRole role = TensorRole::Other;
    int layer = -1;
    std::int64_t rows = 0, cols = 0;
    std::string method;
    std::string format;      ///< describeSpec / the tensor's describe()
    bool skipped = false;    ///< left in its original precision
    MethodReport report;
};

struct QuantizeOutcome {
    std::vector<LayerOutcome> layers;
    double averageBpw = 0;   ///< over the quantized tensors' weights
    double seconds = 0;
};

/// Progress of the whole job: (layers done, layers total, name of the current tensor, fraction
/// of the current layer in [0, 1]).
using QuantizeProgressFn = std::function<void(std::int64_t, std::int64_t, const std::string &, double)>;

/// The spec a tensor gets under the config (nullopt: skipped / not a quantizable tensor).
std::optional<FormatSpec> specForTensor(const QuantizeConfig &config, const ModelTensor &t);

/// Quantizes `model`. `stats` may be null for methods that do not need calibration (others fail
/// with InvalidArgument saying so). Cancelled when `stop` is requested between or inside layers.
/// The returned model shares the unquantized tensors with `model`.
Result<std::pair<Model, QuantizeOutcome>> quantizeModel(const Model &model, const CalibrationStats *stats,
                                                        const QuantizeConfig &config,
                                                        const QuantizeProgressFn &progress = {},
                                                        std::stop_token stop = {});

/// Which calibration input feeds a linear role (q/k/v: AttnIn; o: AttnOut; gate/up: MlpIn; down: MlpOut).
std::optional<LinearInput> linearInputOf(TensorRole role);

} // namespace lowbit
