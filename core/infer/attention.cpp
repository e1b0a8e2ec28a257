// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/attention.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <vector>

namespace lowbit {

namespace {
using RowMat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstStrided = Eigen::Map<const RowMat, 0, Eigen::OuterStride<>>;
using Strided = Eigen::Map<RowMat, 0, Eigen::OuterStride<>>;

constexpr std::int64_t kQueryBlock = 32; ///< query rows scored together (masked waste ≤ one block)
} // namespace

void causalAttention(const AttentionShape &s, const float *q, const float *kCache, const float *vCache, float *out)
{
    const std::int64_t hd = s.headDim, qd = s.heads * hd, kvd = s.kvHeads * hd, group = s.heads / s.kvHeads;
    const std::int64_t blocks = (s.rows + kQueryBlock - 1) / kQueryBlock;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
#pragma omp parallel if (s.rows * (s.pos0 + s.rows) * s.heads > 32768)
    {
        RowMat scores;
#pragma omp for schedule(dynamic, 1)
        for (std::int64_t task = 0; task < blocks * s.heads; ++task) {
            const std::int64_t b = task / s.heads, h = task % s.heads, g = h / group;
            const std::int64_t t0 = b * kQueryBlock, rows = std::min(kQueryBlock, s.rows - t0);
            const std::int64_t keys = s.pos0 + t0 + rows; // keys seen by the block's last row
            const ConstStrided Q(q + t0 * qd + h * hd, rows, hd, Eigen::OuterStride<>(qd));
            const ConstStrided K(kCache + g * hd, keys, hd, Eigen::OuterStride<>(kvd));
            const ConstStrided V(vCache + g * hd, keys, hd, Eigen::OuterStride<>(kvd));
            scores.resize(rows, keys);
            scores.noalias() = (Q * K.transpose()) * scale;
            for (std::int64_t r = 0; r < rows; ++r) {
                float *row = scores.data() + r * keys;
                const std::int64_t valid = s.pos0 + t0 + r + 1; // causal: keys 0 .. pos0 + t
                // Eigen's packet max/exp/sum: vectorized, unlike the plain loops at -O2
                Eigen::Map<Eigen::ArrayXf> a(row, valid);
                a = (a - a.maxCoeff()).exp();
                a *= 1.0f / a.sum();
                std::fill(row + valid, row + keys, 0.0f);
            }
            Strided O(out + t0 * qd + h * hd, rows, hd, Eigen::OuterStride<>(qd));
            O.noalias() = scores * V;
        }
    }
}

void causalAttentionRef(const AttentionShape &s, const float *q, const float *kCache, const float *vCache, float *out)
{
    const std::int64_t hd = s.headDim, qd = s.heads * hd, kvd = s.kvHeads * hd, group = s.heads / s.kvHeads;
    std::vector<double> w;
    for (std::int64_t t = 0; t < s.rows; ++t)
        for (std::int64_t h = 0; h < s.heads; ++h) {
            const std::int64_t g = h / group, keys = s.pos0 + t + 1;
            const float *qv = q + t * qd + h * hd;
            w.assign(static_cast<std::size_t>(keys), 0.0);
            double mx = -INFINITY, sum = 0;
            for (std::int64_t j = 0; j < keys; ++j) {
                double dot = 0;
                for (std::int64_t e = 0; e < hd; ++e)
                    dot += static_cast<double>(qv[e]) * kCache[j * kvd + g * hd + e];
                w[static_cast<std::size_t>(j)] = dot / std::sqrt(static_cast<double>(hd));
                mx = std::max(mx, w[static_cast<std::size_t>(j)]);
            }
            for (auto &x : w)
                sum += (x = std::exp(x - mx));
            for (std::int64_t e = 0; e < hd; ++e) {
                double acc = 0;
                for (std::int64_t j = 0; j < keys; ++j)
                    acc += w[static_cast<std::size_t>(j)] * vCache[j * kvd + g * hd + e];
                out[t * qd + h * hd + e] = static_cast<float>(acc / sum);
            }
        }
}

} // namespace lowbit
