// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The FP scaling law of algorithms.md ("FP scaling law"): a *training* law relating the loss of a
/// model trained in FP ExMy to N, D, E, M and the block size B. The studio shows it as a prior
/// beside measured PTQ error when exploring ExMy splits, never as a measurement.

#include <cstdint>
#include <vector>

namespace lowbit::studio {

struct FpScalingLawInput {
    double params = 0;          ///< N (model parameters)
    double tokens = 0;          ///< D (training tokens); 0: Chinchilla's 20·N
    double blockSize = 32;      ///< B (quantization block size; per-channel: the row length)
};

/// L(N, D, E, M, B) with the paper's constants; NaN for N ≤ 0.
double fpScalingLawLoss(const FpScalingLawInput &in, int exponentBits, int mantissaBits);
/// The precision-dependent term only: (D^β/N^α)·log2(B)/(γ(E+0.5)^δ(M+0.5)^ν), i.e. the
/// predicted loss increase over infinite precision.
double fpScalingLawPenalty(const FpScalingLawInput &in, int exponentBits, int mantissaBits);

struct FpSplitPrior {
    int exponentBits = 0, mantissaBits = 0;
    double penalty = 0;         ///< fpScalingLawPenalty
};
/// Every split E + M + 1 = totalBits with E ≥ 1, M ≥ 0 (ascending E).
std::vector<FpSplitPrior> fpSplitPriors(const FpScalingLawInput &in, int totalBits);
/// The law's optimum split of P bits: E ≈ δP/(δ+ν) − 0.5 rounded (E2M1, E2M2, E3M2, E3M3, E4M3 for P = 4…8).
int fpScalingLawBestExponent(int totalBits);

} // namespace lowbit::studio
