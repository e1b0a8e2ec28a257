// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/quant/packing_fp6.h"

#include "core/dtypes/scalar_convert.h"
#include "core/quant/bitstream.h"

#include <cmath>
#include <string>

namespace lowbit {

namespace {

Result<std::int64_t> checkedCount(std::int64_t rows, std::int64_t cols)
{
    std::int64_t n = 0;
    if (rows < 0 || cols < 0 || __builtin_mul_overflow(rows, cols, &n) || n > (std::int64_t{1} << 56))
        return makeError(ErrorCode::InvalidArgument,
                         "fp6 planes: impossible shape " + std::to_string(rows) + " x " + std::to_string(cols));
    return n;
}

} // namespace

Result<Fp6Planes> packFp6Planes(std::span<const std::uint8_t> codes, std::int64_t rows, std::int64_t cols)
{
    LOWBIT_TRY(const std::int64_t n, checkedCount(rows, cols));
    if (static_cast<std::int64_t>(codes.size()) != n)
        return makeError(ErrorCode::InvalidArgument, "fp6 planes: " + std::to_string(codes.size()) + " codes for a " +
                                                         std::to_string(rows) + " x " + std::to_string(cols) + " matrix");
    Fp6Planes p;
    p.rows = rows;
    p.cols = cols;
    const std::int64_t w4 = bitstreamWords(cols, 4), w2 = bitstreamWords(cols, 2);
    p.lo4.assign(static_cast<std::size_t>(rows * w4), 0u);
    p.hi2.assign(static_cast<std::size_t>(rows * w2), 0u);
    for (std::int64_t r = 0; r < rows; ++r) {
        const std::uint8_t *row = codes.data() + r * cols;
        std::uint32_t *lo = p.lo4.data() + r * w4;
        std::uint32_t *hi = p.hi2.data() + r * w2;
        for (std::int64_t c = 0; c < cols; ++c) {
            const unsigned code = row[c];
            if (code >= 64u)
                return makeError(ErrorCode::InvalidArgument, "fp6 planes: code " + std::to_string(code) + " at index " +
                                                                 std::to_string(r * cols + c) + " does not fit in 6 bits");
            lo[c >> 3] |= static_cast<std::uint32_t>(code & 0xFu) << ((c & 7) * 4);
            hi[c >> 4] |= static_cast<std::uint32_t>(code >> 4) << ((c & 15) * 2);
        }
    }
    return p;
}

std::uint8_t fp6PlaneCode(const Fp6Planes &planes, std::int64_t row, std::int64_t col)
{
    const std::uint32_t *lo = planes.lo4.data() + row * bitstreamWords(planes.cols, 4);
    const std::uint32_t *hi = planes.hi2.data() + row * bitstreamWords(planes.cols, 2);
    const unsigned l = (lo[col >> 3] >> ((col & 7) * 4)) & 0xFu;
    const unsigned h = (hi[col >> 4] >> ((col & 15) * 2)) & 0x3u;
    return static_cast<std::uint8_t>(l | (h << 4));
}

Result<std::vector<std::uint8_t>> unpackFp6Planes(const Fp6Planes &planes)
{
    LOWBIT_TRY(const std::int64_t n, checkedCount(planes.rows, planes.cols));
    if (static_cast<std::int64_t>(planes.lo4.size()) != planes.rows * bitstreamWords(planes.cols, 4) ||
        static_cast<std::int64_t>(planes.hi2.size()) != planes.rows * bitstreamWords(planes.cols, 2))
        return makeError(ErrorCode::InvalidArgument, "fp6 planes: plane sizes " + std::to_string(planes.lo4.size()) + " and " +
                                                         std::to_string(planes.hi2.size()) + " words do not match " +
                                                         std::to_string(planes.rows) + " x " + std::to_string(planes.cols));
    std::vector<std::uint8_t> codes(static_cast<std::size_t>(n));
    for (std::int64_t r = 0; r < planes.rows; ++r)
        for (std::int64_t c = 0; c < planes.cols; ++c)
            codes[static_cast<std::size_t>(r * planes.cols + c)] = fp6PlaneCode(planes, r, c);
    return codes;
}

float fp6ViaFp16(std::uint8_t code, unsigned exponentBits)
{
    const unsigned mantissaBits = 5 - exponentBits;
    const int bias = (1 << (exponentBits - 1)) - 1;
    const auto h = static_cast<std::uint16_t>(((code & 0x20u) << 10) | ((code & 0x1Fu) << (10 - mantissaBits)));
    return fp16ToFloat(h) * std::ldexp(1.0f, 15 - bias);
}

} // namespace lowbit
