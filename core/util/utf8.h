// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// UTF-8 encoding shared by the JSON parser and the tokenizers.

#include <cstdint>
#include <string>

namespace lowbit {

/// Appends `cp` (≤ 0x10FFFF) as UTF-8.
void appendUtf8(std::string &out, std::uint32_t cp);

} // namespace lowbit
