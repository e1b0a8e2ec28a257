// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Calibration statistics of every linear layer's input, accumulated over a text: the Hessian
/// proxy H = Σ x xᵀ (fp64), per-channel mean |x| and max |x|. Saved to and loaded from a
/// safetensors file so quantization methods can reuse them.

#include "core/eval/perplexity.h"
#include "core/infer/cpu_model.h"
#include "core/util/result.h"

#include <map>
#include <stop_token>
#include <string>
#include <vector>

namespace lowbit {

struct ActivationStats {
    std::int64_t dim = 0;
    std::uint64_t count = 0;           ///< rows (tokens) accumulated
    std::vector<double> hessian;       ///< dim × dim, row-major, symmetric
    std::vector<double> sumAbs;        ///< Σ |x| per channel
    std::vector<float> maxAbs;         ///< max |x| per channel

    void accumulate(const float *x, std::int64_t rows); ///< adds rows × dim activations
    std::vector<double> meanAbs() const;
};

struct CalibrationStats {
    std::uint64_t tokens = 0;
    /// keyed by (layer, input kind)
    std::map<std::pair<int, LinearInput>, ActivationStats> inputs;

    const ActivationStats *find(int layer, LinearInput which) const;
};

struct CalibrationOptions {
    std::int64_t maxTokens = 0;     ///< stop after this many tokens (0 = the whole text)
    std::int64_t contextLength = 0; ///< per document; 0 = the model's
};

/// Runs the text's documents (reference protocol) through the model and accumulates the stats.
/// `progress(done, total)` counts tokens against what will be read (maxTokens or the whole text).
Result<CalibrationStats> calibrate(CpuModel &model, const Tokenizer &tok, std::string_view text, const CalibrationOptions &options = {},
                                   const ProgressFn &progress = {}, std::stop_token stop = {});

/// Tensors "layers.<l>.<attn_in|attn_out|mlp_in|mlp_out>.<hessian|mean_abs|max_abs>" (F64/F64/F32)
/// and metadata {"lowbit.calibration": "1", "tokens": N}. Atomic write.
Status saveCalibration(const CalibrationStats &stats, const std::string &path, bool overwrite = true);
Result<CalibrationStats> loadCalibration(const std::string &path);

} // namespace lowbit
