// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/methods/element_coder.h"

#include "core/quant/fast_format.h"
#include "core/quant/fast_quantize.h"

#include <algorithm>

namespace lowbit {

GroupGeometry GroupGeometry::of(const FormatSpec &spec, std::int64_t rows, std::int64_t cols)
{
    GroupGeometry g;
    g.rows = rows;
    g.cols = cols;
    g.perTensor = spec.groupSize < 0;
    g.width = spec.groupSize > 0 ? spec.groupSize : std::max<std::int64_t>(1, cols);
    g.perRow = spec.groupSize > 0 ? (cols + spec.groupSize - 1) / spec.groupSize : 1;
    return g;
}

Result<ElementCoder> ElementCoder::make(const FormatSpec &spec, float tensorScale)
{
    LOWBIT_TRY(FormatSpec checked, makeFormatSpec(spec.format, spec.groupSize, spec.scaleStorage, spec.clip));
    ElementCoder c;
    c.m_spec = std::move(checked);
    c.m_tensorScale = c.m_spec.format.family == FormatFamily::Nvfp4 ? tensorScale : 1.0f;
    if (auto plan = fastPlanFor(c.m_spec); plan && !plan->members.empty()) {
        c.m_plan = std::move(plan).value();
        c.m_fast = true;
    }
    return c;
}

const FastMember *ElementCoder::member(const GroupParams &p) const
{
    const std::size_t k = m_plan.members.size() == 1 ? 0 : p.member;
    return k < m_plan.members.size() ? &m_plan.members[k] : nullptr;
}

GroupParams ElementCoder::choose(const float *x, std::int64_t n) const
{
    return chooseGroupParams(m_spec, x, n, nullptr, m_tensorScale);
}

void ElementCoder::encode(const GroupParams &p, const float *x, std::int64_t n, std::uint8_t *codes) const
{
    if (!m_fast) {
        quantizeGroupWithParams(m_spec, p, x, n, codes, m_tensorScale);
        return;
    }
    if (const FastMember *m = member(p))
        encodeGroup(*m, p.scale, p.scale2, x, n, m_tensorScale, codes);
    else
        std::fill(codes, codes + n, std::uint8_t{0});
}

void ElementCoder::decode(const GroupParams &p, const std::uint8_t *codes, std::int64_t n, float *out) const
{
    if (!m_fast) {
        dequantizeGroupWithParams(m_spec, p, codes, n, out, m_tensorScale);
        return;
    }
    const FastMember *m = member(p);
    if (!m) {
        std::fill(out, out + n, 0.0f);
        return;
    }
    // Codes beyond the member's grid decode as 0, as the reference does.
    const bool inRange = std::all_of(codes, codes + n, [&](std::uint8_t c) { return c <= m->maxCode; });
    if (inRange) {
        dequantizeGroup(*m, p.scale, p.scale2, codes, n, m_tensorScale, out);
        return;
    }
    for (std::int64_t i = 0; i < n; ++i) {
        out[i] = 0.0f;
        if (codes[i] <= m->maxCode)
            dequantizeGroup(*m, p.scale, p.scale2, codes + i, 1, m_tensorScale, out + i);
    }
}

Result<QuantizedMatrix> ElementCoder::rtn(const float *w, std::int64_t rows, std::int64_t cols, unsigned threads) const
{
    QuantizedMatrix q;
    if (m_fast) {
        LOWBIT_TRY(q, quantizeFastMatrix(w, rows, cols, m_spec, nullptr, threads));
    } else {
        LOWBIT_TRY(q, quantizeRef(w, rows, cols, m_spec));
    }
    if (m_spec.format.family == FormatFamily::Nvfp4 && q.tensorScale != m_tensorScale) {
        // The coder's t (of the original weights) rules: recode with it.
        const GroupGeometry geo = GroupGeometry::of(m_spec, rows, cols);
        q.tensorScale = m_tensorScale;
        for (std::int64_t r = 0; r < rows; ++r)
            for (std::int64_t c0 = 0; c0 < cols; c0 += geo.width) {
                const std::int64_t len = std::min(geo.width, cols - c0);
                const GroupParams p = choose(w + r * cols + c0, len);
                store(q, geo.index(r, c0), p);
                encode(p, w + r * cols + c0, len, q.codes.data() + r * cols + c0);
            }
    }
    return q;
}

void ElementCoder::store(QuantizedMatrix &q, std::int64_t gi, const GroupParams &p)
{
    const auto i = static_cast<std::size_t>(gi);
    q.scales[i] = p.scale;
    if (!q.scales2.empty())
        q.scales2[i] = p.scale2;
    if (!q.selectors.empty())
        q.selectors[i] = p.member;
}

} // namespace lowbit
