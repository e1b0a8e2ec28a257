// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The rule both int8 quantizers of x follow (quantize_x8.comp, by chunks of 32 columns or by
/// pieces of 8): d = max|x|/127 over the block, q = x·127/max|x| rounded to nearest (0 for an
/// all-zero block), and 0 in the block's places past its last column.

#include <cstdint>
#include <string>

namespace lowbit::test {

/// Checks one quantized block against the rule: `x` the block's n real values, `q` its `width`
/// quantized ones, `d` its scale, `column` the block's first column (for the message). Returns
/// "" or what is wrong. A device division may land a near-tie (|frac − 0.5| < 1e-4) on its other
/// side: such a q may be one off, and `ties` counts them.
std::string checkQ8Block(const float *x, std::uint32_t n, std::uint32_t width, const int *q, float d,
                         std::uint32_t column, int &ties);

} // namespace lowbit::test
