// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/adaquant_layer.h"

#include "core/quant/fast_quantize.h"

#include <cmath>
#include <limits>

namespace lowbit::ada {

namespace {

constexpr float kMaxLogScale = 1.3862944f; // ln 4: a trained scale stays within [s₀/4, 4·s₀]

/// The storage rounding of a trained scale, sign kept (IQ4_NL scales are negative).
float roundTrainedScale(float s, ScaleStorage storage)
{
    const float r = roundScaleToStorage(std::fabs(s), storage);
    return std::copysign(r, s);
}

void adam(float &param, float &m, float &v, float g, float lr, const AdamSettings &a, float bc1, float bc2)
{
    m = a.beta1 * m + (1.0f - a.beta1) * g;
    v = a.beta2 * v + (1.0f - a.beta2) * g * g;
    param -= lr * (m / bc1) / (std::sqrt(v / bc2) + a.eps);
}

} // namespace

Result<LayerQuantizer> LayerQuantizer::create(const float *w, const QuantizedMatrix &start)
{
    LayerQuantizer q;
    q.m_w = w;
    q.m_start = start;
    q.m_rows = start.rows;
    q.m_cols = start.cols;
    const FormatSpec &spec = start.spec;
    const Format &f = spec.format;
    if (f.family == FormatFamily::Q4_0)
        return makeError(ErrorCode::Unsupported, "adaquant: q4_0 has no trainable form (ggml's truncating rule); use rtn or gptq");
    const std::vector<Format> single{f};
    const std::vector<Format> &formats = f.family == FormatFamily::Mixture ? f.members : single;
    for (const Format &mf : formats) {
        Member m;
        std::vector<float> values = codeValues(mf);
        if (values.size() < 2 || values.size() > 256 || mf.family == FormatFamily::Mixture)
            return makeError(ErrorCode::Unsupported, "adaquant: format '" + mf.name + "' has no grid to train on");
        m.zeroCode = nearestGridIndex(values, 0.0f);
        m.unitGrid = true;
        for (std::size_t i = 0; i + 1 < values.size(); ++i) {
            m.invSpacing.push_back(1.0f / (values[i + 1] - values[i]));
            m.unitGrid = m.unitGrid && values[i + 1] - values[i] == 1.0f;
        }
        m.grid = GridIndexMap(std::move(values));
        m.kind = mf.family == FormatFamily::IntAsym ? Kind::Asym
                 : mf.twoScale                      ? Kind::TwoScale
                 : mf.family == FormatFamily::Nvfp4 ? Kind::Nvfp4
                                                    : Kind::Sym;
        q.m_members.push_back(std::move(m));
    }
    q.m_perTensor = spec.groupSize < 0;
    q.m_groupsPerRow = refGroupsPerRow(spec, q.m_cols);
    q.m_groupLen = spec.groupSize > 0 ? spec.groupSize : q.m_cols;
    const std::int64_t groups = refGroupCount(spec, q.m_rows, q.m_cols);
    const auto n = static_cast<std::size_t>(q.m_rows * q.m_cols);
    const auto ng = static_cast<std::size_t>(groups);
    const bool mixture = f.family == FormatFamily::Mixture;
    bool needs2 = false;
    for (const Member &m : q.m_members)
        needs2 = needs2 || m.kind == Kind::Asym || m.kind == Kind::TwoScale;
    if (start.codes.size() != n || start.scales.size() != ng || (needs2 && start.scales2.size() != ng)
        || (mixture && start.selectors.size() != ng))
        return makeError(ErrorCode::InvalidArgument, "adaquant: the start quantization does not match its shape");
    q.m_optimizeScales = spec.scaleStorage != ScaleStorage::E8M0 && spec.scaleStorage != ScaleStorage::E4M3
                         && f.family != FormatFamily::Mx && f.family != FormatFamily::Nvfp4;

    q.m_member.assign(ng, 0);
    q.m_s1Base = start.scales;
    q.m_s2Base = needs2 ? start.scales2 : std::vector<float>(ng, 0.0f);
    q.m_theta1.assign(ng, 0.0f);
    q.m_theta2.assign(ng, 0.0f);
    q.m_z.assign(ng, 0.0f);
    for (auto &a : q.m_adamG)
        a.assign(ng, 0.0f);
    q.m_current.assign(ng, {});
    for (std::size_t g = 0; g < ng; ++g) {
        q.m_member[g] = mixture ? start.selectors[g] : std::uint8_t{0};
        if (q.m_member[g] >= q.m_members.size())
            return makeError(ErrorCode::InvalidArgument, "adaquant: the start has a selector out of range");
        q.m_z[g] = q.m_s2Base[g];
        q.refreshCurrent(static_cast<std::int64_t>(g));
    }
    const auto slots = static_cast<std::size_t>(q.m_rows * q.m_groupsPerRow);
    q.m_gS1.assign(slots, 0.0f);
    q.m_gS2.assign(slots, 0.0f);
    q.m_gZ.assign(slots, 0.0f);
    q.m_v.assign(n, 0.0f);
    q.m_lo.assign(n, 0.0f);
    q.m_hi.assign(n, 0.0f);
    q.m_mV.assign(n, 0.0f);
    q.m_sV.assign(n, 0.0f);
    q.m_pos.assign(n, 0.0f);
    q.m_gradV.assign(n, 0.0f);
    q.m_codes = start.codes;
    q.m_segment.assign(n, 0);

    // Offsets: 0 where rounding reproduces the start's code, else the offset that lands on it;
    // the box lets round(p) pick either grid point neighbouring the start position.
    for (std::int64_t r = 0; r < q.m_rows; ++r)
        for (std::int64_t j = 0; j < q.m_groupsPerRow; ++j) {
            const std::int64_t g = q.groupOf(r, j);
            const Member &m = q.m_members[q.m_member[static_cast<std::size_t>(g)]];
            const Current &c = q.m_current[static_cast<std::size_t>(g)];
            const auto top = static_cast<float>(m.grid.size() - 1);
            const std::int64_t c0 = j * q.m_groupLen, c1 = std::min(q.m_cols, c0 + q.m_groupLen);
            for (std::int64_t col = c0; col < c1; ++col) {
                const auto i = static_cast<std::size_t>(r * q.m_cols + col);
                float base = 0.0f;
                int segment = 0;
                if (!q.positionOf(m, c, w[i], base, segment))
                    continue; // frozen at the code of zero
                const float code = static_cast<float>(start.codes[i]);
                const float rounded = std::floor(std::clamp(base + 0.5f, 0.0f, top));
                const float v0 = rounded == code ? 0.0f : code - base;
                const float lowPoint = std::min(std::floor(std::clamp(base, 0.0f, top)), top - 1.0f);
                q.m_v[i] = v0;
                q.m_lo[i] = std::min(lowPoint - base, v0);
                q.m_hi[i] = std::max(lowPoint + 1.0f - base, v0);
            }
        }
    return q;
}

void LayerQuantizer::refreshCurrent(std::int64_t g)
{
    const auto k = static_cast<std::size_t>(g);
    const Member &m = m_members[m_member[k]];
    Current &c = m_current[k];
    const ScaleStorage storage = m_start.spec.scaleStorage;
    if (!m_optimizeScales) {
        c.s1 = m_s1Base[k];
        c.s2 = m.kind == Kind::Asym ? 0.0f : m_s2Base[k];
        c.zero = m.kind == Kind::Asym ? m_s2Base[k] : 0.0f;
    } else {
        c.s1 = roundTrainedScale(m_s1Base[k] * std::exp(m_theta1[k]), storage);
        c.s2 = m.kind == Kind::TwoScale ? roundTrainedScale(m_s2Base[k] * std::exp(m_theta2[k]), storage) : 0.0f;
        c.zero = m.kind == Kind::Asym ? std::clamp(std::round(m_z[k]), 0.0f, static_cast<float>(m.grid.size() - 1)) : 0.0f;
    }
    auto inverse = [](float s) {
        const float inv = 1.0f / s;
        return s != 0.0f && std::isfinite(s) && std::isfinite(inv) ? inv : 0.0f;
    };
    c.inv1 = inverse(m.kind == Kind::Nvfp4 ? c.s1 * m_start.tensorScale : c.s1);
    c.inv2 = m.kind == Kind::TwoScale ? inverse(c.s2) : 0.0f;
}

bool LayerQuantizer::positionOf(const Member &m, const Current &c, float w, float &position, int &segment) const
{
    const float inv = m.kind == Kind::TwoScale && w < 0.0f ? c.inv2 : c.inv1;
    if (inv == 0.0f)
        return false;
    const float y = w * inv;
    if (m.unitGrid) {
        segment = 0;
        position = y - m.grid.value(0) + c.zero;
        return true;
    }
    segment = m.grid.segmentOf(y);
    position = static_cast<float>(segment) + (y - m.grid.value(segment)) * m.invSpacing[static_cast<std::size_t>(segment)] + c.zero;
    return true;
}

namespace {

constexpr int kSym = 0, kAsym = 1, kTwoScale = 2, kNvfp4 = 3;

} // namespace

template <int K>
void LayerQuantizer::forwardGroup(const Member &m, const Current &c, std::size_t i0, std::size_t i1, float *wq)
{
    const auto top = static_cast<float>(m.grid.size() - 1);
    const float t = m_start.tensorScale;
    for (std::size_t i = i0; i < i1; ++i) {
        float pos = 0.0f;
        int seg = 0, code = 0;
        if (positionOf(m, c, m_w[i], pos, seg)) {
            const float p = pos + m_v[i];
            m_pos[i] = p;
            m_segment[i] = static_cast<std::uint8_t>(seg);
            const float pc = std::clamp(p + 0.5f, 0.0f, top);
            code = pc >= 0.0f ? static_cast<int>(std::floor(pc)) : 0; // NaN (fp32 overflow upstream): code 0, no UB
        } else {
            m_pos[i] = std::numeric_limits<float>::quiet_NaN(); // frozen: no gradient
            code = K == kAsym ? static_cast<int>(c.zero) : m.zeroCode;
        }
        m_codes[i] = static_cast<std::uint8_t>(code);
        // The library's decoding rule (quantize_ref.cpp), operation for operation.
        const float v = m.grid.value(code);
        if constexpr (K == kAsym)
            wq[i] = (static_cast<float>(code) - c.zero) * c.s1;
        else if constexpr (K == kTwoScale)
            wq[i] = v * (v < 0.0f ? c.s2 : c.s1);
        else if constexpr (K == kNvfp4)
            wq[i] = (v * c.s1) * t;
        else
            wq[i] = v * c.s1;
    }
}

void LayerQuantizer::forward(std::int64_t r0, std::int64_t r1, float *wq)
{
    for (std::int64_t r = r0; r < r1; ++r)
        for (std::int64_t j = 0; j < m_groupsPerRow; ++j) {
            const auto g = static_cast<std::size_t>(groupOf(r, j));
            const Member &m = m_members[m_member[g]];
            const Current &c = m_current[g];
            const auto i0 = static_cast<std::size_t>(r * m_cols + j * m_groupLen);
            const auto i1 = static_cast<std::size_t>(r * m_cols + std::min(m_cols, (j + 1) * m_groupLen));
            switch (m.kind) {
            case Kind::Sym: forwardGroup<kSym>(m, c, i0, i1, wq); break;
            case Kind::Asym: forwardGroup<kAsym>(m, c, i0, i1, wq); break;
            case Kind::TwoScale: forwardGroup<kTwoScale>(m, c, i0, i1, wq); break;
            case Kind::Nvfp4: forwardGroup<kNvfp4>(m, c, i0, i1, wq); break;
            }
        }
}

template <int K, bool Continuous>
void LayerQuantizer::backwardGroup(const Member &m, const Current &c, std::size_t i0, std::size_t i1, const float *gradWq,
                                   float temperature, float *gS1, float *gS2, float *gZ)
{
    const auto top = static_cast<float>(m.grid.size() - 1);
    const float sDecSym = K == kNvfp4 ? c.s1 * m_start.tensorScale : c.s1;
    const float interior = 18.0f / temperature;
    float g1 = 0, g2 = 0, gz = 0;
    for (std::size_t i = i0; i < i1; ++i) {
        const float p = m_pos[i];
        if (std::isnan(p)) {
            m_gradV[i] = 0.0f;
            continue;
        }
        float dRound = 1.0f, dClamp = 0.0f, clamped = 0.0f;
        if constexpr (Continuous) {
            float rp = 0.0f;
            sigmoidRoundWithGrad(p, temperature, rp, dRound);
            if (rp > interior && rp < top - interior) { // g = 1 − O(e⁻¹⁸): the soft clamp is the identity here
                clamped = rp;
                dClamp = 1.0f;
            } else
                softClampWithGrad(rp, 0.0f, top, temperature, clamped, dClamp);
        } else {
            dRound = steRoundGrad(p);
            dClamp = steClampGrad(p, 0.0f, top);
            clamped = std::clamp(p, 0.0f, top);
        }
        const int code = m_codes[i];
        const float value = m.grid.value(code);
        const float sDec = K == kTwoScale && value < 0.0f ? c.s2 : sDecSym;
        const float gw = gradWq[i];
        const float slope = m.unitGrid ? 1.0f : m.grid.spacingAt(clamped);
        const float gp = gw * sDec * slope * dClamp * dRound; // dL/dp
        m_gradV[i] = gp;
        if (!m_optimizeScales)
            continue;
        // Decoding: ŵ = value·s (AFPQ: the scale of value's sign; INT-asym: (code − z)·s).
        if constexpr (K == kAsym) {
            g1 += gw * (static_cast<float>(code) - c.zero);
            gz += gp - gw * c.s1;
        } else if (K == kTwoScale && value < 0.0f)
            g2 += gw * value;
        else
            g1 += gw * value;
        // Encoding: p = φ(w / s_enc) + …, ∂p/∂s_enc = φ'(y)·(−y / s_enc) = −w·inv²/spacing.
        const float w = m_w[i];
        const bool negative = K == kTwoScale && w < 0.0f;
        const float inv = negative ? c.inv2 : c.inv1;
        const float invSpacing = m.unitGrid ? 1.0f : m.invSpacing[m_segment[i]];
        const float dp = -w * inv * inv * invSpacing;
        (negative ? g2 : g1) += gp * dp;
    }
    *gS1 = g1;
    *gS2 = g2;
    *gZ = gz;
}

void LayerQuantizer::backward(std::int64_t r0, std::int64_t r1, const float *gradWq, Rule rule, float temperature)
{
    for (std::int64_t r = r0; r < r1; ++r)
        for (std::int64_t j = 0; j < m_groupsPerRow; ++j) {
            const auto g = static_cast<std::size_t>(groupOf(r, j));
            const auto slot = static_cast<std::size_t>(r * m_groupsPerRow + j);
            const Member &m = m_members[m_member[g]];
            const Current &c = m_current[g];
            const auto i0 = static_cast<std::size_t>(r * m_cols + j * m_groupLen);
            const auto i1 = static_cast<std::size_t>(r * m_cols + std::min(m_cols, (j + 1) * m_groupLen));
            float *a = &m_gS1[slot], *b = &m_gS2[slot], *z = &m_gZ[slot];
            const bool cont = rule == Rule::Continuous;
            switch (m.kind) {
            case Kind::Sym:
                cont ? backwardGroup<kSym, true>(m, c, i0, i1, gradWq, temperature, a, b, z)
                     : backwardGroup<kSym, false>(m, c, i0, i1, gradWq, temperature, a, b, z);
                break;
            case Kind::Asym:
                cont ? backwardGroup<kAsym, true>(m, c, i0, i1, gradWq, temperature, a, b, z)
                     : backwardGroup<kAsym, false>(m, c, i0, i1, gradWq, temperature, a, b, z);
                break;
            case Kind::TwoScale:
                cont ? backwardGroup<kTwoScale, true>(m, c, i0, i1, gradWq, temperature, a, b, z)
                     : backwardGroup<kTwoScale, false>(m, c, i0, i1, gradWq, temperature, a, b, z);
                break;
            case Kind::Nvfp4:
                cont ? backwardGroup<kNvfp4, true>(m, c, i0, i1, gradWq, temperature, a, b, z)
                     : backwardGroup<kNvfp4, false>(m, c, i0, i1, gradWq, temperature, a, b, z);
                break;
            }
        }
}

void LayerQuantizer::step(const AdamSettings &a, int t, unsigned threads)
{
    const auto bc1 = static_cast<float>(1.0 - std::pow(static_cast<double>(a.beta1), t));
    const auto bc2 = static_cast<float>(1.0 - std::pow(static_cast<double>(a.beta2), t));
    ompChunks(m_rows * m_cols, threads, 16384, [&](std::int64_t b, std::int64_t e) {
        // Frozen weights have zero gradients, so their moments and offsets stay 0.
        for (auto i = static_cast<std::size_t>(b); i < static_cast<std::size_t>(e); ++i) {
            adam(m_v[i], m_mV[i], m_sV[i], m_gradV[i], a.lrOffsets, a, bc1, bc2);
            m_v[i] = std::clamp(m_v[i], m_lo[i], m_hi[i]);
        }
    });
    if (!m_optimizeScales)
        return;
    const std::size_t groups = m_current.size();
    std::vector<float> g1(groups, 0.0f), g2(groups, 0.0f), gz(groups, 0.0f);
    for (std::int64_t r = 0; r < m_rows; ++r)
        for (std::int64_t j = 0; j < m_groupsPerRow; ++j) {
            const auto g = static_cast<std::size_t>(groupOf(r, j));
            const auto slot = static_cast<std::size_t>(r * m_groupsPerRow + j);
            g1[g] += m_gS1[slot];
            g2[g] += m_gS2[slot];
            gz[g] += m_gZ[slot];
        }
    for (std::size_t g = 0; g < groups; ++g) {
        const Member &m = m_members[m_member[g]];
        if (m_s1Base[g] != 0.0f) { // d/dθ of s₀·e^θ is the unrounded scale (STE through the storage rounding)
            adam(m_theta1[g], m_adamG[0][g], m_adamG[1][g], g1[g] * m_s1Base[g] * std::exp(m_theta1[g]), a.lrScales, a, bc1, bc2);
            m_theta1[g] = std::clamp(m_theta1[g], -kMaxLogScale, kMaxLogScale);
        }
        if (m.kind == Kind::TwoScale && m_s2Base[g] != 0.0f) {
            adam(m_theta2[g], m_adamG[2][g], m_adamG[3][g], g2[g] * m_s2Base[g] * std::exp(m_theta2[g]), a.lrScales, a, bc1, bc2);
            m_theta2[g] = std::clamp(m_theta2[g], -kMaxLogScale, kMaxLogScale);
        }
        if (m.kind == Kind::Asym && m_s1Base[g] != 0.0f) {
            adam(m_z[g], m_adamG[4][g], m_adamG[5][g], gz[g], a.lrOffsets, a, bc1, bc2);
            m_z[g] = std::clamp(m_z[g], -0.49f, static_cast<float>(m.grid.size() - 1) + 0.49f);
        }
        refreshCurrent(static_cast<std::int64_t>(g));
    }
}

QuantizedMatrix LayerQuantizer::snapshot() const
{
    QuantizedMatrix q;
    q.spec = m_start.spec;
    q.rows = m_rows;
    q.cols = m_cols;
    q.codes = m_codes;
    q.selectors = m_start.selectors;
    q.tensorScale = m_start.tensorScale;
    q.scales.resize(m_current.size());
    if (!m_start.scales2.empty())
        q.scales2.resize(m_current.size());
    for (std::size_t g = 0; g < m_current.size(); ++g) {
        const Member &m = m_members[m_member[g]];
        q.scales[g] = m_current[g].s1;
        if (!q.scales2.empty())
            q.scales2[g] = m.kind == Kind::Asym ? m_current[g].zero : m.kind == Kind::TwoScale ? m_current[g].s2 : m_start.scales2[g];
    }
    return q;
}

} // namespace lowbit::ada
