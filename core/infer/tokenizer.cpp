// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/tokenizer.h"

#include "core/infer/tokenizer_bpe.h"
#include "core/infer/tokenizer_gguf.h"
#include "core/infer/tokenizer_sp.h"
#include "core/io/gguf_reader.h"
#include "core/io/studio_container.h"
#include "core/io/tokenizer_bin.h"
#include "core/util/mapped_file.h"

#include <filesystem>
#include <vector>

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
    if (isStudioContainerPath(modelPath) && fs::is_regular_file(modelPath, ec)) {
        LOWBIT_TRY(EmbeddedTokenizer emb, readContainerTokenizer(modelPath));
        const std::string name = modelPath + " (embedded " + emb.kind + ")";
        if (emb.kind == "tokenizer.json") {
            LOWBIT_TRY(std::unique_ptr<BpeTokenizer> t, BpeTokenizer::fromJson(emb.bytes, name));
            return std::unique_ptr<Tokenizer>(std::move(t));
        }
        if (emb.kind == "tokenizer.bin") {
            const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(emb.bytes.data()), emb.bytes.size());
            LOWBIT_TRY(TokenizerBin t, parseTokenizerBin(bytes, vocabSize, name));
            return std::unique_ptr<Tokenizer>(new SentencePieceTokenizer(std::move(t)));
        }
        if (emb.kind == "gguf") {
            const std::span<const std::byte> bytes(reinterpret_cast<const std::byte *>(emb.bytes.data()), emb.bytes.size());
            LOWBIT_TRY(GgufHeader header, parseGguf(bytes, name));
            LOWBIT_TRY(std::unique_ptr<Tokenizer> t, tokenizerFromGguf(header.kvs, name));
            if (t)
                return t;
        }
        // no embedded tokenizer: fall through to the files next to the container
    }
    if (fs::path(modelPath).extension() == ".gguf" && fs::is_regular_file(modelPath, ec)) {
        LOWBIT_TRY(GgufFile gguf, readGguf(modelPath));
        LOWBIT_TRY(std::unique_ptr<Tokenizer> t, tokenizerFromGguf(gguf.header.kvs, modelPath));
        if (t)
            return t;
    }
    fs::path dir = fs::is_directory(modelPath, ec) ? fs::path(modelPath) : fs::path(modelPath).parent_path();
    if (dir.empty())
        dir = ".";
    fs::path absDir = fs::absolute(dir, ec).lexically_normal();
    if (!absDir.has_filename()) // "hf/" → "hf"
        absDir = absDir.parent_path();
    const fs::path parent = absDir.parent_path();
    std::vector<fs::path> dirs{dir};
    if (!parent.empty() && !fs::equivalent(parent, dir, ec))
        dirs.push_back(parent);
    std::string searched;
    for (const fs::path &d : dirs) {
        for (const std::string &n : {std::string("tokenizer.json"), std::string("tokenizer.bin"), "tok" + std::to_string(vocabSize) + ".bin"}) {
            const fs::path p = d / n;
            searched += (searched.empty() ? "" : ", ") + p.string();
            if (!fs::is_regular_file(p, ec))
                continue;
            if (n == "tokenizer.json") {
                LOWBIT_TRY(std::string json, readTextFile(p.string(), 256u << 20));
                LOWBIT_TRY(std::unique_ptr<BpeTokenizer> t, BpeTokenizer::fromJson(json, p.string()));
                return std::unique_ptr<Tokenizer>(std::move(t));
            }
            LOWBIT_TRY(TokenizerBin t, readTokenizerBin(p.string(), vocabSize));
            return std::unique_ptr<Tokenizer>(new SentencePieceTokenizer(std::move(t)));
        }
    }
    return makeError(ErrorCode::NotFound, modelPath + ": no tokenizer found (looked for " + searched + ")");
}

} // namespace lowbit
