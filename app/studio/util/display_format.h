// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Human-readable texts for counts, sizes and model configurations (translated, locale-aware).

#include <QString>

#include <cstdint>
#include <vector>

namespace lowbit {
struct ModelConfig;
}

namespace lowbit::studio {

/// 1234 → "1,234"; 1234567 → "1.23 M"; 7.2e9 → "7.20 B" (parameter counts).
QString formatCount(std::uint64_t n);
/// Bytes with IEC units via QLocale::formattedDataSize ("1.5 MiB").
QString formatBytes(std::uint64_t bytes);
/// "[512, 64]"
QString formatShape(const std::vector<std::int64_t> &shape);
/// A number with `precision` significant digits; "—" for NaN.
QString formatReal(double v, int precision = 4);
/// "llama · 5 layers · dim 64 · 8/4 heads · ffn 172 · vocab 512 · ctx 512"
QString architectureSummary(const ModelConfig &config);

} // namespace lowbit::studio
