// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/vq_tensor.h"

#include "core/dtypes/scalar_convert.h"
#include "core/quant/bitstream.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lowbit {

namespace {

constexpr std::int64_t kMaxDim = std::int64_t(1) << 31;
constexpr std::int64_t kMaxWeights = std::int64_t(1) << 40;

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

Error invalid(std::string msg) { return makeError(ErrorCode::InvalidArgument, "vq tensor: " + std::move(msg)); }

std::string_view typeName(VqCodebookType t) { return t == VqCodebookType::F16 ? "f16" : "f32"; }
unsigned typeBits(VqCodebookType t) { return t == VqCodebookType::F16 ? 16u : 32u; }

/// Finite and exactly representable in the codebook type.
Status checkValues(const std::vector<float> &v, VqCodebookType type, std::string_view what)
{
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i]) || vqRoundToStorage(v[i], type) != v[i])
            return invalid(std::string(what) + " value " + std::to_string(i) + " is not a finite " + std::string(typeName(type)) + " number");
    return {};
}

Status checkCodebook(const VqCodebook &cb, int v, VqCodebookType type, std::string_view what)
{
    if (cb.entries < 2 || cb.entries > kVqMaxCentroids)
        return invalid(std::string(what) + " has " + std::to_string(cb.entries) + " centroids (valid: 2…65536)");
    if (cb.values.size() != static_cast<std::size_t>(cb.entries) * static_cast<std::size_t>(v))
        return invalid(std::string(what) + " holds " + std::to_string(cb.values.size()) + " values, expected " +
                       std::to_string(cb.entries) + " × " + std::to_string(v));
    return checkValues(cb.values, type, what);
}

Status packIndices(const std::vector<std::uint16_t> &idx, std::int64_t expected, int entries, std::string_view what, unsigned &bits,
                   std::vector<std::uint32_t> &words)
{
    if (static_cast<std::int64_t>(idx.size()) != expected)
        return invalid(std::string(what) + " has " + std::to_string(idx.size()) + " indices, expected " + std::to_string(expected));
    for (std::size_t i = 0; i < idx.size(); ++i)
        if (idx[i] >= entries)
            return invalid(std::string(what) + " index " + std::to_string(i) + " = " + std::to_string(idx[i]) + " is past the " +
                           std::to_string(entries) + "-entry codebook");
    bits = vqIndexBits(entries);
    words.assign(uz(bitstreamWords(expected, bits)), 0u);
    return packBits(std::span<const std::uint16_t>(idx), bits, std::span<std::uint32_t>(words));
}

std::vector<std::byte> serialize(const std::vector<float> &v, VqCodebookType type)
{
    std::vector<std::byte> raw(v.size() * (type == VqCodebookType::F16 ? 2 : 4));
    if (type == VqCodebookType::F32) {
        if (!v.empty())
            std::memcpy(raw.data(), v.data(), raw.size());
    } else {
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::uint16_t h = floatToFp16(v[i]);
            std::memcpy(raw.data() + 2 * i, &h, 2);
        }
    }
    return raw;
}

std::span<const std::byte> bytesOf(const std::vector<std::byte> &v) { return {v.data(), v.size()}; }
template <class T> std::span<const std::byte> bytesOf(const std::vector<T> &v)
{
    return {reinterpret_cast<const std::byte *>(v.data()), v.size() * sizeof(T)};
}

// ---- loading ----

Error malformed(std::string msg) { return makeError(ErrorCode::Malformed, "vq tensor: " + std::move(msg)); }

/// The bytes of array `suffix`, which must have `dtype` and `count` elements (absent is fine when
/// count is 0).
Result<std::span<const std::byte>> arrayBytes(const QuantArrayLookup &arrays, std::string_view suffix, DType dtype, std::uint64_t count)
{
    const TensorView *v = arrays(suffix);
    if (!v) {
        if (count == 0)
            return std::span<const std::byte>{};
        return malformed("missing array '" + std::string(suffix) + "'");
    }
    const std::uint64_t elem = dtype == DType::F16 ? 2 : 4;
    if (v->dtype != dtype || v->numel() != count || v->nbytes != count * elem || (count && !v->data))
        return malformed("array '" + std::string(suffix) + "' has dtype " + std::string(dtypeName(v->dtype)) + " and " +
                         std::to_string(v->numel()) + " elements, expected " + std::string(dtypeName(dtype)) + " × " + std::to_string(count));
    return std::span<const std::byte>(v->data, static_cast<std::size_t>(v->nbytes));
}

