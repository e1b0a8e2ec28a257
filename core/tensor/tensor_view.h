// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A named, typed, shaped view of tensor bytes that live elsewhere (usually a memory-mapped
/// file). Copying a view copies no data; `owner` keeps the bytes alive.

#include "core/dtypes/dtype.h"
#include "core/tensor/row_decoder.h"
#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace lowbit {

struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    /// Outermost dimension first (PyTorch/safetensors order): a linear weight is [out, in].
    std::vector<std::int64_t> shape;
    const std::byte *data = nullptr;
    std::uint64_t nbytes = 0;
    std::shared_ptr<const void> owner; ///< keeps `data` alive (a MappedFile or a heap buffer)
    /// Set for quantized tensors (dtype Lowbit, data null): conversions decode through it.
    std::shared_ptr<const RowDecoder> decoder;

    bool isQuantizedByStudio() const { return decoder != nullptr; }

    std::uint64_t numel() const;
    /// Length of the innermost dimension (the row), 1 for a scalar.
    std::int64_t cols() const { return shape.empty() ? 1 : shape.back(); }
    /// Product of all outer dimensions (number of rows), 1 for a vector.
    std::int64_t rows() const;
    std::span<const std::byte> bytes() const { return {data, static_cast<std::size_t>(nbytes)}; }

    /// Converts elements [first, first+count) to fp32 into dst. `first` and `count` must be
    /// multiples of the dtype's block size. Errors: Unsupported dtype, InvalidArgument range.
    Status toFloat(float *dst, std::uint64_t first, std::uint64_t count) const;
    /// Converts the whole tensor to fp32 (allocates numel floats).
    Result<std::vector<float>> toFloatVector() const;
    /// Converts rows [row0, row0+nrows) to fp32 (each row must be whole blocks).
    Status rowsToFloat(float *dst, std::int64_t row0, std::int64_t nrows) const;
};

/// Makes a view that owns its fp32 data (used for tensors produced in memory).
TensorView makeOwnedF32(std::string name, std::vector<std::int64_t> shape, std::vector<float> values);

/// A view of a studio-quantized tensor: dtype Lowbit, shape [rows, cols], conversions via `decoder`.
TensorView makeDecodedView(std::string name, std::shared_ptr<const RowDecoder> decoder);

/// "[512, 64]"
std::string shapeToString(const std::vector<std::int64_t> &shape);

/// Product of dims with overflow and negativity checks (nullopt on either).
std::optional<std::uint64_t> checkedNumel(const std::vector<std::int64_t> &shape);

} // namespace lowbit
