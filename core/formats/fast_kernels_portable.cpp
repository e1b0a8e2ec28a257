// SPDX-License-Identifier: GPL-3.0-or-later
// Portable element kernels: the reference element rules, with a binary search for big grids.
#include "core/formats/fast_kernels.h"
#include "core/formats/reference.h"

#include <algorithm>
#include <cmath>

namespace lowbit::formats {
namespace {

void stats(const float *x, std::int64_t n, float *absmax, float *mn, float *mx, bool *any)
{
    const GroupStats s = groupStatsRef(x, n);
    *absmax = s.absmax;
    *mn = s.mn;
    *mx = s.mx;
    *any = s.any;
}

std::uint8_t gridCode(const GridTable &t, float y)
{
    if (std::isnan(y))
        y = 0.0f;
    // count of midpoints < y = index of the first midpoint ≥ y
    return static_cast<std::uint8_t>(std::lower_bound(t.mids, t.mids + t.nMids, y) - t.mids);
}

void codesGrid(const float *x, std::int64_t n, float s, const GridTable &t, std::uint8_t *codes)
{
    for (std::int64_t i = 0; i < n; ++i)
        codes[i] = gridCode(t, x[i] / s);
}

void codesAfpq(const float *x, std::int64_t n, float sPos, float sNeg, const GridTable &t, std::uint8_t *codes)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        float y = 0.0f;
        if (v > 0.0f && sPos != 0.0f)
            y = v / sPos;
        else if (v < 0.0f && sNeg != 0.0f)
            y = v / sNeg;
        codes[i] = gridCode(t, y);
    }
}

void codesIntSym(const float *x, std::int64_t n, float s, float qmax, std::uint8_t *codes)
{
    for (std::int64_t i = 0; i < n; ++i)
        codes[i] = intSymCodeRef(x[i] / s, qmax);
}

void codesIntAsym(const float *x, std::int64_t n, float s, float z, float qmax, std::uint8_t *codes)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const float q = std::isnan(x[i]) ? z : std::round(x[i] / s) + z;
        codes[i] = static_cast<std::uint8_t>(std::fmin(qmax, std::fmax(0.0f, q)));
    }
}

void codesQ40(const float *x, std::int64_t n, float d, std::uint8_t *codes)
{
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (std::int64_t i = 0; i < n; ++i)
        codes[i] = std::isnan(x[i]) ? 8
                                    : static_cast<std::uint8_t>(std::fmin(15.0f, std::fmax(0.0f, x[i] * id + 8.5f)));
}

void dequantTable(const std::uint8_t *codes, std::int64_t n, float s, const float *table, float *out)
{
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = s * table[codes[i]];
}

void dequantAsym(const std::uint8_t *codes, std::int64_t n, float s, float z, float *out)
{
    for (std::int64_t i = 0; i < n; ++i)
        out[i] = s * (static_cast<float>(codes[i]) - z);
}

void dequantAfpq(const std::uint8_t *codes, std::int64_t n, float sPos, float sNeg, const float *table, float *out)
{
    for (std::int64_t i = 0; i < n; ++i) {
        const float v = table[codes[i]];
        out[i] = v > 0.0f ? sPos * v : (v < 0.0f ? sNeg * v : 0.0f);
    }
}

double mixError(const float *x, const float *xh, const float *w, std::int64_t n)
{
    double partial[kMixErrorLanes] = {};
    for (std::int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]))
            continue;
        const double d = static_cast<double>(x[i]) - static_cast<double>(xh[i]);
        partial[i % kMixErrorLanes] += (w ? static_cast<double>(w[i]) : 1.0) * d * d;
    }
    double err = 0.0;
    for (const double v : partial)
        err += v;
    return err;
}

double encodeError(const float *x, const float *w, std::int64_t n, float s, const GridTable *t, float qmax,
                   std::uint8_t *codes)
{
    double partial[kMixErrorLanes] = {};
    for (std::int64_t i = 0; i < n; ++i) {
        const float y = x[i] / s;
        float xh = 0.0f;
        if (t) {
            codes[i] = gridCode(*t, y);
            xh = s * t->values[codes[i]];
        } else {
            codes[i] = intSymCodeRef(y, qmax);
            xh = s * static_cast<float>(static_cast<int>(codes[i]) - static_cast<int>(qmax));
        }
        if (!std::isfinite(x[i]))
            continue;
        const double d = static_cast<double>(x[i]) - static_cast<double>(xh);
        partial[i % kMixErrorLanes] += (w ? static_cast<double>(w[i]) : 1.0) * d * d;
    }
    double err = 0.0;
    for (const double v : partial)
        err += v;
    return err;
}

constexpr ElementKernels kPortable{"portable", stats,    codesGrid,   codesAfpq,    codesIntSym, codesIntAsym,
                                   codesQ40,   mixError, encodeError, dequantTable, dequantAsym, dequantAfpq};

} // namespace

const ElementKernels &portableKernels() { return kPortable; }

} // namespace lowbit::formats
