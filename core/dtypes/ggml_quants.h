// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Reference quantizers of ggml block types (ggml-quants.c's quantize_row_*_ref rules), used by
/// the GGUF writer and the tests. `n` is a multiple of 32.

#include <cstddef>

namespace lowbit {

/// Q8_0: d = absmax/127, q = round(x/d).
void quantizeQ8_0Ref(const float *x, std::byte *dst, std::size_t n);
/// Q4_0: d = (value of largest magnitude)/−8, q = min(15, trunc(x/d + 8.5)).
void quantizeQ4_0Ref(const float *x, std::byte *dst, std::size_t n);

} // namespace lowbit
