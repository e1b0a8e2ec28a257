// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/cpu_model.h"

#include "core/dtypes/scalar_convert.h"
#include "core/infer/attention.h"
#include "core/model/rope.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <cmath>

namespace lowbit {

const char *linearInputName(LinearInput which)
{
    static const char *const kNames[kLinearInputCount] = {"attn_in", "attn_out", "mlp_in", "mlp_out"};
    return kNames[static_cast<int>(which)];
}

CpuModel::~CpuModel() = default;

namespace {

Result<std::vector<float>> weights(const Model &m, TensorRole role, int layer, bool required)
{
    const ModelTensor *t = m.find(role, layer);
    if (!t) {
        if (required)
            return makeError(ErrorCode::Inconsistent, m.path() + ": missing " + std::string(tensorRoleName(role)) + " tensor");
        return std::vector<float>{};
    }
    auto v = t->view.toFloatVector();
    if (!v)
        return v.error().withContext(t->view.name);
    return std::move(*v);
}

void rmsnorm(const float *x, const float *g, float *y, std::int64_t rows, std::int64_t d, double eps)
{
#pragma omp parallel for schedule(static) if (rows > 4)
    for (std::int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * d;
        float ss = 0.0f;
        for (std::int64_t i = 0; i < d; ++i)
            ss += xr[i] * xr[i];
        const float inv = 1.0f / std::sqrt(ss / static_cast<float>(d) + static_cast<float>(eps));
        for (std::int64_t i = 0; i < d; ++i)
            y[r * d + i] = xr[i] * inv * g[i];
    }
}

/// In place on x[rows, heads, hd] at positions pos0 + row.
void rope(float *x, std::int64_t rows, std::int64_t heads, std::int64_t hd, std::int64_t pos0, const std::vector<float> &invFreq,
          bool interleaved)
{
    const std::int64_t half = hd / 2;
#pragma omp parallel for schedule(static) if (rows > 4)
    for (std::int64_t t = 0; t < rows; ++t)
        for (std::int64_t i = 0; i < half; ++i) {
            const float angle = static_cast<float>(pos0 + t) * invFreq[static_cast<std::size_t>(i)];
            const float c = std::cos(angle), s = std::sin(angle);
            for (std::int64_t h = 0; h < heads; ++h) {
                float *base = x + (t * heads + h) * hd;
                const std::int64_t a = interleaved ? 2 * i : i, b = interleaved ? 2 * i + 1 : i + half;
                const float x0 = base[a], x1 = base[b];
                base[a] = x0 * c - x1 * s;
                base[b] = x0 * s + x1 * c;
            }
        }
}

/// Each value rounded to the nearest fp16 (ties to even), as a KvCacheType::F16 cache stores it.
void roundToFp16(float *x, std::int64_t n)
{
    for (std::int64_t i = 0; i < n; ++i)
        x[i] = fp16ToFloat(floatToFp16(x[i]));
}

} // namespace

Result<std::unique_ptr<CpuModel>> CpuModel::load(const Model &model, const EngineOptions &options)
{
    auto m = std::unique_ptr<CpuModel>(new CpuModel());
    const ModelConfig &c = model.config();
    m->m_config = c;
    m->m_options = options;
    m->m_maxContext = options.maxContext > 0 ? options.maxContext : (c.maxPositions > 0 ? c.maxPositions : 2048);
    setComputeThreads(options.threads);
    m->m_shared = std::make_shared<Shared>();
    Shared &S = *m->m_shared;
    S.tied = model.find(TensorRole::Output, -1) == nullptr;
    const ModelTensor *emb = model.find(TensorRole::Embedding, -1);
    if (!emb || emb->view.shape != std::vector<std::int64_t>{c.vocabSize, c.hiddenSize})
        return makeError(ErrorCode::Inconsistent, model.path() + ": the token embedding is missing or not [vocab, hidden]");
    if (options.weights == WeightMode::OnTheFly && !S.tied) {
        S.embeddingRows = emb->view; // rows converted per token; the table is never held in fp32
    } else {
        LOWBIT_TRY(S.embedding, weights(model, TensorRole::Embedding, -1, true));
    }
    LOWBIT_TRY(S.finalNorm, weights(model, TensorRole::FinalNorm, -1, true));
    LOWBIT_TRY(S.weights, makeWeightProvider(model, options.weights));
    const auto dim = static_cast<std::size_t>(c.hiddenSize);
    if (S.finalNorm.size() != dim)
        return makeError(ErrorCode::Inconsistent, model.path() + ": the final norm does not match the config");
    for (int l = 0; l < c.numLayers; ++l) {
        Layer L;
        LOWBIT_TRY(L.attnNorm, weights(model, TensorRole::AttnNorm, l, true));
        LOWBIT_TRY(L.ffnNorm, weights(model, TensorRole::FfnNorm, l, true));
        LOWBIT_TRY(L.qBias, weights(model, TensorRole::QBias, l, false));
        LOWBIT_TRY(L.kBias, weights(model, TensorRole::KBias, l, false));
        LOWBIT_TRY(L.vBias, weights(model, TensorRole::VBias, l, false));
        if (L.attnNorm.size() != dim || L.ffnNorm.size() != dim)
            return makeError(ErrorCode::Inconsistent, model.path() + ": norm weights of layer " + std::to_string(l) + " do not match the config");
        const bool hasBias = !L.qBias.empty() || !L.kBias.empty() || !L.vBias.empty();
        if (hasBias && (L.qBias.size() != static_cast<std::size_t>(c.numHeads * c.headDim)
                        || L.kBias.size() != static_cast<std::size_t>(c.kvDim()) || L.vBias.size() != static_cast<std::size_t>(c.kvDim())))
            return makeError(ErrorCode::Inconsistent, model.path() + ": layer " + std::to_string(l) + " has incomplete or mis-sized q/k/v biases");
        if (c.ropeLayout == RopeLayout::Interleaved && hasBias) {
            // the same row permutation as the q/k matrices (see WeightProvider::fetch)
            L.qBias = permuteInterleavedToHalfSplit(L.qBias, c.numHeads, c.headDim, 1);
            L.kBias = permuteInterleavedToHalfSplit(L.kBias, c.numKvHeads, c.headDim, 1);
        }
        S.layers.push_back(std::move(L));
    }
    LOWBIT_TRY(std::vector<double> inv, ropeInverseFrequencies(c));
    S.invFreq.assign(inv.begin(), inv.end());
    std::int64_t cacheFloats = 0;
    if (__builtin_mul_overflow(m->m_maxContext, c.kvDim(), &cacheFloats) || cacheFloats > (std::int64_t{1} << 40))
        return makeError(ErrorCode::InvalidArgument, "KV cache of " + std::to_string(m->m_maxContext) + " positions is too large");
    m->allocateCache();
    return m;
}

void CpuModel::allocateCache()
{
    const auto floats = static_cast<std::size_t>(m_maxContext * m_config.kvDim());
    m_cache.assign(static_cast<std::size_t>(m_config.numLayers), KvCache{std::vector<float>(floats), std::vector<float>(floats)});
}

std::unique_ptr<InferenceModel> CpuModel::fork() const
{
    if (m_options.weights != WeightMode::Resident)
        return nullptr;
    auto f = std::unique_ptr<CpuModel>(new CpuModel());
    f->m_config = m_config;
    f->m_options = m_options;
    f->m_options.threads = 1;
    f->m_maxContext = m_maxContext;
    f->m_shared = m_shared;
    f->allocateCache();
    return f;
}

unsigned CpuModel::concurrentSequences() const
{
    const unsigned threads = m_options.threads ? m_options.threads : defaultThreadCount();
    return m_config.hiddenSize <= 1024 && m_options.weights == WeightMode::Resident ? threads : 1u;
}

Status CpuModel::linear(TensorRole role, int layer, const float *x, std::int64_t rows, float *y)
{
    const auto [out, in] = linearShape(m_config, role);
    if (role == TensorRole::Output && m_shared->tied) {
        m_matmul.run(x, rows, in, m_shared->embedding.data(), out, y);
        return {};
    }
    LOWBIT_TRY(std::span<const float> w, m_shared->weights->fetch(role, layer));
    m_matmul.run(x, rows, in, w.data(), out, y);
    return {};
}

Result<std::vector<float>> CpuModel::forward(std::span<const std::int32_t> tokens, bool allLogits)
{
    const ModelConfig &c = m_config;
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n == 0)
        return std::vector<float>{};
    LOWBIT_CHECK(checkForwardInput(tokens, m_position, m_maxContext, c.vocabSize));
    setComputeThreads(m_options.threads);
    const std::int64_t d = c.hiddenSize, hd = c.headDim, nh = c.numHeads, nkv = c.numKvHeads;
    const std::int64_t qd = nh * hd, kvd = nkv * hd, ff = c.intermediateSize, pos0 = m_position;
    const bool interleaved = false; // weights were permuted to the half-split pairing at load
    auto buf = [n](std::int64_t w) { return std::vector<float>(static_cast<std::size_t>(n * w)); };
    std::vector<float> x = buf(d), xn = buf(d), q = buf(qd), att = buf(qd), tmp = buf(d), g = buf(ff), u = buf(ff);
    for (std::int64_t t = 0; t < n; ++t) {
        const std::int32_t id = tokens[static_cast<std::size_t>(t)];
        if (m_shared->embeddingRows)
            LOWBIT_CHECK(m_shared->embeddingRows->rowsToFloat(x.data() + t * d, id, 1));
        else
            std::copy_n(m_shared->embedding.begin() + id * d, d, x.begin() + t * d);
    }

