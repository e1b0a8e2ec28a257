// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// QuantizedTensor: what a quantization method produces and the studio container stores — a
/// RowDecoder (tensor_view.h can decode it) that also knows how to serialize itself as named
/// arrays plus a JSON description. Kinds:
///  - "packed": a PackedTensor (every scalar format, MX, NVFP4, mixtures) — PackedQuantizedTensor;
///  - "vq": vector-quantized (VPTQ codebooks) — core/methods/vq_tensor.h.
/// New kinds add one line to kQuantizedKinds (quantized_tensor.cpp).

#include "core/quant/packed_tensor.h"
#include "core/tensor/row_decoder.h"
#include "core/tensor/tensor_view.h"
#include "core/util/json.h"
#include "core/util/result.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// One array of a serialized quantized tensor, stored as tensor "<name>.<suffix>".
struct QuantArrayRef {
    std::string suffix;                ///< "codes", "scales", "vq.centroids", …
    DType dtype = DType::U8;           ///< a plain safetensors dtype (U8/U32/F16/F32/I32/…)
    std::vector<std::int64_t> shape;
    std::span<const std::byte> data;   ///< points into the tensor's own memory
};

class QuantizedTensor : public RowDecoder {
public:
    virtual std::string_view kind() const = 0;
    /// Everything except the arrays (format, shape, parameters), enough to rebuild the tensor
    /// together with arrays(). Always has "kind", "rows", "cols".
    virtual Json metadata() const = 0;
    virtual std::vector<QuantArrayRef> arrays() const = 0;
};

using QuantizedTensorPtr = std::shared_ptr<const QuantizedTensor>;

/// Looks up an array of the tensor being loaded by suffix; nullptr when absent.
using QuantArrayLookup = std::function<const TensorView *(std::string_view suffix)>;

/// Rebuilds a quantized tensor from metadata() and its arrays, validating every size and range
/// (a hostile file gives Malformed, never a crash). Errors: Unsupported for an unknown kind.
Result<QuantizedTensorPtr> loadQuantizedTensor(const Json &metadata, const QuantArrayLookup &arrays);

/// The "packed" kind.
class PackedQuantizedTensor final : public QuantizedTensor {
public:
    explicit PackedQuantizedTensor(PackedTensor packed) : m_packed(std::move(packed)) {}
    const PackedTensor &packed() const { return m_packed; }

    std::int64_t rows() const override { return m_packed.rows; }
    std::int64_t cols() const override { return m_packed.cols; }
    Status decodeRows(float *dst, std::int64_t row0, std::int64_t nrows) const override;
    std::string describe() const override;
    double bitsPerWeight() const override;
    std::uint64_t storedBytes() const override;
    std::string_view kind() const override { return "packed"; }
    Json metadata() const override;
    std::vector<QuantArrayRef> arrays() const override;

    static Result<QuantizedTensorPtr> load(const Json &metadata, const QuantArrayLookup &arrays);

private:
    PackedTensor m_packed;
};

/// Convenience: the packed tensor behind a view, or nullptr when the view is not a packed
/// studio tensor.
const PackedTensor *packedTensorOf(const TensorView &view);

/// "int4 g128 fp16" style description of a spec.
std::string describeSpec(const FormatSpec &spec);

} // namespace lowbit
