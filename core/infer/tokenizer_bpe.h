// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Hugging Face tokenizer.json with a BPE model, in its two common flavours:
///  - byte-level (GPT-2, Llama-3, Qwen): text split by the pre-tokenizer pattern, bytes mapped to
///    printable characters, merges by rank;
///  - SentencePiece-style (Llama-2, Mistral): spaces become "▁", a "▁" is prepended, merges by
///    rank over code points, unknown characters fall back to <0xXX> byte tokens.
/// Added/special tokens are matched verbatim before BPE.

#include "core/infer/tokenizer.h"
#include "core/util/result.h"

#include <map>
#include <string>
#include <unordered_map>

namespace lowbit {

class BpeTokenizer final : public Tokenizer {
public:
    /// Parses tokenizer.json text. Errors: Malformed (not JSON, no BPE model, bad vocab/merges),
    /// Unsupported (another model type such as Unigram or WordPiece). `name` is used in messages.
    static Result<std::unique_ptr<BpeTokenizer>> fromJson(std::string_view json, const std::string &name);

    std::vector<std::int32_t> encode(std::string_view text, bool addBos) const override;
    std::string decodeToken(std::int32_t prev, std::int32_t token) const override;
    std::int32_t bosId() const override { return m_bos; }
    std::int32_t eosId() const override { return m_eos; }
    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(m_pieces.size()); }
    bool byteLevel() const { return m_byteLevel; }

private:
    BpeTokenizer() = default;
    void encodeChunk(std::string_view chunk, std::vector<std::int32_t> &out) const;
    std::vector<std::string> preTokenize(std::string_view text) const;

    bool m_byteLevel = false;
    bool m_prependSpace = false;     ///< SentencePiece-style dummy prefix
    bool m_byteFallback = false;
    bool m_digitsInThrees = false;   ///< Llama-3/Qwen pattern: numbers split in runs of ≤ 3
    std::unordered_map<std::string, std::int32_t> m_vocab;
    std::vector<std::string> m_pieces;               ///< id → token string
    std::unordered_map<std::string, int> m_ranks;    ///< "a b" → merge rank
    std::vector<std::pair<std::string, std::int32_t>> m_added; ///< longest first
    std::vector<bool> m_special;                     ///< id → special (dropped when decoding)
    std::int32_t m_bos = -1, m_eos = -1, m_unk = -1;
};

/// GPT-2's reversible byte ↔ printable code point map.
std::string byteLevelEncode(std::string_view bytes);
std::string byteLevelDecode(std::string_view text);

} // namespace lowbit
