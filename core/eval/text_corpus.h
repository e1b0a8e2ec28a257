// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Evaluation texts: splitting into documents and tokenizing them per the reference protocol.

#include "core/infer/tokenizer.h"

#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

/// Splits on `separator` (default "<|endoftext|>"), strips whitespace at both ends of each
/// document and drops empty ones.
std::vector<std::string> splitDocuments(std::string_view text, std::string_view separator = "<|endoftext|>");

/// Each document tokenized with BOS and the dummy prefix, truncated to maxTokens.
std::vector<std::vector<std::int32_t>> tokenizeDocuments(const Tokenizer &tok, const std::vector<std::string> &docs,
                                                         std::size_t maxTokens);

} // namespace lowbit
