// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer.h"

#include "core/infer/tokenizer_bpe.h"
#include "core/infer/tokenizer_sp.h"
#include "core/util/mapped_file.h"

#include <filesystem>

namespace lowbit {

std::string Tokenizer::decode(std::span<const std::int32_t> tokens) const
{
    std::string out;
    std::int32_t prev = -1;
    for (const std::int32_t t : tokens) {
        out += decodeToken(prev, t);
        prev = t;
    }
    return out;
}

Result<std::unique_ptr<Tokenizer>> loadTokenizer(const std::string &modelPath, std::int64_t vocabSize)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path dir = fs::is_directory(modelPath, ec) ? fs::path(modelPath) : fs::path(modelPath).parent_path();
    if (dir.empty())
        dir = ".";
    const std::string names[] = {"tokenizer.bin", "tok" + std::to_string(vocabSize) + ".bin"};
    std::string searched = (dir / "tokenizer.json").string();
    if (fs::exists(dir / "tokenizer.json", ec)) {
        LOWBIT_TRY(std::string json, readTextFile((dir / "tokenizer.json").string(), 256u << 20));
        LOWBIT_TRY(std::unique_ptr<BpeTokenizer> t, BpeTokenizer::fromJson(json, (dir / "tokenizer.json").string()));
        return std::unique_ptr<Tokenizer>(std::move(t));
    }
    for (const fs::path &d : {dir, dir.parent_path()}) {
        for (const auto &n : names) {
            const fs::path p = d / n;
            searched += (searched.empty() ? "" : ", ") + p.string();
            if (fs::exists(p, ec)) {
                LOWBIT_TRY(TokenizerBin t, readTokenizerBin(p.string(), vocabSize));
                return std::unique_ptr<Tokenizer>(new SentencePieceTokenizer(std::move(t)));
            }
        }
    }
    return makeError(ErrorCode::NotFound, modelPath + ": no tokenizer found (looked for " + searched + ")");
}

} // namespace lowbit
