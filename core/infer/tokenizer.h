// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Tokenizers: text ↔ token ids, whatever file they come from.

#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;
    /// Token ids for `text`, with the BOS id first when addBos.
    virtual std::vector<std::int32_t> encode(std::string_view text, bool addBos) const = 0;
    /// The text of one token following `prev` (streaming; special tokens give "").
    virtual std::string decodeToken(std::int32_t prev, std::int32_t token) const = 0;
    /// The text of a sequence (special tokens dropped).
    std::string decode(std::span<const std::int32_t> tokens) const;
    virtual std::int32_t bosId() const = 0;
    virtual std::int32_t eosId() const = 0;
    virtual std::int64_t vocabSize() const = 0;
};

/// Finds the tokenizer of a model, in this order: tokenizer.json in the model's folder (Hugging
/// Face BPE); tokenizer.bin or tok<vocab>.bin in the folder; the same in the parent folder
/// (stories260K's HF conversion keeps tok512.bin one level up). GGUF-embedded vocabularies are
/// not read yet.
/// Errors: NotFound listing the places searched; the reader's errors for a bad file.
Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string &modelPath, std::int64_t vocabSize);

} // namespace lowbit
