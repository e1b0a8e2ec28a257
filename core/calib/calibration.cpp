// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/calib/calibration.h"

#include "core/eval/text_corpus.h"
#include "core/io/safetensors_reader.h"
#include "core/io/safetensors_writer.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lowbit {

void ActivationStats::accumulate(const float *x, std::int64_t rows)
{
    if (hessian.empty()) {
        hessian.assign(static_cast<std::size_t>(dim * dim), 0.0);
        sumAbs.assign(static_cast<std::size_t>(dim), 0.0);
        maxAbs.assign(static_cast<std::size_t>(dim), 0.0f);
    }
    using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> xf(x, rows, dim);
    const MatD xd = xf.cast<double>();
    Eigen::Map<MatD> h(hessian.data(), dim, dim);
    h.noalias() += xd.transpose() * xd; // fp64 accumulation: no cancellation over many tokens
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < dim; ++c) {
            const float a = std::fabs(x[r * dim + c]);
            sumAbs[static_cast<std::size_t>(c)] += a;
            maxAbs[static_cast<std::size_t>(c)] = std::max(maxAbs[static_cast<std::size_t>(c)], a);
        }
    count += static_cast<std::uint64_t>(rows);
}

std::vector<double> ActivationStats::meanAbs() const
{
    std::vector<double> m(sumAbs.size());
    for (std::size_t i = 0; i < m.size(); ++i)
        m[i] = count ? sumAbs[i] / static_cast<double>(count) : 0.0;
    return m;
}

const ActivationStats *CalibrationStats::find(int layer, LinearInput which) const
{
    const auto it = inputs.find({layer, which});
    return it == inputs.end() ? nullptr : &it->second;
}

Result<CalibrationStats> calibrate(CpuModel &model, const Tokenizer &tok, std::string_view text, const CalibrationOptions &o,
                                   const ProgressFn &progress, std::stop_token stop)
{
    CalibrationStats stats;
    const ModelConfig &c = model.config();
    for (int l = 0; l < c.numLayers; ++l) {
        stats.inputs[{l, LinearInput::AttnIn}].dim = c.hiddenSize;
        stats.inputs[{l, LinearInput::AttnOut}].dim = c.numHeads * c.headDim;
        stats.inputs[{l, LinearInput::MlpIn}].dim = c.hiddenSize;
        stats.inputs[{l, LinearInput::MlpOut}].dim = c.intermediateSize;
    }
    model.setActivationHook([&](int layer, LinearInput which, const float *x, std::int64_t rows, std::int64_t) {
        stats.inputs[{layer, which}].accumulate(x, rows);
    });
    const std::int64_t ctx = o.contextLength > 0 ? o.contextLength : model.maxContext();
    const auto docs = tokenizeDocuments(tok, splitDocuments(text), static_cast<std::size_t>(ctx));
    // progress in tokens, against what will be read (maxTokens or the whole text)
    std::int64_t target = 0;
    for (const auto &doc : docs)
        target += static_cast<std::int64_t>(doc.size());
    if (o.maxTokens > 0)
        target = std::min<std::int64_t>(target, o.maxTokens);
    Status status;
    for (std::size_t d = 0; d < docs.size(); ++d) {
        if (stop.stop_requested()) {
            status = makeError(ErrorCode::Cancelled, "calibration cancelled");
            break;
        }
        auto seq = docs[d];
        if (o.maxTokens > 0) {
            const auto left = o.maxTokens - static_cast<std::int64_t>(stats.tokens);
            if (left <= 0)
                break;
            if (static_cast<std::int64_t>(seq.size()) > left)
                seq.resize(static_cast<std::size_t>(left));
        }
        model.reset();
        auto r = model.forward(seq, false);
        if (!r) {
            status = r.error();
            break;
        }
        stats.tokens += seq.size();
        if (progress)
            progress(std::min<std::int64_t>(static_cast<std::int64_t>(stats.tokens), target), std::max<std::int64_t>(target, 1));
    }
    model.setActivationHook({});
    if (!status)
        return status.error();
    if (stats.tokens == 0)
        return makeError(ErrorCode::InvalidArgument, "calibration text holds no tokens");
    return stats;
}

