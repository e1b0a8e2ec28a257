// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Per-layer sensitivities for mixed precision (algorithms.md, "Bit allocation under a budget"):
/// for every quantizable tensor l and every menu option p (format spec × method), ΔL_{l,p} is the
/// loss increase when ONLY tensor l is quantized with p, and cost_{l,p} its exact storage in bits.
///
/// Loss modes:
///  - Nll (default): calibration NLL of the model with tensor l replaced by its decoder view
///    (Model::fromParts with the other tensors unchanged) minus the unquantized model's NLL, on
///    whole calibration documents up to a token budget;
///  - Kl: mean KL(unquantized ‖ quantized) over the same tokens (compareModels), ≥ 0;
///  - Proxy: no forward passes. ΔL ≈ tr(ΔW H ΔWᵀ) / N (ΔW = W − Ŵ, H = Σ x xᵀ over the N
///    calibration tokens of the layer's input): the mean squared output perturbation per token,
///    i.e. the quantity GPTQ minimizes. Units are squared activations, not nats; the allocation
///    only compares sums, so a global scale does not matter, but the proxy assumes that a unit of
///    output error costs the same loss in every layer. Tensors without calibration input
///    (embedding, separate classifier) use ‖ΔW‖²_F / rows (one-hot inputs, uniform tokens).
///
/// Threads: each Nll/Kl measurement evaluates its documents on forks of the engine sharing the
/// weights (one document per thread, evaluatePerplexity), and the methods get `threads`; the
/// (tensor, option) pairs run one after the other so the cache is written in a fixed order.
///
/// Results are cached in a JSON file keyed by model fingerprint, calibration fingerprint, loss
/// mode, token budget, tensor, option and method options, so a new budget, a grown menu or a
/// re-run after cancelling needs no re-measurement (docs/plan.md describes the file).

#include "core/calib/calibration.h"
#include "core/methods/method.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lowbit {

/// One candidate configuration of a layer: a scalar format spec and the method that runs it.
struct MenuOption {
    FormatSpec spec;
    std::string method; ///< registry name (method.h); a scalar method (vector methods are refused)
    /// "int4 g32 fp16 gptq" (describeSpec + method; " clip 0.9" when clipped): unique in a menu.
    std::string label() const;
};

/// formats ("int3,int4,fp4-asym"; spaces allowed) × groups × methods. Formats with a fixed group
/// (mxfp4, nvfp4, q4_0) appear once with their own group; duplicates are dropped. `storage`
/// applies where the family allows a choice (nullopt: makeFormatSpec's default).
/// Errors: InvalidArgument for an empty list, an unknown format/method, a vector method, a bad
/// group or a format that has no fast quantizer path.
Result<std::vector<MenuOption>> buildMenu(std::string_view formats, std::span<const std::int64_t> groups,
                                          std::optional<ScaleStorage> storage, std::span<const std::string> methods);

/// The tensors a budget plan covers: 2-D linear weights of the blocks (q/k/v/o/gate/up/down),
/// plus the token embedding / a separate classifier when asked. Model order.
std::vector<const ModelTensor *> planTensors(const Model &model, bool includeEmbedding, bool includeOutput);

/// Exact storage of a rows × cols tensor under a spec: bitsPerWeight(spec).total() × rows × cols.
std::int64_t exactBits(const FormatSpec &spec, std::int64_t rows, std::int64_t cols);

enum class SensitivityMode : std::uint8_t { Nll, Kl, Proxy };
std::string_view sensitivityModeName(SensitivityMode m); ///< "nll", "kl", "proxy"
Result<SensitivityMode> parseSensitivityMode(std::string_view name);

struct SensitivityOptions {
    SensitivityMode mode = SensitivityMode::Nll;
    /// Nll/Kl: whole calibration documents are taken until this many predicted tokens (≥ 1 doc).
    std::int64_t evalTokens = 4096;
    std::int64_t contextLength = 0;   ///< per document; 0 = the model's
    MethodOptions methodOptions;
    bool includeEmbedding = false;
    bool includeOutput = false;
    /// ECMAScript regex searched in tensor names: measure only the matching plan tensors
    /// (empty: all). For a quick look at a few layers; a budget plan needs every tensor.
    std::string tensorPattern;
    std::string cachePath;            ///< empty: no cache file
    unsigned threads = 0;             ///< engine and method threads; 0 = all cores
};

struct OptionSensitivity {
    std::int64_t bits = 0;            ///< exact storage of the tensor under the option
    double deltaLoss = 0;             ///< ΔL (see the loss modes above)
    double proxyError = 0;            ///< relative output error tr(ΔW H ΔWᵀ)/tr(W H Wᵀ) (NaN without stats)
    std::string method;               ///< the method that ran (rtn where the menu's needs stats the tensor lacks)
    bool fromCache = false;
};

struct LayerSensitivity {
    std::string tensor;
    TensorRole role = TensorRole::Other;
    int layer = -1;
    std::int64_t rows = 0, cols = 0;
    std::vector<OptionSensitivity> options; ///< one per menu option, same order
};

struct SensitivityTable {
    SensitivityMode mode = SensitivityMode::Nll;
    std::vector<MenuOption> menu;
    std::vector<LayerSensitivity> layers;
    double baseLoss = 0;              ///< Nll: the unquantized model's NLL (nats/token); Kl/Proxy: 0
    std::uint64_t evalTokens = 0;     ///< predicted tokens of each measurement (0 for Proxy)
    std::string modelHash;            ///< modelFingerprint()
    std::int64_t measured = 0;        ///< (layer, option) pairs measured now
    std::int64_t cached = 0;          ///< pairs taken from the cache
    double seconds = 0;
};

/// (pairs done, pairs total, "tensor: option") — called after each pair, from the calling thread.
using SensitivityProgressFn = std::function<void(std::int64_t, std::int64_t, const std::string &)>;

/// Measures (or loads from the cache) ΔL for every plan tensor × menu option. `calibText` is the
/// text the Nll/Kl measurements run on (the calibration text: the same documents `stats` came
/// from is fine). Errors: InvalidArgument (empty menu, no plan tensors, no scored tokens, a method
/// failing on a tensor — named), Malformed for a corrupt cache file, Io, Cancelled (what was
/// measured so far is still written to the cache).
Result<SensitivityTable> measureSensitivities(const Model &model, const CalibrationStats &stats, const Tokenizer &tok,
                                              std::string_view calibText, std::span<const MenuOption> menu,
                                              const SensitivityOptions &options, const SensitivityProgressFn &progress = {},
                                              std::stop_token stop = {});

/// The documents Nll/Kl measurements run on: whole documents of `text` (split on
/// <|endoftext|>) until `tokens` predicted tokens (each document truncated to `contextLength`),
/// re-joined so evaluatePerplexity splits them identically. Returns the text and its predicted
/// token count. Errors: InvalidArgument when no document has a token to predict.
Result<std::pair<std::string, std::uint64_t>> measurementText(const Tokenizer &tok, std::string_view text, std::int64_t tokens,
                                                              std::int64_t contextLength);

/// A 64-bit FNV-1a fingerprint (16 hex digits) of the model's tensors: names, dtypes, shapes and
/// bytes (tensors over 1 MiB: 64 evenly spaced 4 KiB windows, so a 7B model hashes in
/// milliseconds; quantized views: their description).
std::string modelFingerprint(const Model &model);

} // namespace lowbit
