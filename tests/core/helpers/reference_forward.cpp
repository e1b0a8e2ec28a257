// SPDX-License-Identifier: GPL-3.0-or-later
#include "reference_forward.h"

#include "core/model/random_model.h"
#include "core/model/rope.h"

#include <cmath>
#include <random>

namespace lowbit::test {

namespace {
using Vec = std::vector<double>;

Vec weights(const Model &m, TensorRole r, int layer)
{
    const ModelTensor *t = m.find(r, layer);
    auto v = t->view.toFloatVector();
    return Vec(v->begin(), v->end());
}

Vec rmsnorm(const Vec &x, const Vec &g, double eps)
{
    double ss = 0;
    for (double v : x)
        ss += v * v;
    const double inv = 1.0 / std::sqrt(ss / double(x.size()) + eps);
    Vec y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        y[i] = x[i] * inv * g[i];
    return y;
}

Vec matvec(const Vec &w, const Vec &x, std::size_t rows)
{
    const std::size_t cols = x.size();
    Vec y(rows, 0.0);
    for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c)
            y[r] += w[r * cols + c] * x[c];
    return y;
}

void rope(Vec &x, std::size_t heads, std::size_t hd, double pos, const std::vector<double> &invFreq, bool interleaved)
{
    for (std::size_t h = 0; h < heads; ++h)
        for (std::size_t i = 0; i < hd / 2; ++i) {
            const std::size_t a = h * hd + (interleaved ? 2 * i : i), b = h * hd + (interleaved ? 2 * i + 1 : i + hd / 2);
            const double ang = pos * invFreq[i], x0 = x[a], x1 = x[b];
            x[a] = x0 * std::cos(ang) - x1 * std::sin(ang);
            x[b] = x0 * std::sin(ang) + x1 * std::cos(ang);
        }
}
} // namespace

std::vector<double> referenceForward(const Model &m, const std::vector<std::int32_t> &tokens, const ReferenceActivationHook &hook)
{
    const ModelConfig &c = m.config();
    const auto d = std::size_t(c.hiddenSize), hd = std::size_t(c.headDim), nh = std::size_t(c.numHeads), nkv = std::size_t(c.numKvHeads);
    const auto ff = std::size_t(c.intermediateSize), vocab = std::size_t(c.vocabSize), T = tokens.size();
    const auto invFreq = *ropeInverseFrequencies(c);
    const bool inter = c.ropeLayout == RopeLayout::Interleaved;
    const Vec emb = weights(m, TensorRole::Embedding, -1);
    std::vector<Vec> x(T);
    for (std::size_t t = 0; t < T; ++t)
        x[t] = Vec(emb.begin() + std::ptrdiff_t(std::size_t(tokens[t]) * d), emb.begin() + std::ptrdiff_t((std::size_t(tokens[t]) + 1) * d));
    for (int l = 0; l < c.numLayers; ++l) {
        const Vec an = weights(m, TensorRole::AttnNorm, l), wq = weights(m, TensorRole::Q, l), wk = weights(m, TensorRole::K, l);
        const Vec wv = weights(m, TensorRole::V, l), wo = weights(m, TensorRole::O, l), fn = weights(m, TensorRole::FfnNorm, l);
        const Vec wg = weights(m, TensorRole::Gate, l), wu = weights(m, TensorRole::Up, l), wd = weights(m, TensorRole::Down, l);
        std::vector<Vec> q(T), k(T), v(T);
        for (std::size_t t = 0; t < T; ++t) {
            const Vec xn = rmsnorm(x[t], an, c.rmsNormEps);
            if (hook)
                hook(l, 0, t, xn);
            q[t] = matvec(wq, xn, nh * hd);
            k[t] = matvec(wk, xn, nkv * hd);
            v[t] = matvec(wv, xn, nkv * hd);
            if (c.attentionBias) // qwen2: q/k/v biases, before RoPE
                for (const auto &[role, y] : {std::pair{TensorRole::QBias, &q[t]}, std::pair{TensorRole::KBias, &k[t]}, std::pair{TensorRole::VBias, &v[t]}}) {
                    const Vec b = weights(m, role, l);
                    for (std::size_t i = 0; i < y->size(); ++i)
                        (*y)[i] += b[i];
                }
            rope(q[t], nh, hd, double(t), invFreq, inter);
            rope(k[t], nkv, hd, double(t), invFreq, inter);
        }
        for (std::size_t t = 0; t < T; ++t) {
            Vec att(nh * hd, 0.0);
            for (std::size_t h = 0; h < nh; ++h) {
                const std::size_t g = h / (nh / nkv);
                Vec s(t + 1);
                double mx = -INFINITY;
                for (std::size_t j = 0; j <= t; ++j) {
                    double dot = 0;
                    for (std::size_t e = 0; e < hd; ++e)
                        dot += q[t][h * hd + e] * k[j][g * hd + e];
                    s[j] = dot / std::sqrt(double(hd));
                    mx = std::max(mx, s[j]);
                }
                double sum = 0;
                for (auto &z : s)
                    sum += (z = std::exp(z - mx));
                for (std::size_t j = 0; j <= t; ++j)
                    for (std::size_t e = 0; e < hd; ++e)
                        att[h * hd + e] += s[j] / sum * v[j][g * hd + e];
            }
            if (hook)
                hook(l, 1, t, att);
            const Vec o = matvec(wo, att, d);
            for (std::size_t i = 0; i < d; ++i)
                x[t][i] += o[i];
            const Vec xn = rmsnorm(x[t], fn, c.rmsNormEps);
            if (hook)
                hook(l, 2, t, xn);
            const Vec gt = matvec(wg, xn, ff), up = matvec(wu, xn, ff);
            Vec act(ff);
            for (std::size_t i = 0; i < ff; ++i)
                act[i] = gt[i] / (1.0 + std::exp(-gt[i])) * up[i];
            if (hook)
                hook(l, 3, t, act);
            const Vec dn = matvec(wd, act, d);
            for (std::size_t i = 0; i < d; ++i)
                x[t][i] += dn[i];
        }
    }
    const Vec fnorm = weights(m, TensorRole::FinalNorm, -1);
    const Vec out = m.find(TensorRole::Output) ? weights(m, TensorRole::Output, -1) : emb;
    std::vector<double> logits;
    for (std::size_t t = 0; t < T; ++t) {
        const Vec l = matvec(out, rmsnorm(x[t], fnorm, c.rmsNormEps), vocab);
        logits.insert(logits.end(), l.begin(), l.end());
    }
    return logits;
}

Model makeRandomModel(std::int64_t dim, std::int64_t hidden, std::int64_t layers, std::int64_t heads, std::int64_t kvHeads,
                      std::int64_t vocab, RopeLayout layout, bool tied, unsigned seed, bool attentionBias)
{
    RandomModelShape shape;
    shape.dim = dim;
    shape.ffn = hidden;
    shape.layers = layers;
    shape.heads = heads;
    shape.kvHeads = kvHeads;
    shape.vocab = vocab;
    shape.rope = layout;
    shape.tiedEmbeddings = tied;
    shape.seed = seed;
    shape.attentionBias = attentionBias;
    return *lowbit::makeRandomModel(shape);
}

} // namespace lowbit::test
