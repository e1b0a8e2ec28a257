// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace lowbit {

Result<std::vector<double>> ropeInverseFrequencies(const ModelConfig &c)
{
    const std::int64_t half = c.headDim / 2;
    std::vector<double> f(static_cast<std::size_t>(half));
    for (std::int64_t i = 0; i < half; ++i)
        f[static_cast<std::size_t>(i)] = std::pow(c.ropeTheta, -2.0 * static_cast<double>(i) / static_cast<double>(c.headDim));
    const RopeScaling &s = c.ropeScaling;
    if (s.type.empty())
        return f;
    if (!(s.factor > 0.0))
        return makeError(ErrorCode::InvalidArgument, "rope scaling factor must be positive");
    if (s.type == "linear") {
        for (auto &x : f)
            x /= s.factor;
        return f;
    }
    if (s.type == "llama3") {
        if (s.originalMaxPositions <= 0 || !(s.highFreqFactor > s.lowFreqFactor))
            return makeError(ErrorCode::InvalidArgument, "llama3 rope scaling needs original_max_position_embeddings and high_freq_factor > low_freq_factor");
        const double old = static_cast<double>(s.originalMaxPositions);
        const double lowWavelen = old / s.lowFreqFactor, highWavelen = old / s.highFreqFactor;
        for (auto &x : f) {
            const double wavelen = 2.0 * std::numbers::pi / x;
            if (wavelen < highWavelen)
                continue; // high frequencies unchanged
            if (wavelen > lowWavelen) {
                x /= s.factor;
                continue;
            }
            const double smooth = (old / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
            x = (1.0 - smooth) * x / s.factor + smooth * x;
        }
        return f;
    }
    return makeError(ErrorCode::Unsupported, "rope scaling type '" + s.type + "' is not supported yet (supported: linear, llama3)");
}

namespace {
std::vector<float> permuteRows(const std::vector<float> &w, std::int64_t heads, std::int64_t hd, std::int64_t cols, bool toHalfSplit)
{
    std::vector<float> out(w.size());
    const std::int64_t half = hd / 2;
    for (std::int64_t h = 0; h < heads; ++h)
        for (std::int64_t i = 0; i < half; ++i)
            for (std::int64_t j = 0; j < 2; ++j) {
                const std::int64_t interleaved = h * hd + 2 * i + j; // pair i, member j
                const std::int64_t halfSplit = h * hd + j * half + i;
                const std::int64_t src = toHalfSplit ? interleaved : halfSplit, dst = toHalfSplit ? halfSplit : interleaved;
                std::copy_n(w.begin() + src * cols, cols, out.begin() + dst * cols);
            }
    return out;
}
} // namespace

std::vector<float> permuteInterleavedToHalfSplit(const std::vector<float> &w, std::int64_t heads, std::int64_t headDim, std::int64_t cols)
{
    return permuteRows(w, heads, headDim, cols, true);
}

std::vector<float> permuteHalfSplitToInterleaved(const std::vector<float> &w, std::int64_t heads, std::int64_t headDim, std::int64_t cols)
{
    return permuteRows(w, heads, headDim, cols, false);
}

} // namespace lowbit
