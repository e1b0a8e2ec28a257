// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A tensor whose bytes are not a plain dtype but a quantized representation (a PackedTensor, a
/// VPTQ codebook tensor, …) that can decode any rows to fp32. A TensorView carrying a decoder
/// (dtype DType::Lowbit) converts through it, so every consumer of views (the engines, inspect,
/// the GUI's histograms, exporters) reads quantized models without knowing their layout.

#include "core/util/result.h"

#include <cstdint>
#include <string>

namespace lowbit {

class RowDecoder {
public:
    virtual ~RowDecoder() = default;
    virtual std::int64_t rows() const = 0;
    virtual std::int64_t cols() const = 0;
    /// Decodes rows [row0, row0 + nrows) into dst (nrows·cols floats, row-major).
    /// Errors: InvalidArgument for a range outside the tensor; Malformed for inconsistent data.
    virtual Status decodeRows(float *dst, std::int64_t row0, std::int64_t nrows) const = 0;
    /// Public name of the representation ("int4 g128 fp16", "vptq v8 k4096 …") for display.
    virtual std::string describe() const = 0;
    /// Exact information bits per weight (codes + every overhead).
    virtual double bitsPerWeight() const = 0;
    /// Bytes held in memory / on disk.
    virtual std::uint64_t storedBytes() const = 0;
};

} // namespace lowbit
