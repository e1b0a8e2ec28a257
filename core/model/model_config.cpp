// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/model_config.h"

#include <array>

namespace lowbit {

namespace {

constexpr std::array<std::string_view, 6> kKnownModelTypes = {"llama", "mistral", "qwen2", "qwen3", "internlm2", "yi"};

Error bad(const std::string &source, const std::string &what)
{
    return makeError(ErrorCode::Malformed, source + ": " + what);
}

Result<std::int64_t> getInt(const Json &j, std::string_view key, const std::string &source, std::optional<std::int64_t> fallback)
{
    const Json *v = j.find(key);
    if (!v || v->isNull()) {
        if (fallback)
            return *fallback;
        return makeError(ErrorCode::Malformed, source + ": missing \"" + std::string(key) + "\"");
    }
    const auto i = v->asInt64();
    if (!i)
        return bad(source, "\"" + std::string(key) + "\" must be an integer");
    return *i;
}

Result<double> getDouble(const Json &j, std::string_view key, const std::string &source, double fallback)
{
    const Json *v = j.find(key);
    if (!v || v->isNull())
        return fallback;
    if (!v->isNumber())
        return bad(source, "\"" + std::string(key) + "\" must be a number");
    return v->asDouble();
}

} // namespace

Status ModelConfig::validate() const
{
    auto fail = [](const std::string &what) { return makeError(ErrorCode::InvalidArgument, what); };
    if (hiddenSize <= 0 || intermediateSize <= 0 || numLayers <= 0 || numHeads <= 0 || numKvHeads <= 0 || vocabSize <= 0)
        return fail("sizes must be positive (hidden " + std::to_string(hiddenSize) + ", intermediate " + std::to_string(intermediateSize)
                    + ", layers " + std::to_string(numLayers) + ", heads " + std::to_string(numHeads) + ", kv heads "
                    + std::to_string(numKvHeads) + ", vocab " + std::to_string(vocabSize) + ")");
    constexpr std::int64_t kSane = std::int64_t(1) << 24;
    if (hiddenSize > kSane || intermediateSize > kSane || numLayers > 4096 || numHeads > 4096 || vocabSize > kSane)
        return fail("sizes are implausibly large");
    if (numHeads % numKvHeads != 0)
        return fail("attention heads (" + std::to_string(numHeads) + ") must be a multiple of kv heads (" + std::to_string(numKvHeads) + ")");
    if (headDim <= 0 || headDim % 2 != 0)
        return fail("head dim must be positive and even, got " + std::to_string(headDim));
    if (maxPositions < 0)
        return fail("context length must not be negative");
    if (!(rmsNormEps > 0.0) || !(ropeTheta > 0.0))
        return fail("rms_norm_eps and rope_theta must be positive");
    return {};
}

Json ModelConfig::toJson() const
{
    Json j = Json::object();
    j["architecture"] = Json(architecture);
    j["model_type"] = Json(modelType);
    j["dim"] = Json(static_cast<long long>(hiddenSize));
    j["hidden_dim"] = Json(static_cast<long long>(intermediateSize));
    j["n_layers"] = Json(static_cast<long long>(numLayers));
    j["n_heads"] = Json(static_cast<long long>(numHeads));
    j["n_kv_heads"] = Json(static_cast<long long>(numKvHeads));
    j["head_dim"] = Json(static_cast<long long>(headDim));
    j["vocab_size"] = Json(static_cast<long long>(vocabSize));
    j["seq_len"] = Json(static_cast<long long>(maxPositions));
    j["rms_norm_eps"] = Json(rmsNormEps);
    j["rope_theta"] = Json(ropeTheta);
    j["rope_layout"] = Json(ropeLayout == RopeLayout::HalfSplit ? "half_split" : "interleaved");
    if (!ropeScaling.type.empty()) {
        Json rs = Json::object();
        rs["type"] = Json(ropeScaling.type);
        rs["factor"] = Json(ropeScaling.factor);
        rs["low_freq_factor"] = Json(ropeScaling.lowFreqFactor);
        rs["high_freq_factor"] = Json(ropeScaling.highFreqFactor);
        rs["original_max_position_embeddings"] = Json(static_cast<long long>(ropeScaling.originalMaxPositions));
        j["rope_scaling"] = std::move(rs);
    }
    j["tie_word_embeddings"] = Json(tieWordEmbeddings);
    j["attention_bias"] = Json(attentionBias);
    j["bos_token_id"] = Json(static_cast<long long>(bosTokenId));
    j["eos_token_id"] = Json(static_cast<long long>(eosTokenId));
    return j;
}

Result<ModelConfig> parseHfConfig(std::string_view jsonText, const std::string &source)
{
    auto parsed = parseJson(jsonText);
    if (!parsed)
        return parsed.error().withContext(source);
    const Json &j = *parsed;
    if (!j.isObject())
        return bad(source, "the top level must be a JSON object");
    ModelConfig c;
    if (const Json *mt = j.find("model_type"); mt && mt->isString())
        c.modelType = mt->asString();
    bool known = false;
    for (auto t : kKnownModelTypes)
        known = known || c.modelType == t;
    if (!known) {
        if (const Json *archs = j.find("architectures"); archs && archs->isArray())
            for (const auto &a : archs->asArray())
                if (a.isString() && (a.asString() == "LlamaForCausalLM" || a.asString() == "MistralForCausalLM" || a.asString() == "Qwen2ForCausalLM"))
                    known = true;
    }
    if (!known)
        return makeError(ErrorCode::Unsupported, source + ": model_type '" + c.modelType
                                                     + "' is not a LLaMA-family architecture (supported: llama, mistral, qwen2)");
    c.architecture = (c.modelType == "mistral" || c.modelType == "qwen2") ? c.modelType : "llama";

    LOWBIT_TRY(c.hiddenSize, getInt(j, "hidden_size", source, std::nullopt));
    LOWBIT_TRY(c.intermediateSize, getInt(j, "intermediate_size", source, std::nullopt));
    LOWBIT_TRY(c.numLayers, getInt(j, "num_hidden_layers", source, std::nullopt));
    LOWBIT_TRY(c.numHeads, getInt(j, "num_attention_heads", source, std::nullopt));
    LOWBIT_TRY(c.numKvHeads, getInt(j, "num_key_value_heads", source, c.numHeads));
    LOWBIT_TRY(c.vocabSize, getInt(j, "vocab_size", source, std::nullopt));
    LOWBIT_TRY(c.maxPositions, getInt(j, "max_position_embeddings", source, std::int64_t(2048)));
    const std::int64_t defaultHeadDim = c.numHeads > 0 ? c.hiddenSize / c.numHeads : 0;
    LOWBIT_TRY(c.headDim, getInt(j, "head_dim", source, defaultHeadDim));
    LOWBIT_TRY(c.rmsNormEps, getDouble(j, "rms_norm_eps", source, 1e-6));
    LOWBIT_TRY(c.ropeTheta, getDouble(j, "rope_theta", source, 10000.0));
    LOWBIT_TRY(c.bosTokenId, getInt(j, "bos_token_id", source, std::int64_t(1)));
    // eos may be a list (Llama-3.1); take the first
    if (const Json *eos = j.find("eos_token_id"); eos && eos->isArray() && !eos->asArray().empty()) {
        c.eosTokenId = eos->asArray()[0].asInt64().value_or(2);
    } else {
        LOWBIT_TRY(c.eosTokenId, getInt(j, "eos_token_id", source, std::int64_t(2)));
    }
    if (const Json *t = j.find("tie_word_embeddings"); t && t->isBool())
        c.tieWordEmbeddings = t->asBool();
    c.attentionBias = c.modelType == "qwen2";
    if (const Json *b = j.find("attention_bias"); b && b->isBool())
        c.attentionBias = b->asBool();
    if (const Json *sw = j.find("sliding_window"); sw && sw->isInteger())
        c.slidingWindow = sw->asInt64().value_or(0);
    if (const Json *rs = j.find("rope_scaling"); rs && rs->isObject()) {
        const Json *type = rs->find("rope_type");
        if (!type)
            type = rs->find("type");
        if (type && type->isString())
            c.ropeScaling.type = type->asString();
        LOWBIT_TRY(c.ropeScaling.factor, getDouble(*rs, "factor", source, 1.0));
        LOWBIT_TRY(c.ropeScaling.lowFreqFactor, getDouble(*rs, "low_freq_factor", source, 1.0));
        LOWBIT_TRY(c.ropeScaling.highFreqFactor, getDouble(*rs, "high_freq_factor", source, 4.0));
        LOWBIT_TRY(c.ropeScaling.originalMaxPositions, getInt(*rs, "original_max_position_embeddings", source, std::int64_t(0)));
        if (c.ropeScaling.type == "default")
            c.ropeScaling.type.clear();
    }
    c.ropeLayout = RopeLayout::HalfSplit;
    if (auto st = c.validate(); !st)
        return st.error().withContext(source);
    return c;
}

Json hfConfigJson(const ModelConfig &c)
{
    Json j = Json::object();
    const std::string mt = c.modelType.empty() ? c.architecture : c.modelType;
    const std::string arch = mt == "mistral" ? "MistralForCausalLM" : mt == "qwen2" ? "Qwen2ForCausalLM" : "LlamaForCausalLM";
    Json archs = Json::array();
    archs.push(Json(arch));
    j["architectures"] = std::move(archs);
    j["model_type"] = Json(mt);
    j["hidden_size"] = Json(static_cast<long long>(c.hiddenSize));
    j["intermediate_size"] = Json(static_cast<long long>(c.intermediateSize));
    j["num_hidden_layers"] = Json(static_cast<long long>(c.numLayers));
    j["num_attention_heads"] = Json(static_cast<long long>(c.numHeads));
    j["num_key_value_heads"] = Json(static_cast<long long>(c.numKvHeads));
    if (c.headDim != c.hiddenSize / c.numHeads)
        j["head_dim"] = Json(static_cast<long long>(c.headDim));
    j["vocab_size"] = Json(static_cast<long long>(c.vocabSize));
    j["max_position_embeddings"] = Json(static_cast<long long>(c.maxPositions));
    j["rms_norm_eps"] = Json(c.rmsNormEps);
    j["rope_theta"] = Json(c.ropeTheta);
    j["hidden_act"] = Json("silu");
    j["tie_word_embeddings"] = Json(c.tieWordEmbeddings);
    j["bos_token_id"] = Json(static_cast<long long>(c.bosTokenId));
    j["eos_token_id"] = Json(static_cast<long long>(c.eosTokenId));
    j["torch_dtype"] = Json("float32");
    return j;
}

} // namespace lowbit
