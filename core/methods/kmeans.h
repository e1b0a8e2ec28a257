// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Weighted k-means for vector quantization (VPTQ's codebooks, algorithms.md):
///  - k-means++ seeding (D² sampling weighted by the vectors' weights) from a seeded generator, so
///    the same seed gives the same centroids on every platform and thread count;
///  - Lloyd iterations (with Hamerly's bounds, so vectors whose centroid cannot have changed skip the
///    search) until the relative change of the weighted inertia falls below a tolerance
///    or an iteration cap is reached; the inertia after every assignment step is reported (it is
///    monotone non-increasing up to fp32 rounding of the search);
///  - empty clusters (no members, or members of zero total weight) are reseeded from the points
///    that currently contribute most to the inertia;
///  - optional sampling: the centroids are fitted on a random subset of the vectors (explicitly, or
///    automatically when there are more than kKMeansAutoSamplePerCluster vectors per cluster);
///  - a multithreaded nearest-centroid search (CentroidSearch) that evaluates ‖c‖² − 2·x·c for
///    blocks of 8 centroids against 4 vectors at a time (AVX2 + FMA when the CPU has them, a
///    portable loop otherwise).

#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>
#include <vector>

namespace lowbit {

/// With KMeansOptions::sample == 0, fits are sampled down to this many vectors per cluster
/// (the common practice of FAISS, which caps training at 256 points per centroid).
inline constexpr std::int64_t kKMeansAutoSamplePerCluster = 256;
/// k-means++ seeding looks at no more than this many vectors per cluster (a random subset of the
/// fitted vectors); seeding is sequential in k, so seeding on everything would dominate.
inline constexpr std::int64_t kKMeansSeedSamplePerCluster = 16;

struct KMeansOptions {
    int clusters = 256;            ///< k ≥ 1; at most the number of vectors fitted
    int maxIterations = 100;       ///< cap on Lloyd update steps (0: seeding only)
    double tolerance = 1e-4;       ///< stop when |I_{t−1} − I_t| ≤ tolerance · I_{t−1}
    std::int64_t sample = 0;       ///< > 0: fit on this many vectors drawn without replacement (≥ k);
                                   ///< 0: automatic (at most kKMeansAutoSamplePerCluster · k)
    std::uint64_t seed = 1234;
    bool assignAll = true;         ///< fill KMeansResult::assignment for all n vectors
    unsigned threads = 0;          ///< 0: all cores
};

struct KMeansResult {
    int dim = 0;
    int clusters = 0;
    std::vector<float> centroids;          ///< clusters × dim, row-major
    std::vector<std::uint32_t> assignment; ///< nearest centroid of every input vector (assignAll), else empty
    std::vector<double> inertia;           ///< Σ wᵢ‖xᵢ − c(xᵢ)‖² over the fitted vectors after each assignment step
    int iterations = 0;                    ///< Lloyd update steps run
    bool converged = false;                ///< stopped by the tolerance (not by the cap)
    std::int64_t fitted = 0;               ///< vectors the centroids were fitted on
    int reseeded = 0;                      ///< empty clusters reseeded over all iterations
    std::int64_t searches = 0;             ///< full nearest-centroid searches over all assignment steps (the
                                           ///< rest were skipped by Hamerly's distance bounds)
};

/// Progress in [0, 1]; may be empty.
using KMeansProgressFn = std::function<void(double)>;

/// Clusters n vectors of `dim` floats (row-major, data.size() == n·dim) with per-vector weights
/// (empty: all 1; all zero: treated as all 1). Errors: InvalidArgument for a size mismatch,
/// dim < 1, k < 1 or k > the vectors fitted, NaN/Inf data, negative or non-finite weights, a
/// negative tolerance; Cancelled when `stop` is requested.
Result<KMeansResult> kmeans(std::span<const float> data, int dim, std::span<const float> weights, const KMeansOptions &options,
                            const KMeansProgressFn &progress = {}, std::stop_token stop = {});

/// k-means++ seeding alone: k centroids drawn by weighted D² sampling from the n vectors (all of
/// them; no sub-sampling). Same preconditions and errors as kmeans().
Result<std::vector<float>> kmeansPlusPlus(std::span<const float> data, int dim, std::span<const float> weights, int k,
                                          std::uint64_t seed, unsigned threads = 0, std::stop_token stop = {});

/// A codebook prepared for nearest-centroid search: centroids re-laid out in blocks of 8 (each
/// coordinate contiguous across the block), centred on their mean (so ‖c‖² − 2·x·c loses little
/// precision) with their squared norms precomputed. Copyable; immutable after construction.
class CentroidSearch {
public:
    CentroidSearch() = default;
    /// `centroids`: k × dim floats, row-major (k, dim ≥ 1, finite: the caller guarantees it).
    CentroidSearch(std::span<const float> centroids, int k, int dim);

    int clusters() const { return m_k; }
    int dim() const { return m_dim; }
    /// Centroid i as given to the constructor (dim floats).
    const float *centroid(std::uint32_t i) const { return m_centroids.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(m_dim); }

    /// Nearest centroid of each of n vectors (x: n × dim, row-major) by squared Euclidean distance,
    /// ties to the lowest index; scores are evaluated in fp32 as ‖c‖² − 2·x·c, so a near tie may
    /// pick a centroid whose exact distance exceeds the minimum by a rounding error. Uses up to
    /// `threads` threads (0: all cores; 1: the calling thread only).
    void assign(const float *x, std::int64_t n, std::uint32_t *out, unsigned threads = 1) const;

    /// assign() that also gives a lower bound on the squared distance from each vector to its
    /// second-nearest centroid (the fp32 score less a rounding margin; +Inf when k = 1): what
    /// Lloyd's iterations need to skip vectors whose nearest centroid cannot have changed.
    void assignWithSecond(const float *x, std::int64_t n, std::uint32_t *out, float *second, unsigned threads = 1) const;

    /// Exact (fp64) nearest centroid by the first `len` coordinates only (1 ≤ len ≤ dim): the
    /// partial vector at a padded edge. Ties to the lowest index.
    std::uint32_t nearestPrefix(const float *x, int len) const;

    /// The scalar reference: exact fp64 nearest centroid (ties to the lowest index).
    std::uint32_t nearestReference(const float *x) const { return nearestPrefix(x, m_dim); }

private:
    void assignTile(const float *x, int count, std::uint32_t *out, float *scratch) const;

    int m_k = 0, m_dim = 0, m_blocks = 0;
    std::vector<float> m_centroids; ///< as given
    std::vector<float> m_mean;      ///< dim
    std::vector<float> m_blocked;   ///< blocks × dim × 8, centred
    std::vector<float> m_norms;     ///< blocks × 8: ‖c − mean‖², +Inf in padding lanes
};

/// Squared Euclidean distance in fp64.
double squaredDistance(const float *a, const float *b, int dim);

} // namespace lowbit
