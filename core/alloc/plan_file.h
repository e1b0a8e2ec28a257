// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The mixed-precision plan: which format spec and method each tensor gets, as chosen by the bit
/// allocator, with the predicted loss. A JSON file shared by the GUI and the CLI (`lowbit plan`,
/// `lowbit quantize --plan`); docs/plan.md describes every field. Reading validates everything:
/// a hand-edited or hostile file gives a Malformed error naming the field, never a crash.

#include "core/methods/quantize_model.h"
#include "core/model/model.h"
#include "core/quant/format.h"
#include "core/util/json.h"
#include "core/util/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowbit {

inline constexpr int kPlanFileVersion = 1;

struct PlanEntry {
    std::string tensor;           ///< exact tensor name in the model
    TensorRole role = TensorRole::Other;
    int layer = -1;
    std::int64_t rows = 0, cols = 0;
    FormatSpec spec;
    std::string method;           ///< registry name
    std::int64_t bits = 0;        ///< exactBits(spec, rows, cols)
    double predictedDeltaLoss = 0;///< ΔL measured for this tensor alone with this option
};

struct PlanFrontierPoint {
    double bpw = 0;               ///< achieved bits per weight of the optimum at that budget
    double predictedLoss = 0;     ///< Σ ΔL of that optimum
};

struct Plan {
    std::string model;            ///< path the plan was made for (informative)
    std::string modelHash;        ///< modelFingerprint(); empty: not checked
    double budgetBpw = 0;         ///< the requested budget
    std::string lossMode = "nll"; ///< "nll", "kl" or "proxy" (what predicted losses mean)
    double baseLoss = 0;          ///< nll: the unquantized calibration NLL
    std::uint64_t evalTokens = 0; ///< tokens each ΔL was measured on (0 for proxy)
    std::vector<std::string> menu;///< the option labels the allocator chose from
    std::vector<std::string> rules;///< the constraints, as typed ("down>=4")
    std::vector<PlanEntry> tensors;
    std::vector<PlanFrontierPoint> frontier; ///< predicted loss vs bpw (may be empty)

    std::int64_t totalBits() const;
    std::int64_t totalWeights() const;
    double bpw() const;           ///< totalBits / totalWeights (0 when empty)
    double predictedLoss() const; ///< Σ predictedDeltaLoss
};

Json planToJson(const Plan &plan);
/// Errors: Malformed naming the field (missing/extra-typed fields, unknown format or method,
/// invalid group/storage, duplicate tensors, non-positive shapes, bits that disagree with the
/// spec, non-finite numbers), Unsupported for a newer version.
Result<Plan> planFromJson(const Json &json);

/// Atomic write. Errors: InvalidArgument when the file exists and overwrite is false, Io.
Status savePlan(const Plan &plan, const std::string &path, bool overwrite = true);
/// Errors: NotFound / Io, and planFromJson's errors prefixed with the path.
Result<Plan> loadPlan(const std::string &path);

/// Checks that every planned tensor exists in `model` with the planned shape and that the
/// model fingerprint matches when the plan has one. Errors: Inconsistent naming the tensor.
Status checkPlanAgainstModel(const Plan &plan, const Model &model);

/// Fills config.plan / config.planMethod from the plan and sets includeEmbedding /
/// includeOutput when the plan covers those tensors (the rest of the config is untouched).
/// Errors: InvalidArgument for an empty plan.
Status applyPlan(const Plan &plan, QuantizeConfig &config);

} // namespace lowbit
