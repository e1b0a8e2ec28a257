// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit plan: mixed precision under a bit budget. Measures per-layer sensitivities over a menu
// (cached), solves the allocation exactly and writes a plan file (docs/plan.md) that
// `lowbit quantize --plan` and the studio read; --show prints a plan; --study writes the
// allocated-vs-uniform comparison (docs/allocation.md).
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"

#include "core/alloc/allocation_study.h"
#include "core/alloc/budget_plan.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/quant/quantized_tensor.h"
#include "core/util/atomic_file.h"
#include "core/util/mapped_file.h"

#include <cstdio>
#include <ostream>

namespace lowbit::cli {

namespace {

constexpr const char *kUsage =
    "usage: lowbit plan MODEL --budget BPW --menu FORMATS [--groups 32,64] [--scale fp16] [--method gptq]\n"
    "                   --calib TEXT [--calib-tokens N] [--eval-tokens N] [--stats FILE] [--loss nll|kl|proxy] [--proxy]\n"
    "                   [--rule SUBJECT>=BITS]... [--include-embedding] [--include-output] [--cache FILE] [--frontier N]\n"
    "                   [--threads T] [--out PLAN.json] [--force] [--json]\n"
    "       lowbit plan MODEL --study 3.5,3.0 --eval-text TEXT [--eval-docs N] (the options above, no --budget) [--out FILE.md]\n"
    "       lowbit plan --show PLAN.json [--json]\n";

std::string fmt(const char *spec, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

std::vector<std::string> splitList(const std::string &s)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= s.size()) {
        const auto comma = std::min(s.find(',', pos), s.size());
        if (comma > pos)
            out.push_back(s.substr(pos, comma - pos));
        pos = comma + 1;
    }
    return out;
}

std::string planTable(const Plan &p)
{
    std::string t = padRight("tensor", 44) + padLeft("shape", 12) + "  " + padRight("choice", 22) + padRight("method", 10) + padLeft("bpw", 8) +
                    padLeft("pred. ΔL", 12) + "\n";
    for (const PlanEntry &e : p.tensors)
        t += padRight(e.tensor, 44) + padLeft(std::to_string(e.rows) + "x" + std::to_string(e.cols), 12) + "  " +
             padRight(describeSpec(e.spec), 22) + padRight(e.method, 10) +
             padLeft(fmt("%.4f", static_cast<double>(e.bits) / static_cast<double>(e.rows * e.cols)), 8) +
             padLeft(fmt("%.5f", e.predictedDeltaLoss), 12) + "\n";
    t += "\n" + std::to_string(p.tensors.size()) + " tensors, " + withThousands(static_cast<std::uint64_t>(p.totalWeights())) + " weights: " +
         fmt("%.4f", p.bpw()) + " bpw (budget " + fmt("%.4f", p.budgetBpw) + "), predicted " + p.lossMode + " increase " +
         fmt("%.5f", p.predictedLoss());
    if (p.lossMode == "nll")
        t += " over the base " + fmt("%.5f", p.baseLoss) + " (" + std::to_string(p.evalTokens) + " calibration tokens)";
    t += "\n";
    if (!p.frontier.empty()) {
        t += "\nfrontier (exact optimum per budget):\n" + padLeft("bpw", 10) + padLeft("predicted", 14) + "\n";
        for (const PlanFrontierPoint &f : p.frontier)
            t += padLeft(fmt("%.4f", f.bpw), 10) + padLeft(fmt("%.5f", f.predictedLoss), 14) + "\n";
    }
    return t;
}

int showPlan(const Args &a, std::ostream &out, std::ostream &err)
{
    auto p = loadPlan(*a.value("show"));
    if (!p) {
        err << "lowbit plan: " << p.error().message() << "\n";
        return 1;
    }
    if (a.flag("json"))
        out << planToJson(*p).dump(2) << "\n";
    else
        out << "plan for " << p->model << " (" << p->menu.size() << " menu options" << (p->rules.empty() ? "" : ", rules:");
    if (!a.flag("json")) {
        for (const std::string &r : p->rules)
            out << " " << r;
        out << ")\n\n" << planTable(*p);
    }
    return 0;
}

/// Everything the plan and study modes share, parsed and loaded.
struct Setup {
    BudgetRequest request;
    Model model;
    std::unique_ptr<Tokenizer> tok;
    CalibrationStats stats;
    std::string calibText;
};

std::optional<std::int64_t> positive(const Args &a, const char *name, std::int64_t fallback, std::ostream &err, bool &bad)
{
    const auto v = a.value(name);
    if (!v)
        return fallback;
    const auto n = parsePositiveInt(*v);
    if (!n) {
        err << "lowbit plan: --" << name << " needs a positive integer\n";
        bad = true;
        return std::nullopt;
    }
    return *n;
}

/// Returns the exit code on failure (2 usage, 1 runtime), 0 on success.
int setUp(const Args &a, Setup &s, std::ostream &err)
{
    bool bad = false;
    std::vector<std::int64_t> groups;
    for (const std::string &g : splitList(a.value("groups").value_or("32"))) {
        const auto n = parsePositiveInt(g);
        if (!n) {
            err << "lowbit plan: --groups takes positive group sizes, e.g. 32,64\n";
            return 2;
        }
        groups.push_back(*n);
    }
    std::optional<ScaleStorage> storage = ScaleStorage::F16;
    if (const auto sc = a.value("scale")) {
        auto st = parseScaleStorage(*sc);
        if (!st) {
            err << "lowbit plan: " << st.error().message() << "\n";
            return 2;
        }
        storage = *st;
    }
    const auto methods = splitList(a.value("method").value_or("gptq"));
    auto menu = buildMenu(*a.value("menu"), groups, storage, methods);
    if (!menu) {
        err << "lowbit plan: " << menu.error().message() << "\n";
        return 2;
    }
    s.request.menu = std::move(*menu);
    for (const std::string &r : a.values("rule")) {
        auto rule = parseBitRule(r);
        if (!rule) {
            err << "lowbit plan: " << rule.error().message() << "\n";
            return 2;
        }
        s.request.rules.push_back(std::move(*rule));
    }
    SensitivityOptions &so = s.request.sensitivity;
    if (const auto l = a.value("loss")) {
        auto m = parseSensitivityMode(*l);
        if (!m) {
            err << "lowbit plan: " << m.error().message() << "\n";
            return 2;
        }
        so.mode = *m;
    }
    if (a.flag("proxy"))
        so.mode = SensitivityMode::Proxy;
    so.includeEmbedding = a.flag("include-embedding");
    so.includeOutput = a.flag("include-output");
    so.cachePath = a.value("cache").value_or("");
    const auto evalTokens = positive(a, "eval-tokens", 4096, err, bad);
    const auto calibTokens = positive(a, "calib-tokens", 8192, err, bad);
    const auto threads = positive(a, "threads", 0, err, bad);
    const auto frontier = a.value("frontier") == std::optional<std::string>("0") ? std::optional<std::int64_t>(0)
                                                                                   : positive(a, "frontier", 12, err, bad);
    if (bad)
        return 2;
    so.evalTokens = *evalTokens;
    so.threads = static_cast<unsigned>(*threads);
    s.request.frontierPoints = static_cast<int>(std::min<std::int64_t>(*frontier, 200));

    auto model = Model::open(a.positionals()[0]);
    if (!model) {
        err << "lowbit plan: " << model.error().message() << "\n";
        return 1;
    }
    s.model = std::move(*model);
    auto tok = loadTokenizer(a.positionals()[0], s.model.config().vocabSize);
    auto text = readTextFile(*a.value("calib"));
    if (!tok || !text) {
        err << "lowbit plan: " << (!tok ? tok.error() : text.error()).message() << "\n";
        return 1;
    }
    s.tok = std::move(*tok);
    s.calibText = std::move(*text);
    if (const auto path = a.value("stats")) {
        auto st = loadCalibration(*path);
        if (!st) {
            err << "lowbit plan: " << st.error().message() << "\n";
            return 1;
        }
        s.stats = std::move(*st);
    } else {
        EngineOptions eo;
        eo.threads = so.threads;
        auto engine = CpuModel::load(s.model, eo);
        if (!engine) {
            err << "lowbit plan: " << engine.error().message() << "\n";
            return 1;
        }
        CalibrationOptions co;
        co.maxTokens = *calibTokens;
        auto st = calibrate(**engine, *s.tok, s.calibText, co);
        if (!st) {
            err << "lowbit plan: " << st.error().message() << "\n";
            return 1;
        }
        s.stats = std::move(*st);
    }
    return 0;
}

/// Progress on stderr about every 10 %.
SensitivityProgressFn progressPrinter(std::ostream &err)
{
    return [&err, last = std::int64_t(-1)](std::int64_t done, std::int64_t total, const std::string &what) mutable {
        const std::int64_t decile = total > 0 ? done * 10 / total : 10;
        if (decile != last) {
            last = decile;
            err << "sensitivities " << done << "/" << total << " (" << what << ")\n";
        }
    };
}

int runStudy(const Args &a, std::ostream &out, std::ostream &err)
{
    std::vector<double> budgets;
    for (const std::string &b : splitList(*a.value("study"))) {
        const auto v = parseDouble(b);
        if (!v || *v <= 0) {
            err << "lowbit plan: --study takes budgets in bits per weight, e.g. 3.5,3.0\n";
            return 2;
        }
        budgets.push_back(*v);
    }
    if (!a.value("eval-text")) {
        err << "lowbit plan: --study needs --eval-text FILE (held-out text)\n";
        return 2;
    }
    Setup s;
    if (const int rc = setUp(a, s, err); rc != 0)
        return rc;
    auto evalText = readTextFile(*a.value("eval-text"));
    if (!evalText) {
        err << "lowbit plan: " << evalText.error().message() << "\n";
        return 1;
    }
    StudyRequest req;
    req.base = s.request;
    req.budgets = budgets;
    if (const auto d = a.value("eval-docs")) {
        const auto n = parsePositiveInt(*d);
        if (!n) {
            err << "lowbit plan: --eval-docs needs a positive integer\n";
            return 2;
        }
        req.evalOptions.maxDocuments = *n;
    }
    std::vector<std::string> skipped;
    auto sensProgress = progressPrinter(err);
    auto study = runAllocationStudy(s.model, s.stats, *s.tok, s.calibText, *evalText, req, skipped,
                                    [&](const std::string &stage, std::int64_t done, std::int64_t total) {
                                        if (stage == "sensitivities")
                                            sensProgress(done, total, stage);
                                        else
                                            err << stage << " " << done << "/" << total << "\n";
                                    });
    if (!study) {
        err << "lowbit plan: " << study.error().message() << "\n";
        return 1;
    }
    std::string md;
    for (const std::string &sk : skipped)
        md += "Note: " + sk + "\n\n";
    md += studyMarkdown(*study, budgets);
    if (const auto path = a.value("out")) {
        auto w = AtomicFileWriter::create(*path, a.flag("force"));
        if (!w || !w->write(md.data(), md.size()) || !w->commit()) {
            err << "lowbit plan: cannot write " << *path << (w ? "" : ": " + w.error().message()) << "\n";
            return 1;
        }
        out << "wrote " << *path << "\n";
    } else {
        out << md;
    }
    return 0;
}

} // namespace

