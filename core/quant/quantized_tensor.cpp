// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/quantized_tensor.h"

#include "core/methods/vq_tensor.h"
#include "core/quant/bitstream.h"
#include "core/quant/fast_format.h"
#include "core/util/parallel.h"

#include <atomic>
#include <cstring>
#include <mutex>

namespace lowbit {

namespace {

using LoadFn = Result<QuantizedTensorPtr> (*)(const Json &, const QuantArrayLookup &);

struct QuantizedKind {
    std::string_view name;
    LoadFn load;
};

// One line per kind. (VPTQ's "vq" kind is added by core/methods/vq_tensor.h.)
const QuantizedKind kQuantizedKinds[] = {
    {"packed", &PackedQuantizedTensor::load},
    {"vq", &VqQuantizedTensor::load},
};

template <class T> std::span<const std::byte> bytesOf(const std::vector<T> &v)
{
    return {reinterpret_cast<const std::byte *>(v.data()), v.size() * sizeof(T)};
}

/// Copies an array of the expected dtype and element count into `out` (Malformed otherwise).
template <class T>
Status copyArray(const QuantArrayLookup &arrays, std::string_view suffix, DType dtype, std::uint64_t count, std::vector<T> &out)
{
    const TensorView *v = arrays(suffix);
    if (!v) {
        if (count == 0) {
            out.clear();
            return {};
        }
        return makeError(ErrorCode::Malformed, "quantized tensor: missing array '" + std::string(suffix) + "'");
    }
    if (v->dtype != dtype || v->numel() != count || v->nbytes != count * sizeof(T) || (count && !v->data))
        return makeError(ErrorCode::Malformed, "quantized tensor: array '" + std::string(suffix) + "' has dtype " +
                                                   std::string(dtypeName(v->dtype)) + " and " + std::to_string(v->numel()) +
                                                   " elements, expected " + std::string(dtypeName(dtype)) + " × " +
                                                   std::to_string(count));
    out.resize(static_cast<std::size_t>(count));
    if (count)
        std::memcpy(out.data(), v->data, static_cast<std::size_t>(count * sizeof(T)));
    return {};
}

Result<std::int64_t> intField(const Json &meta, std::string_view key, std::int64_t lo, std::int64_t hi)
{
    const Json *j = meta.find(key);
    const auto v = j ? j->asInt64() : std::nullopt;
    if (!v || *v < lo || *v > hi)
        return makeError(ErrorCode::Malformed, "quantized tensor: field '" + std::string(key) + "' missing or out of range");
    return *v;
}

Result<std::string> stringField(const Json &meta, std::string_view key)
{
    const Json *j = meta.find(key);
    if (!j || !j->isString())
        return makeError(ErrorCode::Malformed, "quantized tensor: field '" + std::string(key) + "' missing or not a string");
    return j->asString();
}

} // namespace

Result<QuantizedTensorPtr> loadQuantizedTensor(const Json &metadata, const QuantArrayLookup &arrays)
{
    if (!metadata.isObject())
        return makeError(ErrorCode::Malformed, "quantized tensor: metadata is not an object");
    LOWBIT_TRY(const std::string kind, stringField(metadata, "kind"));
    for (const QuantizedKind &k : kQuantizedKinds)
        if (k.name == kind)
            return k.load(metadata, arrays);
    return makeError(ErrorCode::Unsupported, "quantized tensor: unknown kind '" + kind + "' (a newer studio wrote it?)");
}

std::string describeSpec(const FormatSpec &spec)
{
    std::string s = spec.format.name;
    if (spec.groupSize == kPerChannel)
        s += " per-channel";
    else if (spec.groupSize == kPerTensor)
        s += " per-tensor";
    else
        s += " g" + std::to_string(spec.groupSize);
    s += " ";
    s += scaleStorageName(spec.scaleStorage);
    if (spec.clip != 1.0f)
        s += " clip " + std::to_string(spec.clip);
    return s;
}

Status PackedQuantizedTensor::decodeRows(float *dst, std::int64_t row0, std::int64_t nrows) const
{
    if (row0 < 0 || nrows < 0 || row0 > m_packed.rows - nrows)
        return makeError(ErrorCode::InvalidArgument, "decode rows: range past the end of the tensor");
    if (nrows < 8) {
        for (std::int64_t r = 0; r < nrows; ++r)
            LOWBIT_CHECK(dequantizeRow(m_packed, row0 + r, dst + r * m_packed.cols));
        return {};
    }
    std::atomic<bool> failed{false};
    Status first;
    std::mutex mu;
    parallelFor(
        nrows,
        [&](std::int64_t b, std::int64_t e) {
            for (std::int64_t r = b; r < e && !failed.load(std::memory_order_relaxed); ++r) {
                Status s = dequantizeRow(m_packed, row0 + r, dst + r * m_packed.cols);
                if (!s) {
                    std::lock_guard lock(mu);
                    if (!failed.exchange(true))
                        first = std::move(s);
                }
            }
        },
        0, 16);
    return first;
}

std::string PackedQuantizedTensor::describe() const { return describeSpec(m_packed.spec); }

double PackedQuantizedTensor::bitsPerWeight() const
{
    const double n = static_cast<double>(m_packed.rows) * static_cast<double>(m_packed.cols);
    return n > 0 ? static_cast<double>(m_packed.payloadBits()) / n : 0.0;
}

std::uint64_t PackedQuantizedTensor::storedBytes() const { return static_cast<std::uint64_t>(m_packed.byteSize()); }

Json PackedQuantizedTensor::metadata() const
{
    const PackedTensor &p = m_packed;
    Json j = Json::object();
    j["kind"] = "packed";
    j["format"] = p.spec.format.name;
    j["group"] = static_cast<long long>(p.spec.groupSize);
    j["scale_storage"] = std::string(scaleStorageName(p.spec.scaleStorage));
    j["clip"] = static_cast<double>(p.spec.clip);
    j["rows"] = static_cast<long long>(p.rows);
    j["cols"] = static_cast<long long>(p.cols);
    j["code_bits"] = p.codeBits;
    j["layout"] = p.layout == CodeLayout::Dense ? "dense" : "fp6-planes";
    j["zero_point_bits"] = p.zeroPointBits;
    j["selector_bits"] = p.selectorBits;
    if (p.hasTensorScale) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &p.tensorScale, sizeof bits);
        j["tensor_scale_bits"] = bits; // exact fp32 bit pattern
    }
    return j;
}