Result<std::vector<float>> readFloats(const QuantArrayLookup &arrays, std::string_view suffix, VqCodebookType type, std::uint64_t count)
{
    LOWBIT_TRY(const auto bytes, arrayBytes(arrays, suffix, type == VqCodebookType::F16 ? DType::F16 : DType::F32, count));
    std::vector<float> out(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (type == VqCodebookType::F16) {
            std::uint16_t h;
            std::memcpy(&h, bytes.data() + 2 * i, 2);
            out[i] = fp16ToFloat(h);
        } else {
            std::memcpy(&out[i], bytes.data() + 4 * i, 4);
        }
    }
    return out;
}

Result<std::vector<std::uint16_t>> readIndices(const QuantArrayLookup &arrays, std::string_view suffix, int entries, std::uint64_t count)
{
    if (count == 0)
        return std::vector<std::uint16_t>{};
    const unsigned bits = vqIndexBits(entries);
    const auto words = static_cast<std::uint64_t>(bitstreamWords(static_cast<std::int64_t>(count), bits));
    LOWBIT_TRY(const auto bytes, arrayBytes(arrays, suffix, DType::U32, words));
    std::vector<std::uint32_t> w(static_cast<std::size_t>(words));
    std::memcpy(w.data(), bytes.data(), bytes.size());
    std::vector<std::uint16_t> idx(static_cast<std::size_t>(count));
    if (auto s = unpackBits(std::span<const std::uint32_t>(w), bits, std::span<std::uint16_t>(idx)); !s)
        return malformed(s.error().detail);
    return idx;
}

Result<std::int64_t> intField(const Json &meta, std::string_view key, std::int64_t lo, std::int64_t hi)
{
    const Json *j = meta.find(key);
    const auto v = j && j->isInteger() ? j->asInt64() : std::nullopt;
    if (!v || *v < lo || *v > hi)
        return malformed("field '" + std::string(key) + "' missing or outside " + std::to_string(lo) + "…" + std::to_string(hi));
    return *v;
}

Result<bool> boolField(const Json &meta, std::string_view key)
{
    const Json *j = meta.find(key);
    if (!j || !j->isBool())
        return malformed("field '" + std::string(key) + "' missing or not a boolean");
    return j->asBool();
}

} // namespace

unsigned vqIndexBits(int entries)
{
    unsigned bits = 1;
    while (bits < 16 && (1 << bits) < entries)
        ++bits;
    return bits;
}

float vqRoundToStorage(float v, VqCodebookType type) { return type == VqCodebookType::F16 ? fp16ToFloat(floatToFp16(v)) : v; }

void vqDecodeVector(const float *c, const float *r, int v, bool normalized, float scale, float bias, float *out)
{
    for (int d = 0; d < v; ++d) {
        float y = c[d];
        if (r)
            y += r[d];
        if (normalized)
            y = y * scale + bias;
        out[d] = y;
    }
}

