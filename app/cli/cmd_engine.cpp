// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit eval / generate / calibrate: the CPU or Vulkan engine from the command line.
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"
#include "app/common/device_engine.h"

#include "core/calib/calibration.h"
#include "core/eval/perplexity.h"
#include "core/infer/generate.h"
#include "core/util/json.h"
#include "core/util/mapped_file.h"


#include <cmath>
#include <cstdio>
#include <ostream>

namespace lowbit::cli {

namespace {

struct Loaded {
    Model model;
    DeviceEngine engine; // on the model above
    std::unique_ptr<Tokenizer> tokenizer;
};
constexpr const char *kCpuHint = "(run on the CPU instead with --device cpu)\n";

/// A run that failed on a Vulkan engine (the device lost, out of memory mid-way) may succeed on
/// the CPU's: the hint after its error. Nothing for the CPU engine or a cancelled run.
const char *cpuHintAfter(const Loaded &l, const Error &e) { return l.engine.vulkan && e.code != ErrorCode::Cancelled ? kCpuHint : ""; }

/// "cpu" (default), "vulkan", "vulkan:N" (device index) or "vulkan:NAME" (name substring).
/// int8Activations: GpuModelOptions::int8Activations (the Vulkan engine only).
std::optional<Loaded> loadOnDevice(const std::string &path, const EngineOptions &eo, const std::string &device, std::ostream &err, const char *cmd,
                                   bool int8Activations = false);

/// Opens model + engine + tokenizer; prints the error and returns nullopt on failure.
std::optional<Loaded> load(const std::string &path, const EngineOptions &eo, std::ostream &err, const char *cmd)
{
    return loadOnDevice(path, eo, "cpu", err, cmd);
}

std::optional<Loaded> loadOnDevice(const std::string &path, const EngineOptions &eo, const std::string &device, std::ostream &err, const char *cmd,
                                   bool int8Activations)
{
    if (int8Activations && !isVulkanDevice(device)) {
        err << "lowbit " << cmd << ": --activations int8 runs on the Vulkan engine's integer kernels (add --device vulkan)\n";
        return std::nullopt;
    }
    if (device != "cpu" && !isVulkanDevice(device)) {
        err << "lowbit " << cmd << ": unknown --device '" << device << "' (cpu, vulkan, vulkan:INDEX or vulkan:NAME)\n";
        return std::nullopt;
    }
    auto m = Model::open(path);
    if (!m) {
        err << "lowbit " << cmd << ": " << m.error().message() << "\n";
        return std::nullopt;
    }
    auto t = loadTokenizer(path, m->config().vocabSize);
    if (!t) {
        err << "lowbit " << cmd << ": " << t.error().message() << "\n";
        return std::nullopt;
    }
    Loaded l{std::move(*m), {}, std::move(*t)};
    auto e = loadEngineOn(l.model, device, {eo, int8Activations});
    if (!e) {
        err << "lowbit " << cmd << ": " << e.error().message() << "\n" << (isVulkanDevice(device) ? kCpuHint : "");
        return std::nullopt;
    }
    if (int8Activations && e->int8Tensors == 0)
        err << "lowbit " << cmd << ": note: --activations int8 changes nothing here: no linear of this model has an integer kernel on this device "
               "(2- to 4-bit INT / INT-asym codes on CPU devices, in tensors of at least 64 Ki weights, and on GPUs that accelerate the "
               "integer dot product)\n";
    l.engine = std::move(*e);
    return l;
}

/// --threads T (0 = all cores), --weights resident|on-the-fly and --kv-cache f32|f16.
bool parseEngineOptions(const Args &a, EngineOptions &eo, std::ostream &err, const char *cmd)
{
    eo = {};
    if (const auto t = a.value("threads")) {
        const auto n = parsePositiveInt(*t);
        if (!n) {
            err << "lowbit " << cmd << ": --threads needs a positive integer\n";
            return false;
        }
        eo.threads = static_cast<unsigned>(*n);
    }
    if (const auto w = a.value("weights")) {
        if (*w == "resident")
            eo.weights = WeightMode::Resident;
        else if (*w == "on-the-fly")
            eo.weights = WeightMode::OnTheFly;
        else {
            err << "lowbit " << cmd << ": --weights is resident (fp32 at load) or on-the-fly (converted per layer)\n";
            return false;
        }
    }
    if (const auto k = a.value("kv-cache")) {
        const auto t = parseKvCacheType(*k);
        if (!t) {
            err << "lowbit " << cmd << ": --kv-cache is f32 or f16 (keys and values rounded to fp16 as stored)\n";
            return false;
        }
        eo.kvCache = *t;
    }
    return true;
}

/// --activations f32|int8 (int8: GpuModelOptions::int8Activations); nullopt after an error.
std::optional<bool> parseActivations(const Args &a, std::ostream &err, const char *cmd)
{
    const std::string v = a.value("activations").value_or("f32");
    if (v != "f32" && v != "int8") {
        err << "lowbit " << cmd << ": --activations is f32 or int8 (quantized per 32 or 8 values for the Vulkan engine's integer kernels of 2- to 4-bit INT weights)\n";
        return std::nullopt;
    }
    return v == "int8";
}

std::string fmt(const char *spec, double v)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, spec, v);
    return buf;
}

} // namespace

