// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alloc/sensitivity.h"

#include "core/alloc/sensitivity_cache.h"
#include "core/eval/perplexity.h"
#include "core/eval/text_corpus.h"
#include "core/infer/cpu_model.h"
#include "core/methods/proxy_error.h"
#include "core/quant/quantized_tensor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

namespace lowbit {

namespace {

std::string trim(std::string_view s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos)
        return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

/// Which calibration input feeds a block linear (q/k/v: AttnIn; o: AttnOut; gate/up: MlpIn; down: MlpOut).
std::optional<LinearInput> inputOfRole(TensorRole role)
{
    switch (role) {
    case TensorRole::Q:
    case TensorRole::K:
    case TensorRole::V: return LinearInput::AttnIn;
    case TensorRole::O: return LinearInput::AttnOut;
    case TensorRole::Gate:
    case TensorRole::Up: return LinearInput::MlpIn;
    case TensorRole::Down: return LinearInput::MlpOut;
    default: return std::nullopt;
    }
}

/// Identifies everything that changes a method's result for the same weight, spec and stats.
std::string methodOptionsKey(const MethodOptions &o)
{
    Fnv64 h;
    h.addString("clip");
    h.addPod(o.clip.asymmetric).addPod(o.clip.steps).addPod(o.clip.maxShrink).addPod(o.clip.objective).addPod(o.clip.sampleTokens);
    h.addString("gptq");
    h.addPod(o.gptq.damp).addPod(o.gptq.blockSize).addPod(o.gptq.actOrder).addPod(o.gptq.staticGroups).addPod(o.gptq.paramsFrom);
    h.addString("ada");
    h.addPod(o.ada.rule).addPod(o.ada.iterations).addPod(o.ada.learningRate).addPod(o.ada.temperatureStart)
        .addPod(o.ada.temperatureEnd).addPod(o.ada.startFromGptq).addPod(o.ada.seed);
    return h.hex();
}

std::string statsFingerprint(const CalibrationStats &stats)
{
    Fnv64 h;
    h.addPod(stats.tokens);
    for (const auto &[key, s] : stats.inputs) {
        h.addPod(key.first).addPod(key.second).addPod(s.dim).addPod(s.count);
        h.addSampled(std::as_bytes(std::span(s.hessian)));
    }
    return h.hex();
}

Result<Model> withReplaced(const Model &model, std::size_t index, TensorView replacement)
{
    std::vector<ModelTensor> tensors = model.tensors();
    tensors[index].view = std::move(replacement);
    return Model::fromParts(model.source(), model.path(), model.config(), std::move(tensors));
}

struct Measurer {
    const Model &model;
    const Tokenizer &tok;
    const SensitivityOptions &opt;
    std::string text;                            ///< Nll/Kl measurement documents
    std::unique_ptr<CpuModel> reference;         ///< Kl: the unquantized engine

    EngineOptions engineOptions() const
    {
        EngineOptions e;
        e.threads = opt.threads;
        e.maxContext = opt.contextLength;
        return e;
    }
    EvalOptions evalOptions() const
    {
        EvalOptions e;
        e.contextLength = opt.contextLength;
        return e;
    }

    Result<double> baseLoss(std::stop_token stop)
    {
        if (opt.mode != SensitivityMode::Nll)
            return 0.0;
        LOWBIT_TRY(auto engine, CpuModel::load(model, engineOptions()));
        LOWBIT_TRY(EvalResult r, evaluatePerplexity(*engine, tok, text, evalOptions(), {}, stop));
        return r.meanNll;
    }

