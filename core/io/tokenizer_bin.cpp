// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/tokenizer_bin.h"

#include "core/util/mapped_file.h"

#include <cstring>

namespace lowbit {

Result<TokenizerBin> parseTokenizerBin(std::span<const std::byte> data, std::int64_t vocabSize, const std::string &name)
{
    TokenizerBin t;
    std::size_t at = 0;
    auto readI32 = [&](std::int32_t &v) {
        if (data.size() - at < 4)
            return false;
        std::memcpy(&v, data.data() + at, 4);
        at += 4;
        return true;
    };
    if (!readI32(t.maxTokenLength))
        return makeError(ErrorCode::Truncated, name + ": too short for a tokenizer.bin header");
    if (t.maxTokenLength <= 0 || t.maxTokenLength > (1 << 16))
        return makeError(ErrorCode::Malformed, name + ": max_token_length " + std::to_string(t.maxTokenLength) + " is not plausible");
    while (vocabSize < 0 ? at < data.size() : static_cast<std::int64_t>(t.pieces.size()) < vocabSize) {
        const std::string where = name + ": token " + std::to_string(t.pieces.size());
        float score = 0;
        std::int32_t len = 0;
        if (data.size() - at < 8)
            return makeError(ErrorCode::Truncated, where + ": file ends inside the token record");
        std::memcpy(&score, data.data() + at, 4);
        at += 4;
        readI32(len);
        if (len < 0 || len > t.maxTokenLength)
            return makeError(ErrorCode::Malformed, where + ": length " + std::to_string(len) + " outside 0.." + std::to_string(t.maxTokenLength));
        if (data.size() - at < static_cast<std::size_t>(len))
            return makeError(ErrorCode::Truncated, where + ": file ends inside the token bytes");
        t.pieces.emplace_back(reinterpret_cast<const char *>(data.data() + at), static_cast<std::size_t>(len));
        t.scores.push_back(score);
        at += static_cast<std::size_t>(len);
    }
    if (vocabSize >= 0 && at != data.size())
        return makeError(ErrorCode::Malformed, name + ": " + std::to_string(data.size() - at) + " trailing bytes after " + std::to_string(vocabSize) + " tokens");
    return t;
}

Result<TokenizerBin> readTokenizerBin(const std::string &path, std::int64_t vocabSize)
{
    LOWBIT_TRY(std::shared_ptr<const MappedFile> mf, MappedFile::open(path));
    return parseTokenizerBin(mf->bytes(), vocabSize, path);
}

} // namespace lowbit
