// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The tokenizer of a model as GGUF tokenizer.ggml.* metadata (what llama.cpp and our own
/// tokenizerFromGguf read back):
///  - llama2.c tokenizer.bin → model "llama": tokens (spaces as "▁"), scores, token types
///    (0 unknown → 2, BOS/EOS → 3 control, "<0xHH>" → 6 byte, others 1);
///  - tokenizer.json, byte-level BPE → model "gpt2": tokens by id, merges, token types (added
///    special tokens 3, other added tokens 4), tokenizer.ggml.pre from the split pattern
///    (Llama-3 digit runs → "llama-bpe", single digits → "qwen2", else "gpt2");
///  - tokenizer.json, SentencePiece-style BPE (▁ / byte fallback) → model "llama" with each
///    token's score = −(rank of the merge producing it) (0 for tokens no merge produces), which
///    makes the SentencePiece merge loop apply the merges in rank order;
///  - a GGUF source: its own tokenizer.* keys, unchanged.

#include "core/io/gguf_types.h"
#include "core/io/tokenizer_bin.h"
#include "core/model/model.h"
#include "core/util/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace lowbit {

GgufKvs tokenizerBinToGguf(const TokenizerBin &t, std::int64_t bosId, std::int64_t eosId);

/// Errors: Malformed (not a BPE tokenizer.json), Unsupported (WordPiece, Unigram, …).
Result<GgufKvs> tokenizerJsonToGguf(std::string_view json, std::int64_t bosId, std::int64_t eosId, const std::string &name);

/// The model's tokenizer as GGUF metadata: a container's embedded tokenizer, a GGUF source's
/// keys, or the files loadTokenizer would find next to the model. No tokenizer is not an error:
/// the result is empty and a warning is added.
Result<GgufKvs> ggufTokenizerMetadata(const Model &model, std::vector<std::string> &warnings);

} // namespace lowbit
