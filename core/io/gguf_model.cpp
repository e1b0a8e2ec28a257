// SPDX-License-Identifier: GPL-3.0-or-later
// GGUF files with llama-family metadata as a Model (q/k rows in llama.cpp's interleaved order).
#include "core/io/gguf_reader.h"
#include "core/io/model_readers.h"

namespace lowbit {

namespace {
Result<std::int64_t> requireInt(const GgufKvs &kvs, const std::string &key, const std::string &path)
{
    const GgufValue *v = ggufFind(kvs, key);
    if (!v)
        return makeError(ErrorCode::Malformed, path + ": missing metadata key " + key);
    const auto i = v->asInt();
    if (!i)
        return makeError(ErrorCode::Malformed, path + ": metadata key " + key + " is not an integer");
    return *i;
}

std::int64_t optionalInt(const GgufKvs &kvs, const std::string &key, std::int64_t fallback)
{
    const GgufValue *v = ggufFind(kvs, key);
    return v && v->asInt() ? *v->asInt() : fallback;
}

double optionalDouble(const GgufKvs &kvs, const std::string &key, double fallback)
{
    const GgufValue *v = ggufFind(kvs, key);
    return v && v->asDouble() ? *v->asDouble() : fallback;
}
} // namespace

Result<Model> openGgufModel(const std::string &path)
{
    LOWBIT_TRY(GgufFile f, readGguf(path));
    const GgufKvs &kv = f.header.kvs;
    const GgufValue *arch = ggufFind(kv, "general.architecture");
    if (!arch || arch->type != GgufType::String)
        return makeError(ErrorCode::Malformed, path + ": missing metadata key general.architecture");
    const std::string a = arch->s;
    if (a != "llama" && a != "mistral" && a != "qwen2")
        return makeError(ErrorCode::Unsupported, path + ": architecture '" + a + "' is not a LLaMA-family model (supported: llama, mistral, qwen2)");
    ModelConfig c;
    c.architecture = a;
    c.modelType = a;
    LOWBIT_TRY(c.hiddenSize, requireInt(kv, a + ".embedding_length", path));
    LOWBIT_TRY(c.intermediateSize, requireInt(kv, a + ".feed_forward_length", path));
    LOWBIT_TRY(c.numLayers, requireInt(kv, a + ".block_count", path));
    LOWBIT_TRY(c.numHeads, requireInt(kv, a + ".attention.head_count", path));
    c.numKvHeads = optionalInt(kv, a + ".attention.head_count_kv", c.numHeads);
    c.maxPositions = optionalInt(kv, a + ".context_length", 2048);
    c.headDim = c.numHeads > 0 ? optionalInt(kv, a + ".attention.key_length", c.hiddenSize / c.numHeads) : 0;
    c.rmsNormEps = optionalDouble(kv, a + ".attention.layer_norm_rms_epsilon", 1e-5);
    c.ropeTheta = optionalDouble(kv, a + ".rope.freq_base", 10000.0);
    if (const GgufValue *st = ggufFind(kv, a + ".rope.scaling.type"); st && st->type == GgufType::String && st->s != "none") {
        c.ropeScaling.type = st->s;
        c.ropeScaling.factor = optionalDouble(kv, a + ".rope.scaling.factor", 1.0);
        c.ropeScaling.originalMaxPositions = optionalInt(kv, a + ".rope.scaling.original_context_length", 0);
    }
    c.ropeLayout = RopeLayout::Interleaved;
    c.bosTokenId = optionalInt(kv, "tokenizer.ggml.bos_token_id", 1);
    c.eosTokenId = optionalInt(kv, "tokenizer.ggml.eos_token_id", 2);
    c.attentionBias = a == "qwen2";

    std::vector<ModelTensor> tensors;
    bool hasOutput = false;
    for (auto &v : f.tensors) {
        const RoleAndLayer rl = roleFromGgufName(v.name);
        hasOutput = hasOutput || rl.role == TensorRole::Output;
        if (rl.role == TensorRole::Embedding && v.shape.size() == 2)
            c.vocabSize = v.shape[0];
        tensors.push_back({std::move(v), rl.role, rl.layer});
    }
    if (const GgufValue *toks = ggufFind(kv, "tokenizer.ggml.tokens"); toks && toks->type == GgufType::Array && c.vocabSize == 0)
        c.vocabSize = static_cast<std::int64_t>(toks->array.size());
    c.vocabSize = optionalInt(kv, a + ".vocab_size", c.vocabSize);
    c.tieWordEmbeddings = !hasOutput;
    return Model::fromParts(ModelSource::Gguf, path, std::move(c), std::move(tensors));
}

} // namespace lowbit
