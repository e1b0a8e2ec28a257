// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/jobs/tensor_analysis.h"

#include <algorithm>
#include <cmath>

namespace lowbit::studio {
namespace {

constexpr std::int64_t kChunkElements = std::int64_t{1} << 20;

/// Second pass: the histogram (and |w| for vectors). Returns an error text or "".
QString fillHistogram(const TensorView &tensor, TensorAnalysis &out, int bins, const std::stop_token &stop)
{
    const std::int64_t rows = tensor.rows(), cols = tensor.cols();
    if (rows <= 0 || cols <= 0)
        return {};
    const std::int64_t chunkRows = std::max<std::int64_t>(1, kChunkElements / cols);
    std::vector<float> buf;
    const double lo = out.histMin, width = out.histMax - out.histMin;
    const double scale = width > 0.0 ? static_cast<double>(bins) / width : 0.0;
    for (std::int64_t r0 = 0; r0 < rows; r0 += chunkRows) {
        if (stop.stop_requested())
            return QStringLiteral("cancelled");
        const std::int64_t n = std::min(chunkRows, rows - r0);
        buf.resize(static_cast<std::size_t>(n * cols));
        if (auto st = tensor.rowsToFloat(buf.data(), r0, n); !st)
            return QString::fromStdString(st.error().message());
        for (const float v : buf) {
            if (out.channelsAreElements)
                out.channelAbsmax.push_back(std::fabs(v));
            if (!std::isfinite(v))
                continue;
            const double pos = (static_cast<double>(v) - lo) * scale;
            const auto bin = std::clamp<std::int64_t>(static_cast<std::int64_t>(pos), 0, bins - 1);
            ++out.histogram[static_cast<std::size_t>(bin)];
        }
    }
    return {};
}

} // namespace

TensorAnalysis analyzeTensor(const TensorView &tensor, int bins, std::stop_token stop, unsigned threads)
{
    TensorAnalysis out;
    out.tensorName = QString::fromStdString(tensor.name);
    if (bins < 1) {
        out.error = QStringLiteral("invalid argument: histogram needs at least one bin");
        return out;
    }
    StatsOptions options;
    options.threads = threads;
    options.keepChannelAbsmax = tensor.shape.size() >= 2;
    auto stats = computeTensorStats(tensor, options, stop);
    if (!stats) {
        out.error = QString::fromStdString(stats.error().message());
        return out;
    }
    out.stats = std::move(stats.value());
    out.channelsAreElements = tensor.shape.size() < 2;
    if (!out.channelsAreElements)
        out.channelAbsmax = std::move(out.stats.channelAbsmax);
    out.stats.channelAbsmax.clear();

    out.histogram.assign(static_cast<std::size_t>(bins), 0);
    out.histMin = out.stats.min;
    out.histMax = out.stats.max;
    if (!(out.histMax > out.histMin)) { // constant tensor: one visible bar around the value
        out.histMin -= 0.5;
        out.histMax += 0.5;
    }
    if (out.channelsAreElements)
        out.channelAbsmax.reserve(static_cast<std::size_t>(tensor.numel()));
    out.error = fillHistogram(tensor, out, bins, stop);
    return out;
}

} // namespace lowbit::studio
