// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// VPTQ, vector post-training quantization (algorithms.md "VPTQ"):
///  1. column order: outlier columns (the outlierFraction of columns with the largest diag(H))
///     first, then the others by descending diag(H) (permute) or in their own order; optional
///     per-column normalization Wn = (W − min_c) / (max_c − min_c);
///  2. codebooks by k-means (kmeans.h) on the vectors (v consecutive rows of one column, rows padded
///     to a multiple of v; the padded vector of each column is left out of the fit), each vector
///     weighted by diag(H) of its column (times scale² when normalized, so the weights measure
///     the error in W's own units); the outlier columns get their own codebook;
///  3. channel-independent second-order error feedback: columns in order, each vector replaced by
///     its nearest centroid, err = (w_q − ŵ_q) / U_qq with U the upper Cholesky factor of
///     (H + λ·mean(diag H)·I)⁻¹ (dead inputs: H_ii = 1), W[:, q+1:] −= err·U[q, q+1:] in blocks
///     of 128 (lazy updates of the later blocks as one matrix product);
///  4. residual: k-means on the first pass's errors (normalized units), then a second pass from the
///     original weights where ŵ = c[i] + r[j] (i nearest to w, j nearest to w − c[i]);
///  5. report the proxy error through finishReport.
/// The outlier codebook has the main vector length and no residual. One codebook per kind (the
/// paper's group_num = 1).

#include "core/methods/method.h"
#include "core/methods/vq_tensor.h"

#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// Parses the CLI syntax "v=8,k=4096,res=256,outliers=1%,perm=1,norm=1,iters=N,sample=N,seed=N"
/// (also "outlier_k=N", "tol=X", "feedback=0|1", "damp=X"; outliers as a percentage "1%" or a
/// fraction "0.01") on top of `base`. Empty text gives `base`. Errors: InvalidArgument naming the
/// offending item and the valid keys or range.
Result<VqOptions> parseVqOptions(std::string_view text, const VqOptions &base = {});

/// Checks options against a layer of rows × cols (v ≤ rows, 2 ≤ k ≤ 65536, …).
Status validateVqOptions(const VqOptions &options, std::int64_t rows, std::int64_t cols);

struct VptqResult {
    std::shared_ptr<const VqQuantizedTensor> tensor;
    std::vector<float> dequantized; ///< rows × cols: the method's own Ŵ (equals tensor->decodeRows bit for bit)
    int centroids = 0;              ///< main codebook entries used (k, or fewer for a layer with fewer vectors)
    int residualCentroids = 0;
    int outlierCentroids = 0;
    std::int64_t outlierColumns = 0;
    std::vector<double> inertia;    ///< main codebook's k-means inertia per iteration
    std::string detail;             ///< "k-means 37 it (converged), …" for MethodReport::detail
};

/// Runs VPTQ on one layer with codebooks, scales and biases stored as `type`. Needs stats (H).
/// Errors: InvalidArgument for missing stats, a bad option, NaN/Inf weights or Hessian, a
/// Hessian that is not positive definite after damping, centroids beyond fp16's range; Cancelled.
Result<VptqResult> quantizeVptq(const LayerInput &in, const VqOptions &options, VqCodebookType type, unsigned threads = 0,
                                const LayerProgressFn &progress = {}, std::stop_token stop = {});

/// The registered method: codebooks in fp32 when the spec's scale storage is fp32, fp16 when it is
/// fp16 (other storages are an InvalidArgument); options from MethodOptions::vq.
Result<QuantizedLayer> runVptq(const LayerInput &in, const FormatSpec &spec, const MethodOptions &options, const LayerProgressFn &progress,
                               std::stop_token stop);

} // namespace lowbit
