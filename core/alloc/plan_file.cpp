// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alloc/plan_file.h"

#include "core/alloc/sensitivity.h"
#include "core/methods/method.h"
#include "core/util/atomic_file.h"
#include "core/util/mapped_file.h"

#include <cmath>
#include <set>

namespace lowbit {

namespace {

Error malformed(const std::string &what) { return makeError(ErrorCode::Malformed, "plan: " + what); }

/// Typed field readers: each names the field when it is missing or has the wrong type.
struct Reader {
    const Json &obj;
    std::string where; ///< "tensors[3]" etc., for messages

    Result<const Json *> field(const char *key) const
    {
        const Json *v = obj.find(key);
        if (!v)
            return malformed(where + "missing \"" + key + "\"");
        return v;
    }
    Result<std::string> string(const char *key) const
    {
        LOWBIT_TRY(const Json *v, field(key));
        if (!v->isString())
            return malformed(where + "\"" + key + "\" must be a string");
        return v->asString();
    }
    Result<double> number(const char *key) const
    {
        LOWBIT_TRY(const Json *v, field(key));
        if (!v->isNumber() || !std::isfinite(v->asDouble()))
            return malformed(where + "\"" + key + "\" must be a finite number");
        return v->asDouble();
    }
    Result<std::int64_t> integer(const char *key, std::int64_t min) const
    {
        LOWBIT_TRY(const Json *v, field(key));
        const auto i = v->asInt64();
        if (!i || *i < min)
            return malformed(where + "\"" + key + "\" must be an integer ≥ " + std::to_string(min));
        return *i;
    }
    Result<std::vector<std::string>> strings(const char *key) const
    {
        LOWBIT_TRY(const Json *v, field(key));
        if (!v->isArray())
            return malformed(where + "\"" + key + "\" must be an array of strings");
        std::vector<std::string> out;
        for (const Json &s : v->asArray()) {
            if (!s.isString())
                return malformed(where + "\"" + key + "\" must be an array of strings");
            out.push_back(s.asString());
        }
        return out;
    }
};

Result<TensorRole> parseRole(const std::string &name, const std::string &where)
{
    for (std::size_t i = 0; i < kTensorRoleCount; ++i)
        if (tensorRoleName(static_cast<TensorRole>(i)) == name)
            return static_cast<TensorRole>(i);
    return malformed(where + "unknown role '" + name + "'");
}

Result<PlanEntry> entryFromJson(const Json &j, std::size_t index, std::set<std::string> &seen)
{
    const std::string where = "tensors[" + std::to_string(index) + "]: ";
    if (!j.isObject())
        return malformed(where + "must be an object");
    const Reader r{j, where};
    PlanEntry e;
    LOWBIT_TRY(e.tensor, r.string("tensor"));
    if (e.tensor.empty())
        return malformed(where + "empty tensor name");
    if (!seen.insert(e.tensor).second)
        return malformed(where + "tensor '" + e.tensor + "' is listed twice");
    LOWBIT_TRY(const std::string role, r.string("role"));
    LOWBIT_TRY(e.role, parseRole(role, where));
    if (!isLinearRole(e.role))
        return malformed(where + "role '" + role + "' is not a linear weight");
    LOWBIT_TRY(const std::int64_t layer, r.integer("layer", -1));
    if (layer > 1'000'000)
        return malformed(where + "layer index out of range");
    e.layer = static_cast<int>(layer);
    LOWBIT_TRY(e.rows, r.integer("rows", 1));
    LOWBIT_TRY(e.cols, r.integer("cols", 1));
    if (e.rows > (std::int64_t(1) << 31) || e.cols > (std::int64_t(1) << 31))
        return malformed(where + "shape out of range");
    LOWBIT_TRY(const std::string format, r.string("format"));
    auto f = parseFormat(format);
    if (!f)
        return malformed(where + f.error().detail);
    LOWBIT_TRY(const std::int64_t group, r.integer("group", kPerTensor));
    LOWBIT_TRY(const std::string scale, r.string("scale"));
    auto storage = parseScaleStorage(scale);
    if (!storage)
        return malformed(where + storage.error().detail);
    LOWBIT_TRY(const double clip, r.number("clip"));
    auto spec = makeFormatSpec(*f, group, *storage, static_cast<float>(clip));
    if (!spec)
        return malformed(where + spec.error().detail);
    if (spec->groupSize != group || spec->scaleStorage != *storage)
        return malformed(where + "format '" + format + "' does not take group " + std::to_string(group) + " with " + scale + " scales");
    e.spec = std::move(*spec);
    LOWBIT_TRY(e.method, r.string("method"));
    if (auto m = findMethod(e.method); !m)
        return malformed(where + m.error().detail);
    LOWBIT_TRY(e.bits, r.integer("bits", 0));
    if (e.bits != exactBits(e.spec, e.rows, e.cols))
        return malformed(where + "\"bits\" " + std::to_string(e.bits) + " disagree with " + describeSpec(e.spec) + " on a "
                         + std::to_string(e.rows) + "×" + std::to_string(e.cols) + " tensor (" +
                         std::to_string(exactBits(e.spec, e.rows, e.cols)) + ")");
    LOWBIT_TRY(e.predictedDeltaLoss, r.number("predicted_delta_loss"));
    return e;
}

} // namespace

std::int64_t Plan::totalBits() const
{
    std::int64_t s = 0;
    for (const PlanEntry &e : tensors)
        s += e.bits;
    return s;
}

std::int64_t Plan::totalWeights() const
{
    std::int64_t s = 0;
    for (const PlanEntry &e : tensors)
        s += e.rows * e.cols;
    return s;
}

double Plan::bpw() const
{
    const std::int64_t w = totalWeights();
    return w > 0 ? static_cast<double>(totalBits()) / static_cast<double>(w) : 0.0;
}

double Plan::predictedLoss() const
{
    double s = 0;
    for (const PlanEntry &e : tensors)
        s += e.predictedDeltaLoss;
    return s;
}

Json planToJson(const Plan &plan)
{
    Json j = Json::object();
    j["lowbit.plan"] = Json(kPlanFileVersion);
    j["model"] = Json(plan.model);
    j["model_hash"] = Json(plan.modelHash);
    j["budget_bpw"] = Json(plan.budgetBpw);
    j["bpw"] = Json(plan.bpw());
    j["total_bits"] = Json(static_cast<long long>(plan.totalBits()));
    j["total_weights"] = Json(static_cast<long long>(plan.totalWeights()));
    j["loss"] = Json(plan.lossMode);
    j["base_loss"] = Json(plan.baseLoss);
    j["predicted_loss"] = Json(plan.predictedLoss());
    j["eval_tokens"] = Json(static_cast<unsigned long long>(plan.evalTokens));
    Json menu = Json::array(), rules = Json::array(), tensors = Json::array(), frontier = Json::array();
    for (const std::string &m : plan.menu)
        menu.push(Json(m));
    for (const std::string &r : plan.rules)
        rules.push(Json(r));
    for (const PlanEntry &e : plan.tensors) {
        Json t = Json::object();
        t["tensor"] = Json(e.tensor);
        t["role"] = Json(tensorRoleName(e.role));
        t["layer"] = Json(e.layer);
        t["rows"] = Json(static_cast<long long>(e.rows));
        t["cols"] = Json(static_cast<long long>(e.cols));
        t["format"] = Json(e.spec.format.name);
        t["group"] = Json(static_cast<long long>(e.spec.groupSize));
        t["scale"] = Json(scaleStorageName(e.spec.scaleStorage));
        t["clip"] = Json(static_cast<double>(e.spec.clip));
        t["method"] = Json(e.method);
        t["bits"] = Json(static_cast<long long>(e.bits));
        t["bpw"] = Json(static_cast<double>(e.bits) / static_cast<double>(e.rows * e.cols));
        t["predicted_delta_loss"] = Json(e.predictedDeltaLoss);
        tensors.push(std::move(t));
    }
    for (const PlanFrontierPoint &p : plan.frontier) {
        Json f = Json::object();
        f["bpw"] = Json(p.bpw);
        f["predicted_loss"] = Json(p.predictedLoss);
        frontier.push(std::move(f));
    }
    j["menu"] = std::move(menu);
    j["rules"] = std::move(rules);
    j["tensors"] = std::move(tensors);
    j["frontier"] = std::move(frontier);
    return j;
}

Result<Plan> planFromJson(const Json &json)
{
    if (!json.isObject())
        return malformed("the document must be a JSON object");
    const Reader r{json, ""};
    const Json *version = json.find("lowbit.plan");
    if (!version)
        return malformed("missing \"lowbit.plan\" (not a plan file)");
    const auto v = version->asInt64();
    if (!v || *v < 1)
        return malformed("\"lowbit.plan\" must be a positive integer version");
    if (*v > kPlanFileVersion)
        return makeError(ErrorCode::Unsupported, "plan: version " + std::to_string(*v) + " is newer than this program reads ("
                                                     + std::to_string(kPlanFileVersion) + ")");
    Plan p;
    LOWBIT_TRY(p.model, r.string("model"));
    LOWBIT_TRY(p.modelHash, r.string("model_hash"));
    LOWBIT_TRY(p.budgetBpw, r.number("budget_bpw"));
    if (p.budgetBpw <= 0)
        return malformed("\"budget_bpw\" must be positive");
    LOWBIT_TRY(p.lossMode, r.string("loss"));
    if (auto m = parseSensitivityMode(p.lossMode); !m)
        return malformed(m.error().detail);
    LOWBIT_TRY(p.baseLoss, r.number("base_loss"));
    LOWBIT_TRY(const std::int64_t tokens, r.integer("eval_tokens", 0));
    p.evalTokens = static_cast<std::uint64_t>(tokens);
    LOWBIT_TRY(p.menu, r.strings("menu"));
    LOWBIT_TRY(p.rules, r.strings("rules"));
    LOWBIT_TRY(const Json *tensors, r.field("tensors"));
    if (!tensors->isArray() || tensors->asArray().empty())
        return malformed("\"tensors\" must be a non-empty array");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < tensors->asArray().size(); ++i) {
        LOWBIT_TRY(PlanEntry e, entryFromJson(tensors->asArray()[i], i, seen));
        p.tensors.push_back(std::move(e));
    }
    LOWBIT_TRY(const Json *frontier, r.field("frontier"));
    if (!frontier->isArray())
        return malformed("\"frontier\" must be an array");
    for (std::size_t i = 0; i < frontier->asArray().size(); ++i) {
        const Json &f = frontier->asArray()[i];
        if (!f.isObject())
            return malformed("frontier[" + std::to_string(i) + "] must be an object");
        const Reader fr{f, "frontier[" + std::to_string(i) + "]: "};
        PlanFrontierPoint pt;
        LOWBIT_TRY(pt.bpw, fr.number("bpw"));
        LOWBIT_TRY(pt.predictedLoss, fr.number("predicted_loss"));
        p.frontier.push_back(pt);
    }
    // The summary fields are derived: a file whose totals disagree with its tensors was edited
    // inconsistently.
    LOWBIT_TRY(const std::int64_t totalBits, r.integer("total_bits", 0));
    if (totalBits != p.totalBits())
        return malformed("\"total_bits\" " + std::to_string(totalBits) + " is not the sum of the tensors' bits (" +
                         std::to_string(p.totalBits()) + ")");
    LOWBIT_TRY(const std::int64_t totalWeights, r.integer("total_weights", 0));
    if (totalWeights != p.totalWeights())
        return malformed("\"total_weights\" is not the sum of the tensors' rows × cols");
    return p;
}

