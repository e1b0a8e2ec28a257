// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The tokenizer embedded in a GGUF file's metadata (llama.cpp's tokenizer.ggml.* keys).

#include "core/infer/tokenizer.h"
#include "core/io/gguf_types.h"

namespace lowbit {

/// Builds the tokenizer described by `kvs`:
///  - tokenizer.ggml.model "llama" (SentencePiece): tokens (with "▁" for spaces) and scores become
///    a SentencePieceTokenizer with llama2.c semantics; byte tokens are assumed at id 3 + byte, as
///    in Llama-2/Mistral vocabularies;
///  - "gpt2" (byte-level BPE): tokens and merges become a BpeTokenizer; tokenizer.ggml.pre selects
///    the split pattern ("llama-bpe"/"llama3"/"smaug-bpe": Llama-3, "qwen2": Qwen2, else GPT-2);
///    control and user-defined tokens (token_type 3 and 4) are added tokens.
/// BOS/EOS come from tokenizer.ggml.bos_token_id / eos_token_id.
/// Returns nullptr when the metadata holds no tokenizer (no tokenizer.ggml.model).
/// Errors: Unsupported (another tokenizer model such as "bert" or "t5"), Malformed (keys of the
/// wrong type, arrays of different lengths, ids out of range); messages name `name`.
Result<std::unique_ptr<Tokenizer>> tokenizerFromGguf(const GgufKvs &kvs, const std::string &name);

} // namespace lowbit