    /// Loss of the model with tensor `index` replaced by `q`, minus the base loss (Nll) / KL.
    Result<double> delta(std::size_t index, const QuantizedTensorPtr &q, double base, std::stop_token stop)
    {
        LOWBIT_TRY(Model m, withReplaced(model, index, makeDecodedView(model.tensors()[index].view.name, q)));
        LOWBIT_TRY(auto engine, CpuModel::load(m, engineOptions()));
        if (opt.mode == SensitivityMode::Nll) {
            LOWBIT_TRY(EvalResult r, evaluatePerplexity(*engine, tok, text, evalOptions(), {}, stop));
            return r.meanNll - base;
        }
        if (!reference) {
            LOWBIT_TRY(auto ref, CpuModel::load(model, engineOptions()));
            reference = std::move(ref);
        }
        LOWBIT_TRY(CompareResult c, compareModels(*reference, *engine, tok, text, evalOptions(), {}, stop));
        return c.klDivergence;
    }
};

/// tr(ΔW H ΔWᵀ)/N with stats, ‖ΔW‖²/rows without.
double proxyDelta(const float *w, const float *wq, std::int64_t rows, std::int64_t cols, const ActivationStats *s)
{
    std::vector<float> d(static_cast<std::size_t>(rows * cols));
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = w[i] - wq[i];
    if (s && s->count > 0)
        return hessianQuadratic(d.data(), rows, cols, s->hessian.data()) / static_cast<double>(s->count);
    double sum = 0;
    for (const float v : d)
        sum += static_cast<double>(v) * static_cast<double>(v);
    return sum / static_cast<double>(rows);
}

} // namespace

std::string MenuOption::label() const
{
    std::string s = describeSpec(spec) + " " + method;
    if (spec.clip != 1.0f) {
        char buf[32];
        std::snprintf(buf, sizeof buf, " clip %g", static_cast<double>(spec.clip));
        s += buf;
    }
    return s;
}

Result<std::vector<MenuOption>> buildMenu(std::string_view formats, std::span<const std::int64_t> groups, std::optional<ScaleStorage> storage,
                                          std::span<const std::string> methods)
{
    std::vector<std::string> names;
    std::size_t pos = 0;
    while (pos <= formats.size()) {
        const auto comma = std::min(formats.find(',', pos), formats.size());
        if (std::string n = trim(formats.substr(pos, comma - pos)); !n.empty())
            names.push_back(std::move(n));
        pos = comma + 1;
    }
    if (names.empty())
        return makeError(ErrorCode::InvalidArgument, "the menu names no format (e.g. \"int3,int4,nf4-asym\")");
    if (methods.empty())
        return makeError(ErrorCode::InvalidArgument, "the menu names no method");
    std::vector<std::int64_t> gs(groups.begin(), groups.end());
    if (gs.empty())
        gs.push_back(32);
    std::vector<MenuOption> menu;
    std::set<std::string> seen;
    for (const std::string &mname : methods) {
        LOWBIT_TRY(const MethodInfo *m, findMethod(mname));
        if (m->vector)
            return makeError(ErrorCode::InvalidArgument, "method '" + mname + "' is a vector quantizer: its size depends on its codebook "
                                                             "options, not on a format, so it cannot be a bit-budget menu entry");
        for (const std::string &fname : names) {
            LOWBIT_TRY(Format f, parseFormat(fname));
            const FormatFamilyTraits &t = familyTraits(f.family);
            for (const std::int64_t g : gs) {
                std::optional<std::int64_t> group = g;
                if (t.fixedGroup > 0)
                    group = t.fixedGroup;
                std::optional<ScaleStorage> st = t.fixedStorage ? std::nullopt : storage;
                auto spec = makeFormatSpec(f, group, st);
                if (!spec)
                    return spec.error().withContext("menu entry '" + fname + "' group " + std::to_string(g));
                if (auto p = planForSpec(*spec); !p)
                    return makeError(ErrorCode::InvalidArgument, "menu entry '" + fname + "' cannot be a menu option: " + p.error().detail);
                MenuOption o{std::move(*spec), std::string(m->name)};
                if (seen.insert(o.label()).second)
                    menu.push_back(std::move(o));
            }
        }
    }
    return menu;
}

std::vector<const ModelTensor *> planTensors(const Model &model, bool includeEmbedding, bool includeOutput)
{
    std::vector<const ModelTensor *> out;
    for (const ModelTensor &t : model.tensors()) {
        if (!isLinearRole(t.role) || t.view.shape.size() != 2)
            continue;
        if (t.role == TensorRole::Embedding && !includeEmbedding)
            continue;
        if (t.role == TensorRole::Output && !includeOutput)
            continue;
        out.push_back(&t);
    }
    return out;
}

std::int64_t exactBits(const FormatSpec &spec, std::int64_t rows, std::int64_t cols)
{
    return std::llround(bitsPerWeight(spec, rows, cols).total() * static_cast<double>(rows) * static_cast<double>(cols));
}

Result<std::pair<std::string, std::uint64_t>> measurementText(const Tokenizer &tok, std::string_view text, std::int64_t budget,
                                                              std::int64_t ctx)
{
    const auto docs = splitDocuments(text);
    std::string out;
    std::uint64_t tokens = 0;
    for (const std::string &d : docs) {
        if (budget > 0 && tokens >= static_cast<std::uint64_t>(budget))
            break;
        const auto n = std::min<std::int64_t>(static_cast<std::int64_t>(tok.encode(d, true).size()), ctx);
        if (n < 2)
            continue;
        tokens += static_cast<std::uint64_t>(n - 1);
        out += d;
        out += "\n<|endoftext|>\n";
    }
    if (tokens == 0)
        return makeError(ErrorCode::InvalidArgument, "the calibration text has no document with a token to predict");
    return std::pair{std::move(out), tokens};
}

std::string_view sensitivityModeName(SensitivityMode m)
{
    switch (m) {
    case SensitivityMode::Nll: return "nll";
    case SensitivityMode::Kl: return "kl";
    case SensitivityMode::Proxy: return "proxy";
    }
    return "nll";
}

Result<SensitivityMode> parseSensitivityMode(std::string_view name)
{
    for (const SensitivityMode m : {SensitivityMode::Nll, SensitivityMode::Kl, SensitivityMode::Proxy})
        if (sensitivityModeName(m) == name)
            return m;
    return makeError(ErrorCode::InvalidArgument, "unknown loss '" + std::string(name) + "' (nll, kl, proxy)");
}

std::string modelFingerprint(const Model &model)
{
    Fnv64 h;
    for (const ModelTensor &t : model.tensors()) {
        h.addString(t.view.name).addPod(t.view.dtype);
        for (const std::int64_t d : t.view.shape)
            h.addPod(d);
        if (t.view.decoder)
            h.addString(t.view.decoder->describe());
        else if (t.view.data)
            h.addSampled(t.view.bytes());
    }
    return h.hex();
}

Result<SensitivityTable> measureSensitivities(const Model &model, const CalibrationStats &stats, const Tokenizer &tok, std::string_view calibText,
                                              std::span<const MenuOption> menu, const SensitivityOptions &options,
                                              const SensitivityProgressFn &progress, std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (menu.empty())
        return makeError(ErrorCode::InvalidArgument, "the menu is empty");
    auto tensors = planTensors(model, options.includeEmbedding, options.includeOutput);
    if (!options.tensorPattern.empty()) {
        std::regex re;
        try {
            re = std::regex(options.tensorPattern, std::regex::ECMAScript);
        } catch (const std::regex_error &e) {
            return makeError(ErrorCode::InvalidArgument, "tensor pattern '" + options.tensorPattern + "': " + e.what());
        }
        std::erase_if(tensors, [&](const ModelTensor *t) { return !std::regex_search(t->view.name, re); });
    }
    if (tensors.empty())
        return makeError(ErrorCode::InvalidArgument, model.path() + ": no quantizable linear tensor" +
                                                         (options.tensorPattern.empty() ? std::string() : " matches '" + options.tensorPattern + "'"));
    if (options.mode != SensitivityMode::Proxy && options.evalTokens <= 0)
        return makeError(ErrorCode::InvalidArgument, "the measurement token budget must be positive");

    SensitivityTable table;
    table.mode = options.mode;
    table.menu.assign(menu.begin(), menu.end());
    table.modelHash = modelFingerprint(model);

    Measurer meas{model, tok, options, {}, {}};
    std::string calibKey = std::string(sensitivityModeName(options.mode)) + ":" + statsFingerprint(stats);
    if (options.mode != SensitivityMode::Proxy) {
        const std::int64_t ctx = options.contextLength > 0 ? options.contextLength : model.config().maxPositions;
        LOWBIT_TRY(auto mt, measurementText(tok, calibText, options.evalTokens, ctx));
        meas.text = std::move(mt.first);
        table.evalTokens = mt.second;
        Fnv64 th;
        th.addString(meas.text).addPod(ctx);
        calibKey += ":" + th.hex();
    }
    const std::string prefix = table.modelHash + "|" + calibKey + "|";
    const std::string methodKey = methodOptionsKey(options.methodOptions);

    SensitivityCache cache;
    if (!options.cachePath.empty())
        LOWBIT_CHECK(cache.load(options.cachePath));

    // The base loss (Nll), from the cache when possible.
    const std::string baseKey = prefix + "<base>";
    if (const CacheEntry *e = cache.find(baseKey)) {
        table.baseLoss = e->deltaLoss;
    } else {
        LOWBIT_TRY(table.baseLoss, meas.baseLoss(stop));
        cache.put(baseKey, CacheEntry{0, table.baseLoss, std::nan(""), "base"});
    }

    const auto total = static_cast<std::int64_t>(tensors.size() * menu.size());
    std::int64_t done = 0;
    auto saveCache = [&]() -> Status { return options.cachePath.empty() ? Status{} : cache.save(options.cachePath); };
    for (const ModelTensor *t : tensors) {
        const auto index = static_cast<std::size_t>(t - model.tensors().data());
        LayerSensitivity ls;
        ls.tensor = t->view.name;
        ls.role = t->role;
        ls.layer = t->layer;
        ls.rows = t->view.rows();
        ls.cols = t->view.cols();
        const ActivationStats *s = nullptr;
        if (const auto which = inputOfRole(t->role)) {
            s = stats.find(t->layer, *which);
            if (!s)
                return makeError(ErrorCode::InvalidArgument, ls.tensor + ": the calibration statistics have no " + linearInputName(*which)
                                                                 + " input for layer " + std::to_string(t->layer));
        }
        std::vector<float> w; // converted when the first option needs measuring
        for (const MenuOption &o : menu) {
            OptionSensitivity os;
            os.bits = exactBits(o.spec, ls.rows, ls.cols);
            LOWBIT_TRY(const MethodInfo *m, findMethod(o.method));
            if (m->needsCalibration && !s) {
                LOWBIT_TRY(m, findMethod("rtn"));
            }
            os.method = std::string(m->name);
            const std::string key = prefix + ls.tensor + "|" + o.label() + "|" + methodKey;
            if (const CacheEntry *e = cache.find(key); e && e->bits == os.bits) {
                os.deltaLoss = e->deltaLoss;
                os.proxyError = e->proxyError;
                os.fromCache = true;
                ++table.cached;
            } else {
                if (stop.stop_requested()) {
                    (void)saveCache();
                    return makeError(ErrorCode::Cancelled, "sensitivity measurement cancelled");
                }
                if (w.empty()) {
                    LOWBIT_TRY(w, t->view.toFloatVector());
                }
                LayerInput in;
                in.name = ls.tensor;
                in.weight = w.data();
                in.rows = ls.rows;
                in.cols = ls.cols;
                in.stats = s;
                MethodOptions mo = options.methodOptions;
                mo.threads = options.threads;
                auto q = m->run(in, o.spec, mo, {}, stop);
                if (!q) {
                    (void)saveCache();
                    return q.error().withContext(ls.tensor + " with " + o.label());
                }
                os.proxyError = q->report.proxyError;
                Result<double> d = 0.0;
                if (options.mode == SensitivityMode::Proxy) {
                    std::vector<float> wq(w.size());
                    LOWBIT_CHECK(q->tensor->decodeRows(wq.data(), 0, ls.rows));
                    d = proxyDelta(w.data(), wq.data(), ls.rows, ls.cols, s);
                } else {
                    d = meas.delta(index, q->tensor, table.baseLoss, stop);
                }
                if (!d) {
                    (void)saveCache();
                    return d.error().withContext(ls.tensor + " with " + o.label());
                }
                if (!std::isfinite(*d))
                    return makeError(ErrorCode::InvalidArgument, ls.tensor + " with " + o.label() + ": the measured loss is not finite");
                os.deltaLoss = *d;
                cache.put(key, CacheEntry{os.bits, os.deltaLoss, os.proxyError, os.method});
                ++table.measured;
            }
            ls.options.push_back(std::move(os));
            ++done;
            if (progress)
                progress(done, total, ls.tensor + ": " + o.label());
        }
        if (table.measured > 0)
            LOWBIT_CHECK(saveCache());
        table.layers.push_back(std::move(ls));
    }
    if (cache.dirty())
        LOWBIT_CHECK(saveCache());
    table.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return table;
}

} // namespace lowbit