Status savePlan(const Plan &plan, const std::string &path, bool overwrite)
{
    const std::string text = planToJson(plan).dump(2) + "\n";
    LOWBIT_TRY(AtomicFileWriter w, AtomicFileWriter::create(path, overwrite));
    LOWBIT_CHECK(w.write(text.data(), text.size()));
    return w.commit();
}

Result<Plan> loadPlan(const std::string &path)
{
    LOWBIT_TRY(std::string text, readTextFile(path, std::size_t(64) << 20));
    auto json = parseJson(text);
    if (!json)
        return json.error().withContext(path);
    auto plan = planFromJson(*json);
    if (!plan)
        return plan.error().withContext(path);
    return plan;
}

Status checkPlanAgainstModel(const Plan &plan, const Model &model)
{
    for (const PlanEntry &e : plan.tensors) {
        const ModelTensor *t = model.findByName(e.tensor);
        if (!t)
            return makeError(ErrorCode::Inconsistent, "plan: tensor '" + e.tensor + "' is not in " + model.path());
        if (t->view.shape.size() != 2 || t->view.rows() != e.rows || t->view.cols() != e.cols)
            return makeError(ErrorCode::Inconsistent, "plan: tensor '" + e.tensor + "' is " + shapeToString(t->view.shape) + " in "
                                                          + model.path() + ", the plan says [" + std::to_string(e.rows) + ", "
                                                          + std::to_string(e.cols) + "]");
    }
    if (!plan.modelHash.empty() && plan.modelHash != modelFingerprint(model))
        return makeError(ErrorCode::Inconsistent, "plan: made for a model with other weights (fingerprint " + plan.modelHash + ", " +
                                                      model.path() + " has " + modelFingerprint(model) + ")");
    return {};
}

Status applyPlan(const Plan &plan, QuantizeConfig &config)
{
    if (plan.tensors.empty())
        return makeError(ErrorCode::InvalidArgument, "plan: no tensors");
    for (const PlanEntry &e : plan.tensors) {
        config.plan[e.tensor] = e.spec;
        config.planMethod[e.tensor] = e.method;
        if (e.role == TensorRole::Embedding)
            config.includeEmbedding = true;
        if (e.role == TensorRole::Output)
            config.includeOutput = true;
    }
    return {};
}

} // namespace lowbit
