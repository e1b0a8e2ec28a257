// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/vptq_layout.h"

#include "core/dtypes/scalar_convert.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>

namespace lowbit {

namespace {

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

Error malformed(std::string detail) { return makeError(ErrorCode::Malformed, "VPTQ layer: " + std::move(detail)); }

unsigned log2Exact(int k) { return k > 1 ? static_cast<unsigned>(std::countr_zero(static_cast<unsigned>(k))) : 0u; }

int nextPow2(int k) { return static_cast<int>(std::bit_ceil(static_cast<unsigned>(k))); }

/// fp16 bits of x; `rounded` set when x is not an fp16 value.
std::uint16_t toFp16(float x, bool &rounded)
{
    const std::uint16_t h = floatToFp16(x);
    if (std::bit_cast<std::uint32_t>(fp16ToFloat(h)) != std::bit_cast<std::uint32_t>(x))
        rounded = true;
    return h;
}

template <class T>
TensorView ownedView(std::string name, DType d, std::vector<std::int64_t> shape, const std::vector<T> &values)
{
    auto buf = std::make_shared<std::vector<T>>(values);
    TensorView v;
    v.name = std::move(name);
    v.dtype = d;
    v.shape = std::move(shape);
    v.data = reinterpret_cast<const std::byte *>(buf->data());
    v.nbytes = buf->size() * sizeof(T);
    v.owner = buf;
    return v;
}

Result<std::int64_t> intField(const Json &j, std::string_view key, std::int64_t lo, std::int64_t hi)
{
    const Json *f = j.find(key);
    const auto v = f && f->isInteger() ? f->asInt64() : std::nullopt;
    if (!v || *v < lo || *v > hi)
        return malformed("'" + std::string(key) + "' missing or outside " + std::to_string(lo) + "…" + std::to_string(hi));
    return *v;
}

Result<bool> boolField(const Json &j, std::string_view key, std::optional<bool> fallback = std::nullopt)
{
    const Json *f = j.find(key);
    if (!f && fallback)
        return *fallback;
    if (!f || !f->isBool())
        return malformed("'" + std::string(key) + "' missing or not a boolean");
    return f->asBool();
}

/// [outlier, main] pair of integers (−1 or 0 for "none").
Result<std::pair<std::int64_t, std::int64_t>> pairField(const Json &j, std::string_view key)
{
    const Json *f = j.find(key);
    if (!f || !f->isArray() || f->size() != 2 || !f->asArray()[0].isInteger() || !f->asArray()[1].isInteger())
        return malformed("'" + std::string(key) + "' must be a pair of integers");
    return std::pair{*f->asArray()[0].asInt64(), *f->asArray()[1].asInt64()};
}

Json pairJson(std::int64_t a, std::int64_t b)
{
    Json p = Json::array();
    p.push(static_cast<long long>(a));
    p.push(static_cast<long long>(b));
    return p;
}

} // namespace

unsigned VptqLayerConfig::indexBits() const { return log2Exact(centroids); }
unsigned VptqLayerConfig::residualBits() const { return residualCentroids > 0 ? log2Exact(residualCentroids) : 0u; }

std::string vptqCudaKernelGap(const VptqLayerConfig &c)
{
    std::vector<std::string> gaps;
    const int v = c.vectorLength;
    if (v != 2 && v != 4 && v != 6 && v != 8 && v != 12 && v != 16)
        gaps.push_back("vector length " + std::to_string(v));
    const unsigned b = c.indexBits();
    if (b != 4 && b != 8 && (b < 12 || b > 16))
        gaps.push_back(std::to_string(b) + "-bit indices");
    const unsigned r = c.residualBits();
    if (r == 1 || (r > 12 && r != 16))
        gaps.push_back(std::to_string(r) + "-bit residual indices");
    if (c.outlierSize > 0 && c.outlierVectorLength != 4)
        gaps.push_back("outlier vector length " + std::to_string(c.outlierVectorLength) + " (the GEMV takes 4)");
    std::string out;
    for (const std::string &g : gaps)
        out += (out.empty() ? "" : ", ") + g;
    return out;
}

Json vptqLayerConfigJson(const VptqLayerConfig &c)
{
    const bool outliers = c.outlierSize > 0;
    Json j = Json::object();
    j["bias"] = false;
    j["enable_norm"] = c.enableNorm;
    j["enable_perm"] = c.enablePerm;
    j["group_num"] = c.groupNum;
    j["group_size"] = static_cast<long long>(c.groupSize);
    j["in_features"] = static_cast<long long>(c.inFeatures);
    j["indices_as_float"] = false;
    j["is_indice_packed"] = true;
    j["num_centroids"] = pairJson(outliers ? c.outlierCentroids : -1, c.centroids);
    j["num_res_centroids"] = pairJson(-1, c.residualCentroids > 0 ? c.residualCentroids : -1);
    j["out_features"] = static_cast<long long>(c.outFeatures);
    j["outlier_size"] = static_cast<long long>(c.outlierSize);
    j["vector_lens"] = pairJson(outliers ? c.outlierVectorLength : -1, c.vectorLength);
    return j;
}

Result<VptqLayerConfig> parseVptqLayerConfig(const Json &j)
{
    if (!j.isObject())
        return malformed("config is not an object");
    constexpr std::int64_t kMaxDim = std::int64_t(1) << 31;
    VptqLayerConfig c;
    LOWBIT_TRY(c.inFeatures, intField(j, "in_features", 1, kMaxDim - 1));
    LOWBIT_TRY(c.outFeatures, intField(j, "out_features", 1, kMaxDim - 1));
    if (c.inFeatures * c.outFeatures > (std::int64_t(1) << 40)) // the studio's VQ tensor limit
        return malformed("in_features · out_features is too large");
    LOWBIT_TRY(const auto groupNum, intField(j, "group_num", 1, c.inFeatures));
    c.groupNum = static_cast<int>(groupNum);
    LOWBIT_TRY(c.groupSize, intField(j, "group_size", 1, c.inFeatures));
    LOWBIT_TRY(c.outlierSize, intField(j, "outlier_size", 0, c.inFeatures - 1));
    LOWBIT_TRY(c.enableNorm, boolField(j, "enable_norm"));
    LOWBIT_TRY(c.enablePerm, boolField(j, "enable_perm"));
    LOWBIT_TRY(const bool packed, boolField(j, "is_indice_packed", true));
    if (!packed)
        return malformed("only the packed index layout (is_indice_packed true, what transformers loads) is read");
    LOWBIT_TRY(const auto lens, pairField(j, "vector_lens"));
    LOWBIT_TRY(const auto ks, pairField(j, "num_centroids"));
    LOWBIT_TRY(const auto res, pairField(j, "num_res_centroids"));
    if (lens.second < 1 || lens.second > kVqMaxVectorLength)
        return malformed("vector_lens[1] outside 1…256");
    c.vectorLength = static_cast<int>(lens.second);
    const auto pow2 = [](std::int64_t k) { return k >= 2 && k <= kVqMaxCentroids && std::has_single_bit(static_cast<std::uint64_t>(k)); };
    if (!pow2(ks.second))
        return malformed("num_centroids[1] must be a power of two in 2…65536 (VPTQ reads log2 k index bits)");
    c.centroids = static_cast<int>(ks.second);
    if (res.second > 0) {
        if (!pow2(res.second))
            return malformed("num_res_centroids[1] must be a power of two in 2…65536");
        c.residualCentroids = static_cast<int>(res.second);
    }
    if (res.first > 0)
        return malformed("residual codebooks for outliers are not part of the layout");
    const bool outliers = lens.first > 1 && ks.first > 0; // vqlinear.py's enable_outlier
    if (outliers != (c.outlierSize > 0))
        return malformed("outlier_size and the outlier codebook (vector_lens[0] > 1, num_centroids[0] > 0) disagree");
    if (outliers) {
        if (lens.first > kVqMaxVectorLength || ks.first > kVqMaxCentroids)
            return malformed("outlier vector length or codebook size out of range");
        c.outlierVectorLength = static_cast<int>(lens.first);
        c.outlierCentroids = static_cast<int>(ks.first);
    }
    if (static_cast<std::int64_t>(c.groupNum) * c.groupSize + c.outlierSize != c.inFeatures)
        return malformed("group_num · group_size + outlier_size must equal in_features");
    return c;
}

std::vector<std::int32_t> packVptqIndexRows(const std::vector<std::uint32_t> &merged, std::int64_t rows, std::int64_t groupSize, unsigned bits)
{
    const std::int64_t words = (groupSize * bits + 31) / 32;
    std::vector<std::uint32_t> out(uz(rows * words), 0u);
    for (std::int64_t n = 0; n < rows; ++n) {
        std::uint32_t *row = out.data() + n * words;
        for (std::int64_t j = 0; j < groupSize; ++j) {
            std::uint64_t value = merged[uz(n * groupSize + j)];
            std::uint64_t bit = static_cast<std::uint64_t>(j) * bits;
            for (unsigned left = bits; left > 0;) { // LSB first, a code may straddle two words
                const unsigned off = static_cast<unsigned>(bit & 31u), take = std::min(left, 32u - off);
                row[bit >> 5] |= static_cast<std::uint32_t>((value & ((std::uint64_t(1) << take) - 1u)) << off);
                value >>= take;
                bit += take;
                left -= take;
            }
        }
    }
    std::vector<std::int32_t> signedWords(out.size());
    if (!out.empty())
        std::memcpy(signedWords.data(), out.data(), out.size() * sizeof(std::uint32_t));
    return signedWords;
}

Result<VptqLinear> vptqFromVq(const VqContent &c)
{
    if (c.cols > 65536)
        return makeError(ErrorCode::Unsupported, std::to_string(c.cols) + " input columns: VPTQ's perm is int16 (at most 65536 columns)");
    if (c.outlierColumns > 0 && c.vectorLength < 2)
        return makeError(ErrorCode::Unsupported, "outlier columns with vector length 1: VPTQ enables outliers only for vector_lens[0] > 1");
    VptqLinear l;
    VptqLayerConfig &cfg = l.config;
    const int v = c.vectorLength;
    const std::int64_t R = c.vectorsPerColumn(), gs = c.cols - c.outlierColumns;
    cfg.inFeatures = c.cols;
    cfg.outFeatures = c.rows;
    cfg.vectorLength = v;
    cfg.residualCentroids = c.residual.entries ? nextPow2(c.residual.entries) : 0;
    cfg.centroids = std::max(nextPow2(c.main.entries), cfg.residualCentroids);
    // VPTQ's GEMV kernel takes outlier vectors of 4: longer ones (8, 12, 16) are split exactly into
    // v/4 vectors of 4 with a codebook of k·v/4 entries (the same values in the same order)
    int split = 1;
    if (c.outlierColumns) {
        if (v != 4 && v % 4 == 0 && static_cast<std::int64_t>(c.outlier.entries) * (v / 4) <= kVqMaxCentroids)
            split = v / 4;
        cfg.outlierVectorLength = v / split;
        cfg.outlierCentroids = c.outlier.entries * split;
        cfg.outlierSize = c.outlierColumns;
        if (split > 1)
            l.notes.push_back("outlier vectors of " + std::to_string(v) + " rows split into " + std::to_string(split) + " of 4 (codebook of "
                              + std::to_string(cfg.outlierCentroids) + " entries; exact), the length VPTQ's GEMV kernel takes");
    }
    cfg.groupNum = 1;
    cfg.groupSize = gs;
    cfg.enableNorm = cfg.enablePerm = true;
    if (cfg.centroids != c.main.entries)
        l.notes.push_back("main codebook padded from " + std::to_string(c.main.entries) + " to " + std::to_string(cfg.centroids)
                          + " entries" + (cfg.centroids > nextPow2(c.main.entries) ? " (the residual index width)" : " (a power of two)"));
    if (c.residual.entries && cfg.residualCentroids != c.residual.entries)
        l.notes.push_back("residual codebook padded from " + std::to_string(c.residual.entries) + " to " + std::to_string(cfg.residualCentroids)
                          + " entries (a power of two)");

    const auto codebook = [&](const VqCodebook &cb, std::int64_t values) {
        std::vector<std::uint16_t> h(uz(values), 0);
        for (std::size_t i = 0; i < cb.values.size(); ++i)
            h[i] = toFp16(cb.values[i], l.roundedToFp16);
        return h;
    };
    l.centroids = codebook(c.main, std::int64_t(cfg.centroids) * v);
    if (c.residual.entries)
        l.residualCentroids = codebook(c.residual, std::int64_t(cfg.residualCentroids) * v);
    if (c.outlierColumns) // split: entry i·split + s is values [4s, 4s + 4) of entry i, already in that order
        l.outlierCentroids = codebook(c.outlier, std::int64_t(cfg.outlierCentroids) * cfg.outlierVectorLength);

    // studio codes are position-major (p·R + n); VPTQ's rows are vector rows n over positions j
    const unsigned b = cfg.indexBits();
    std::vector<std::uint32_t> merged(uz(R * gs));
    for (std::int64_t n = 0; n < R; ++n)
        for (std::int64_t j = 0; j < gs; ++j) {
            const std::size_t s = uz(j * R + n);
            merged[uz(n * gs + j)] = c.mainIndices[s] | (c.residual.entries ? std::uint32_t(c.residualIndices[s]) << b : 0u);
        }
    l.indices = packVptqIndexRows(merged, R, gs, b + cfg.residualBits());
    const std::int64_t R0 = c.outlierColumns ? (c.rows + cfg.outlierVectorLength - 1) / cfg.outlierVectorLength : 0;
    l.outlierIndices.resize(uz(R0 * c.outlierColumns));
    for (std::int64_t n0 = 0; n0 < R0; ++n0) // vector row n0 of 4 (or v) rows: part n0 % split of studio vector n0 / split
        for (std::int64_t p = 0; p < c.outlierColumns; ++p) {
            const std::uint32_t k = std::uint32_t(c.outlierIndices[uz(p * R + n0 / split)]) * std::uint32_t(split) + std::uint32_t(n0 % split);
            l.outlierIndices[uz(n0 * c.outlierColumns + p)] = std::bit_cast<std::int16_t>(static_cast<std::uint16_t>(k));
        }
    l.perm.resize(uz(c.cols));
    for (std::int64_t p = 0; p < c.cols; ++p)
        l.perm[uz(p)] = std::bit_cast<std::int16_t>(static_cast<std::uint16_t>(c.columnAt(p)));
    if (c.scale.empty()) {
        l.scale.assign(uz(c.cols), floatToFp16(1.0f));
        l.bias.assign(uz(c.cols), floatToFp16(-0.0f));
    } else {
        l.scale.resize(uz(c.cols));
        l.bias.resize(uz(c.cols));
        for (std::int64_t k = 0; k < c.cols; ++k) {
            l.scale[uz(k)] = toFp16(c.scale[uz(k)], l.roundedToFp16);
            l.bias[uz(k)] = toFp16(c.bias[uz(k)], l.roundedToFp16);
        }
    }
    return l;
}

Result<VqContent> vqForRotateHalfRows(const VqContent &c, std::int64_t headDim)
{
    const int v = c.vectorLength;
    const auto unsupported = [](const std::string &why) { return makeError(ErrorCode::Unsupported, why); };
    if (v % 2 != 0 || headDim % v != 0 || c.rows % headDim != 0)
        return unsupported("vector length " + std::to_string(v) + " does not split into whole halves of " + std::to_string(headDim)
                           + "-row heads");
    if (2 * c.main.entries > kVqMaxCentroids || 2 * c.residual.entries > kVqMaxCentroids || 2 * c.outlier.entries > kVqMaxCentroids)
        return unsupported("halving the vectors doubles the codebooks beyond 65536 entries");
    if (c.outlierColumns > 0 && v / 2 < 2)
        return unsupported("outlier columns with vector length 1 after halving (VPTQ needs v0 > 1)");
    const int h = v / 2;
    const auto split = [h](const VqCodebook &cb) {
        VqCodebook out;
        out.entries = 2 * cb.entries;
        out.values.resize(uz(static_cast<std::int64_t>(out.entries) * h));
        for (int i = 0; i < cb.entries; ++i)
            for (int j = 0; j < 2; ++j)
                for (int e = 0; e < h; ++e)
                    out.values[uz((2 * i + j) * h + e)] = cb.values[uz(i * 2 * h + j + 2 * e)];
        return out;
    };
    VqContent q = c;
    q.vectorLength = h;
    q.main = split(c.main);
    if (c.residual.entries)
        q.residual = split(c.residual);
    if (c.outlierColumns)
        q.outlier = split(c.outlier);
    const std::int64_t R = c.vectorsPerColumn(), R2 = q.vectorsPerColumn(), half = headDim / 2;
    // HF vector n2 starts at HF row r = n2·h: head r / d, half j, first pair p0 = (r mod d) mod d/2;
    // it is half j of the old vector holding interleaved row head·d + 2·p0
    const auto remap = [&](const std::vector<std::uint16_t> &codes, std::int64_t columns) {
        std::vector<std::uint16_t> out(uz(columns * R2));
        for (std::int64_t p = 0; p < columns; ++p)
            for (std::int64_t n2 = 0; n2 < R2; ++n2) {
                const std::int64_t r = n2 * h, head = r / headDim, j = (r % headDim) / half, p0 = (r % headDim) % half;
                const std::int64_t n = (head * headDim + 2 * p0) / v;
                out[uz(p * R2 + n2)] = static_cast<std::uint16_t>(2 * codes[uz(p * R + n)] + j);
            }
        return out;
    };
    q.mainIndices = remap(c.mainIndices, c.cols - c.outlierColumns);
    if (c.residual.entries)
        q.residualIndices = remap(c.residualIndices, c.cols - c.outlierColumns);
    if (c.outlierColumns)
        q.outlierIndices = remap(c.outlierIndices, c.outlierColumns);
    return q;
}

std::vector<std::pair<std::string, TensorView>> vptqTensorViews(const VptqLinear &l)
{
    const VptqLayerConfig &c = l.config;
    const std::int64_t R = c.vectorsPerColumn(), v = c.vectorLength;
    std::vector<std::pair<std::string, TensorView>> t;
    const auto add = [&t](std::string suffix, TensorView view) { t.emplace_back(std::move(suffix), std::move(view)); };
    add("centroids.weight", ownedView("centroids.weight", DType::F16, {c.groupNum, c.centroids * v}, l.centroids));
    add("indices", ownedView("indices", DType::I32, {c.groupNum, R, c.packedWords()}, l.indices));
    if (c.residualCentroids)
        add("res_centroids.weight", ownedView("res_centroids.weight", DType::F16, {c.groupNum, c.residualCentroids * v}, l.residualCentroids));
    if (c.outlierSize) {
        const std::int64_t R0 = (c.outFeatures + c.outlierVectorLength - 1) / c.outlierVectorLength;
        add("outlier_centroids.weight",
            ownedView("outlier_centroids.weight", DType::F16, {1, std::int64_t(c.outlierCentroids) * c.outlierVectorLength}, l.outlierCentroids));
        add("outlier_indices", ownedView("outlier_indices", DType::I16, {1, R0, c.outlierSize}, l.outlierIndices));
    }
    if (c.enablePerm)
        add("perm", ownedView("perm", DType::I16, {c.inFeatures}, l.perm));
    if (c.enableNorm) {
        add("weight_scale", ownedView("weight_scale", DType::F16, {c.inFeatures}, l.scale));
        add("weight_bias", ownedView("weight_bias", DType::F16, {c.inFeatures}, l.bias));
    }
    return t;
}

} // namespace lowbit
