// SPDX-License-Identifier: GPL-3.0-or-later
// lowbit formats [--group G] [--scale S] [--format NAME] [--json]: every named format of the
// core/formats registry with its family, code bits, exact bpw and grid.
#include "app/cli/args.h"
#include "app/cli/cli_util.h"
#include "app/cli/commands.h"

#include "core/formats/format_spec.h"
#include "core/util/json.h"

#include <cstdio>
#include <ostream>

namespace lowbit::cli {
namespace {

std::string familyLabel(const formats::Format &f)
{
    // finer than the table's family for grids: say what kind of grid it is
    if (f.family == formats::Family::Grid || f.family == formats::Family::GridAsym) {
        const std::string suffix = f.family == formats::Family::GridAsym ? "-afpq" : "";
        if (f.minifloatE >= 1)
            return "fp" + suffix;
        if (f.name.rfind("nf", 0) == 0)
            return "nf" + suffix;
        if (f.name.rfind("lut:", 0) == 0)
            return "lut" + suffix;
        return (f.name.rfind("fp3-", 0) == 0 || f.name.rfind("fp4-", 0) == 0 ? "bitmod-variant" : "grid") + suffix;
    }
    return std::string(f.traits().name);
}

} // namespace

int runFormats(const std::vector<std::string> &argv, std::ostream &out, std::ostream &err)
{
    using namespace formats;
    std::string pe;
    const auto a = Args::parse(argv, {"json"}, {"group", "scale", "format"}, pe);
    if (!a || !a->positionals().empty()) {
        err << "lowbit formats: " << (a ? "takes no positional arguments" : pe)
            << "\nusage: lowbit formats [--group G|channel|tensor] [--scale fp32|fp16|bf16|e8m0|e4m3] [--format NAME] [--json]\n";
        return 2;
    }
    std::int64_t group = 32;
    if (const auto g = a->value("group")) {
        if (*g == "channel" || *g == "0")
            group = kPerChannel;
        else if (*g == "tensor")
            group = kPerTensor;
        else if (const auto n = parsePositiveInt(*g))
            group = *n;
        else {
            err << "lowbit formats: --group needs a positive integer, 'channel' or 'tensor'\n";
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
    std::string table = padRight("format", 14) + padRight("family", 16) + padLeft("code bits", 10) + padLeft("group", 8) +
                        padLeft("scales", 7) + padLeft("bpw", 8) + "  grid\n";
    constexpr std::int64_t kRows = 4096, kCols = 4096; // bpw of a 4096×4096 matrix (tensor overheads vanish)
    for (const auto &n : names) {
        auto f = parseFormat(n);
        if (!f) {
            err << "lowbit formats: " << f.error().message() << "\n";
            return 1;
        }
        // formats with their own group/scale rules (MX, NVFP4, q4_0) keep them
        auto spec = makeFormatSpec(*f, group, f->traits().signedScale && storage == ScaleStorage::E8m0 ? std::nullopt : storage);
        if (!spec) {
            err << "lowbit formats: " << spec.error().message() << "\n";
            return 1;
        }
        auto b = bitsPerWeight(*spec, kRows, kCols);
        if (!b) {
            err << "lowbit formats: " << b.error().message() << "\n";
            return 1;
        }
        Json j = Json::object();
        j["name"] = Json(f->name);
        j["family"] = Json(familyLabel(*f));
        j["code_bits"] = Json(f->codeBits);
        j["selector_bits"] = Json(f->selectorBits);
        j["two_scale"] = Json(f->traits().twoScales);
        j["group"] = Json(static_cast<long long>(spec->group));
        j["scale_storage"] = Json(std::string(scaleStorageName(spec->storage)));
        j["bpw"] = Json(b->bitsPerWeight);
        std::string grid;
        if (!f->grid.empty()) {
            Json g = Json::array();
            for (const float v : f->grid) {
                g.push(Json(static_cast<double>(v)));
                char buf[24];
                std::snprintf(buf, sizeof buf, "%s%g", grid.empty() ? "" : " ", static_cast<double>(v));
                grid += buf;
            }
            j["grid"] = std::move(g);
        } else if (f->family == Family::IntSym || f->family == Family::IntAsym) {
            const int lo = f->family == Family::IntSym ? -static_cast<int>(f->qmax) : 0;
            const int hi = f->family == Family::IntSym ? static_cast<int>(f->qmax) : static_cast<int>(f->qmax);
            grid = "integers " + std::to_string(lo) + " … " + std::to_string(hi);
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
        std::snprintf(bpw, sizeof bpw, "%.4f", b->bitsPerWeight);
        const std::string groupText = spec->group > 0 ? std::to_string(spec->group) : spec->group == 0 ? "chan" : "tensor";
        table += padRight(f->name, 14) + padRight(familyLabel(*f), 16) + padLeft(std::to_string(f->codeBits), 10) +
                 padLeft(groupText, 8) + padLeft(std::string(scaleStorageName(spec->storage)), 7) + padLeft(bpw, 8) + "  " +
                 grid + "\n";
    }
    if (a->flag("json"))
        out << arr.dump(2) << "\n";
    else
        out << table
            << "\nAlso: fp-eXmY (3 ≤ 1+X+Y ≤ 8), -asym on any FP/NF/LUT grid, lut:v1,v2,…, mix:A|B|… (bpw for a 4096×4096 matrix)\n";
    return 0;
}

} // namespace lowbit::cli
