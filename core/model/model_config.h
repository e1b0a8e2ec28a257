// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Typed architecture hyper-parameters of a LLaMA-family model, whatever file it came from.

#include "core/util/json.h"
#include "core/util/result.h"

#include <cstdint>
#include <string>

namespace lowbit {

/// How q/k rows pair up for rotary embeddings.
enum class RopeLayout : std::uint8_t {
    HalfSplit,   ///< Hugging Face rotate_half: pairs (i, i + head_dim/2)
    Interleaved, ///< llama2.c / GGUF / Meta: pairs (2i, 2i+1)
};

struct RopeScaling {
    std::string type;                       ///< "" (none), "linear", "dynamic", "llama3", "yarn"
    double factor = 1.0;
    double lowFreqFactor = 1.0;             ///< llama3
    double highFreqFactor = 4.0;            ///< llama3
    std::int64_t originalMaxPositions = 0;  ///< llama3 / yarn
};

struct ModelConfig {
    std::string architecture = "llama"; ///< family: llama, mistral, qwen2
    std::string modelType;              ///< as written in the source ("llama", "qwen2", ...)
    std::int64_t hiddenSize = 0;        ///< dim
    std::int64_t intermediateSize = 0;  ///< hidden_dim of the MLP
    std::int64_t numLayers = 0;
    std::int64_t numHeads = 0;
    std::int64_t numKvHeads = 0;
    std::int64_t headDim = 0;           ///< hiddenSize / numHeads unless the source says otherwise
    std::int64_t vocabSize = 0;
    std::int64_t maxPositions = 0;      ///< context length (seq_len for llama2.c)
    double rmsNormEps = 1e-5;
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling;
    RopeLayout ropeLayout = RopeLayout::HalfSplit;
    bool tieWordEmbeddings = false;
    bool attentionBias = false;         ///< qwen2 has q/k/v biases
    std::int64_t slidingWindow = 0;     ///< mistral; 0 = none
    std::int64_t bosTokenId = 1;
    std::int64_t eosTokenId = 2;

    std::int64_t kvDim() const { return numKvHeads * headDim; }

    /// Errors (InvalidArgument) for impossible values: non-positive sizes, heads not dividing,
    /// kv heads not dividing heads, head dim odd.
    Status validate() const;
    Json toJson() const;
};

/// Parses a Hugging Face config.json (llama, mistral, qwen2 and compatible model_types).
/// Errors: Malformed (bad JSON or wrong value types), Unsupported (another architecture),
/// InvalidArgument (impossible values); the detail names `sourceName`.
Result<ModelConfig> parseHfConfig(std::string_view jsonText, const std::string &sourceName);

/// Writes a Hugging Face config.json for the config (LlamaForCausalLM unless the family says otherwise).
Json hfConfigJson(const ModelConfig &config);

} // namespace lowbit
