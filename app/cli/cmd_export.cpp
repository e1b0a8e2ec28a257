// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit export QMODEL --to gguf|gptq|compressed-tensors|fakequant|vptq --out PATH [--type T]
// [--strict] [--dtype f16|bf16|f32] [--force] [--json]: a (quantized) model in the formats other
// tools load, written atomically, with progress on stderr and Ctrl-C cancellation.
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"

#include "core/export/gguf_export.h"
#include "core/export/gguf_mapping.h"
#include "core/export/hf_exports.h"
#include "core/model/model.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ostream>
#include <stop_token>
#include <thread>
#include <unistd.h>

namespace lowbit::cli {

namespace {

constexpr const char *kUsage =
    "usage: lowbit export QMODEL --to gguf|gptq|compressed-tensors|vptq|fakequant --out PATH [--type Q4_K] [--strict] "
    "[--dtype f16|bf16|f32] [--force] [--json]";

std::atomic<bool> g_exportInterrupted{false};
extern "C" void onExportInterrupt(int) { g_exportInterrupted.store(true); }

/// Ctrl-C → stop request while the export runs (the handler only sets a flag).
class InterruptToStop {
public:
    explicit InterruptToStop(std::stop_source &src)
    {
        g_exportInterrupted.store(false);
        m_previous = std::signal(SIGINT, onExportInterrupt);
        m_watcher = std::jthread([&src](std::stop_token st) {
            while (!st.stop_requested()) {
                if (g_exportInterrupted.load()) {
                    src.request_stop();
                    return;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        });
    }
    ~InterruptToStop() { std::signal(SIGINT, m_previous); }
    InterruptToStop(const InterruptToStop &) = delete;
    InterruptToStop &operator=(const InterruptToStop &) = delete;

private:
    void (*m_previous)(int) = SIG_DFL;
    std::jthread m_watcher;
};

std::string mib(std::uint64_t bytes)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return buf;
}

} // namespace

int runExport(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string parseError;
    const auto a = Args::parse(argv, {"strict", "force", "json"}, {"to", "out", "type", "dtype"}, parseError);
    if (!a || a->positionals().size() != 1 || !a->value("to") || !a->value("out")) {
        err << "lowbit export: " << (a ? "expected QMODEL, --to and --out" : parseError) << "\n" << kUsage << "\n";
        return 2;
    }
    const std::string to = *a->value("to");
    ExportOptions options;
    options.overwrite = a->flag("force");
    options.strict = a->flag("strict");
    if (const auto t = a->value("type")) {
        if (to != "gguf") {
            err << "lowbit export: --type is for --to gguf\n" << kUsage << "\n";
            return 2;
        }
        auto type = parseGgufTypeName(*t);
        if (!type) {
            err << "lowbit export: " << type.error().detail << "\n";
            return 2;
        }
        options.ggufType = *type;
    }
    if (const auto d = a->value("dtype")) {
        if (to != "fakequant" || (*d != "f16" && *d != "bf16" && *d != "f32")) {
            err << "lowbit export: --dtype f16|bf16|f32 is for --to fakequant\n" << kUsage << "\n";
            return 2;
        }
        options.fakeQuantDtype = *d == "f32" ? DType::F32 : *d == "bf16" ? DType::BF16 : DType::F16;
    }
    using ExportFn = Result<ExportReport> (*)(const Model &, const std::string &, const ExportOptions &);
    ExportFn fn = nullptr;
    if (to == "gguf")
        fn = exportGguf;
    else if (to == "gptq")
        fn = exportGptq;
    else if (to == "compressed-tensors")
        fn = exportCompressedTensors;
    else if (to == "fakequant")
        fn = exportFakeQuant;
    else if (to == "vptq")
        fn = exportVptq;
    else {
        err << "lowbit export: unknown target '" << to << "' (gguf, gptq, compressed-tensors, vptq, fakequant)\n" << kUsage << "\n";
        return 2;
    }

    auto model = Model::open(a->positionals()[0]);
    if (!model) {
        err << "lowbit export: " << model.error().message() << "\n";
        return 1;
    }
    const bool tty = isatty(STDERR_FILENO) != 0;
    int lastPercent = -1;
    options.progress = [&](std::uint64_t done, std::uint64_t total, const std::string &item) {
        const int pct = total ? static_cast<int>(100 * done / total) : 100;
        if (pct == lastPercent || (!tty && pct / 10 == lastPercent / 10))
            return;
        lastPercent = pct;
        if (tty)
            err << "\rexport " << pct << "% " << padRight(item, 40) << std::flush;
        else
            err << "export " << pct << "%\n";
    };
    std::stop_source stop;
    options.stop = stop.get_token();
    Result<ExportReport> report = makeError(ErrorCode::Internal, "not run");
    {
        InterruptToStop scope(stop);
        report = fn(*model, *a->value("out"), options);
    }
    if (tty && lastPercent >= 0)
        err << "\r" << std::string(60, ' ') << "\r" << std::flush;
    if (!report) {
        err << "lowbit export: " << report.error().message() << "\n";
        return report.error().code == ErrorCode::InvalidArgument ? 2 : 1;
    }
    for (const std::string &w : report->warnings)
        err << "warning: " << w << "\n";
    if (a->flag("json")) {
        out << report->toJson().dump(2) << "\n";
        return 0;
    }
    int counts[5] = {};
    for (const ExportedTensor &t : report->tensors)
        ++counts[static_cast<int>(t.action)];
    out << "wrote " << report->path << " (" << report->format << ", " << mib(report->bytes) << ", " << report->tensors.size() << " tensors)\n";
    for (int k = 0; k < 5; ++k)
        if (counts[k])
            out << "  " << exportActionName(static_cast<ExportAction>(k)) << ": " << counts[k] << "\n";
    for (const ExportedTensor &t : report->tensors)
        if (t.action == ExportAction::Requantized)
            out << "  " << t.name << ": " << t.source << " -> " << t.targetType << ", relative error " << t.relError << "\n";
    return 0;
}

} // namespace lowbit::cli
