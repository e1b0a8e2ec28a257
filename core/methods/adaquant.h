// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// AdaQuant: layer-wise calibration of the rounding and the group scales (algorithms.md,
/// "Layer-wise calibration (AdaQuant) and continuous approximations").
///
/// Per layer it minimizes ‖W·X − Q(W + V)·X‖² = tr(ΔW H ΔWᵀ), H = Σ x xᵀ from the calibration
/// statistics (no samples needed: ∂/∂Ŵ = 2·(Ŵ − W)·H, one fp32 GEMM per iteration that also gives
/// the iterate's exact loss), with Adam over the parametrization of adaquant_layer.h, starting
/// from RTN (or GPTQ with AdaQuantOptions::startFromGptq when "gptq" is registered). The forward
/// pass is always the true quantizer; the backward pass goes through round/clamp by the chosen
/// rule (adaquant_rules.h): STE, or the continuous approximations with T annealed geometrically
/// from temperatureStart to temperatureEnd. The best iterate by true proxy error is kept, and the
/// result is never worse than the start (compared in fp64). It is deterministic (no sampling;
/// AdaQuantOptions::seed is unused) for a given thread count.
///
/// Options: iterations ∈ [0, 100000] (0 returns the start); learningRate ∈ (0, 1] is the Adam
/// step of the rounding offsets and zero points (index units, AdaQuant's lr for V); the
/// log-scales step kScaleLearningRateFactor × learningRate. The stop token is checked every
/// iteration (Cancelled); progress is reported every iteration.

#include "core/methods/method.h"

namespace lowbit {

/// Adam step of the log-scales relative to AdaQuantOptions::learningRate. Chosen on
/// bench_adaquant (int3, fp3-asym, nf3-asym, bitmod-fp3, int4-asym; factors 0.3…30): 10 gave the
/// lowest proxy error for both rules.
inline constexpr double kScaleLearningRateFactor = 10.0;

/// "adaquant": the rule of options.ada.rule (default Both: both rules from the same start, the
/// lower proxy error wins; report.detail names the winner and both errors).
Result<QuantizedLayer> runAdaQuant(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                                   const LayerProgressFn &progress, std::stop_token stop);
/// "adaquant-ste": the straight-through estimator.
Result<QuantizedLayer> runAdaQuantSte(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                                      const LayerProgressFn &progress, std::stop_token stop);
/// "adaquant-cont": the continuous approximations (sigmoid round, soft clamp).
Result<QuantizedLayer> runAdaQuantContinuous(const LayerInput &in, const FormatSpec &spec, const MethodOptions &opt,
                                             const LayerProgressFn &progress, std::stop_token stop);

} // namespace lowbit
