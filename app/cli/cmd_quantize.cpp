// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit quantize MODEL --method M --format F … --out OUT.lowbit.safetensors: whole-model
// quantization into the studio container, with calibration, progress, Ctrl-C cancellation and a
// per-layer report.
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"
#include "app/cli/quantize_budget.h"
#include "app/cli/quantize_options.h"

#include "core/calib/calibration.h"
#include "core/infer/cpu_model.h"
#include "core/infer/tokenizer.h"
#include "core/io/studio_container.h"
#include "core/methods/quantize_model.h"
#include "core/util/mapped_file.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <ostream>
#include <thread>
#include <unistd.h>

namespace lowbit::cli {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void onInterrupt(int) { g_interrupted.store(true); }

/// Turns Ctrl-C into a stop request for the duration of a scope (the handler only sets a flag;
/// a watcher thread forwards it to the stop_source).
class InterruptScope {
public:
    explicit InterruptScope(std::stop_source &src)
    {
        g_interrupted.store(false);
        m_previous = std::signal(SIGINT, onInterrupt);
        m_watcher = std::jthread([&src](std::stop_token st) {
            while (!st.stop_requested()) {
                if (g_interrupted.load()) {
                    src.request_stop();
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });
    }
    ~InterruptScope() { std::signal(SIGINT, m_previous); }
    InterruptScope(const InterruptScope &) = delete;
    InterruptScope &operator=(const InterruptScope &) = delete;

private:
    void (*m_previous)(int) = SIG_DFL;
    std::jthread m_watcher;
};

std::string fmtNum(const char *spec, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

/// Progress bar on stderr when it is a terminal: [#####-----] 12/35 name  ETA 3s.
class ProgressBar {
public:
    explicit ProgressBar(std::ostream &err) : m_err(err), m_tty(isatty(STDERR_FILENO) != 0), m_t0(std::chrono::steady_clock::now()) {}
    void update(std::int64_t done, std::int64_t total, const std::string &name, double frac)
    {
        if (!m_tty || total <= 0)
            return;
        const double f = std::min(1.0, (static_cast<double>(done) + frac) / static_cast<double>(total));
        const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_t0).count();
        const int w = 24, fill = static_cast<int>(f * w);
        std::string bar(static_cast<std::size_t>(fill), '#');
        bar += std::string(static_cast<std::size_t>(w - fill), '-');
        std::string eta = f > 0.02 ? fmtNum("%.0fs", el / f - el) : "?";
        m_err << "\r[" << bar << "] " << std::min(done + 1, total) << "/" << total << " " << padRight(name, 36) << " ETA " << eta << "   "
              << std::flush;
    }
    void finish()
    {
        if (m_tty)
            m_err << "\r" << std::string(90, ' ') << "\r" << std::flush;
    }

private:
    std::ostream &m_err;
    bool m_tty;
    std::chrono::steady_clock::time_point m_t0;
};

Json outcomeJson(const QuantizeOutcome &o)
{
    Json layers = Json::array();
    for (const LayerOutcome &l : o.layers) {
        Json j = Json::object();
        j["tensor"] = l.tensor;
        j["role"] = std::string(tensorRoleName(l.role));
        j["layer"] = l.layer;
        j["shape"] = Json(Json::Array{Json(static_cast<long long>(l.rows)), Json(static_cast<long long>(l.cols))});
        j["method"] = l.method;
        j["format"] = l.format;
        j["bpw"] = l.report.bitsPerWeight;
        j["weight_rel_mse"] = l.report.weightRelMse;
        if (std::isfinite(l.report.proxyError))
            j["proxy_error"] = l.report.proxyError;
        j["seconds"] = l.report.seconds;
        if (!l.report.detail.empty())
            j["detail"] = l.report.detail;
        layers.push(std::move(j));
    }
    Json j = Json::object();
    j["average_bpw"] = o.averageBpw;
    j["seconds"] = o.seconds;
    j["layers"] = std::move(layers);
    return j;
}

} // namespace

int runQuantize(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string pe;
    std::set<std::string> flags = quantizeFlagOptions(), valued = quantizeValuedOptions();
    addBudgetOptions(flags, valued);
    const auto a = Args::parse(argv, flags, valued, pe);
    if (!a || a->positionals().size() != 1 || !a->value("out")) {
        err << "lowbit quantize: " << (a ? "expected MODEL and --out FILE" + std::string(kStudioContainerSuffix) : pe) << "\nusage: "
            << kQuantizeUsage << "\n";
        return 2;
    }
    const std::string modelPath = a->positionals()[0];
    const std::string outPath = *a->value("out");
    QuantizeConfig config;
    if (auto st = parseQuantizeConfig(*a, config); !st) {
        err << "lowbit quantize: " << st.error().detail << "\n";
        return 2;
    }
    if (!isStudioContainerPath(outPath)) {
        err << "lowbit quantize: --out must end with " << kStudioContainerSuffix << "\n";
        return 2;
    }
    std::error_code ec;
    if (!a->flag("force") && std::filesystem::exists(outPath, ec)) {
        err << "lowbit quantize: " << outPath << " exists (use --force to overwrite)\n";
        return 1;
    }
    auto model = Model::open(modelPath);
    if (!model) {
        err << "lowbit quantize: " << model.error().message() << "\n";
        return 1;
    }

    // Calibration: a saved statistics file (.safetensors from lowbit calibrate) or a text to run.
    std::optional<CalibrationStats> stats;
    std::string calibText;
    std::unique_ptr<Tokenizer> tokenizer;
    if (const auto calib = a->value("calib")) {
        if (calib->ends_with(".safetensors")) {
            auto s = loadCalibration(*calib);
            if (!s) {
                err << "lowbit quantize: " << s.error().message() << "\n";
                return 1;
            }
            stats = std::move(*s);
        } else {
            auto text = readTextFile(*calib);
            if (!text) {
                err << "lowbit quantize: " << text.error().message() << "\n";
                return 1;
            }
            calibText = std::move(*text);
            auto tok = loadTokenizer(modelPath, model->config().vocabSize);
            if (!tok) {
                err << "lowbit quantize: " << tok.error().message() << "\n";
                return 1;
            }
            tokenizer = std::move(*tok);
            EngineOptions eo;
            eo.threads = config.options.threads;
            auto engine = CpuModel::load(*model, eo);
            if (!engine) {
                err << "lowbit quantize: " << engine.error().message() << "\n";
                return 1;
            }
            CalibrationOptions co;
            if (const auto n = a->value("calib-tokens"))
                co.maxTokens = *parsePositiveInt(*n); // validated by parseQuantizeConfig
            auto s = calibrate(**engine, *tokenizer, calibText, co);
            if (!s) {
                err << "lowbit quantize: calibration: " << s.error().message() << "\n";
                return 1;
            }
            stats = std::move(*s);
        }
    }

    std::optional<Plan> plan;
    if (wantsPlan(*a)) {
        int code = 1;
        plan = planForQuantize(*a, *model, stats ? &*stats : nullptr, tokenizer.get(), calibText, config, err, code);
        if (!plan)
            return code;
    }

    std::stop_source stopSource;
    ProgressBar bar(err);
    std::optional<Result<std::pair<Model, QuantizeOutcome>>> result;
    {
        InterruptScope interrupt(stopSource);
        result = quantizeModel(*model, stats ? &*stats : nullptr, config,
                               [&](std::int64_t d, std::int64_t t, const std::string &n, double f) { bar.update(d, t, n, f); },
                               stopSource.get_token());
    }
    bar.finish();
    if (!*result) {
        err << "lowbit quantize: " << result->error().message() << "\n";
        return result->error().code == ErrorCode::Cancelled ? 130 : 1;
    }
    const auto &[qmodel, outcome] = **result;
    Json report = outcomeJson(outcome);
    report["source"] = modelPath;
    report["method"] = config.method;
    if (stats)
        report["calibration_tokens"] = static_cast<unsigned long long>(stats->tokens);
    if (plan) {
        std::map<std::string, double> predicted;
        for (const PlanEntry &e : plan->tensors)
            predicted[e.tensor] = e.predictedDeltaLoss;
        for (Json &l : report["layers"].asArray())
            if (auto it = predicted.find(l.find("tensor")->asString()); it != predicted.end())
                l["predicted_delta_loss"] = it->second;
        report["plan"] = measuredVsPredicted(*plan, *model, qmodel, tokenizer.get(), calibText, config.options.threads);
    }
    ContainerWriteOptions wo;
    wo.overwrite = a->flag("force");
    wo.report = report;
    if (auto st = writeStudioContainer(qmodel, outPath, wo); !st) {
        err << "lowbit quantize: " << st.error().message() << "\n";
        return 1;
    }
    report["out"] = outPath;
    if (a->flag("json")) {
        out << report.dump(2) << "\n";
        return 0;
    }
    std::size_t nameWidth = 8, formatWidth = 8;
    for (const LayerOutcome &l : outcome.layers) {
        nameWidth = std::max(nameWidth, l.tensor.size() + 2);
        formatWidth = std::max(formatWidth, l.format.size() + 2);
    }
    out << padRight("tensor", nameWidth) << padRight("method", 10) << padRight("format", formatWidth) << padLeft("bpw", 7) << padLeft("rel MSE", 11)
        << padLeft("proxy err", 11) << padLeft("s", 7) << "\n";
    for (const LayerOutcome &l : outcome.layers) {
        out << padRight(l.tensor, nameWidth) << padRight(l.method, 10) << padRight(l.format, formatWidth) << padLeft(fmtNum("%.3f", l.report.bitsPerWeight), 7)
            << padLeft(fmtNum("%.5f", l.report.weightRelMse), 11)
            << padLeft(std::isfinite(l.report.proxyError) ? fmtNum("%.5f", l.report.proxyError) : "-", 11)
            << padLeft(fmtNum("%.2f", l.report.seconds), 7) << "\n";
        if (!l.report.detail.empty())
            out << "    " << l.report.detail << "\n";
    }
    if (const Json *pj = report.find("plan")) {
        out << "\nplan: " << fmtNum("%.4f", pj->find("plan_bpw")->asDouble()) << " bpw, predicted " << pj->find("loss_mode")->asString()
            << " increase " << fmtNum("%.5f", pj->find("predicted_delta_loss")->asDouble());
        if (const Json *m = pj->find("measured_delta_loss"))
            out << ", measured " << fmtNum("%.5f", m->asDouble()) << " (on " << withThousands(*pj->find("measured_tokens")->asUInt64())
                << " calibration tokens)";
        out << "\n";
    }
    out << "\n" << outcome.layers.size() << " tensors quantized, average " << fmtNum("%.3f", outcome.averageBpw) << " bpw, "
        << fmtNum("%.1f", outcome.seconds) << " s\nwrote " << outPath << "\n";
    return 0;
}

} // namespace lowbit::cli
