// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/tensor/tensor_view.h"

#include <algorithm>

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

namespace {

/// Decodes an arbitrary element range: whole rows straight into dst, partial first/last rows
/// through a one-row buffer.
Status decodeRange(const RowDecoder &dec, const std::string &name, float *dst, std::uint64_t first, std::uint64_t count)
{
    const auto cols = static_cast<std::uint64_t>(dec.cols());
    if (count == 0)
        return {};
    if (cols == 0)
        return makeError(ErrorCode::Malformed, name + ": quantized tensor has no columns");
    std::vector<float> row;
    std::uint64_t pos = first;
    const std::uint64_t end = first + count;
    while (pos < end) {
        const std::uint64_t r = pos / cols, c = pos % cols;
        if (c == 0 && end - pos >= cols) {
            const std::uint64_t whole = (end - pos) / cols;
            LOWBIT_CHECK(dec.decodeRows(dst + (pos - first), static_cast<std::int64_t>(r), static_cast<std::int64_t>(whole)));
            pos += whole * cols;
            continue;
        }
        row.resize(static_cast<std::size_t>(cols));
        LOWBIT_CHECK(dec.decodeRows(row.data(), static_cast<std::int64_t>(r), 1));
        const std::uint64_t take = std::min(cols - c, end - pos);
        std::copy_n(row.data() + c, take, dst + (pos - first));
        pos += take;
    }
    return {};
}

} // namespace

Status TensorView::toFloat(float *dst, std::uint64_t first, std::uint64_t count) const
{
    const auto &tr = dtypeTraits(dtype);
    const std::uint64_t n = numel();
    if (first > n || count > n - first)
        return makeError(ErrorCode::InvalidArgument, name + ": element range past the end of the tensor");
    if (decoder)
        return decodeRange(*decoder, name, dst, first, count);
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

TensorView makeDecodedView(std::string name, std::shared_ptr<const RowDecoder> decoder)
{
    TensorView v;
    v.name = std::move(name);
    v.dtype = DType::Lowbit;
    v.shape = {decoder->rows(), decoder->cols()};
    v.nbytes = decoder->storedBytes();
    v.decoder = std::move(decoder);
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
