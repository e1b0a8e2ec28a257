// SPDX-License-Identifier: GPL-3.0-or-later
#include "gguf_fixture.h"

#include "core/dtypes/ggml_quants.h"
#include "core/dtypes/scalar_convert.h"
#include "core/io/convert_llama2c.h"

#include <cstring>
#include <memory>

namespace lowbit::test {

Status writeModelAsGguf(const Model &model, const std::string &path, DType matrixType)
{
    const ModelConfig &c = model.config();
    GgufWriter w;
    w.set("general.architecture", GgufValue::ofString("llama"));
    w.set("general.name", GgufValue::ofString("lowbit test model"));
    w.set("llama.context_length", GgufValue::ofU32(static_cast<std::uint32_t>(c.maxPositions)));
    w.set("llama.embedding_length", GgufValue::ofU32(static_cast<std::uint32_t>(c.hiddenSize)));
    w.set("llama.block_count", GgufValue::ofU32(static_cast<std::uint32_t>(c.numLayers)));
    w.set("llama.feed_forward_length", GgufValue::ofU32(static_cast<std::uint32_t>(c.intermediateSize)));
    w.set("llama.rope.dimension_count", GgufValue::ofU32(static_cast<std::uint32_t>(c.headDim)));
    w.set("llama.attention.head_count", GgufValue::ofU32(static_cast<std::uint32_t>(c.numHeads)));
    w.set("llama.attention.head_count_kv", GgufValue::ofU32(static_cast<std::uint32_t>(c.numKvHeads)));
    w.set("llama.attention.layer_norm_rms_epsilon", GgufValue::ofF32(static_cast<float>(c.rmsNormEps)));
    w.set("llama.rope.freq_base", GgufValue::ofF32(static_cast<float>(c.ropeTheta)));
    if (matrixType != DType::F32)
        w.set("general.quantization_version", GgufValue::ofU32(2));
    std::vector<std::shared_ptr<std::vector<std::byte>>> keep;
    for (const ModelTensor &t : model.tensors()) {
        const std::string name = ggufTensorName(t.role, t.layer);
        if (name.empty())
            continue;
        auto values = t.view.toFloatVector();
        if (!values)
            return values.error();
        std::vector<float> v = std::move(*values);
        if (c.ropeLayout == RopeLayout::HalfSplit && (t.role == TensorRole::Q || t.role == TensorRole::K))
            v = permuteHalfSplitToInterleaved(v, t.role == TensorRole::Q ? c.numHeads : c.numKvHeads, c.headDim, c.hiddenSize);
        // like llama.cpp, rows that are not whole blocks (stories260K's down_proj: 172) stay F32
        const bool fits = t.view.shape.size() == 2 && t.view.shape.back() % dtypeTraits(matrixType).blockSize == 0;
        const DType type = fits ? matrixType : DType::F32;
        auto bytes = std::make_shared<std::vector<std::byte>>(*dtypeByteCount(type, v.size()));
        if (type == DType::F32)
            std::memcpy(bytes->data(), v.data(), bytes->size());
        else if (type == DType::F16)
            for (std::size_t i = 0; i < v.size(); ++i) {
                const std::uint16_t h = floatToFp16(v[i]);
                std::memcpy(bytes->data() + 2 * i, &h, 2);
            }
        else if (type == DType::Q8_0)
            quantizeQ8_0Ref(v.data(), bytes->data(), v.size());
        else if (type == DType::Q4_0)
            quantizeQ4_0Ref(v.data(), bytes->data(), v.size());
        else
            return makeError(ErrorCode::InvalidArgument, "fixture cannot write " + std::string(dtypeName(type)));
        LOWBIT_CHECK(w.addTensor(name, type, t.view.shape, *bytes));
        keep.push_back(std::move(bytes));
    }
    return w.write(path);
}

} // namespace lowbit::test
