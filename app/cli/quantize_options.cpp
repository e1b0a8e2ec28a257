// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/quantize_options.h"

#include "app/cli/cli_util.h"

#include "core/methods/vptq.h"

namespace lowbit::cli {

namespace {

Result<std::optional<std::int64_t>> parseGroup(const std::string &g)
{
    if (g == "channel")
        return std::optional<std::int64_t>(kPerChannel);
    if (g == "tensor")
        return std::optional<std::int64_t>(kPerTensor);
    if (const auto n = parsePositiveInt(g))
        return std::optional<std::int64_t>(*n);
    return makeError(ErrorCode::InvalidArgument, "group '" + g + "': a positive integer, 'channel' or 'tensor'");
}

Result<std::int64_t> positive(const Args &a, const char *name, std::int64_t fallback)
{
    const auto v = a.value(name);
    if (!v)
        return fallback;
    const auto n = parsePositiveInt(*v);
    if (!n)
        return makeError(ErrorCode::InvalidArgument, std::string("--") + name + " needs a positive integer");
    return *n;
}

} // namespace

std::set<std::string> quantizeFlagOptions() { return {"json", "force", "act-order", "include-embedding", "include-output"}; }

std::set<std::string> quantizeValuedOptions()
{
    return {"method", "format", "group", "scale", "calib", "calib-tokens", "vq", "skip", "layer-format",
            "damp", "block", "ada-iters", "threads", "out"};
}

Result<FormatSpec> parseSpecArgument(std::string_view text, std::optional<std::int64_t> defaultGroup, std::optional<ScaleStorage> storage)
{
    std::string name(text);
    std::optional<std::int64_t> group = defaultGroup;
    if (const auto at = name.rfind('@'); at != std::string::npos) {
        LOWBIT_TRY(group, parseGroup(name.substr(at + 1)));
        name.resize(at);
    }
    LOWBIT_TRY(const Format f, parseFormat(name));
    // Checkpoints store scales in fp16 (GPTQ, AWQ, llama.cpp): the default unless asked otherwise
    // or the format fixes its own (MX E8M0, NVFP4 E4M3).
    if (!storage && !familyTraits(f.family).fixedStorage)
        storage = ScaleStorage::F16;
    return makeFormatSpec(f, group, storage);
}

Status parseQuantizeConfig(const Args &a, QuantizeConfig &config)
{
    config = {};
    config.method = a.value("method").value_or("rtn");
    LOWBIT_TRY(const MethodInfo *method, findMethod(config.method));
    std::optional<std::int64_t> group;
    if (const auto g = a.value("group")) {
        LOWBIT_TRY(group, parseGroup(*g));
    }
    std::optional<ScaleStorage> storage;
    if (const auto s = a.value("scale")) {
        LOWBIT_TRY(storage, parseScaleStorage(*s));
    }
    const auto format = a.value("format");
    const bool fromPlan = a.value("plan") || a.value("budget");
    if (!format && !method->vector && !fromPlan)
        return makeError(ErrorCode::InvalidArgument, "--format NAME is required (see lowbit formats)");
    LOWBIT_TRY(config.defaultSpec, parseSpecArgument(format.value_or("int4"), group, storage));
    for (const std::string &rule : a.values("layer-format")) {
        const auto eq = rule.rfind('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == rule.size())
            return makeError(ErrorCode::InvalidArgument, "--layer-format '" + rule + "': expected REGEX=FORMAT[@G]");
        auto spec = parseSpecArgument(rule.substr(eq + 1), group, storage);
        if (!spec)
            return makeError(ErrorCode::InvalidArgument, "--layer-format '" + rule + "': " + spec.error().detail);
        config.rules.push_back({rule.substr(0, eq), *spec});
    }
    config.skipPattern = a.value("skip").value_or("");
    if (fromPlan && !format)
        config.skipPattern = ".*"; // only the plan's tensors (a plan entry beats --skip)
    config.includeEmbedding = a.flag("include-embedding");
    config.includeOutput = a.flag("include-output");
    LOWBIT_TRY(const std::int64_t threads, positive(a, "threads", 0));
    config.options.threads = static_cast<unsigned>(threads);
    LOWBIT_TRY(config.options.gptq.blockSize, positive(a, "block", config.options.gptq.blockSize));
    config.options.gptq.actOrder = a.flag("act-order");
    if (const auto d = a.value("damp")) {
        const auto v = parseDouble(*d);
        if (!v || !(*v >= 0) || *v > 10)
            return makeError(ErrorCode::InvalidArgument, "--damp needs a number in [0, 10]");
        config.options.gptq.damp = *v;
        config.options.vq.damp = *v;
    }
    LOWBIT_TRY(const std::int64_t iters, positive(a, "ada-iters", config.options.ada.iterations));
    config.options.ada.iterations = static_cast<int>(iters);
    LOWBIT_TRY(const std::int64_t calibTokens, positive(a, "calib-tokens", 0));
    (void)calibTokens;
    if (const auto vq = a.value("vq")) {
        auto parsed = parseVqOptions(*vq, config.options.vq);
        if (!parsed)
            return makeError(ErrorCode::InvalidArgument, "--vq: " + parsed.error().detail);
        config.options.vq = *parsed;
    }
    return {};
}

} // namespace lowbit::cli