Result<std::shared_ptr<const VqQuantizedTensor>> VqQuantizedTensor::create(VqContent c)
{
    if (c.rows < 1 || c.rows >= kMaxDim || c.cols < 1 || c.cols >= kMaxDim || c.rows * c.cols > kMaxWeights)
        return invalid("shape " + std::to_string(c.rows) + " × " + std::to_string(c.cols) + " out of range");
    if (c.vectorLength < 1 || c.vectorLength > kVqMaxVectorLength)
        return invalid("vector length " + std::to_string(c.vectorLength) + " outside 1…256");
    if (c.outlierColumns < 0 || c.outlierColumns >= c.cols)
        return invalid(std::to_string(c.outlierColumns) + " outlier columns of " + std::to_string(c.cols) + " (at least one main column)");
    const int v = c.vectorLength;
    LOWBIT_CHECK(checkCodebook(c.main, v, c.codebookType, "main codebook"));
    if (c.residual.entries != 0)
        LOWBIT_CHECK(checkCodebook(c.residual, v, c.codebookType, "residual codebook"));
    else if (!c.residual.values.empty() || !c.residualIndices.empty())
        return invalid("residual values without a residual codebook size");
    if (c.outlierColumns > 0)
        LOWBIT_CHECK(checkCodebook(c.outlier, v, c.codebookType, "outlier codebook"));
    else if (c.outlier.entries != 0 || !c.outlier.values.empty() || !c.outlierIndices.empty())
        return invalid("an outlier codebook without outlier columns");
    if (!c.perm.empty()) {
        if (static_cast<std::int64_t>(c.perm.size()) != c.cols)
            return invalid("permutation has " + std::to_string(c.perm.size()) + " entries for " + std::to_string(c.cols) + " columns");
        std::vector<bool> seen(uz(c.cols), false);
        for (const std::int32_t p : c.perm) {
            if (p < 0 || p >= c.cols || seen[uz(p)])
                return invalid("permutation entry " + std::to_string(p) + " repeated or out of range");
            seen[uz(p)] = true;
        }
    }
    if (c.scale.size() != c.bias.size() || (!c.scale.empty() && static_cast<std::int64_t>(c.scale.size()) != c.cols))
        return invalid("normalization needs one scale and one bias per column");
    LOWBIT_CHECK(checkValues(c.scale, c.codebookType, "scale"));
    LOWBIT_CHECK(checkValues(c.bias, c.codebookType, "bias"));

    std::shared_ptr<VqQuantizedTensor> t(new VqQuantizedTensor());
    const std::int64_t perCol = c.vectorsPerColumn();
    const std::int64_t mainCount = (c.cols - c.outlierColumns) * perCol;
    LOWBIT_CHECK(packIndices(c.mainIndices, mainCount, c.main.entries, "main codebook", t->m_mainBits, t->m_mainWords));
    if (c.residual.entries)
        LOWBIT_CHECK(packIndices(c.residualIndices, mainCount, c.residual.entries, "residual codebook", t->m_residualBits, t->m_residualWords));
    if (c.outlierColumns)
        LOWBIT_CHECK(packIndices(c.outlierIndices, c.outlierColumns * perCol, c.outlier.entries, "outlier codebook", t->m_outlierBits,
                                 t->m_outlierWords));
    t->m_mainRaw = serialize(c.main.values, c.codebookType);
    t->m_residualRaw = serialize(c.residual.values, c.codebookType);
    t->m_outlierRaw = serialize(c.outlier.values, c.codebookType);
    t->m_scaleRaw = serialize(c.scale, c.codebookType);
    t->m_biasRaw = serialize(c.bias, c.codebookType);
    c.mainIndices = {};
    c.residualIndices = {};
    c.outlierIndices = {};
    t->m_c = std::move(c);
    return std::shared_ptr<const VqQuantizedTensor>(std::move(t));
}

void VqQuantizedTensor::decodeVectorRow(std::int64_t r, float *out, std::int64_t rowStride, std::int64_t rowLo, std::int64_t rowHi) const
{
    const VqContent &c = m_c;
    const int v = c.vectorLength;
    const std::int64_t perCol = c.vectorsPerColumn();
    const bool normalized = !c.scale.empty();
    float tmp[kVqMaxVectorLength];
    const std::int64_t first = std::max(rowLo, r * v), last = std::min(rowHi, (r + 1) * v); // rows written: [first, last)
    for (std::int64_t p = 0; p < c.cols; ++p) {
        const std::int64_t col = c.columnAt(p);
        const float *cv, *rv = nullptr;
        if (p < c.outlierColumns) {
            cv = c.outlier.values.data() + uz(readBits(m_outlierWords.data(), p * perCol + r, m_outlierBits)) * uz(v);
        } else {
            const std::int64_t slot = (p - c.outlierColumns) * perCol + r;
            cv = c.main.values.data() + uz(readBits(m_mainWords.data(), slot, m_mainBits)) * uz(v);
            if (c.residual.entries)
                rv = c.residual.values.data() + uz(readBits(m_residualWords.data(), slot, m_residualBits)) * uz(v);
        }
        vqDecodeVector(cv, rv, v, normalized, normalized ? c.scale[uz(col)] : 1.0f, normalized ? c.bias[uz(col)] : 0.0f, tmp);
        for (std::int64_t row = first; row < last; ++row)
            out[(row - rowLo) * rowStride + col] = tmp[row - r * v];
    }
}

Status VqQuantizedTensor::decodeRows(float *dst, std::int64_t row0, std::int64_t nrows) const
{
    if (row0 < 0 || nrows < 0 || row0 > m_c.rows - nrows)
        return makeError(ErrorCode::InvalidArgument, "decode rows: range past the end of the tensor");
    if (nrows == 0)
        return {};
    const int v = m_c.vectorLength;
    const std::int64_t r0 = row0 / v, r1 = (row0 + nrows - 1) / v + 1;
    // Each vector row writes its own output rows: threads never share a row.
    parallelFor(
        r1 - r0,
        [&](std::int64_t b, std::int64_t e) {
            for (std::int64_t r = r0 + b; r < r0 + e; ++r)
                decodeVectorRow(r, dst, m_c.cols, row0, row0 + nrows);
        },
        0, std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(1, m_c.cols * v)));
    return {};
}

