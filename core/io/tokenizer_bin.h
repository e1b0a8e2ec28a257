// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// llama2.c tokenizer.bin files: int32 max_token_length, then per token a float32 score, an
/// int32 byte length and the bytes. The vocabulary size is not stored: it is the model's.

#include "core/util/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lowbit {

struct TokenizerBin {
    std::int32_t maxTokenLength = 0;
    std::vector<std::string> pieces;
    std::vector<float> scores;
};

/// Parses `vocabSize` tokens (or, with vocabSize < 0, as many as the file holds). Errors:
/// Truncated, Malformed (negative or absurd lengths, trailing bytes when vocabSize is given).
Result<TokenizerBin> parseTokenizerBin(std::span<const std::byte> data, std::int64_t vocabSize, const std::string &name);
Result<TokenizerBin> readTokenizerBin(const std::string &path, std::int64_t vocabSize = -1);

} // namespace lowbit
