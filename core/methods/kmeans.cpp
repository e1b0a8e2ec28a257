// SPDX-License-Identifier: GPL-3.0-or-later
// Weighted k-means (kmeans.h). Every reduction runs over fixed chunks summed in chunk order, so the
// result depends on the seed only, not on the thread count.
#include "core/methods/kmeans.h"

#include "core/util/parallel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

namespace lowbit {

namespace {

constexpr std::int64_t kChunk = 4096; // points per reduction chunk (fixed: results independent of threads)

/// Deterministic draws from the standard's mt19937_64 (distributions are implementation-defined,
/// so they are not used).
class Rng {
public:
    explicit Rng(std::uint64_t seed) : m_gen(seed) {}
    double uniform() { return static_cast<double>(m_gen() >> 11) * 0x1p-53; }
    std::int64_t index(std::int64_t n) // uniform in [0, n) (n < 2^53)
    {
        return std::min(n - 1, static_cast<std::int64_t>(uniform() * static_cast<double>(n)));
    }

private:
    std::mt19937_64 m_gen;
};

std::size_t uz(std::int64_t v) { return static_cast<std::size_t>(v); }

/// Sum of f(i) over [0, n) in fixed chunks, each chunk on some thread, chunks added in order.
template <class F> double chunkedSum(std::int64_t n, unsigned threads, std::vector<double> &partial, F &&f)
{
    const std::int64_t chunks = (n + kChunk - 1) / kChunk;
    partial.assign(uz(chunks), 0.0);
    parallelFor(
        chunks,
        [&](std::int64_t c0, std::int64_t c1) {
            for (std::int64_t c = c0; c < c1; ++c) {
                double s[4] = {0, 0, 0, 0}; // four chains: no add-latency bound, still a fixed order
                const std::int64_t e = std::min(n, (c + 1) * kChunk);
                for (std::int64_t i = c * kChunk; i < e; ++i)
                    s[i & 3] += f(i);
                partial[uz(c)] = (s[0] + s[1]) + (s[2] + s[3]);
            }
        },
        threads, 4);
    double total = 0;
    for (const double s : partial)
        total += s;
    return total;
}

/// Index i with prefix(i) ≤ target < prefix(i + 1) over the values behind `partial` chunk sums.
template <class F> std::int64_t pickByMass(std::int64_t n, const std::vector<double> &partial, double target, F &&mass)
{
    std::int64_t c = 0;
    const auto chunks = static_cast<std::int64_t>(partial.size());
    while (c + 1 < chunks && target >= partial[uz(c)]) {
        target -= partial[uz(c)];
        ++c;
    }
    const std::int64_t e = std::min(n, (c + 1) * kChunk);
    std::int64_t last = -1;
    for (std::int64_t i = c * kChunk; i < e; ++i) {
        const double m = mass(i);
        if (m > 0) {
            last = i;
            if (target < m)
                return i;
            target -= m;
        }
    }
    return last >= 0 ? last : c * kChunk; // rounding ran past the chunk's end
}

Status validate(std::span<const float> data, int dim, std::span<const float> weights, int k, std::int64_t &n)
{
    if (dim < 1)
        return makeError(ErrorCode::InvalidArgument, "k-means: vector length must be at least 1");
    if (data.size() % static_cast<std::size_t>(dim) != 0)
        return makeError(ErrorCode::InvalidArgument, "k-means: " + std::to_string(data.size()) +
                                                         " values are not a whole number of vectors of length " + std::to_string(dim));
    n = static_cast<std::int64_t>(data.size() / static_cast<std::size_t>(dim));
    if (!weights.empty() && static_cast<std::int64_t>(weights.size()) != n)
        return makeError(ErrorCode::InvalidArgument, "k-means: " + std::to_string(weights.size()) + " weights for " +
                                                         std::to_string(n) + " vectors");
    if (k < 1 || k > n)
        return makeError(ErrorCode::InvalidArgument, "k-means: " + std::to_string(k) + " clusters for " + std::to_string(n) +
                                                         " vectors (need 1 ≤ k ≤ vectors)");
    for (std::size_t i = 0; i < data.size(); ++i)
        if (!std::isfinite(data[i]))
            return makeError(ErrorCode::InvalidArgument, "k-means: vector " + std::to_string(i / static_cast<std::size_t>(dim)) +
                                                             " is not finite");
    for (std::size_t i = 0; i < weights.size(); ++i)
        if (!std::isfinite(weights[i]) || weights[i] < 0)
            return makeError(ErrorCode::InvalidArgument, "k-means: weight " + std::to_string(i) + " is negative or not finite");
    return {};
}

/// Weights as used: the given ones, or all 1 when empty or all zero.
std::vector<float> effectiveWeights(std::span<const float> weights, std::int64_t n)
{
    const bool any = std::any_of(weights.begin(), weights.end(), [](float w) { return w > 0; });
    if (!any)
        return std::vector<float>(uz(n), 1.0f);
    return {weights.begin(), weights.end()};
}

/// Indices of `m` of the n vectors without replacement (partial Fisher–Yates), sorted.
std::vector<std::int64_t> sampleIndices(std::int64_t n, std::int64_t m, Rng &rng)
{
    std::vector<std::int64_t> idx(uz(n));
    std::iota(idx.begin(), idx.end(), std::int64_t{0});
    for (std::int64_t i = 0; i < m; ++i)
        std::swap(idx[uz(i)], idx[uz(i + rng.index(n - i))]);
    idx.resize(uz(m));
    std::sort(idx.begin(), idx.end());
    return idx;
}

/// ‖a − b‖² in fp32 with 8 independent partial sums (no serial dependency chain; the compiler
/// vectorizes the lanes without reassociating anything). Used where speed beats the last bits:
/// the D² of k-means++ seeding.
inline float squaredDistanceFast(const float *a, const float *b, int dim)
{
    float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int d = 0;
    for (; d + 8 <= dim; d += 8)
        for (int l = 0; l < 8; ++l) {
            const float t = a[d + l] - b[d + l];
            acc[l] += t * t;
        }
    for (int l = 0; d < dim; ++d, ++l) {
        const float t = a[d] - b[d];
        acc[l] += t * t;
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/// k-means++ on n vectors (x: n × dim) with weights w (not all zero).
Result<std::vector<float>> seedPlusPlus(const float *x, std::int64_t n, int dim, const float *w, int k, Rng &rng, unsigned threads,
                                        const std::stop_token &stop)
{
    const auto udim = static_cast<std::size_t>(dim);
    std::vector<float> centroids(static_cast<std::size_t>(k) * udim);
    std::vector<float> d2(uz(n), std::numeric_limits<float>::infinity());
    std::vector<double> partial;
    // First centre: drawn with probability ∝ w.
    double total = chunkedSum(n, threads, partial, [&](std::int64_t i) { return static_cast<double>(w[i]); });
    std::int64_t pick = pickByMass(n, partial, rng.uniform() * total, [&](std::int64_t i) { return static_cast<double>(w[i]); });
    for (int c = 0; c < k; ++c) {
        if ((c & 63) == 0 && stop.stop_requested())
            return makeError(ErrorCode::Cancelled, "k-means: cancelled");
        const float *chosen = x + uz(pick) * udim;
        std::copy(chosen, chosen + dim, centroids.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(c) * udim));
        if (c + 1 == k)
            break;
        // D² update against the new centre, then the weighted mass for the next draw.
        total = chunkedSum(n, threads, partial, [&](std::int64_t i) {
            const float d = squaredDistanceFast(x + uz(i) * udim, chosen, dim);
            if (d < d2[uz(i)])
                d2[uz(i)] = d;
            return static_cast<double>(w[i]) * d2[uz(i)];
        });
        if (total > 0)
            pick = pickByMass(n, partial, rng.uniform() * total, [&](std::int64_t i) { return static_cast<double>(w[i]) * d2[uz(i)]; });
        else
            pick = rng.index(n); // every point coincides with a centre: duplicates are all that is left
    }
    return centroids;
}

struct Fit {
    const float *x = nullptr; ///< fitted vectors (n × dim)
    const float *w = nullptr; ///< their weights
    std::int64_t n = 0;
};

/// Lloyd's update: weighted means (fixed partitions, summed in order); empty clusters reseeded from
/// the points with the largest weighted distance. Returns the number reseeded.
int updateCentroids(const Fit &f, int dim, int k, const std::vector<std::uint32_t> &assign, const std::vector<double> &wdist,
                    std::vector<float> &centroids, unsigned threads)
{
    const auto udim = static_cast<std::size_t>(dim), uk = static_cast<std::size_t>(k);
    const std::int64_t parts = std::clamp<std::int64_t>(f.n / 16384, 1, 16);
    std::vector<double> sums(uz(parts) * uk * udim), wsum(uz(parts) * uk);
    parallelFor(
        parts,
        [&](std::int64_t p0, std::int64_t p1) {
            for (std::int64_t p = p0; p < p1; ++p) {
                double *s = sums.data() + uz(p) * uk * udim;
                double *ws = wsum.data() + uz(p) * uk;
                const std::int64_t b = f.n * p / parts, e = f.n * (p + 1) / parts;
                for (std::int64_t i = b; i < e; ++i) {
                    const std::size_t c = assign[uz(i)];
                    const double wi = f.w[i];
                    if (wi <= 0)
                        continue;
                    ws[c] += wi;
                    const float *xi = f.x + uz(i) * udim;
                    for (std::size_t d = 0; d < udim; ++d)
                        s[c * udim + d] += wi * xi[d];
                }
            }
        },
        threads, 1);
    std::vector<std::size_t> empty;
    for (std::size_t c = 0; c < uk; ++c) {
        double ws = 0;
        for (std::int64_t p = 0; p < parts; ++p)
            ws += wsum[uz(p) * uk + c];
        if (!(ws > 0)) {
            empty.push_back(c);
            continue;
        }
        for (std::size_t d = 0; d < udim; ++d) {
            double s = 0;
            for (std::int64_t p = 0; p < parts; ++p)
                s += sums[(uz(p) * uk + c) * udim + d];
            centroids[c * udim + d] = static_cast<float>(s / ws);
        }
    }
    if (empty.empty())
        return 0;
    // Farthest points first (ties: lowest index); points already at distance 0 gain nothing.
    std::vector<std::int64_t> order(uz(f.n));
    std::iota(order.begin(), order.end(), std::int64_t{0});
    const std::size_t m = std::min(empty.size(), order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), order.end(), [&](std::int64_t a, std::int64_t b) {
        return wdist[uz(a)] > wdist[uz(b)] || (wdist[uz(a)] == wdist[uz(b)] && a < b);
    });
    int reseeded = 0;
    for (std::size_t j = 0; j < m; ++j) {
        const std::int64_t i = order[j];
        if (!(wdist[uz(i)] > 0))
            break;
        std::copy(f.x + uz(i) * udim, f.x + (uz(i) + 1) * udim, centroids.begin() + static_cast<std::ptrdiff_t>(empty[j] * udim));
        ++reseeded;
    }
    return reseeded;
}

} // namespace

Result<std::vector<float>> kmeansPlusPlus(std::span<const float> data, int dim, std::span<const float> weights, int k, std::uint64_t seed,
                                          unsigned threads, std::stop_token stop)
{
    std::int64_t n = 0;
    LOWBIT_CHECK(validate(data, dim, weights, k, n));
    const std::vector<float> w = effectiveWeights(weights, n);
    Rng rng(seed);
    return seedPlusPlus(data.data(), n, dim, w.data(), k, rng, threads, stop);
}

Result<KMeansResult> kmeans(std::span<const float> data, int dim, std::span<const float> weights, const KMeansOptions &opt,
                            const KMeansProgressFn &progress, std::stop_token stop)
{
    std::int64_t n = 0;
    const int k = opt.clusters;
    LOWBIT_CHECK(validate(data, dim, weights, k, n));
    if (!(opt.tolerance >= 0) || !std::isfinite(opt.tolerance) || opt.maxIterations < 0 || opt.sample < 0)
        return makeError(ErrorCode::InvalidArgument, "k-means: tolerance, iteration cap and sample size must be non-negative");
    const auto udim = static_cast<std::size_t>(dim);
    const std::vector<float> wAll = effectiveWeights(weights, n);
    Rng rng(opt.seed);

    // The fitted set: everything, or a sample.
    std::int64_t fitN = n;
    if (opt.sample > 0)
        fitN = std::min(n, std::max<std::int64_t>(opt.sample, k));
    else if (n > kKMeansAutoSamplePerCluster * k)
        fitN = kKMeansAutoSamplePerCluster * k;
    std::vector<float> fitX, fitW;
    Fit fit{data.data(), wAll.data(), n};
    if (fitN < n) {
        const std::vector<std::int64_t> idx = sampleIndices(n, fitN, rng);
        fitX.resize(uz(fitN) * udim);
        fitW.resize(uz(fitN));
        for (std::size_t j = 0; j < idx.size(); ++j) {
            std::copy_n(data.data() + uz(idx[j]) * udim, udim, fitX.begin() + static_cast<std::ptrdiff_t>(j * udim));
            fitW[j] = wAll[uz(idx[j])];
        }
        if (!std::any_of(fitW.begin(), fitW.end(), [](float v) { return v > 0; }))
            std::fill(fitW.begin(), fitW.end(), 1.0f);
        fit = Fit{fitX.data(), fitW.data(), fitN};
    }

    // k-means++ seeds, on a subset when the fitted set is large.
    std::vector<float> centroids;
    {
        const std::int64_t seedN = std::min(fit.n, std::max<std::int64_t>(k, kKMeansSeedSamplePerCluster * k));
        if (seedN < fit.n) {
            const std::vector<std::int64_t> idx = sampleIndices(fit.n, seedN, rng);
            std::vector<float> sx(uz(seedN) * udim), sw(uz(seedN));
            for (std::size_t j = 0; j < idx.size(); ++j) {
                std::copy_n(fit.x + uz(idx[j]) * udim, udim, sx.begin() + static_cast<std::ptrdiff_t>(j * udim));
                sw[j] = fit.w[idx[j]];
            }
            if (!std::any_of(sw.begin(), sw.end(), [](float v) { return v > 0; }))
                std::fill(sw.begin(), sw.end(), 1.0f);
            LOWBIT_TRY(centroids, seedPlusPlus(sx.data(), seedN, dim, sw.data(), k, rng, opt.threads, stop));
        } else {
            LOWBIT_TRY(centroids, seedPlusPlus(fit.x, fit.n, dim, fit.w, k, rng, opt.threads, stop));
        }
    }
    if (progress)
        progress(0.1);

    KMeansResult res;
    res.dim = dim;
    res.clusters = k;
    res.fitted = fit.n;
    // Hamerly's bounds: upper[i] ≥ distance to the assigned centroid, lower[i] ≤ distance to every
    // other centroid. After the centroids move by δ, upper grows by δ(assigned) and lower shrinks
    // by the largest δ; a vector with upper ≤ lower keeps its centroid without a search.
    std::vector<std::uint32_t> assign(uz(fit.n));
    std::vector<double> wdist(uz(fit.n)), partial, upper(uz(fit.n)), lower(uz(fit.n)), delta(static_cast<std::size_t>(k));
    std::vector<float> second, gathered, previous;
    std::vector<std::uint32_t> candAssign;
    std::vector<std::uint8_t> stale(uz(fit.n));
    std::vector<std::int64_t> candidates;
    for (int it = 0;; ++it) {
        if (stop.stop_requested())
            return makeError(ErrorCode::Cancelled, "k-means: cancelled");
        const CentroidSearch search(centroids, k, dim);
        if (it == 0) {
            second.resize(uz(fit.n));
            search.assignWithSecond(fit.x, fit.n, assign.data(), second.data(), opt.threads);
            for (std::size_t i = 0; i < second.size(); ++i)
                lower[i] = std::sqrt(static_cast<double>(second[i]));
            res.searches += fit.n;
        } else {
            double dmax = 0, dsecond = 0;
            std::size_t argmax = 0;
            for (std::size_t c = 0; c < static_cast<std::size_t>(k); ++c) {
                delta[c] = std::sqrt(squaredDistance(previous.data() + c * udim, centroids.data() + c * udim, dim));
                if (delta[c] > dmax) {
                    dsecond = dmax;
                    dmax = delta[c];
                    argmax = c;
                } else if (delta[c] > dsecond) {
                    dsecond = delta[c];
                }
            }
            parallelFor(
                fit.n,
                [&](std::int64_t b, std::int64_t e) {
                    for (std::int64_t i = b; i < e; ++i) {
                        const std::size_t a = assign[uz(i)];
                        lower[uz(i)] -= a == argmax ? dsecond : dmax;
                        upper[uz(i)] += delta[a];
                        stale[uz(i)] = 0;
                        if (upper[uz(i)] <= lower[uz(i)])
                            continue;
                        upper[uz(i)] = std::sqrt(squaredDistance(fit.x + uz(i) * udim, search.centroid(static_cast<std::uint32_t>(a)), dim));
                        stale[uz(i)] = upper[uz(i)] > lower[uz(i)] ? 1 : 0;
                    }
                },
                opt.threads, 4096);
            candidates.clear();
            for (std::int64_t i = 0; i < fit.n; ++i)
                if (stale[uz(i)])
                    candidates.push_back(i);
            const auto m = static_cast<std::int64_t>(candidates.size());
            gathered.resize(uz(m) * udim);
            second.resize(uz(m));
            candAssign.resize(uz(m));
            for (std::int64_t j = 0; j < m; ++j)
                std::copy_n(fit.x + uz(candidates[uz(j)]) * udim, udim, gathered.begin() + static_cast<std::ptrdiff_t>(uz(j) * udim));
            search.assignWithSecond(gathered.data(), m, candAssign.data(), second.data(), opt.threads);
            for (std::int64_t j = 0; j < m; ++j) {
                const std::size_t i = uz(candidates[uz(j)]);
                assign[i] = candAssign[uz(j)];
                lower[i] = std::sqrt(static_cast<double>(second[uz(j)]));
            }
            res.searches += m;
        }
        const double inertia = chunkedSum(fit.n, opt.threads, partial, [&](std::int64_t i) {
            const double d2 = squaredDistance(fit.x + uz(i) * udim, search.centroid(assign[uz(i)]), dim);
            upper[uz(i)] = std::sqrt(d2);
            const double d = static_cast<double>(fit.w[i]) * d2;
            wdist[uz(i)] = d;
            return d;
        });
        res.inertia.push_back(inertia);
        if (it > 0) {
            const double prev = res.inertia[res.inertia.size() - 2];
            if (std::abs(prev - inertia) <= opt.tolerance * prev) {
                res.converged = true;
                break;
            }
        }
        if (inertia == 0) {
            res.converged = true;
            break;
        }
        if (it >= opt.maxIterations)
            break;
        previous = centroids;
        res.reseeded += updateCentroids(fit, dim, k, assign, wdist, centroids, opt.threads);
        ++res.iterations;
        if (progress)
            progress(0.1 + 0.85 * static_cast<double>(it + 1) / std::max(1, opt.maxIterations));
    }

    if (opt.assignAll) {
        if (fit.x == data.data()) {
            res.assignment = std::move(assign);
        } else {
            res.assignment.resize(uz(n));
            CentroidSearch(centroids, k, dim).assign(data.data(), n, res.assignment.data(), opt.threads);
        }
    }
    res.centroids = std::move(centroids);
    if (progress)
        progress(1.0);
    return res;
}

} // namespace lowbit