    for (std::size_t l = 0; l < m_shared->layers.size(); ++l) {
        const Layer &L = m_shared->layers[l];
        KvCache &C = m_cache[l];
        const int li = static_cast<int>(l);
        rmsnorm(x.data(), L.attnNorm.data(), xn.data(), n, d, c.rmsNormEps);
        if (m_hook)
            m_hook(li, LinearInput::AttnIn, xn.data(), n, d);
        float *kNew = C.k.data() + pos0 * kvd;
        float *vNew = C.v.data() + pos0 * kvd;
        LOWBIT_CHECK(linear(TensorRole::Q, li, xn.data(), n, q.data()));
        LOWBIT_CHECK(linear(TensorRole::K, li, xn.data(), n, kNew));
        LOWBIT_CHECK(linear(TensorRole::V, li, xn.data(), n, vNew));
        if (!L.qBias.empty())
            for (std::int64_t t = 0; t < n; ++t) {
                for (std::int64_t i = 0; i < qd; ++i)
                    q[static_cast<std::size_t>(t * qd + i)] += L.qBias[static_cast<std::size_t>(i)];
                for (std::int64_t i = 0; i < kvd; ++i) {
                    kNew[t * kvd + i] += L.kBias[static_cast<std::size_t>(i)];
                    vNew[t * kvd + i] += L.vBias[static_cast<std::size_t>(i)];
                }
            }
        rope(q.data(), n, nh, hd, pos0, m_shared->invFreq, interleaved);
        rope(kNew, n, nkv, hd, pos0, m_shared->invFreq, interleaved);
        if (m_options.kvCache == KvCacheType::F16) {
            roundToFp16(kNew, n * kvd);
            roundToFp16(vNew, n * kvd);
        }

        causalAttention({n, nh, nkv, hd, pos0}, q.data(), C.k.data(), C.v.data(), att.data());
        if (m_hook)
            m_hook(li, LinearInput::AttnOut, att.data(), n, qd);
        LOWBIT_CHECK(linear(TensorRole::O, li, att.data(), n, tmp.data()));
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] += tmp[i];