int runEval(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string pe;
    const auto a = Args::parse(argv, {"json", "chunked"}, {"text", "ctx", "max-docs", "threads", "weights", "kv-cache", "reference", "device", "activations"}, pe);
    if (!a || a->positionals().size() != 1 || !a->value("text")) {
        err << "lowbit eval: " << (a ? "expected MODEL and --text FILE" : pe)
            << "\nusage: lowbit eval MODEL --text FILE [--ctx N] [--max-docs N] [--chunked] [--threads T] [--weights resident|on-the-fly] [--kv-cache f32|f16] [--device cpu|vulkan[:N]] [--activations f32|int8] [--reference MODEL] [--json]\n";
        return 2;
    }
    EngineOptions eo;
    const std::string device = a->value("device").value_or("cpu");
    if (!parseEngineOptions(*a, eo, err, "eval"))
        return 2;
    const auto int8 = parseActivations(*a, err, "eval");
    if (!int8)
        return 2;
    EvalOptions o;
    o.chunked = a->flag("chunked");
    for (const auto &[name, dst] : {std::pair{"ctx", &o.contextLength}, std::pair{"max-docs", &o.maxDocuments}})
        if (const auto v = a->value(name)) {
            const auto n = parsePositiveInt(*v);
            if (!n) {
                err << "lowbit eval: --" << name << " needs a positive integer\n";
                return 2;
            }
            *dst = *n;
        }
    eo.maxContext = o.contextLength; // a cache as long as the sequences scored (0: the model's context)
    auto text = readTextFile(*a->value("text"));
    if (!text) {
        err << "lowbit eval: " << text.error().message() << "\n";
        return 1;
    }
    auto cand = loadOnDevice(a->positionals()[0], eo, device, err, "eval", *int8);
    if (!cand)
        return 1;
    Json j = Json::object();
    j["model"] = Json(a->positionals()[0]);
    j["device"] = Json(device);
    j["kv_cache"] = Json(std::string(kvCacheTypeName(eo.kvCache)));
    j["activations"] = Json(std::string(*int8 ? "int8" : "f32"));
    if (const auto refPath = a->value("reference")) {
        EngineOptions refOptions = eo; // the reference keeps an fp32 cache: --kv-cache is part of what is measured
        refOptions.kvCache = KvCacheType::F32;
        auto ref = load(*refPath, refOptions, err, "eval");
        if (!ref)
            return 1;
        auto r = compareModels(*ref->engine.engine, *cand->engine.engine, *cand->tokenizer, *text, o);
        if (!r) {
            err << "lowbit eval: " << r.error().message() << "\n" << cpuHintAfter(*cand, r.error());
            return 1;
        }
        j["reference"] = Json(*refPath);
        j["kl_divergence"] = Json(r->klDivergence);
        j["top1_agreement"] = Json(r->top1Agreement);
        j["reference_nll"] = Json(r->referenceNll);
        j["mean_nll"] = Json(r->candidateNll);
        j["delta_nll"] = Json(r->deltaNll);
        j["perplexity"] = Json(std::exp(r->candidateNll));
        j["reference_perplexity"] = Json(std::exp(r->referenceNll));
        j["tokens"] = Json(static_cast<unsigned long long>(r->tokens));
        j["seconds"] = Json(r->seconds);
        if (a->flag("json")) {
            out << j.dump(2) << "\n";
        } else {
            out << "perplexity " << fmt("%.4f", std::exp(r->candidateNll)) << " (reference " << fmt("%.4f", std::exp(r->referenceNll))
                << ")\nmean NLL   " << fmt("%.5f", r->candidateNll) << " (Δ " << fmt("%+.5f", r->deltaNll) << ")\nKL         "
                << fmt("%.6f", r->klDivergence) << " nats/token\ntop-1      " << fmt("%.2f%%", 100 * r->top1Agreement) << "\ntokens     "
                << withThousands(r->tokens) << " in " << fmt("%.1f", r->seconds) << " s\n";
        }
        return 0;
    }
    auto r = evaluatePerplexity(*cand->engine.engine, *cand->tokenizer, *text, o);
    if (!r) {
        err << "lowbit eval: " << r.error().message() << "\n" << cpuHintAfter(*cand, r.error());
        return 1;
    }
    const double tps = r->seconds > 0 ? static_cast<double>(r->tokens) / r->seconds : 0.0;
    if (a->flag("json")) {
        j["perplexity"] = Json(r->perplexity);
        j["mean_nll"] = Json(r->meanNll);
        j["tokens"] = Json(static_cast<unsigned long long>(r->tokens));
        j["sequences"] = Json(static_cast<long long>(r->sequences));
        j["seconds"] = Json(r->seconds);
        j["tokens_per_second"] = Json(tps);
        out << j.dump(2) << "\n";
    } else {
        out << "perplexity " << fmt("%.4f", r->perplexity) << "\nmean NLL   " << fmt("%.5f", r->meanNll) << " nats\ntokens     "
            << withThousands(r->tokens) << " (" << r->sequences << (o.chunked ? " chunks" : " documents") << ")\ntime       "
            << fmt("%.2f", r->seconds) << " s (" << fmt("%.0f", tps) << " tokens/s)\n";
    }
    return 0;
}

