// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit formats [--group G] [--scale S] [--json]: every named format with its bits per weight.
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"

#include "core/quant/format.h"
#include "core/util/json.h"

#include <cstdio>
#include <ostream>

namespace lowbit::cli {

int runFormats(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    std::string pe;
    const auto a = Args::parse(argv, {"json"}, {"group", "scale", "format"}, pe);
    if (!a || !a->positionals().empty()) {
        err << "lowbit formats: " << (a ? "takes no positional arguments" : pe) << "\nusage: lowbit formats [--group G] [--scale fp16] [--format NAME] [--json]\n";
        return 2;
    }
    std::int64_t group = 32;
    if (const auto g = a->value("group")) {
        if (*g == "channel" || *g == "0")
            group = kPerChannel;
        else if (const auto n = parsePositiveInt(*g))
            group = *n;
        else {
            err << "lowbit formats: --group needs a positive integer or 'channel'\n";
            return 2;
        }
    }
    std::optional<ScaleStorage> storage;
    if (const auto s = a->value("scale")) {
        auto st = parseScaleStorage(*s);
        if (!st) {
            err << "lowbit formats: " << st.error().message() << "\n";
            return 2;
        }
        storage = *st;
    }
    std::vector<std::string> names = listFormatNames();
    if (const auto f = a->value("format"))
        names = {*f};
    Json arr = Json::array();
    std::string table = padRight("format", 14) + padRight("family", 16) + padLeft("code bits", 10) + padLeft("group", 8)
        + padLeft("scales", 7) + padLeft("bpw", 8) + "  grid\n";
    // bits per weight on a 4096-wide row (the group's share of the scales)
    constexpr std::int64_t kRows = 4096, kCols = 4096;
    for (const auto &n : names) {
        auto f = parseFormat(n);
        if (!f) {
            err << "lowbit formats: " << f.error().message() << "\n";
            return 1;
        }
        const bool fixed = f->family == FormatFamily::Mx || f->family == FormatFamily::Nvfp4; // own group and scale rules
        auto spec = makeFormatSpec(*f, fixed ? std::nullopt : std::optional(group), fixed ? std::nullopt : storage);
        if (!spec) {
            err << "lowbit formats: " << spec.error().message() << "\n";
            return 1;
        }
        const BpwBreakdown b = bitsPerWeight(*spec, kRows, kCols);
        Json j = Json::object();
        j["name"] = Json(f->name);
        j["family"] = Json(std::string(formatFamilyName(f->family)));
        j["code_bits"] = Json(f->codeBits());
        j["selector_bits"] = Json(f->selectorBits());
        j["two_scale"] = Json(f->twoScale);
        j["group"] = Json(static_cast<long long>(spec->groupSize));
        j["scale_storage"] = Json(std::string(scaleStorageName(spec->scaleStorage)));
        j["bpw"] = Json(b.total());
        std::string grid;
        if (!f->grid.empty()) {
            Json g = Json::array();
            for (float v : f->grid) {
                g.push(Json(static_cast<double>(v)));
                char buf[24];
                std::snprintf(buf, sizeof buf, "%s%g", grid.empty() ? "" : " ", static_cast<double>(v));
                grid += buf;
            }
            j["grid"] = std::move(g);
        }
        if (!f->members.empty()) {
            Json m = Json::array();
            for (const auto &mem : f->members) {
                m.push(Json(mem.name));
                grid += (grid.empty() ? "mixture of " : ", ") + mem.name;
            }
            j["members"] = std::move(m);
        }
        arr.push(std::move(j));
        char bpw[16];
        std::snprintf(bpw, sizeof bpw, "%.4f", b.total());
        const std::string groupText = spec->groupSize > 0 ? std::to_string(spec->groupSize) : spec->groupSize == 0 ? "chan" : "tensor";
        table += padRight(f->name, 14) + padRight(std::string(formatFamilyName(f->family)), 16) + padLeft(std::to_string(f->codeBits()), 10)
            + padLeft(groupText, 8) + padLeft(std::string(scaleStorageName(spec->scaleStorage)), 7) + padLeft(bpw, 8) + "  " + grid + "\n";
    }
    if (a->flag("json"))
        out << arr.dump(2) << "\n";
    else
        out << table << "\nAlso: fp-eXmY (3 ≤ 1+X+Y ≤ 8), -asym on any FP/NF/LUT grid, lut:v1,v2,…, mix:A|B|… (bpw shown for a 4096×4096 matrix)\n";
    return 0;
}

} // namespace lowbit::cli
