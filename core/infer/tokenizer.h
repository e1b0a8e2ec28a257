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
    /// The text of a sequence (special tokens dropped): decodeToken over the sequence, each token
    /// after its predecessor (the first after -1), so a leading BOS strips the dummy-prefix space.
    virtual std::string decode(std::span<const std::int32_t> tokens) const;
    virtual std::int32_t bosId() const = 0;
    virtual std::int32_t eosId() const = 0;
    virtual std::int64_t vocabSize() const = 0;
};

/// Finds the tokenizer of a model. `modelPath` is a model folder (Hugging Face) or a file (.bin,
/// .safetensors, .gguf); "the folder" is that folder, or the file's folder. Search order:
///  0. a .gguf file's own tokenizer.ggml.* metadata (see tokenizer_gguf.h), when it has them;
///  1. <folder>/tokenizer.json (Hugging Face BPE);
///  2. <folder>/tokenizer.bin, then <folder>/tok<vocabSize>.bin (llama2.c);
///  3. <parent>/tokenizer.json, <parent>/tokenizer.bin, <parent>/tok<vocabSize>.bin (stories260K's
///     HF conversion keeps tok512.bin one level up).
/// The first file that exists is used; a bad file is an error, not a reason to look further.
/// Errors: NotFound listing every place searched; the reader's errors for a bad file.
Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string &modelPath, std::int64_t vocabSize);

} // namespace lowbit
