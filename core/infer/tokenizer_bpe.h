// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Hugging Face tokenizer.json with a BPE model, in its two common flavours:
///  - byte-level (GPT-2, Llama-3, Qwen2): text split into words by the pre-tokenizer pattern
///    (GPT-2's, or the Llama-3/Qwen2 one found in a "Split" pre-tokenizer), bytes mapped to
///    printable characters, merges by rank;
///  - SentencePiece-style (Llama-2, Mistral): spaces become "▁", a "▁" is prepended (a "Prepend"
///    normalizer or a Metaspace pre-tokenizer), merges by rank over code points, characters not in
///    the vocabulary fall back to <0xXX> byte tokens (byte_fallback) or <unk>.
/// Added tokens are matched verbatim (longest first) in the raw text before anything else; the
/// text between them is normalized and tokenized piece by piece, as the Hugging Face library does.
/// The merge loop is Hugging Face's: the pair with the lowest rank, leftmost on ties, until none
/// applies (O(n log n)). Not implemented: Unicode normalizers (NFC/NFKC), Metaspace "split",
/// BPE dropout, continuing_subword_prefix/end_of_word_suffix, WordPiece and Unigram models.

#include "core/infer/tokenizer.h"
#include "core/infer/tokenizer_pretokenize.h"
#include "core/util/result.h"

#include <array>
#include <string>
#include <unordered_map>

namespace lowbit {

class Json;

class BpeTokenizer final : public Tokenizer {
public:
    /// Parses tokenizer.json text. Errors: Malformed (not JSON, no BPE model, bad vocab, merges or
    /// added tokens, ids out of range or too sparse), Unsupported (another model type such as
    /// Unigram or WordPiece). `name` is used in messages. Merges naming a token missing from the
    /// vocabulary are ignored (they could never apply).
    static Result<std::unique_ptr<BpeTokenizer>> fromJson(std::string_view json, const std::string &name);
    /// The same from an already parsed document (GGUF metadata are turned into one).
    static Result<std::unique_ptr<BpeTokenizer>> fromJsonValue(const Json &root, const std::string &name);
    /// Overrides the BOS/EOS ids found in the file (-1: none; BOS -1 means encode never adds one).
    void setSpecialIds(std::int32_t bos, std::int32_t eos)
    {
        m_bos = bos;
        m_eos = eos;
    }

    std::vector<std::int32_t> encode(std::string_view text, bool addBos) const override;
    /// Byte-level: the piece mapped back to bytes. SentencePiece-style: "▁" → " ", <0xXX> → the
    /// byte, and the dummy-prefix space dropped after BOS (or at the start, prev < 0). Special
    /// added tokens and out-of-range ids give "".
    std::string decodeToken(std::int32_t prev, std::int32_t token) const override;
    std::int32_t bosId() const override { return m_bos; }
    std::int32_t eosId() const override { return m_eos; }
    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(m_pieces.size()); }
    bool byteLevel() const { return m_byteLevel; }
    SplitPattern splitPattern() const { return m_split; }

private:
    enum class Prepend { Never, First, Always };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using Vocab = std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>>;
    struct Merge {
        std::int32_t rank, merged;
    };

    BpeTokenizer() = default;
    Status readModel(const Json &model, const std::string &name);
    void readOptions(const Json &root);
    std::int32_t idOf(std::string_view piece) const;
    void encodeSegment(std::string_view segment, bool first, std::vector<std::int32_t> &out) const;
    void encodeWord(std::string_view word, std::vector<std::int32_t> &out) const;

    bool m_byteLevel = false;
    SplitPattern m_split = SplitPattern::None;
    int m_maxDigits = 3;                 ///< Llama3 pattern: digits per number word
    bool m_addPrefixSpace = false;       ///< ByteLevel add_prefix_space
    Prepend m_prepend = Prepend::Never;  ///< SentencePiece-style dummy prefix "▁"
    bool m_spaceToMark = false;          ///< SentencePiece-style: " " → "▁"
    bool m_byteFallback = false;
    bool m_ignoreMerges = false;         ///< a word that is itself a token is not split (Llama-3)
    Vocab m_vocab;
    std::vector<std::string> m_pieces;                 ///< id → token string ("" for unused ids)
    std::unordered_map<std::uint64_t, Merge> m_merges; ///< (left id << 32 | right id) → merge
    std::vector<std::pair<std::string, std::int32_t>> m_added; ///< longest first
    enum Kind : std::uint8_t { kModel = 0, kAdded = 1, kSpecial = 2 };
    std::vector<std::uint8_t> m_kind;                  ///< id → Kind (special: dropped when decoding)
    std::array<bool, 256> m_addedFirstByte{};          ///< first bytes of added tokens
    std::array<std::int32_t, 256> m_byteIds{};         ///< <0xXX> ids, -1 when absent
    std::int32_t m_bos = -1, m_eos = -1, m_unk = -1;
};

} // namespace lowbit
