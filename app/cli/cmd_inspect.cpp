// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit inspect MODEL [--json] [--threads N]: config + one row of statistics per tensor.
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"

#include "core/model/model.h"
#include "core/stats/tensor_stats.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace lowbit::cli {

namespace {

std::string fmt(const char *spec, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

/// The dtype column: the storage dtype, or the studio format of a quantized tensor.
std::string storageName(const TensorView &v) { return v.decoder ? v.decoder->describe() : std::string(dtypeName(v.dtype)); }

void printTable(const Model &model, const std::vector<TensorStats> &stats, std::ostream &out)
{
    std::size_t dtypeWidth = 8;
    for (const ModelTensor &t : model.tensors())
        dtypeWidth = std::max(dtypeWidth, storageName(t.view).size() + 2);
    const ModelConfig &c = model.config();
    out << "model     " << model.path() << " (" << modelSourceName(model.source()) << ")\n"
        << "config    " << c.architecture << ": dim " << c.hiddenSize << ", hidden " << c.intermediateSize << ", "
        << c.numLayers << " layers, " << c.numHeads << " heads, " << c.numKvHeads << " kv heads, head dim " << c.headDim
        << ", vocab " << c.vocabSize << ", seq_len " << c.maxPositions << ", rope theta " << c.ropeTheta
        << (c.tieWordEmbeddings ? ", tied embeddings" : "") << "\n"
        << "params    " << withThousands(model.totalParams()) << "\n\n";
    out << padRight("tensor", 46) << padRight("role", 11) << padRight("shape", 14) << padRight("dtype", dtypeWidth)
        << padLeft("params", 12) << padLeft("min", 11) << padLeft("max", 11) << padLeft("mean", 11) << padLeft("std", 10)
        << padLeft("kurt", 9) << padLeft("amax/std", 9) << padLeft("zeros", 8) << padLeft("ch-ratio", 9) << "\n";
    std::uint64_t nonFinite = 0;
    for (std::size_t i = 0; i < stats.size(); ++i) {
        const ModelTensor &t = model.tensors()[i];
        const TensorStats &s = stats[i];
        out << padRight(t.view.name, 46) << padRight(std::string(tensorRoleName(t.role)), 11)
            << padRight(shapeToString(t.view.shape), 14) << padRight(storageName(t.view), dtypeWidth)
            << padLeft(withThousands(t.view.numel()), 12) << padLeft(fmt("%.4g", s.min), 11) << padLeft(fmt("%.4g", s.max), 11)
            << padLeft(fmt("%.3g", s.mean), 11) << padLeft(fmt("%.4g", s.std), 10) << padLeft(fmt("%.2f", s.excessKurtosis), 9)
            << padLeft(fmt("%.1f", s.absmaxOverStd), 9) << padLeft(fmt("%.2f%%", 100.0 * s.zeroFraction), 8)
            << padLeft(fmt("%.2f", s.maxChannelRatio), 9) << "\n";
        nonFinite += s.nanCount + s.infCount;
    }
    for (std::size_t i = 0; i < stats.size(); ++i)
        if (stats[i].nanCount + stats[i].infCount > 0)
            out << "warning: " << model.tensors()[i].view.name << " holds " << stats[i].nanCount << " NaN and "
                << stats[i].infCount << " Inf values\n";
    if (nonFinite == 0)
        out << "\nall weights finite\n";
}

Json toJson(const Model &model, const std::vector<TensorStats> &stats)
{
    Json j = Json::object();
    j["path"] = Json(model.path());
    j["source"] = Json(std::string(modelSourceName(model.source())));
    j["config"] = model.config().toJson();
    Json tensors = Json::array();
    for (std::size_t i = 0; i < stats.size(); ++i) {
        const ModelTensor &t = model.tensors()[i];
        Json row = Json::object();
        row["name"] = Json(t.view.name);
        row["role"] = Json(std::string(tensorRoleName(t.role)));
        row["layer"] = Json(t.layer);
        Json shape = Json::array();
        for (auto d : t.view.shape)
            shape.push(Json(static_cast<long long>(d)));
        row["shape"] = std::move(shape);
        row["dtype"] = Json(std::string(dtypeName(t.view.dtype)));
        if (t.view.decoder) {
            row["format"] = Json(t.view.decoder->describe());
            row["bpw"] = Json(t.view.decoder->bitsPerWeight());
        }
        row["params"] = Json(static_cast<unsigned long long>(t.view.numel()));
        Json statsJson = tensorStatsJson(stats[i]); // a named object: the loop must not outlive it
        for (auto &[k, v] : statsJson.asObject())
            row[k] = std::move(v);
        tensors.push(std::move(row));
    }
    j["tensors"] = std::move(tensors);
    j["total_params"] = Json(static_cast<unsigned long long>(model.totalParams()));
    return j;
}

} // namespace

int runInspect(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string parseError;
    const auto args = Args::parse(argv, {"json"}, {"threads"}, parseError);
    if (!args || args->positionals().size() != 1) {
        err << "lowbit inspect: " << (args ? "expected exactly one MODEL" : parseError) << "\nusage: lowbit inspect MODEL [--json] [--threads N]\n";
        return 2;
    }
    unsigned threads = 0;
    if (const auto t = args->value("threads")) {
        const auto n = parsePositiveInt(*t);
        if (!n) {
            err << "lowbit inspect: --threads needs a positive integer\n";
            return 2;
        }
        threads = static_cast<unsigned>(*n);
    }
    auto model = Model::open(args->positionals()[0]);
    if (!model) {
        err << "lowbit inspect: " << model.error().message() << "\n";
        return 1;
    }
    std::vector<TensorStats> stats;
    stats.reserve(model->tensors().size());
    StatsOptions opt;
    opt.threads = threads;
    opt.reclaimPages = true; // one pass over a mapped model: keep RSS near one tensor
    for (const auto &t : model->tensors()) {
        auto s = computeTensorStats(t.view, opt);
        if (!s) {
            err << "lowbit inspect: " << s.error().message() << "\n";
            return 1;
        }
        stats.push_back(std::move(*s));
    }
    if (args->flag("json"))
        out << toJson(*model, stats).dump(2) << "\n";
    else
        printTable(*model, stats, out);
    return 0;
}

} // namespace lowbit::cli