int runGenerate(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string pe;
    const auto a = Args::parse(argv, {"json"}, {"prompt", "n", "ctx", "temperature", "top-k", "top-p", "seed", "threads", "weights", "kv-cache", "device", "activations"}, pe);
    if (!a || a->positionals().size() != 1) {
        err << "lowbit generate: " << (a ? "expected MODEL" : pe)
            << "\nusage: lowbit generate MODEL [--prompt S] [-n N] [--ctx N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--threads T] [--weights resident|on-the-fly] [--kv-cache f32|f16] [--device cpu|vulkan[:N]] [--activations f32|int8] [--json]\n";
        return 2;
    }
    EngineOptions eo;
    if (!parseEngineOptions(*a, eo, err, "generate"))
        return 2;
    const auto int8 = parseActivations(*a, err, "generate");
    if (!int8)
        return 2;
    SamplerOptions s;
    std::int64_t n = 256;
    if (const auto v = a->value("n")) {
        const auto x = parsePositiveInt(*v);
        if (!x) {
            err << "lowbit generate: -n needs a positive integer\n";
            return 2;
        }
        n = *x;
    }
    if (const auto v = a->value("ctx")) { // the KV cache's length: prompt and generated tokens stop there
        const auto x = parsePositiveInt(*v);
        if (!x) {
            err << "lowbit generate: --ctx needs a positive integer\n";
            return 2;
        }
        eo.maxContext = *x;
    }
    const auto num = [&](const char *name, double lo, double hi, auto &dst) {
        if (const auto v = a->value(name)) {
            const auto x = parseDouble(*v);
            if (!x || *x < lo || *x > hi) {
                err << "lowbit generate: --" << name << " must be a number in [" << lo << ", " << hi << "]\n";
                return false;
            }
            dst = static_cast<std::remove_reference_t<decltype(dst)>>(*x);
        }
        return true;
    };
    if (!num("temperature", 0.0, 100.0, s.temperature) || !num("top-k", 0.0, 1e9, s.topK) || !num("top-p", 0.0, 1.0, s.topP)
        || !num("seed", 0.0, 1.8e19, s.seed))
        return 2;
    auto l = loadOnDevice(a->positionals()[0], eo, a->value("device").value_or("cpu"), err, "generate", *int8);
    if (!l)
        return 1;
    const bool json = a->flag("json");
    const std::string prompt = a->value("prompt").value_or("");
    if (!json)
        out << prompt << std::flush;
    auto r = generate(*l->engine.engine, *l->tokenizer, prompt, n, s, [&](const std::string &piece) {
        if (!json)
            out << piece << std::flush;
    });
    if (!r) {
        err << "\nlowbit generate: " << r.error().message() << "\n" << cpuHintAfter(*l, r.error());
        return 1;
    }
    if (json) {
        Json j = Json::object();
        j["prompt"] = Json(prompt);
        j["text"] = Json(r->text);
        j["generated_tokens"] = Json(static_cast<long long>(r->generated));
        j["kv_cache"] = Json(std::string(kvCacheTypeName(eo.kvCache)));
        j["activations"] = Json(std::string(*int8 ? "int8" : "f32"));
        j["device"] = Json(l->engine.deviceName);
        j["seconds"] = Json(r->seconds);
        j["tokens_per_second"] = Json(r->tokensPerSecond);
        j["prompt_tokens"] = Json(static_cast<long long>(r->promptTokens));
        j["prompt_seconds"] = Json(r->promptSeconds);
        j["prompt_tokens_per_second"] = Json(r->promptTokensPerSecond);
        out << j.dump(2) << "\n";
    } else {
        out << "\n\n[" << r->generated << " tokens, " << fmt("%.1f", r->tokensPerSecond) << " tokens/s; prompt " << r->promptTokens << " tokens, "
            << fmt("%.1f", r->promptTokensPerSecond) << " tokens/s; " << l->engine.deviceName << "]\n";
    }
    return 0;
}

