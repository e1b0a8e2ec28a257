// SPDX-License-Identifier: GPL-3.0-or-later
// Reading the VPTQ layout back (vptq_layout.h): dequantizeVptq, vqFromVptq and the Hugging Face
// folder hook resolveVptqLinears.
#include "core/export/vptq_layout.h"

#include "core/dtypes/dtype.h"
#include "core/dtypes/scalar_convert.h"
#include "core/model/tensor_role.h"

#include <cstring>
#include <initializer_list>
#include <unordered_map>

namespace lowbit {

namespace {

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

Error malformed(std::string detail) { return makeError(ErrorCode::Malformed, "VPTQ layer: " + std::move(detail)); }

float roundFp16(float x) { return fp16ToFloat(floatToFp16(x)); }

/// A tensor of the layer with the given dtype(s) and shape, or Malformed.
Result<const TensorView *> need(const VptqTensorLookup &get, std::string_view suffix, std::initializer_list<DType> dtypes,
                                const std::vector<std::int64_t> &shape)
{
    const TensorView *t = get(suffix);
    if (!t)
        return malformed("tensor '" + std::string(suffix) + "' missing");
    bool dtypeOk = false;
    for (const DType d : dtypes)
        dtypeOk = dtypeOk || t->dtype == d;
    if (!dtypeOk)
        return malformed("tensor '" + std::string(suffix) + "' has dtype " + std::string(dtypeName(t->dtype)));
    if (t->shape != shape || t->nbytes != t->numel() * dtypeTraits(t->dtype).blockBytes || (t->nbytes && !t->data))
        return malformed("tensor '" + std::string(suffix) + "' does not have the shape the config implies");
    return t;
}

Result<std::vector<float>> floats(const VptqTensorLookup &get, std::string_view suffix, const std::vector<std::int64_t> &shape)
{
    LOWBIT_TRY(const TensorView *t, need(get, suffix, {DType::F16, DType::BF16, DType::F32}, shape));
    std::vector<float> v(uz(static_cast<std::int64_t>(t->numel())));
    LOWBIT_CHECK(convertToFloat(t->dtype, t->data, v.data(), v.size()));
    return v;
}

/// Code j (`bits` ≤ 32 wide) of an LSB-first stream of 32-bit words.
std::uint32_t readWide(const std::uint32_t *words, std::int64_t j, unsigned bits)
{
    const std::uint64_t bit = static_cast<std::uint64_t>(j) * bits;
    const std::uint64_t w = bit >> 5;
    const unsigned off = static_cast<unsigned>(bit & 31u);
    std::uint64_t v = words[w] >> off;
    if (off + bits > 32)
        v |= static_cast<std::uint64_t>(words[w + 1]) << (32 - off);
    return static_cast<std::uint32_t>(v & ((std::uint64_t(1) << bits) - 1u));
}

/// A VPTQ linear's tensors read and checked (floats widened, indices copied out).
struct VptqLoaded {
    std::vector<float> cent, res, outCent, scale, bias;
    std::vector<std::uint32_t> words;       ///< [group_num, R, packedWords]
    std::vector<std::uint16_t> outIdx;      ///< [R0, outlier_size]
    std::vector<std::int64_t> columnOf;     ///< position → original column
    bool allF16 = true;                     ///< every float tensor stored as fp16
};

Result<std::vector<float>> floatsOf(const VptqTensorLookup &get, std::string_view suffix, const std::vector<std::int64_t> &shape,
                                    bool &allF16)
{
    const TensorView *t = get(suffix);
    allF16 = allF16 && t && t->dtype == DType::F16;
    return floats(get, suffix, shape);
}

Result<VptqLoaded> loadVptq(const VptqLayerConfig &c, const VptqTensorLookup &get)
{
    const std::int64_t in = c.inFeatures, out = c.outFeatures, R = c.vectorsPerColumn(), W = c.packedWords();
    const int v = c.vectorLength;
    VptqLoaded l;
    LOWBIT_TRY(l.cent, floatsOf(get, "centroids.weight", {c.groupNum, std::int64_t(c.centroids) * v}, l.allF16));
    LOWBIT_TRY(const TensorView *idxView, need(get, "indices", {DType::I32}, {c.groupNum, R, W}));
    l.words.resize(uz(c.groupNum * R * W));
    std::memcpy(l.words.data(), idxView->data, l.words.size() * sizeof(std::uint32_t));
    if (c.residualCentroids) {
        LOWBIT_TRY(l.res, floatsOf(get, "res_centroids.weight", {c.groupNum, std::int64_t(c.residualCentroids) * v}, l.allF16));
    }
    if (c.outlierSize) {
        const int v0 = c.outlierVectorLength;
        const std::int64_t R0 = (out + v0 - 1) / v0;
        LOWBIT_TRY(l.outCent, floatsOf(get, "outlier_centroids.weight", {1, std::int64_t(c.outlierCentroids) * v0}, l.allF16));
        LOWBIT_TRY(const TensorView *oi, need(get, "outlier_indices", {DType::I16}, {1, R0, c.outlierSize}));
        l.outIdx.resize(uz(R0 * c.outlierSize));
        std::memcpy(l.outIdx.data(), oi->data, l.outIdx.size() * sizeof(std::uint16_t)); // int16 holding uint16 values
        for (const std::uint16_t k : l.outIdx)
            if (k >= c.outlierCentroids)
                return malformed("outlier index " + std::to_string(k) + " ≥ " + std::to_string(c.outlierCentroids));
    }
    l.columnOf.resize(uz(in));
    for (std::int64_t p = 0; p < in; ++p)
        l.columnOf[uz(p)] = p;
    if (c.enablePerm) {
        LOWBIT_TRY(const TensorView *pv, need(get, "perm", {DType::I16, DType::I64}, {in}));
        std::vector<bool> seen(uz(in), false);
        for (std::int64_t p = 0; p < in; ++p) {
            std::int64_t col = 0;
            if (pv->dtype == DType::I16) {
                std::uint16_t u;
                std::memcpy(&u, pv->data + p * 2, 2);
                col = u;
            } else {
                std::memcpy(&col, pv->data + p * 8, 8);
            }
            if (col < 0 || col >= in || seen[uz(col)])
                return malformed("perm is not a permutation of 0…" + std::to_string(in - 1));
            seen[uz(col)] = true;
            l.columnOf[uz(p)] = col;
        }
    }
    if (c.enableNorm) {
        LOWBIT_TRY(l.scale, floatsOf(get, "weight_scale", {in}, l.allF16));
        LOWBIT_TRY(l.bias, floatsOf(get, "weight_bias", {in}, l.allF16));
    }
    return l;
}

} // namespace

Result<std::vector<float>> dequantizeVptq(const VptqLayerConfig &c, const VptqTensorLookup &get, VptqArithmetic arithmetic)
{
    LOWBIT_TRY(const VptqLoaded l, loadVptq(c, get));
    const std::int64_t in = c.inFeatures, out = c.outFeatures, R = c.vectorsPerColumn(), W = c.packedWords();
    const int v = c.vectorLength, v0 = c.outlierVectorLength;
    const unsigned b = c.indexBits(), br = c.residualBits();
    std::vector<float> w(uz(out * in));
    float tmp[kVqMaxVectorLength];
    const auto store = [&](const float *cv, const float *rv, int len, std::int64_t n, std::int64_t col) {
        const bool norm = c.enableNorm;
        const float s = norm ? l.scale[uz(col)] : 1.0f, bb = norm ? l.bias[uz(col)] : 0.0f;
        if (arithmetic == VptqArithmetic::Exact) {
            vqDecodeVector(cv, rv, len, norm, s, bb, tmp);
        } else {
            for (int d = 0; d < len; ++d) { // torch float16: every operation rounds to fp16
                float y = rv ? roundFp16(cv[d] + rv[d]) : cv[d];
                if (norm)
                    y = roundFp16(roundFp16(y * s) + bb);
                tmp[d] = y;
            }
        }
        for (int d = 0; d < len && n * len + d < out; ++d) // padding rows of the last vector dropped
            w[uz((n * len + d) * in + col)] = tmp[d];
    };
    if (c.outlierSize) {
        const std::int64_t R0 = (out + v0 - 1) / v0;
        for (std::int64_t p = 0; p < c.outlierSize; ++p)
            for (std::int64_t n = 0; n < R0; ++n)
                store(l.outCent.data() + std::int64_t(l.outIdx[uz(n * c.outlierSize + p)]) * v0, nullptr, v0, n, l.columnOf[uz(p)]);
    }
    const std::uint32_t mask = (1u << b) - 1u;
    for (int g = 0; g < c.groupNum; ++g)
        for (std::int64_t n = 0; n < R; ++n) {
            const std::uint32_t *row = l.words.data() + (std::int64_t(g) * R + n) * W;
            const float *cb = l.cent.data() + std::int64_t(g) * c.centroids * v;
            const float *rb = br ? l.res.data() + std::int64_t(g) * c.residualCentroids * v : nullptr;
            for (std::int64_t j = 0; j < c.groupSize; ++j) {
                const std::uint32_t m = readWide(row, j, b + br);
                const float *rv = br ? rb + std::int64_t((m >> b) & ((1u << br) - 1u)) * v : nullptr;
                store(cb + std::int64_t(m & mask) * v, rv, v, n, l.columnOf[uz(c.outlierSize + g * c.groupSize + j)]);
            }
        }
    return w;
}

Result<VqContent> vqFromVptq(const VptqLayerConfig &c, const VptqTensorLookup &get)
{
    if (c.groupNum != 1)
        return makeError(ErrorCode::Unsupported, "VPTQ layer with " + std::to_string(c.groupNum) + " codebooks (the studio's VQ tensor has one)");
    const int v = c.vectorLength, v0 = c.outlierVectorLength;
    // outlier vectors shorter than the main ones: the studio's tensor has one vector length, so
    // they are taken back only when they are the exporter's exact split (entry i·m + s holds part s
    // of a v-long entry i, and the m parts of each v rows use one i)
    const int split = c.outlierSize && v0 != v && v0 > 0 && v % v0 == 0 ? v / v0 : 1;
    if (c.outlierSize && v0 != v && (split == 1 || c.outlierCentroids % split != 0))
        return makeError(ErrorCode::Unsupported, "VPTQ outlier vector length differs from the main one");
    LOWBIT_TRY(VptqLoaded l, loadVptq(c, get));
    const std::int64_t R0 = c.outlierSize ? (c.outFeatures + v0 - 1) / v0 : 0;
    const auto sm = static_cast<std::uint32_t>(split);
    if (split > 1)
        for (std::int64_t n0 = 0; n0 < R0; ++n0)
            for (std::int64_t p = 0; p < c.outlierSize; ++p) {
                const std::uint32_t k = l.outIdx[uz(n0 * c.outlierSize + p)], first = l.outIdx[uz((n0 - n0 % split) * c.outlierSize + p)];
                if (k % sm != std::uint32_t(n0 % split) || k / sm != first / sm)
                    return makeError(ErrorCode::Unsupported, "VPTQ outlier vectors of " + std::to_string(v0) + " that are not a split of vectors of "
                                                                 + std::to_string(v));
            }
    VqContent q;
    q.rows = c.outFeatures;
    q.cols = c.inFeatures;
    q.vectorLength = c.vectorLength;
    q.codebookType = l.allF16 ? VqCodebookType::F16 : VqCodebookType::F32; // bf16 values are exact in fp32
    q.outlierColumns = c.outlierSize;
    const std::int64_t R = c.vectorsPerColumn(), gs = c.groupSize, W = c.packedWords();
    const unsigned b = c.indexBits(), br = c.residualBits();
    q.main = {c.centroids, std::move(l.cent)};
    if (br)
        q.residual = {c.residualCentroids, std::move(l.res)};
    if (c.outlierSize) // (split: the same values, read as k0/m entries of v)
        q.outlier = {c.outlierCentroids / split, std::move(l.outCent)};
    q.mainIndices.resize(uz(gs * R));
    if (br)
        q.residualIndices.resize(uz(gs * R));
    for (std::int64_t n = 0; n < R; ++n)
        for (std::int64_t j = 0; j < gs; ++j) {
            const std::uint32_t m = readWide(l.words.data() + n * W, j, b + br);
            q.mainIndices[uz(j * R + n)] = static_cast<std::uint16_t>(m & ((1u << b) - 1u));
            if (br)
                q.residualIndices[uz(j * R + n)] = static_cast<std::uint16_t>((m >> b) & ((1u << br) - 1u));
        }
    q.outlierIndices.resize(uz(c.outlierSize * R));
    for (std::int64_t n = 0; n < R; ++n)
        for (std::int64_t p = 0; p < c.outlierSize; ++p)
            q.outlierIndices[uz(p * R + n)] = static_cast<std::uint16_t>(l.outIdx[uz(n * split * c.outlierSize + p)] / sm);
    if (c.enablePerm) {
        q.perm.resize(uz(c.inFeatures));
        for (std::int64_t p = 0; p < c.inFeatures; ++p)
            q.perm[uz(p)] = static_cast<std::int32_t>(l.columnOf[uz(p)]);
    }
    if (c.enableNorm) {
        q.scale = std::move(l.scale);
        q.bias = std::move(l.bias);
    }
    return q;
}


Result<std::vector<ModelTensor>> resolveVptqLinears(const Json &config, std::vector<ModelTensor> tensors)
{
    const Json *q = config.find("quantization_config");
    const Json *method = q ? q->find("quant_method") : nullptr;
    if (!method || !method->isString() || method->asString() != "vptq")
        return tensors;
    const Json *layers = q->find("config_for_layers");
    if (!layers || !layers->isObject())
        return malformed("quantization_config.config_for_layers missing");
    std::unordered_map<std::string, std::size_t> byName;
    for (std::size_t i = 0; i < tensors.size(); ++i)
        byName.emplace(tensors[i].view.name, i);
    static constexpr std::string_view kParts[] = {"centroids.weight", "indices", "res_centroids.weight", "res_indices",
                                                  "outlier_centroids.weight", "outlier_indices", "perm", "weight_scale", "weight_bias"};
    std::vector<bool> consumed(tensors.size(), false);
    std::unordered_map<std::size_t, ModelTensor> replacement; // at the index of the module's first part
    for (const auto &[module, entry] : layers->asObject()) {
        const auto fail = [&module](const Error &e) { return makeError(ErrorCode::Malformed, module + ": " + e.detail); };
        auto cfg = parseVptqLayerConfig(entry);
        if (!cfg)
            return fail(cfg.error());
        const VptqTensorLookup lookup = [&](std::string_view suffix) -> const TensorView * {
            const auto it = byName.find(module + "." + std::string(suffix));
            return it == byName.end() ? nullptr : &tensors[it->second].view;
        };
        TensorView view;
        auto content = vqFromVptq(*cfg, lookup);
        if (content) {
            auto vq = VqQuantizedTensor::create(std::move(*content));
            if (!vq)
                return fail(vq.error());
            view = makeDecodedView(module + ".weight", *vq);
        } else if (content.error().code == ErrorCode::Unsupported) { // several codebooks: keep the weights
            auto w = dequantizeVptq(*cfg, lookup);
            if (!w)
                return fail(w.error());
            view = makeOwnedF32(module + ".weight", {cfg->outFeatures, cfg->inFeatures}, std::move(*w));
        } else {
            return fail(content.error());
        }
        std::size_t first = tensors.size();
        for (const std::string_view part : kParts)
            if (const auto it = byName.find(module + "." + std::string(part)); it != byName.end()) {
                consumed[it->second] = true;
                first = std::min(first, it->second);
            }
        const RoleAndLayer rl = roleFromHfName(view.name);
        replacement.emplace(first, ModelTensor{std::move(view), rl.role, rl.layer});
    }
    std::vector<ModelTensor> out;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        if (const auto it = replacement.find(i); it != replacement.end())
            out.push_back(std::move(it->second));
        if (!consumed[i])
            out.push_back(std::move(tensors[i]));
    }
    return out;
}

} // namespace lowbit