std::string VqQuantizedTensor::describe() const
{
    const VqContent &c = m_c;
    std::string s = "vptq v" + std::to_string(c.vectorLength) + " k" + std::to_string(c.main.entries);
    if (c.residual.entries)
        s += " res" + std::to_string(c.residual.entries);
    if (c.outlierColumns)
        s += " outliers " + std::to_string(c.outlierColumns) + "×k" + std::to_string(c.outlier.entries);
    s += " ";
    s += typeName(c.codebookType);
    if (!c.perm.empty())
        s += " perm";
    if (!c.scale.empty())
        s += " norm";
    return s;
}

VqBitBreakdown VqQuantizedTensor::bitBreakdown() const
{
    const VqContent &c = m_c;
    const double perCol = static_cast<double>(c.vectorsPerColumn());
    const double mainCols = static_cast<double>(c.cols - c.outlierColumns), outCols = static_cast<double>(c.outlierColumns);
    const double tb = typeBits(c.codebookType), v = c.vectorLength;
    VqBitBreakdown b;
    b.indices = mainCols * perCol * m_mainBits + mainCols * perCol * m_residualBits + outCols * perCol * m_outlierBits;
    b.codebooks = (c.main.entries + c.residual.entries + c.outlier.entries) * v * tb;
    b.columns = static_cast<double>(c.perm.size()) * 32.0 + static_cast<double>(c.scale.size() + c.bias.size()) * tb;
    return b;
}

double VqQuantizedTensor::bitsPerWeight() const
{
    return bitBreakdown().total() / (static_cast<double>(m_c.rows) * static_cast<double>(m_c.cols));
}

std::uint64_t VqQuantizedTensor::storedBytes() const
{
    std::uint64_t n = 0;
    for (const QuantArrayRef &a : arrays())
        n += a.data.size();
    return n;
}

Json VqQuantizedTensor::metadata() const
{
    const VqContent &c = m_c;
    Json j = Json::object();
    j["kind"] = "vq";
    j["rows"] = static_cast<long long>(c.rows);
    j["cols"] = static_cast<long long>(c.cols);
    j["vector_length"] = c.vectorLength;
    j["centroids"] = c.main.entries;
    j["residual_centroids"] = c.residual.entries;
    j["outlier_centroids"] = c.outlier.entries;
    j["outlier_columns"] = static_cast<long long>(c.outlierColumns);
    j["codebook_dtype"] = std::string(typeName(c.codebookType));
    j["permuted"] = !c.perm.empty();
    j["normalized"] = !c.scale.empty();
    return j;
}

std::vector<QuantArrayRef> VqQuantizedTensor::arrays() const
{
    const VqContent &c = m_c;
    const DType ft = c.codebookType == VqCodebookType::F16 ? DType::F16 : DType::F32;
    const auto words = [](const std::vector<std::uint32_t> &w) { return std::vector<std::int64_t>{static_cast<std::int64_t>(w.size())}; };
    std::vector<QuantArrayRef> a;
    a.push_back({"vq.centroids", ft, {c.main.entries, c.vectorLength}, bytesOf(m_mainRaw)});
    a.push_back({"vq.indices", DType::U32, words(m_mainWords), bytesOf(m_mainWords)});
    if (c.residual.entries) {
        a.push_back({"vq.res_centroids", ft, {c.residual.entries, c.vectorLength}, bytesOf(m_residualRaw)});
        a.push_back({"vq.res_indices", DType::U32, words(m_residualWords), bytesOf(m_residualWords)});
    }
    if (c.outlierColumns) {
        a.push_back({"vq.outlier_centroids", ft, {c.outlier.entries, c.vectorLength}, bytesOf(m_outlierRaw)});
        a.push_back({"vq.outlier_indices", DType::U32, words(m_outlierWords), bytesOf(m_outlierWords)});
    }
    if (!c.perm.empty())
        a.push_back({"vq.perm", DType::I32, {c.cols}, bytesOf(c.perm)});
    if (!c.scale.empty()) {
        a.push_back({"vq.scale", ft, {c.cols}, bytesOf(m_scaleRaw)});
        a.push_back({"vq.bias", ft, {c.cols}, bytesOf(m_biasRaw)});
    }
    return a;
}

