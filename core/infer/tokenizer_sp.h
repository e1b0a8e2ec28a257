// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// SentencePiece-style BPE with llama2.c's semantics (tokenizer.bin): a dummy-prefix space, one
/// token per UTF-8 code point or byte fallback <0xXX> (id = byte + 3), then repeatedly merge the
/// adjacent pair whose concatenation is a token with the highest score (leftmost on ties).
/// Byte tokens: the id of the piece "<0xXX>" when the vocabulary has one (llama2.c and Llama-2
/// vocabularies hold them at byte + 3), else byte + 3 as llama2.c does, else (a hostile, tiny
/// vocabulary) <unk> = id 0, never an id past the end.

#include "core/infer/tokenizer.h"
#include "core/io/tokenizer_bin.h"

#include <array>
#include <unordered_map>

namespace lowbit {

class SentencePieceTokenizer final : public Tokenizer {
public:
    explicit SentencePieceTokenizer(TokenizerBin vocab, std::int32_t bos = 1, std::int32_t eos = 2);

    std::vector<std::int32_t> encode(std::string_view text, bool addBos) const override;
    std::string decodeToken(std::int32_t prev, std::int32_t token) const override;
    std::int32_t bosId() const override { return m_bos; }
    std::int32_t eosId() const override { return m_eos; }
    std::int64_t vocabSize() const override { return static_cast<std::int64_t>(m_vocab.pieces.size()); }

    /// The O(n²) merge loop of llama2.c's run.c, kept as the reference for tests.
    std::vector<std::int32_t> encodeNaive(std::string_view text, bool addBos) const;

private:
    std::vector<std::int32_t> initialTokens(std::string_view text) const;
    std::int32_t lookup(std::string_view piece) const;

    TokenizerBin m_vocab;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, std::int32_t, Hash, std::equal_to<>> m_index;
    std::int32_t m_bos, m_eos;
    std::array<std::int32_t, 256> m_byteIds{}; ///< byte → its fallback token (-1: dropped, empty vocab)
};

} // namespace lowbit
