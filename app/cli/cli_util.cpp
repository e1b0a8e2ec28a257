// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/cli_util.h"

#include <charconv>

namespace lowbit::cli {

std::string padRight(const std::string &s, std::size_t width)
{
    if (s.size() + 1 >= width)
        return s + " ";
    return s + std::string(width - s.size(), ' ');
}

std::string padLeft(const std::string &s, std::size_t width)
{
    if (s.size() + 1 >= width)
        return " " + s;
    return std::string(width - s.size(), ' ') + s;
}

std::string withThousands(std::uint64_t n)
{
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return out;
}

std::optional<std::int64_t> parsePositiveInt(const std::string &s)
{
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0)
        return std::nullopt;
    return v;
}

std::optional<double> parseDouble(const std::string &s)
{
    double v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

} // namespace lowbit::cli
