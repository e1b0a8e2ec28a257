// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tensor/tensor_view.h"

namespace lowbit {

std::optional<std::uint64_t> checkedNumel(const std::vector<std::int64_t> &shape)
{
    std::uint64_t n = 1;
    for (const std::int64_t d : shape) {
        if (d < 0)
            return std::nullopt;
        if (__builtin_mul_overflow(n, static_cast<std::uint64_t>(d), &n))
            return std::nullopt;
    }
    return n;
}

std::uint64_t TensorView::numel() const { return checkedNumel(shape).value_or(0); }

std::int64_t TensorView::rows() const
{
    std::int64_t r = 1;
    for (std::size_t i = 0; i + 1 < shape.size(); ++i)
        r *= shape[i];
    return r;
}

Status TensorView::toFloat(float *dst, std::uint64_t first, std::uint64_t count) const
{
    const auto &tr = dtypeTraits(dtype);
    const std::uint64_t n = numel();
    if (first > n || count > n - first)
        return makeError(ErrorCode::InvalidArgument, name + ": element range past the end of the tensor");
    if (first % tr.blockSize != 0 || count % tr.blockSize != 0)
        return makeError(ErrorCode::InvalidArgument, name + ": element range does not start/end on a block boundary");
    const std::uint64_t offset = first / tr.blockSize * tr.blockBytes;
    const std::uint64_t len = count / tr.blockSize * tr.blockBytes;
    if (offset + len > nbytes)
        return makeError(ErrorCode::Internal, name + ": view holds fewer bytes than its shape needs");
    return convertToFloat(dtype, data + offset, dst, static_cast<std::size_t>(count));
}

Result<std::vector<float>> TensorView::toFloatVector() const
{
    std::vector<float> out(static_cast<std::size_t>(numel()));
    LOWBIT_CHECK(toFloat(out.data(), 0, out.size()));
    return out;
}

Status TensorView::rowsToFloat(float *dst, std::int64_t row0, std::int64_t nrows) const
{
    const auto c = static_cast<std::uint64_t>(cols());
    return toFloat(dst, static_cast<std::uint64_t>(row0) * c, static_cast<std::uint64_t>(nrows) * c);
}

TensorView makeOwnedF32(std::string name, std::vector<std::int64_t> shape, std::vector<float> values)
{
    auto buf = std::make_shared<std::vector<float>>(std::move(values));
    TensorView v;
    v.name = std::move(name);
    v.dtype = DType::F32;
    v.shape = std::move(shape);
    v.data = reinterpret_cast<const std::byte *>(buf->data());
    v.nbytes = buf->size() * sizeof(float);
    v.owner = std::move(buf);
    return v;
}

std::string shapeToString(const std::vector<std::int64_t> &shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

} // namespace lowbit
