// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Where the CPU engine gets the fp32 matrix of each linear layer (q/k/v/o, gate/up/down and a
/// separate classifier): either converted once at load and kept (Resident: fastest, memory =
/// 4 bytes per weight), or dequantized from the model's own storage each time a layer runs
/// (OnTheFly: memory = the model's bytes plus one fp32 matrix per role, for models too large to
/// hold in fp32 and for quantized weights). Both give bit-identical results.

#include "core/model/model.h"
#include "core/util/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace lowbit {

enum class WeightMode : std::uint8_t {
    Resident, ///< every matrix converted to fp32 at load
    OnTheFly, ///< converted when fetched (the provider shares ownership of the model's bytes);
              ///< aligned fp32 tensors needing no RoPE permutation are used in place
};

class WeightProvider {
public:
    virtual ~WeightProvider() = default;

    /// The fp32 matrix [out, in] (row-major, as stored) of a linear role (Q, K, V, O, Gate, Up,
    /// Down, Output) in `layer` (-1 for Output). Q and K rows come in the half-split RoPE pairing
    /// (i, i + headDim/2) whatever the model's layout, so every source runs the same arithmetic.
    /// The span stays valid until the next fetch of the same role (OnTheFly) or for the
    /// provider's lifetime (Resident).
    /// Errors: InvalidArgument for a role/layer the model does not have; conversion errors
    /// (naming the tensor) in OnTheFly mode.
    virtual Result<std::span<const float>> fetch(TensorRole role, int layer) = 0;

    /// Bytes of fp32 weight memory the provider holds now.
    virtual std::uint64_t residentBytes() const = 0;
};

/// Creates a provider over `model` after checking that every linear tensor exists with
/// [out, in] = the shape the config implies (Inconsistent otherwise). Output is included only
/// when the model has a separate classifier. Resident mode converts everything here and
/// reports the first conversion error.
Result<std::unique_ptr<WeightProvider>> makeWeightProvider(const Model &model, WeightMode mode);

/// [out, in] of a linear role under the config (Output: [vocab, hidden]); {0, 0} for others.
std::pair<std::int64_t, std::int64_t> linearShape(const ModelConfig &config, TensorRole role);

} // namespace lowbit