VqContent VqQuantizedTensor::content() const
{
    VqContent c = m_c;
    const std::int64_t perCol = c.vectorsPerColumn();
    const auto unpack = [](const std::vector<std::uint32_t> &w, unsigned bits, std::int64_t n) {
        std::vector<std::uint16_t> idx(uz(n));
        for (std::int64_t i = 0; i < n; ++i)
            idx[uz(i)] = static_cast<std::uint16_t>(readBits(w.data(), i, bits));
        return idx;
    };
    const std::int64_t mainCount = (c.cols - c.outlierColumns) * perCol;
    c.mainIndices = unpack(m_mainWords, m_mainBits, mainCount);
    if (c.residual.entries)
        c.residualIndices = unpack(m_residualWords, m_residualBits, mainCount);
    if (c.outlierColumns)
        c.outlierIndices = unpack(m_outlierWords, m_outlierBits, c.outlierColumns * perCol);
    return c;
}

Result<QuantizedTensorPtr> VqQuantizedTensor::load(const Json &meta, const QuantArrayLookup &arrays)
{
    VqContent c;
    LOWBIT_TRY(c.rows, intField(meta, "rows", 1, kMaxDim - 1));
    LOWBIT_TRY(c.cols, intField(meta, "cols", 1, kMaxDim - 1));
    if (c.rows * c.cols > kMaxWeights)
        return malformed("shape " + std::to_string(c.rows) + " × " + std::to_string(c.cols) + " is too large");
    LOWBIT_TRY(const std::int64_t v, intField(meta, "vector_length", 1, kVqMaxVectorLength));
    LOWBIT_TRY(const std::int64_t k, intField(meta, "centroids", 2, kVqMaxCentroids));
    LOWBIT_TRY(const std::int64_t kr, intField(meta, "residual_centroids", 0, kVqMaxCentroids));
    LOWBIT_TRY(const std::int64_t ko, intField(meta, "outlier_centroids", 0, kVqMaxCentroids));
    LOWBIT_TRY(c.outlierColumns, intField(meta, "outlier_columns", 0, c.cols - 1));
    LOWBIT_TRY(const bool permuted, boolField(meta, "permuted"));
    LOWBIT_TRY(const bool normalized, boolField(meta, "normalized"));
    const Json *dt = meta.find("codebook_dtype");
    if (!dt || !dt->isString() || (dt->asString() != "f16" && dt->asString() != "f32"))
        return malformed("field 'codebook_dtype' must be \"f16\" or \"f32\"");
    if (kr == 1 || ko == 1 || (ko == 0) != (c.outlierColumns == 0))
        return malformed("residual/outlier codebook sizes do not match the outlier columns");
    c.codebookType = dt->asString() == "f16" ? VqCodebookType::F16 : VqCodebookType::F32;
    c.vectorLength = static_cast<int>(v);
    c.main.entries = static_cast<int>(k);
    c.residual.entries = static_cast<int>(kr);
    c.outlier.entries = static_cast<int>(ko);
    const auto u = [](std::int64_t x) { return static_cast<std::uint64_t>(x); };
    const std::int64_t perCol = c.vectorsPerColumn();
    const std::int64_t mainCount = (c.cols - c.outlierColumns) * perCol;
    LOWBIT_TRY(c.main.values, readFloats(arrays, "vq.centroids", c.codebookType, u(k * v)));
    LOWBIT_TRY(c.mainIndices, readIndices(arrays, "vq.indices", c.main.entries, u(mainCount)));
    if (kr) {
        LOWBIT_TRY(c.residual.values, readFloats(arrays, "vq.res_centroids", c.codebookType, u(kr * v)));
        LOWBIT_TRY(c.residualIndices, readIndices(arrays, "vq.res_indices", c.residual.entries, u(mainCount)));
    }
    if (ko) {
        LOWBIT_TRY(c.outlier.values, readFloats(arrays, "vq.outlier_centroids", c.codebookType, u(ko * v)));
        LOWBIT_TRY(c.outlierIndices, readIndices(arrays, "vq.outlier_indices", c.outlier.entries, u(c.outlierColumns * perCol)));
    }
    if (permuted) {
        LOWBIT_TRY(const auto bytes, arrayBytes(arrays, "vq.perm", DType::I32, u(c.cols)));
        c.perm.resize(uz(c.cols));
        std::memcpy(c.perm.data(), bytes.data(), bytes.size());
    }
    if (normalized) {
        LOWBIT_TRY(c.scale, readFloats(arrays, "vq.scale", c.codebookType, u(c.cols)));
        LOWBIT_TRY(c.bias, readFloats(arrays, "vq.bias", c.codebookType, u(c.cols)));
    }
    auto t = create(std::move(c));
    if (!t)
        return makeError(ErrorCode::Malformed, t.error().detail);
    return QuantizedTensorPtr(std::move(*t));
}

} // namespace lowbit
