// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/quantize_model.h"

#include "core/quant/quantized_tensor.h"

#include <chrono>
#include <regex>

namespace lowbit {

namespace {

bool searchRegex(const std::string &pattern, const std::string &text)
{
    try {
        return std::regex_search(text, std::regex(pattern, std::regex::ECMAScript));
    } catch (const std::regex_error &) {
        return false; // validated by checkConfig before any use
    }
}

Status checkConfig(const QuantizeConfig &config)
{
    const auto checkPattern = [](const std::string &p, const char *what) -> Status {
        try {
            (void)std::regex(p, std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
            return makeError(ErrorCode::InvalidArgument, std::string(what) + " '" + p + "' is not a valid regular expression: " + e.what());
        }
        return {};
    };
    if (!config.skipPattern.empty())
        LOWBIT_CHECK(checkPattern(config.skipPattern, "--skip pattern"));
    for (const FormatRule &r : config.rules)
        LOWBIT_CHECK(checkPattern(r.pattern, "--layer-format pattern"));
    LOWBIT_TRY(const MethodInfo *m, findMethod(config.method));
    (void)m;
    for (const auto &[name, method] : config.planMethod) {
        LOWBIT_TRY(const MethodInfo *pm, findMethod(method));
        (void)pm;
    }
    return {};
}

} // namespace

std::optional<LinearInput> linearInputOf(TensorRole role)
{
    switch (role) {
    case TensorRole::Q:
    case TensorRole::K:
    case TensorRole::V:
        return LinearInput::AttnIn;
    case TensorRole::O:
        return LinearInput::AttnOut;
    case TensorRole::Gate:
    case TensorRole::Up:
        return LinearInput::MlpIn;
    case TensorRole::Down:
        return LinearInput::MlpOut;
    default:
        return std::nullopt;
    }
}

std::optional<FormatSpec> specForTensor(const QuantizeConfig &config, const ModelTensor &t)
{
    if (!isLinearRole(t.role) || t.view.shape.size() != 2 || t.view.decoder)
        return std::nullopt;
    if (t.role == TensorRole::Embedding && !config.includeEmbedding)
        return std::nullopt;
    if (t.role == TensorRole::Output && !config.includeOutput)
        return std::nullopt;
    const std::string &name = t.view.name;
    if (auto it = config.plan.find(name); it != config.plan.end())
        return it->second;
    if (!config.skipPattern.empty() && searchRegex(config.skipPattern, name))
        return std::nullopt;
    for (const FormatRule &r : config.rules)
        if (searchRegex(r.pattern, name))
            return r.spec;
    return config.defaultSpec;
}

Result<std::pair<Model, QuantizeOutcome>> quantizeModel(const Model &model, const CalibrationStats *stats, const QuantizeConfig &config,
                                                        const QuantizeProgressFn &progress, std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(checkConfig(config));
    std::vector<ModelTensor> tensors = model.tensors();
    std::vector<std::size_t> targets;
    for (std::size_t i = 0; i < tensors.size(); ++i)
        if (specForTensor(config, tensors[i]))
            targets.push_back(i);
    // Methods that need calibration: refuse up front, before any work, when there is none at all.
    {
        LOWBIT_TRY(const MethodInfo *m, findMethod(config.method));
        if (m->needsCalibration && !stats && !targets.empty())
            return makeError(ErrorCode::InvalidArgument,
                             "method '" + config.method + "' needs calibration statistics: give --calib TEXT (or a saved file)");
    }

    QuantizeOutcome outcome;
    const auto total = static_cast<std::int64_t>(targets.size());
    double bits = 0, weights = 0;
    for (std::int64_t k = 0; k < total; ++k) {
        ModelTensor &t = tensors[targets[static_cast<std::size_t>(k)]];
        const std::string name = t.view.name;
        if (stop.stop_requested())
            return makeError(ErrorCode::Cancelled, "quantization cancelled before " + name);
        if (progress)
            progress(k, total, name, 0.0);
        const FormatSpec spec = *specForTensor(config, t);
        std::string methodName = config.method;
        if (auto it = config.planMethod.find(name); it != config.planMethod.end())
            methodName = it->second;
        LOWBIT_TRY(const MethodInfo *method, findMethod(methodName));

        LOWBIT_TRY(std::vector<float> w, t.view.toFloatVector());
        LayerInput in;
        in.name = name;
        in.weight = w.data();
        in.rows = t.view.shape[0];
        in.cols = t.view.shape[1];
        const auto which = linearInputOf(t.role);
        in.stats = stats && which ? stats->find(t.layer, *which) : nullptr;
        std::string note;
        if (method->needsCalibration && !in.stats) {
            // e.g. the embedding or a separate classifier: no input statistics are collected for them
            LOWBIT_TRY(const MethodInfo *rtn, findMethod("rtn"));
            method = rtn;
            note = "no calibration statistics for this tensor's input: RTN instead of " + methodName;
        }
        const LayerProgressFn layerProgress = [&](double f) {
            if (progress)
                progress(k, total, name, f);
        };
        auto q = method->run(in, spec, config.options, layerProgress, stop);
        if (!q)
            return q.error().withContext(name);
        LayerOutcome lo;
        lo.tensor = name;
        lo.role = t.role;
        lo.layer = t.layer;
        lo.rows = in.rows;
        lo.cols = in.cols;
        lo.method = std::string(method->name);
        lo.format = q->tensor->describe();
        lo.report = q->report;
        if (!note.empty())
            lo.report.detail = note + (lo.report.detail.empty() ? "" : "; " + lo.report.detail);
        const double n = static_cast<double>(in.rows) * static_cast<double>(in.cols);
        bits += q->tensor->bitsPerWeight() * n;
        weights += n;
        t.view = makeDecodedView(name, q->tensor);
        outcome.layers.push_back(std::move(lo));
    }
    if (progress)
        progress(total, total, "", 1.0);
    outcome.averageBpw = weights > 0 ? bits / weights : 0.0;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    LOWBIT_TRY(Model out, Model::fromParts(model.source(), model.path(), model.config(), std::move(tensors)));
    return std::make_pair(std::move(out), std::move(outcome));
}

} // namespace lowbit
