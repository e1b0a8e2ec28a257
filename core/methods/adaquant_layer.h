// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// One layer's AdaQuant parametrization (algorithms.md): what the optimizer moves, how the true
/// quantizer is applied to it, and how a gradient on Ŵ reaches it.
///
/// Parameters, starting from a given quantization (RTN or GPTQ) of W:
///  - per weight a rounding offset v in the index space of its group's grid (adaquant_rules.h):
///    position p = φ(w / s) (+ zero point) + v, code = clamp(round(p), 0, K − 1). v starts at 0
///    where that reproduces the start's code (else at the offset that does) and stays in a box
///    that lets round(p) choose only between the two grid points neighbouring the start position;
///  - per group the scale s = s₀·e^θ (and AFPQ's s_neg likewise), rounded to the format's scale
///    storage in every forward pass (STE through that rounding), θ ∈ [−ln 4, ln 4]; INT-asym's
///    zero point as a continuous z, rounded (and clamped to the code range) in the forward pass.
///    Scales are optimized for fp32 / fp16 / bf16 storage only: with E8M0 (MX) or E4M3 (NVFP4)
///    storage they stay at the start's values and only the rounding is optimized;
///  - mixture members (BitMoD, mix:) stay those of the start.
/// The forward pass is the true quantizer with the library's decoding rule (the same fp32
/// operations as quantize_ref.cpp's decode), so the loss of an iterate is its real error.

#include "core/methods/adaquant_rules.h"
#include "core/quant/quantize_ref.h"
#include "core/util/result.h"

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace lowbit::ada {

enum class Rule : std::uint8_t { Ste, Continuous };

/// Calls fn(begin, end) on contiguous chunks of [0, n) on the OpenMP threads (threads = 0: the
/// OpenMP default), one chunk per thread, or inline when n < grain. OpenMP rather than
/// parallel.h because the Hessian product runs on oneDNN's OpenMP team: a second pool would
/// compete with its spin-waiting workers.
template <class F>
void ompChunks(std::int64_t n, unsigned threads, std::int64_t grain, const F &fn)
{
    const std::int64_t byWork = grain > 0 ? n / grain : n;
    const std::int64_t nt = std::min<std::int64_t>(threads ? static_cast<std::int64_t>(threads) : omp_get_max_threads(), byWork);
    if (nt <= 1) {
        if (n > 0)
            fn(std::int64_t{0}, n);
        return;
    }
#pragma omp parallel for num_threads(static_cast<int>(nt)) schedule(static)
    for (std::int64_t t = 0; t < nt; ++t)
        fn(n * t / nt, n * (t + 1) / nt);
}

/// Adam hyper-parameters. Offsets (index units) and zero points use lrOffsets, log-scales lrScales.
struct AdamSettings {
    float lrOffsets = 1e-3f;
    float lrScales = 1e-2f;
    float beta1 = 0.9f;
    float beta2 = 0.999f;
    float eps = 1e-8f;
};

class LayerQuantizer {
public:
    /// w: rows × cols (finite; checkLayerInput). start: a quantization of w in any scalar format
    /// with a grid (not q4_0). Errors: Unsupported for a member without a usable grid;
    /// InvalidArgument when the start's arrays do not match its shape.
    static Result<LayerQuantizer> create(const float *w, const QuantizedMatrix &start);

    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }
    /// Whether group scales (and zero points) are trained (false: E8M0 / E4M3 storage).
    bool optimizesScales() const { return m_optimizeScales; }

    /// Hard-quantizes rows [r0, r1) under the current parameters: writes Ŵ there (wq: the whole
    /// rows × cols array) and remembers codes and positions for backward(). Rows are independent:
    /// call it on disjoint ranges from several threads.
    void forward(std::int64_t r0, std::int64_t r1, float *wq);

    /// Gradients of rows [r0, r1) from dL/dŴ (the whole rows × cols array) at the last forward
    /// pass, through the rule's round/clamp; `temperature` is the continuous rule's T (also the
    /// soft clamp's sharpness). Disjoint row ranges may run concurrently.
    void backward(std::int64_t r0, std::int64_t r1, const float *gradWq, Rule rule, float temperature);

    /// One Adam step (t counts from 1) on every parameter from the gradients of the last
    /// backward() over all rows, then the projection onto the bounds. threads: 0 = all.
    void step(const AdamSettings &adam, int t, unsigned threads);

    /// The last forward pass as a quantized matrix (codes, rounded scales, zero points, the
    /// start's selectors and tensor scale).
    QuantizedMatrix snapshot() const;

private:
    enum class Kind : std::uint8_t { Sym, Asym, TwoScale, Nvfp4 };
    struct Member {
        Kind kind = Kind::Sym;
        GridIndexMap grid;
        std::vector<float> invSpacing; ///< 1 / spacing per segment
        bool unitGrid = false;         ///< consecutive integers (INT, INT-asym): position = y − v₀
        std::uint8_t zeroCode = 0;
    };
    struct Current { ///< a group's parameters as the forward pass uses them
        float s1 = 0, s2 = 0, zero = 0;
        float inv1 = 0, inv2 = 0; ///< 1 / encoding scale (NVFP4: 1 / (s1·t)); 0 when that scale is 0 or not finite
    };

    LayerQuantizer() = default;
    std::int64_t groupOf(std::int64_t row, std::int64_t j) const { return m_perTensor ? 0 : row * m_groupsPerRow + j; }
    void refreshCurrent(std::int64_t g);
    /// Position of w (before the offset) in its group's index space and the segment of w / s_enc;
    /// false when the encoding scale is 0 or not finite (the weight is frozen at the code of 0).
    bool positionOf(const Member &m, const Current &c, float w, float &position, int &segment) const;
    template <int K>
    void forwardGroup(const Member &m, const Current &c, std::size_t i0, std::size_t i1, float *wq);
    template <int K, bool Continuous>
    void backwardGroup(const Member &m, const Current &c, std::size_t i0, std::size_t i1, const float *gradWq, float temperature,
                       float *gS1, float *gS2, float *gZ);

    const float *m_w = nullptr;
    QuantizedMatrix m_start; ///< spec, selectors and tensor scale are kept; codes/scales replaced
    std::int64_t m_rows = 0, m_cols = 0, m_groupLen = 0, m_groupsPerRow = 1;
    bool m_perTensor = false;
    bool m_optimizeScales = false;
    std::vector<Member> m_members;

    // per group
    std::vector<std::uint8_t> m_member;
    std::vector<float> m_s1Base, m_s2Base;       ///< the start's scales
    std::vector<float> m_theta1, m_theta2, m_z;  ///< latent log-scale multipliers, zero point
    std::vector<float> m_adamG[6];               ///< (m, v) moments of θ1, θ2, z
    std::vector<Current> m_current;
    // per (row, group of the row): gradient slots (a per-tensor group sums its rows' slots)
    std::vector<float> m_gS1, m_gS2, m_gZ;
    // per weight
    std::vector<float> m_v, m_lo, m_hi, m_mV, m_sV, m_pos, m_gradV;
    std::vector<std::uint8_t> m_codes;
    std::vector<std::uint8_t> m_segment; ///< grid segment of w / s_enc at the last forward pass
};

} // namespace lowbit::ada
