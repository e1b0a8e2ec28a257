// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/fast_format.h"

#include "core/util/parallel.h"

#include <atomic>

namespace lowbit {

Result<FastPlan> fastPlanFor(const FormatSpec &spec)
{
    LOWBIT_TRY(FastPlan plan, planForSpec(spec));
    if (plan.members.size() == 1) {
        FastMember &m = plan.members[0];
        const std::vector<float> grid(m.lut.values.begin(), m.lut.values.end());
        if (grid == minifloatGrid(3, 2))
            m.fp6ExponentBits = 3;
        else if (grid == minifloatGrid(2, 3))
            m.fp6ExponentBits = 2;
    }
    return plan;
}

Result<FastQuantized> quantizeFast(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                                   const float *importance, unsigned threads)
{
    LOWBIT_TRY(const FastPlan plan, fastPlanFor(spec));
    return quantizeWithPlan(w, rows, cols, plan, importance, threads);
}

Result<PackedTensor> quantizePackedFast(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                                        const float *importance, unsigned threads)
{
    LOWBIT_TRY(const FastPlan plan, fastPlanFor(spec));
    LOWBIT_TRY(const FastQuantized q, quantizeWithPlan(w, rows, cols, plan, importance, threads));
    LOWBIT_TRY(PackedTensor p, pack(q, plan));
    p.spec = spec;
    return p;
}

Result<PackedTensor> pack(const FastQuantized &q, const FormatSpec &spec)
{
    LOWBIT_TRY(const FastPlan plan, fastPlanFor(spec));
    LOWBIT_TRY(PackedTensor p, pack(q, plan));
    p.spec = spec;
    return p;
}

Status dequantizeFast(const PackedTensor &p, float *out, unsigned threads)
{
    std::atomic<bool> failed{false};
    Error first;
    std::atomic_flag taken = ATOMIC_FLAG_INIT;
    parallelFor(
        p.rows,
        [&](std::int64_t r0, std::int64_t r1) {
            for (std::int64_t r = r0; r < r1; ++r) {
                Status s = dequantizeRow(p, r, out + r * p.cols);
                if (!s.ok()) {
                    if (!taken.test_and_set())
                        first = s.error();
                    failed = true;
                    return;
                }
            }
        },
        threads, 8);
    if (failed)
        return first;
    return {};
}

QuantizedMatrix toQuantizedMatrix(const FastQuantized &q, const FormatSpec &spec)
{
    QuantizedMatrix m;
    m.spec = spec;
    m.rows = q.rows;
    m.cols = q.cols;
    m.codes = q.codes;
    m.scales = q.scales;
    m.scales2 = q.scales2;
    m.selectors = q.selectors;
    m.tensorScale = q.tensorScale;
    return m;
}

Result<QuantizedMatrix> quantizeFastMatrix(const float *w, std::int64_t rows, std::int64_t cols, const FormatSpec &spec,
                                           const float *importance, unsigned threads)
{
    LOWBIT_TRY(const FastQuantized q, quantizeFast(w, rows, cols, spec, importance, threads));
    return toQuantizedMatrix(q, spec);
}

Result<PackedTensor> pack(const QuantizedMatrix &q)
{
    FastQuantized f;
    f.rows = q.rows;
    f.cols = q.cols;
    f.codes = q.codes;
    f.scales = q.scales;
    f.scales2 = q.scales2;
    f.selectors = q.selectors;
    f.tensorScale = q.tensorScale;
    return pack(f, q.spec);
}

Result<QuantizedMatrix> unpackMatrix(const PackedTensor &p)
{
    LOWBIT_TRY(const FastQuantized q, unpack(p));
    return toQuantizedMatrix(q, p.spec);
}

} // namespace lowbit
