// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Options of `lowbit quantize` → a QuantizeConfig (shared with commands that quantize, such as plan).

#include "app/cli/args.h"

#include "core/methods/quantize_model.h"
#include "core/util/result.h"

#include <set>
#include <string>
#include <string_view>

namespace lowbit::cli {

inline constexpr std::string_view kQuantizeUsage =
    "lowbit quantize MODEL --method rtn|clip|gptq|vptq|adaquant|adaquant-ste|adaquant-cont --format NAME [--group G|channel|tensor]\n"
    "       [--scale fp32|fp16|bf16|e8m0|e4m3] [--calib TEXT|STATS.safetensors] [--calib-tokens N] [--vq v=8,k=4096,res=256,outliers=1%]\n"
    "       [--skip REGEX] [--layer-format REGEX=FORMAT[@G] ...] [--include-embedding] [--include-output]\n"
    "       [--damp L] [--act-order] [--block B] [--ada-iters N] [--threads T] --out OUT.lowbit.safetensors [--force] [--json]";

std::set<std::string> quantizeFlagOptions();
std::set<std::string> quantizeValuedOptions();

/// Fills config from the options (method, default spec, rules, skip, method options). Errors:
/// InvalidArgument with a message fit for the user.
Status parseQuantizeConfig(const Args &a, QuantizeConfig &config);

/// "int4", "int4@64": a format name with an optional group; scale storage from `storage` when
/// given, else fp16 (what checkpoints store) unless the format fixes its own.
Result<FormatSpec> parseSpecArgument(std::string_view text, std::optional<std::int64_t> defaultGroup,
                                     std::optional<ScaleStorage> storage);

} // namespace lowbit::cli
