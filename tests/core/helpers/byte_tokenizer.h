// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A trivial tokenizer for engine tests on random models: BOS = 1, EOS = 2, every byte b of the
/// text becomes 3 + b mod (vocab − 3). Decoding is not needed by those tests.

#include "core/infer/tokenizer.h"

namespace lowbit::test {

class ByteTokenizer final : public Tokenizer {
public:
    explicit ByteTokenizer(std::int64_t vocab) : m_vocab(vocab) {}
    std::vector<std::int32_t> encode(std::string_view text, bool addBos) const override
    {
        std::vector<std::int32_t> ids;
        if (addBos)
            ids.push_back(1);
        for (const char ch : text)
            ids.push_back(static_cast<std::int32_t>(3 + static_cast<unsigned char>(ch) % static_cast<unsigned>(m_vocab - 3)));
        return ids;
    }
    std::string decodeToken(std::int32_t, std::int32_t token) const override { return token > 2 ? std::string(1, 'a') : std::string(); }
    std::int32_t bosId() const override { return 1; }
    std::int32_t eosId() const override { return 2; }
    std::int64_t vocabSize() const override { return m_vocab; }

private:
    std::int64_t m_vocab;
};

} // namespace lowbit::test
