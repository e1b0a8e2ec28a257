// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/dtypes/ggml_quants.h"

#include "core/dtypes/blocks.h"
#include "core/dtypes/scalar_convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lowbit {

void quantizeQ8_0Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / kQK8_0; ++b, x += kQK8_0) {
        float amax = 0.0f;
        for (int j = 0; j < kQK8_0; ++j)
            amax = std::max(amax, std::fabs(x[j]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ8_0 blk{};
        blk.d = floatToFp16(d);
        for (int j = 0; j < kQK8_0; ++j)
            blk.qs[j] = static_cast<std::int8_t>(std::round(x[j] * id));
        std::memcpy(dst + b * sizeof blk, &blk, sizeof blk);
    }
}

void quantizeQ4_0Ref(const float *x, std::byte *dst, std::size_t n)
{
    for (std::size_t b = 0; b < n / kQK4_0; ++b, x += kQK4_0) {
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < kQK4_0; ++j)
            if (amax < std::fabs(x[j])) {
                amax = std::fabs(x[j]);
                max = x[j];
            }
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        BlockQ4_0 blk{};
        blk.d = floatToFp16(d);
        for (int j = 0; j < kQK4_0 / 2; ++j) {
            const int q0 = std::min(15, static_cast<int>(static_cast<std::int8_t>(x[j] * id + 8.5f)));
            const int q1 = std::min(15, static_cast<int>(static_cast<std::int8_t>(x[j + kQK4_0 / 2] * id + 8.5f)));
            blk.qs[j] = static_cast<std::uint8_t>(q0 | (q1 << 4));
        }
        std::memcpy(dst + b * sizeof blk, &blk, sizeof blk);
    }
}

} // namespace lowbit
