// SPDX-License-Identifier: GPL-3.0-or-later
// VPTQ options: the CLI syntax and the checks every run makes.
#include "core/methods/vptq.h"

#include <charconv>
#include <cmath>
#include <string>

namespace lowbit {

namespace {

constexpr std::string_view kValidKeys = "v, k, res, outliers, outlier_k, perm, norm, iters, tol, sample, seed, feedback, damp";

Error bad(std::string_view item, std::string why)
{
    return makeError(ErrorCode::InvalidArgument, "VPTQ options: '" + std::string(item) + "': " + std::move(why));
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

template <class T> bool parseInt(std::string_view s, T &out)
{
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

bool parseDouble(std::string_view s, double &out)
{
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && std::isfinite(out);
}

Result<std::int64_t> intIn(std::string_view item, std::string_view value, std::int64_t lo, std::int64_t hi)
{
    std::int64_t v = 0;
    if (!parseInt(value, v) || v < lo || v > hi)
        return bad(item, "expected an integer in " + std::to_string(lo) + "…" + std::to_string(hi));
    return v;
}

Result<bool> flag(std::string_view item, std::string_view value)
{
    if (value == "1" || value == "true" || value == "on")
        return true;
    if (value == "0" || value == "false" || value == "off")
        return false;
    return bad(item, "expected 1 or 0");
}

} // namespace

Result<VqOptions> parseVqOptions(std::string_view text, const VqOptions &base)
{
    VqOptions o = base;
    text = trim(text);
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return bad(item, "expected key=value (keys: " + std::string(kValidKeys) + ")");
        const std::string_view key = trim(item.substr(0, eq)), value = trim(item.substr(eq + 1));
        if (key == "v") {
            LOWBIT_TRY(const auto v, intIn(item, value, 1, kVqMaxVectorLength));
            o.vectorLength = static_cast<int>(v);
        } else if (key == "k") {
            LOWBIT_TRY(const auto v, intIn(item, value, 2, kVqMaxCentroids));
            o.centroids = static_cast<int>(v);
        } else if (key == "res") {
            LOWBIT_TRY(const auto v, intIn(item, value, 0, kVqMaxCentroids));
            if (v == 1)
                return bad(item, "a residual codebook needs at least 2 entries (0: none)");
            o.residualCentroids = static_cast<int>(v);
        } else if (key == "outlier_k") {
            LOWBIT_TRY(const auto v, intIn(item, value, 0, kVqMaxCentroids));
            if (v == 1)
                return bad(item, "an outlier codebook needs at least 2 entries (0: same as k)");
            o.outlierCentroids = static_cast<int>(v);
        } else if (key == "outliers") {
            const bool percent = !value.empty() && value.back() == '%';
            double f = 0;
            if (!parseDouble(percent ? trim(value.substr(0, value.size() - 1)) : value, f))
                return bad(item, "expected a percentage (\"1%\") or a fraction (\"0.01\")");
            if (percent)
                f /= 100.0;
            if (!(f >= 0.0 && f < 1.0))
                return bad(item, "the outlier share must be at least 0 and below 100%");
            o.outlierFraction = f;
        } else if (key == "perm") {
            LOWBIT_TRY(o.permute, flag(item, value));
        } else if (key == "norm") {
            LOWBIT_TRY(o.normalize, flag(item, value));
        } else if (key == "feedback") {
            LOWBIT_TRY(o.errorFeedback, flag(item, value));
        } else if (key == "iters") {
            LOWBIT_TRY(const auto v, intIn(item, value, 0, 100000));
            o.kmeansIterations = static_cast<int>(v);
        } else if (key == "sample") {
            LOWBIT_TRY(o.kmeansSample, intIn(item, value, 0, std::int64_t(1) << 40));
        } else if (key == "seed") {
            if (!parseInt(value, o.seed))
                return bad(item, "expected an unsigned integer");
        } else if (key == "tol" || key == "damp") {
            double d = 0;
            if (!parseDouble(value, d) || d < 0)
                return bad(item, "expected a non-negative number");
            (key == "tol" ? o.kmeansTolerance : o.damp) = d;
        } else {
            return bad(item, "unknown key (valid: " + std::string(kValidKeys) + ")");
        }
    }
    return o;
}

Status validateVqOptions(const VqOptions &o, std::int64_t rows, std::int64_t cols)
{
    const auto fail = [](std::string msg) { return makeError(ErrorCode::InvalidArgument, "VPTQ: " + std::move(msg)); };
    if (o.vectorLength < 1 || o.vectorLength > kVqMaxVectorLength)
        return fail("vector length " + std::to_string(o.vectorLength) + " outside 1…256");
    if (o.vectorLength > rows)
        return fail("vector length " + std::to_string(o.vectorLength) + " exceeds the layer's " + std::to_string(rows) + " output rows");
    if (o.centroids < 2 || o.centroids > kVqMaxCentroids)
        return fail(std::to_string(o.centroids) + " centroids (valid: 2…65536)");
    if (o.residualCentroids != 0 && (o.residualCentroids < 2 || o.residualCentroids > kVqMaxCentroids))
        return fail(std::to_string(o.residualCentroids) + " residual centroids (valid: 0 or 2…65536)");
    if (o.outlierCentroids != 0 && (o.outlierCentroids < 2 || o.outlierCentroids > kVqMaxCentroids))
        return fail(std::to_string(o.outlierCentroids) + " outlier centroids (valid: 0 or 2…65536)");
    if (!(o.outlierFraction >= 0.0 && o.outlierFraction < 1.0))
        return fail("outlier fraction must be in [0, 1)");
    if (o.outlierFraction > 0 && cols < 2)
        return fail("outlier columns need a layer with at least 2 input columns");
    if (o.kmeansIterations < 0 || o.kmeansSample < 0 || !(o.kmeansTolerance >= 0) || !std::isfinite(o.kmeansTolerance))
        return fail("k-means iterations, sample and tolerance must be non-negative");
    if (!(o.damp >= 0) || !std::isfinite(o.damp))
        return fail("damping must be a non-negative number");
    return {};
}

} // namespace lowbit