int runPlan(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string pe;
    const auto a = Args::parse(argv, {"json", "proxy", "include-embedding", "include-output", "force"},
                               {"show", "budget", "menu", "groups", "scale", "method", "calib", "calib-tokens", "eval-tokens", "stats", "loss",
                                "rule", "cache", "frontier", "threads", "out", "study", "eval-text", "eval-docs"},
                               pe);
    if (!a) {
        err << "lowbit plan: " << pe << "\n" << kUsage;
        return 2;
    }
    if (a->value("show")) {
        if (!a->positionals().empty()) {
            err << "lowbit plan: --show takes only the plan file\n" << kUsage;
            return 2;
        }
        return showPlan(*a, out, err);
    }
    if (a->positionals().size() != 1 || !a->value("menu") || !a->value("calib") || (!a->value("budget") && !a->value("study"))) {
        err << "lowbit plan: expected MODEL, --budget BPW (or --study), --menu FORMATS and --calib TEXT\n" << kUsage;
        return 2;
    }
    if (a->value("study"))
        return runStudy(*a, out, err);
    const auto budget = parseDouble(*a->value("budget"));
    if (!budget || !(*budget > 0)) {
        err << "lowbit plan: --budget needs a positive number of bits per weight\n";
        return 2;
    }
    Setup s;
    if (const int rc = setUp(*a, s, err); rc != 0)
        return rc;
    s.request.budgetBpw = *budget;
    auto table = measureSensitivities(s.model, s.stats, *s.tok, s.calibText, s.request.menu, s.request.sensitivity,
                                      a->flag("json") ? SensitivityProgressFn{} : progressPrinter(err));
    if (!table) {
        err << "lowbit plan: " << table.error().message() << "\n";
        return 1;
    }
    auto plan = planFromSensitivities(*table, s.request, s.model.path());
    if (!plan) {
        err << "lowbit plan: " << plan.error().message() << "\n";
        return 1;
    }
    if (const auto path = a->value("out")) {
        if (auto st = savePlan(*plan, *path, a->flag("force")); !st) {
            err << "lowbit plan: " << st.error().message() << "\n";
            return 1;
        }
    }
    if (a->flag("json")) {
        Json j = planToJson(*plan);
        Json sens = Json::object();
        sens["measured"] = Json(static_cast<long long>(table->measured));
        sens["cached"] = Json(static_cast<long long>(table->cached));
        sens["seconds"] = Json(table->seconds);
        j["sensitivities"] = std::move(sens);
        out << j.dump(2) << "\n";
    } else {
        out << "sensitivities: " << table->layers.size() << " tensors x " << table->menu.size() << " options, " << table->measured
            << " measured, " << table->cached << " from the cache, " << fmt("%.1f", table->seconds) << " s\n\n"
            << planTable(*plan);
        if (const auto path = a->value("out"))
            out << "wrote " << *path << "\n";
    }
    return 0;
}

} // namespace lowbit::cli
