// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The gradient rules of AdaQuant (algorithms.md, "Layer-wise calibration (AdaQuant) and
/// continuous approximations") and the index space they act in.
///
/// The forward pass always runs the true quantizer; these functions only say how a gradient
/// passes through round() and clamp():
///  - STE: ∂round(x)/∂x = 1; ∂clamp(x, a, b)/∂x = 1 inside [a, b], 0 outside;
///  - continuous (arXiv 2410.10849): round(x) ≈ floor(x) + σ(T·(frac(x) − 0.5)) with T annealed
///    upward, clamp(x, a, b) ≈ SoftClamp(x, a, b) = x·g(x−a)·g(b−x) + a·g(a−x) + b·g(x−b) with
///    g(z) = σ(k·z).
/// Rounding and clamping act on a continuous position along a format's grid (GridIndexMap), so
/// the same rules serve INT, minifloat, NF, LUT, BitMoD, MX and NVFP4 grids: "rounding" chooses
/// between the two neighbouring grid points.
///
/// Templates so the optimizer runs them in float and the tests check them in double.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace lowbit::ada {

/// σ(z) = 1 / (1 + e^−z), without overflow for large |z|.
template <typename T>
T sigmoid(T z)
{
    if (z >= T(0))
        return T(1) / (T(1) + std::exp(-z));
    const T e = std::exp(z);
    return e / (T(1) + e);
}

/// The continuous approximation of round(x): floor(x) + σ(t·(frac(x) − 0.5)). Tends to round(x)
/// (away from the half-integers) as t grows.
template <typename T>
T sigmoidRound(T x, T t)
{
    const T f = std::floor(x);
    return f + sigmoid(t * (x - f - T(0.5)));
}

/// d sigmoidRound / dx = t·σ(u)·(1 − σ(u)) with u = t·(frac(x) − 0.5) (floor is flat).
template <typename T>
T sigmoidRoundGrad(T x, T t)
{
    const T s = sigmoid(t * (x - std::floor(x) - T(0.5)));
    return t * s * (T(1) - s);
}

/// SoftClamp(x, a, b) = x·g(x−a)·g(b−x) + a·g(a−x) + b·g(x−b), g(z) = σ(k·z). Tends to
/// clamp(x, a, b) as k grows.
template <typename T>
T softClamp(T x, T a, T b, T k)
{
    return x * sigmoid(k * (x - a)) * sigmoid(k * (b - x)) + a * sigmoid(k * (a - x)) + b * sigmoid(k * (x - b));
}

/// d SoftClamp / dx (g'(z) = k·g(z)·(1 − g(z))).
template <typename T>
T softClampGrad(T x, T a, T b, T k)
{
    const T ga = sigmoid(k * (x - a)), gb = sigmoid(k * (b - x));
    const T la = sigmoid(k * (a - x)), lb = sigmoid(k * (x - b));
    const T dga = k * ga * (T(1) - ga), dgb = k * gb * (T(1) - gb);
    const T dla = k * la * (T(1) - la), dlb = k * lb * (T(1) - lb);
    return ga * gb + x * (dga * gb - ga * dgb) - a * dla + b * dlb;
}

/// sigmoidRound and its derivative from one exponential.
template <typename T>
void sigmoidRoundWithGrad(T x, T t, T &value, T &grad)
{
    const T f = std::floor(x);
    const T s = sigmoid(t * (x - f - T(0.5)));
    value = f + s;
    grad = t * s * (T(1) - s);
}

/// softClamp and its derivative from two exponentials (σ(−z) = 1 − σ(z)).
template <typename T>
void softClampWithGrad(T x, T a, T b, T k, T &value, T &grad)
{
    const T ga = sigmoid(k * (x - a)), gb = sigmoid(k * (b - x));
    const T dga = k * ga * (T(1) - ga), dgb = k * gb * (T(1) - gb);
    value = x * ga * gb + a * (T(1) - ga) + b * (T(1) - gb);
    grad = ga * gb + x * (dga * gb - ga * dgb) - a * dga + b * dgb;
}

/// STE through round: the identity.
template <typename T>
T steRoundGrad(T)
{
    return T(1);
}

/// STE through clamp: 1 inside [a, b], 0 outside.
template <typename T>
T steClampGrad(T x, T a, T b)
{
    return x >= a && x <= b ? T(1) : T(0);
}

/// A sorted grid (≥ 2 values) as a continuous index space: position(v_i) = i, linear between
/// neighbouring values and extended linearly past both ends with the end segments' spacing.
/// Rounding a position picks the nearer of the two neighbouring values (the midpoint maps to
/// i + 0.5), so round(position(y)) is the grid's nearest-value code.
class GridIndexMap {
public:
    GridIndexMap() = default;
    /// values: sorted ascending, unique, at least 2 (callers check).
    explicit GridIndexMap(std::vector<float> values) : m_values(std::move(values))
    {
        const float step = m_values[1] - m_values[0];
        m_uniform = true;
        for (std::size_t i = 1; i < m_values.size(); ++i)
            m_uniform = m_uniform && m_values[i] - m_values[i - 1] == step;
    }

    int size() const { return static_cast<int>(m_values.size()); }
    float value(int code) const { return m_values[static_cast<std::size_t>(code)]; }
    const std::vector<float> &values() const { return m_values; }

    /// j in [0, size − 2] with v_j ≤ y < v_{j+1}, clamped to the end segments (NaN: 0).
    int segmentOf(float y) const
    {
        const float top = static_cast<float>(size() - 2);
        if (m_uniform) { // INT grids: no search
            const float j = std::floor((y - m_values[0]) / (m_values[1] - m_values[0]));
            return j >= 0.0f ? static_cast<int>(std::min(j, top)) : 0;
        }
        if (m_values.size() <= 16) { // 3- and 4-bit grids: a branch-free count beats a search
            int below = 0;
            for (const float v : m_values)
                below += v <= y ? 1 : 0;
            return std::clamp(below - 1, 0, size() - 2);
        }
        const auto it = std::upper_bound(m_values.begin(), m_values.end(), y);
        return std::clamp(static_cast<int>(it - m_values.begin()) - 1, 0, size() - 2);
    }
    /// The spacing v_{j+1} − v_j of segment j.
    float spacing(int j) const { return m_values[static_cast<std::size_t>(j + 1)] - m_values[static_cast<std::size_t>(j)]; }
    /// Continuous index of y in segment j (= segmentOf(y)).
    float positionIn(float y, int j) const { return static_cast<float>(j) + (y - m_values[static_cast<std::size_t>(j)]) / spacing(j); }

    /// Continuous index of y.
    float position(float y) const { return positionIn(y, segmentOf(y)); }
    /// d position / dy at y (1 / the spacing of y's segment).
    float positionSlope(float y) const { return 1.0f / spacing(segmentOf(y)); }
    /// d value / d index at position c: the spacing of the segment holding c (end segments past
    /// the ends).
    float spacingAt(float c) const
    {
        const float top = static_cast<float>(size() - 2);
        return spacing(c >= 0.0f ? static_cast<int>(std::floor(std::min(c, top))) : 0);
    }

private:
    std::vector<float> m_values;
    bool m_uniform = false;
};

} // namespace lowbit::ada
