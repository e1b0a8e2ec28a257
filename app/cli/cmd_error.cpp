// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit error MODEL --format NAME [--group G] [--scale S] [--json] [--threads T]: per-tensor RTN
// error of every linear weight, for quick design feedback (no calibration).
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"

#include "core/model/model.h"
#include "core/quant/error_measures.h"
#include "core/quant/fast_quantize.h"
#include "core/quant/format.h"
#include "core/util/json.h"

#include <cstdio>
#include <ostream>

namespace lowbit::cli {

int runError(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string pe;
    const auto a = Args::parse(argv, {"json"}, {"format", "group", "scale", "threads", "clip"}, pe);
    if (!a || a->positionals().size() != 1 || !a->value("format")) {
        err << "lowbit error: " << (a ? "expected MODEL and --format NAME" : pe)
            << "\nusage: lowbit error MODEL --format NAME [--group G|channel|tensor] [--scale fp32|fp16|bf16|e8m0|e4m3] [--clip R] [--threads T] [--json]\n";
        return 2;
    }
    auto f = parseFormat(*a->value("format"));
    if (!f) {
        err << "lowbit error: " << f.error().message() << "\n";
        return 2;
    }
    std::optional<std::int64_t> group;
    if (const auto g = a->value("group")) {
        if (*g == "channel")
            group = kPerChannel;
        else if (*g == "tensor")
            group = kPerTensor;
        else if (const auto n = parsePositiveInt(*g))
            group = *n;
        else {
            err << "lowbit error: --group needs a positive integer, 'channel' or 'tensor'\n";
            return 2;
        }
    }
    std::optional<ScaleStorage> storage;
    if (const auto s = a->value("scale")) {
        auto st = parseScaleStorage(*s);
        if (!st) {
            err << "lowbit error: " << st.error().message() << "\n";
            return 2;
        }
        storage = *st;
    }
    float clip = 1.0f;
    if (const auto c = a->value("clip")) {
        const auto v = parseDouble(*c);
        if (!v) {
            err << "lowbit error: --clip needs a number\n";
            return 2;
        }
        clip = static_cast<float>(*v);
    }
    unsigned threads = 0;
    if (const auto t = a->value("threads")) {
        const auto n = parsePositiveInt(*t);
        if (!n) {
            err << "lowbit error: --threads needs a positive integer\n";
            return 2;
        }
        threads = static_cast<unsigned>(*n);
    }
    auto spec = makeFormatSpec(*f, group, storage, clip);
    if (!spec) {
        err << "lowbit error: " << spec.error().message() << "\n";
        return 2;
    }
    auto plan = planForSpec(*spec);
    auto model = Model::open(a->positionals()[0]);
    if (!plan || !model) {
        err << "lowbit error: " << (!plan ? plan.error() : model.error()).message() << "\n";
        return 1;
    }
    Json rows = Json::array();
    std::string table = padRight("tensor", 46) + padLeft("params", 12) + padLeft("rel MSE", 11) + padLeft("SQNR dB", 9) + padLeft("max err", 11)
        + padLeft("cosine", 10) + padLeft("bpw", 8) + "\n";
    double weighted = 0, params = 0, bits = 0;
    for (const auto &t : model->tensors()) {
        if (!isLinearRole(t.role) || t.view.shape.size() != 2)
            continue;
        auto w = t.view.toFloatVector();
        if (!w) {
            err << "lowbit error: " << w.error().message() << "\n";
            return 1;
        }
        auto q = quantizeWithPlan(w->data(), t.view.rows(), t.view.cols(), *plan, nullptr, threads);
        if (!q) {
            err << "lowbit error: " << t.view.name << ": " << q.error().message() << "\n";
            return 1;
        }
        std::vector<float> back(w->size());
        if (auto st = dequantizeWithPlan(*q, *plan, back.data(), threads); !st) {
            err << "lowbit error: " << st.error().message() << "\n";
            return 1;
        }
        const ErrorStats e = measureError(w->data(), back.data(), static_cast<std::int64_t>(w->size()));
        const double bpw = bitsPerWeight(*spec, t.view.rows(), t.view.cols()).total();
        const double n = static_cast<double>(w->size());
        weighted += e.relativeMse * n;
        params += n;
        bits += bpw * n;
        Json j = Json::object();
        j["name"] = Json(t.view.name);
        j["role"] = Json(std::string(tensorRoleName(t.role)));
        j["params"] = Json(static_cast<unsigned long long>(w->size()));
        j["relative_mse"] = Json(e.relativeMse);
        j["mse"] = Json(e.mse);
        j["sqnr_db"] = Json(e.sqnrDb);
        j["max_abs_error"] = Json(e.maxAbsError);
        j["cosine"] = Json(e.cosine);
        j["bpw"] = Json(bpw);
        rows.push(std::move(j));
        char buf[128];
        std::snprintf(buf, sizeof buf, "%11.5f%9.2f%11.4g%10.6f%8.3f", e.relativeMse, e.sqnrDb, e.maxAbsError, e.cosine, bpw);
        table += padRight(t.view.name, 46) + padLeft(withThousands(w->size()), 12) + buf + "\n";
    }
    const double meanRel = params > 0 ? weighted / params : 0, meanBpw = params > 0 ? bits / params : 0;
    if (a->flag("json")) {
        Json j = Json::object();
        j["model"] = Json(model->path());
        j["format"] = Json(f->name);
        j["group"] = Json(static_cast<long long>(spec->groupSize));
        j["scale_storage"] = Json(std::string(scaleStorageName(spec->scaleStorage)));
        j["tensors"] = std::move(rows);
        j["weighted_relative_mse"] = Json(meanRel);
        j["mean_bpw"] = Json(meanBpw);
        out << j.dump(2) << "\n";
    } else {
        char buf[160];
        std::snprintf(buf, sizeof buf, "\n%s, group %lld, %s scales: parameter-weighted relative MSE %.5f at %.3f bpw\n", f->name.c_str(),
                      static_cast<long long>(spec->groupSize), std::string(scaleStorageName(spec->scaleStorage)).c_str(), meanRel, meanBpw);
        out << table << buf;
    }
    return 0;
}

} // namespace lowbit::cli