        rmsnorm(x.data(), L.ffnNorm.data(), xn.data(), n, d, c.rmsNormEps);
        if (m_hook)
            m_hook(li, LinearInput::MlpIn, xn.data(), n, d);
        LOWBIT_CHECK(linear(TensorRole::Gate, li, xn.data(), n, g.data()));
        LOWBIT_CHECK(linear(TensorRole::Up, li, xn.data(), n, u.data()));
#pragma omp parallel for schedule(static) if (n * ff > 65536)
        for (std::int64_t i = 0; i < n * ff; ++i) {
            const float gv = g[static_cast<std::size_t>(i)];
            g[static_cast<std::size_t>(i)] = gv / (1.0f + std::exp(-gv)) * u[static_cast<std::size_t>(i)];
        }
        if (m_hook)
            m_hook(li, LinearInput::MlpOut, g.data(), n, ff);
        LOWBIT_CHECK(linear(TensorRole::Down, li, g.data(), n, tmp.data()));
        for (std::size_t i = 0; i < x.size(); ++i)
            x[i] += tmp[i];
    }
    m_position += n;
    const std::int64_t first = allLogits ? 0 : n - 1, rows = n - first;
    rmsnorm(x.data() + first * d, m_shared->finalNorm.data(), xn.data(), rows, d, c.rmsNormEps);
    std::vector<float> logits(static_cast<std::size_t>(rows * c.vocabSize));
    LOWBIT_CHECK(linear(TensorRole::Output, -1, xn.data(), rows, logits.data()));
    return logits;
}

} // namespace lowbit
