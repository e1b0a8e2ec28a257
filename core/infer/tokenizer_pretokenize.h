// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Text helpers of the Hugging Face BPE tokenizers: UTF-8 code points, GPT-2's byte ↔ printable
/// character map, and the pre-tokenizer split patterns written out by hand (no regex engine).

#include "core/util/utf8.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// The split pattern of a byte-level pre-tokenizer.
enum class SplitPattern {
    None,  ///< the whole text is one word
    Gpt2,  ///< 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
    Llama3 ///< (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,D}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
           ///< (Llama-3: D = 3; Qwen2: \p{N} alone, D = 1)
};

/// Splits `text` into consecutive words (views into `text`, together covering it) per `pattern`.
/// maxDigits is D of the Llama3 pattern (≥ 1). Unicode classes are approximated without tables:
/// ASCII exactly; outside ASCII the common space and punctuation blocks, fullwidth digits,
/// everything else counts as a letter (scripts, CJK, marks). Invalid UTF-8 bytes count as letters.
std::vector<std::string_view> splitWords(std::string_view text, SplitPattern pattern, int maxDigits = 3);

/// Decodes the code point at s[i] (an invalid or truncated sequence decodes as its first byte
/// alone); returns its length in bytes (≥ 1). Requires i < s.size().
std::size_t codePointAt(std::string_view s, std::size_t i, std::uint32_t &cp);

/// GPT-2's reversible byte ↔ printable code point map ("Ġ" is the space, "Ċ" the newline).
/// byteLevelDecode maps code points back to bytes; code points outside the map are kept as UTF-8.
std::string byteLevelEncode(std::string_view bytes);
std::string byteLevelDecode(std::string_view text);

} // namespace lowbit
