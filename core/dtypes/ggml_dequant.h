// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Reference dequantizers of the ggml block types (bit-exact with ggml-quants.c's
/// dequantize_row_*). `n` is a multiple of the type's block size.

#include <cstddef>

namespace lowbit {

void dequantizeQ4_0(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ4_1(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ5_0(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ5_1(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ8_0(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ2_K(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ3_K(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ4_K(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ5_K(const std::byte *src, float *dst, std::size_t n);
void dequantizeQ6_K(const std::byte *src, float *dst, std::size_t n);
void dequantizeIQ4_NL(const std::byte *src, float *dst, std::size_t n);
void dequantizeMXFP4(const std::byte *src, float *dst, std::size_t n);

/// The 6-bit scale and min of sub-block j (0..7) of a Q4_K/Q5_K super-block.
void kQuantScaleMin(int j, const unsigned char *scales, unsigned char &scale, unsigned char &min);

} // namespace lowbit
