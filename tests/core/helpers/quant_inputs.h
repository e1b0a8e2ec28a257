// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Inputs shared by the reference-quantizer tests (tst_quantize_ref*, tst_error_measures):
/// a FormatSpec from a public name, weight matrices with adversarial groups, bitwise equality.

#include "core/quant/format.h"

#include <cstdint>
#include <vector>

namespace lowbit::test {

/// The spec of a registry name; MX, NVFP4 and q4_0 keep their fixed group and storage (the other
/// arguments are ignored for them). Aborts the test binary on a bad name (a bug in the test).
FormatSpec specOf(const char *name, std::int64_t group = 32, ScaleStorage storage = ScaleStorage::F32, float clip = 1.0f);

/// n weights, N(0, 0.05²) then by kind: 0 plain; 1 skewed positive; 2 adversarial stretches of 40
/// (all zero, constant −0.75, one 1e30 outlier, denormals, NaNs, ±Inf, all NaN); 3 multiples of
/// 0.25 in [−6, 6] with ±6 every 16 elements (exact grid midpoints under scales of 2^k).
std::vector<float> quantInputs(int kind, std::int64_t n, std::uint32_t seed);

/// Equal bit patterns (distinguishes −0 from +0 and compares NaNs).
bool sameBits(const std::vector<float> &a, const std::vector<float> &b);

} // namespace lowbit::test
