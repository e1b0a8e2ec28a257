// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Small text helpers shared by the CLI commands.

#include <cstdint>
#include <optional>
#include <string>

namespace lowbit::cli {

std::string padRight(const std::string &s, std::size_t width); ///< left-aligned in width (one space kept)
std::string padLeft(const std::string &s, std::size_t width);  ///< right-aligned in width
std::string withThousands(std::uint64_t n);                     ///< 260032 → "260,032"
std::optional<std::int64_t> parsePositiveInt(const std::string &s);
std::optional<double> parseDouble(const std::string &s);

} // namespace lowbit::cli