Status saveCalibration(const CalibrationStats &stats, const std::string &path, bool overwrite)
{
    std::vector<SafetensorsEntry> entries;
    std::vector<std::vector<double>> means; // keep alive until written
    means.reserve(stats.inputs.size());
    for (const auto &[key, s] : stats.inputs) {
        if (s.hessian.empty())
            continue;
        const std::string base = "layers." + std::to_string(key.first) + "." + linearInputName(key.second) + ".";
        means.push_back(s.meanAbs());
        entries.push_back({base + "hessian", DType::F64, {s.dim, s.dim}, std::as_bytes(std::span(s.hessian))});
        entries.push_back({base + "mean_abs", DType::F64, {s.dim}, std::as_bytes(std::span(means.back()))});
        entries.push_back({base + "max_abs", DType::F32, {s.dim}, std::as_bytes(std::span(s.maxAbs))});
    }
    return writeSafetensors(path, entries, {{"lowbit.calibration", "1"}, {"tokens", std::to_string(stats.tokens)}}, overwrite);
}

Result<CalibrationStats> loadCalibration(const std::string &path)
{
    LOWBIT_TRY(SafetensorsFile f, readSafetensors(path));
    CalibrationStats stats;
    bool marked = false;
    for (const auto &[k, v] : f.metadata) {
        marked = marked || k == "lowbit.calibration";
        if (k == "tokens")
            stats.tokens = std::strtoull(v.c_str(), nullptr, 10);
    }
    if (!marked)
        return makeError(ErrorCode::Malformed, path + ": not a lowbit calibration file (no lowbit.calibration metadata)");
    for (const auto &t : f.tensors) {
        // layers.<l>.<kind>.<what>
        int layer = -1;
        char kind[16] = {}, what[16] = {};
        if (std::sscanf(t.name.c_str(), "layers.%d.%15[a-z_].%15[a-z_]", &layer, kind, what) != 3 || layer < 0)
            return makeError(ErrorCode::Malformed, path + ": unexpected tensor '" + t.name + "'");
        LinearInput which{};
        bool found = false;
        for (int i = 0; i < kLinearInputCount; ++i)
            if (std::strcmp(kind, linearInputName(static_cast<LinearInput>(i))) == 0) {
                which = static_cast<LinearInput>(i);
                found = true;
            }
        if (!found)
            return makeError(ErrorCode::Malformed, path + ": unknown input kind in '" + t.name + "'");
        ActivationStats &s = stats.inputs[{layer, which}];
        s.count = stats.tokens;
        const std::string w = what;
        if (w == "hessian" && t.dtype == DType::F64 && t.shape.size() == 2 && t.shape[0] == t.shape[1]) {
            s.dim = t.shape[0];
            s.hessian.resize(static_cast<std::size_t>(t.numel()));
            std::memcpy(s.hessian.data(), t.data, t.nbytes);
        } else if (w == "mean_abs" && t.dtype == DType::F64 && t.shape.size() == 1) {
            s.sumAbs.resize(static_cast<std::size_t>(t.numel()));
            std::memcpy(s.sumAbs.data(), t.data, t.nbytes);
            for (auto &x : s.sumAbs)
                x *= static_cast<double>(stats.tokens);
        } else if (w == "max_abs" && t.dtype == DType::F32 && t.shape.size() == 1) {
            s.maxAbs.resize(static_cast<std::size_t>(t.numel()));
            std::memcpy(s.maxAbs.data(), t.data, t.nbytes);
        } else {
            return makeError(ErrorCode::Malformed, path + ": tensor '" + t.name + "' has an unexpected dtype or shape");
        }
    }
    for (const auto &[key, s] : stats.inputs)
        if (s.hessian.size() != static_cast<std::size_t>(s.dim * s.dim) || s.sumAbs.size() != static_cast<std::size_t>(s.dim)
            || s.maxAbs.size() != static_cast<std::size_t>(s.dim))
            return makeError(ErrorCode::Malformed, path + ": incomplete statistics for layer " + std::to_string(key.first));
    return stats;
}

} // namespace lowbit