std::vector<QuantArrayRef> PackedQuantizedTensor::arrays() const
{
    const PackedTensor &p = m_packed;
    std::vector<QuantArrayRef> a;
    a.push_back({"codes", DType::U32, {p.rows, p.rowWords}, bytesOf(p.codes)});
    if (!p.codesHi.empty())
        a.push_back({"codes_hi", DType::U32, {p.rows, p.rowWordsHi}, bytesOf(p.codesHi)});
    a.push_back({"scales", DType::U8, {static_cast<std::int64_t>(p.scales.size())}, bytesOf(p.scales)});
    if (!p.scales2.empty())
        a.push_back({"scales2", DType::U8, {static_cast<std::int64_t>(p.scales2.size())}, bytesOf(p.scales2)});
    if (!p.zeroPoints.empty())
        a.push_back({"zero_points", DType::U32, {static_cast<std::int64_t>(p.zeroPoints.size())}, bytesOf(p.zeroPoints)});
    if (!p.selectors.empty())
        a.push_back({"selectors", DType::U32, {static_cast<std::int64_t>(p.selectors.size())}, bytesOf(p.selectors)});
    return a;
}

Result<QuantizedTensorPtr> PackedQuantizedTensor::load(const Json &meta, const QuantArrayLookup &arrays)
{
    constexpr std::int64_t kMaxDim = std::int64_t(1) << 31;
    LOWBIT_TRY(const std::string formatName, stringField(meta, "format"));
    LOWBIT_TRY(const std::string storageName, stringField(meta, "scale_storage"));
    LOWBIT_TRY(const std::string layoutName, stringField(meta, "layout"));
    LOWBIT_TRY(const std::int64_t group, intField(meta, "group", -1, kMaxDim));
    LOWBIT_TRY(const std::int64_t rows, intField(meta, "rows", 1, kMaxDim));
    LOWBIT_TRY(const std::int64_t cols, intField(meta, "cols", 1, kMaxDim));
    LOWBIT_TRY(const std::int64_t codeBits, intField(meta, "code_bits", 1, 8));
    LOWBIT_TRY(const std::int64_t zpBits, intField(meta, "zero_point_bits", 0, 16));
    LOWBIT_TRY(const std::int64_t selBits, intField(meta, "selector_bits", 0, 8));
    const Json *clipJ = meta.find("clip");
    const float clip = clipJ && clipJ->isNumber() ? static_cast<float>(clipJ->asDouble()) : 1.0f;

    auto fmt = parseFormat(formatName);
    if (!fmt)
        return makeError(ErrorCode::Malformed, "quantized tensor: " + fmt.error().detail);
    auto storage = parseScaleStorage(storageName);
    if (!storage)
        return makeError(ErrorCode::Malformed, "quantized tensor: " + storage.error().detail);
    auto spec = makeFormatSpec(*fmt, group, *storage, clip);
    if (!spec)
        return makeError(ErrorCode::Malformed, "quantized tensor: " + spec.error().detail);
    auto plan = fastPlanFor(*spec);
    if (!plan)
        return makeError(ErrorCode::Malformed, "quantized tensor: " + plan.error().detail);

    PackedTensor p;
    p.spec = *spec;
    p.plan = *plan;
    p.rows = rows;
    p.cols = cols;
    p.codeBits = static_cast<unsigned>(codeBits);
    if (layoutName == "dense")
        p.layout = CodeLayout::Dense;
    else if (layoutName == "fp6-planes")
        p.layout = CodeLayout::Fp6Planes;
    else
        return makeError(ErrorCode::Malformed, "quantized tensor: unknown layout '" + layoutName + "'");
    p.rowWords = bitstreamWords(cols, p.layout == CodeLayout::Dense ? p.codeBits : 4u);
    p.rowWordsHi = p.layout == CodeLayout::Dense ? 0 : bitstreamWords(cols, 2);
    p.scaleBytes = scaleStorageBytes(p.plan.storage);
    p.zeroPointBits = static_cast<unsigned>(zpBits);
    p.selectorBits = static_cast<unsigned>(selBits);
    const std::int64_t groups = p.groups();
    const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
    LOWBIT_CHECK(copyArray(arrays, "codes", DType::U32, u(rows) * u(p.rowWords), p.codes));
    LOWBIT_CHECK(copyArray(arrays, "codes_hi", DType::U32, u(rows) * u(p.rowWordsHi), p.codesHi));
    LOWBIT_CHECK(copyArray(arrays, "scales", DType::U8, u(groups) * p.scaleBytes, p.scales));
    if (arrays("scales2"))
        LOWBIT_CHECK(copyArray(arrays, "scales2", DType::U8, u(groups) * p.scaleBytes, p.scales2));
    LOWBIT_CHECK(copyArray(arrays, "zero_points", DType::U32, p.zeroPointBits ? u(bitstreamWords(groups, p.zeroPointBits)) : 0,
                           p.zeroPoints));
    LOWBIT_CHECK(copyArray(arrays, "selectors", DType::U32, p.selectorBits ? u(bitstreamWords(groups, p.selectorBits)) : 0,
                           p.selectors));
    if (const Json *ts = meta.find("tensor_scale_bits")) {
        const auto bits = ts->asUInt64();
        if (!bits || *bits > 0xFFFFFFFFu)
            return makeError(ErrorCode::Malformed, "quantized tensor: bad tensor_scale_bits");
        const auto b32 = static_cast<std::uint32_t>(*bits);
        std::memcpy(&p.tensorScale, &b32, sizeof b32);
        p.hasTensorScale = true;
    }
    // Full validation: unpack checks every size, code, selector and zero point against the format.
    if (auto un = unpack(p); !un)
        return makeError(ErrorCode::Malformed, "quantized tensor: " + un.error().detail);
    return QuantizedTensorPtr(std::make_shared<PackedQuantizedTensor>(std::move(p)));
}

const PackedTensor *packedTensorOf(const TensorView &view)
{
    const auto *q = dynamic_cast<const PackedQuantizedTensor *>(view.decoder.get());
    return q ? &q->packed() : nullptr;
}

} // namespace lowbit