int runCalibrate(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string pe;
    const auto a = Args::parse(argv, {"force"}, {"text", "tokens", "out", "threads", "weights"}, pe);
    if (!a || a->positionals().size() != 1 || !a->value("text") || !a->value("out")) {
        err << "lowbit calibrate: " << (a ? "expected MODEL, --text FILE and --out FILE" : pe)
            << "\nusage: lowbit calibrate MODEL --text FILE [--tokens N] --out FILE [--force] [--threads T] [--weights resident|on-the-fly]\n";
        return 2;
    }
    EngineOptions eo;
    if (!parseEngineOptions(*a, eo, err, "calibrate"))
        return 2;
    CalibrationOptions o;
    if (const auto v = a->value("tokens")) {
        const auto x = parsePositiveInt(*v);
        if (!x) {
            err << "lowbit calibrate: --tokens needs a positive integer\n";
            return 2;
        }
        o.maxTokens = *x;
    }
    auto text = readTextFile(*a->value("text"));
    if (!text) {
        err << "lowbit calibrate: " << text.error().message() << "\n";
        return 1;
    }
    auto l = load(a->positionals()[0], eo, err, "calibrate");
    if (!l)
        return 1;
    auto stats = calibrate(static_cast<CpuModel &>(*l->engine.engine), *l->tokenizer, *text, o); // load() gives the CPU engine
    if (!stats) {
        err << "lowbit calibrate: " << stats.error().message() << "\n";
        return 1;
    }
    if (auto st = saveCalibration(*stats, *a->value("out"), a->flag("force")); !st) {
        err << "lowbit calibrate: " << st.error().message() << "\n";
        return 1;
    }
    out << "calibrated " << stats->inputs.size() << " linear inputs over " << withThousands(stats->tokens) << " tokens\nwrote "
        << *a->value("out") << "\n";
    return 0;
}

} // namespace lowbit::cli
