// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/export/gguf_export.h"

#include "core/dtypes/ggml_quants.h"
#include "core/export/gguf_mapping.h"
#include "core/export/gguf_tokenizer.h"
#include "core/io/gguf_reader.h"
#include "core/io/gguf_writer.h"
#include "core/quant/quantized_tensor.h"

#include <chrono>
#include <limits>
#include <cstring>
#include <filesystem>

namespace lowbit {

namespace {

constexpr std::uint32_t kAlignment = 32;

// ---- GGUF header bytes (the layout is fixed before any tensor data is produced) ----------------

using gguf_detail::put;
using gguf_detail::putString;
using gguf_detail::putValue;

std::uint64_t alignUp(std::uint64_t x) { return (x + kAlignment - 1) / kAlignment * kAlignment; }

/// Header + tensor infos, padded to the alignment; offsets[i] is tensor i's data offset.
std::vector<std::byte> ggufHeader(const GgufKvs &kvs, const std::vector<StreamTensor> &tensors, std::vector<std::uint64_t> &offsets)
{
    std::vector<std::byte> out;
    put<std::uint32_t>(out, kGgufMagic);
    put<std::uint32_t>(out, 3);
    put<std::uint64_t>(out, tensors.size());
    put<std::uint64_t>(out, kvs.size());
    for (const auto &[k, v] : kvs) {
        putString(out, k);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(v.type));
        putValue(out, v);
    }
    std::uint64_t offset = 0;
    offsets.clear();
    for (const StreamTensor &t : tensors) {
        putString(out, t.name);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.shape.size()));
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it)
            put<std::uint64_t>(out, static_cast<std::uint64_t>(*it));
        put<std::uint32_t>(out, static_cast<std::uint32_t>(dtypeTraits(t.dtype).ggmlType));
        put<std::uint64_t>(out, offset);
        offsets.push_back(offset);
        offset += alignUp(t.nbytes);
    }
    out.resize(alignUp(out.size()), std::byte{0});
    return out;
}

// ---- tensor producers ---------------------------------------------------------------------------

/// Source row of output row r: identity, or the rotate_half → interleaved permutation per head.
struct RowOrder {
    bool permute = false;
    std::int64_t headDim = 1;
    std::int64_t operator()(std::int64_t r) const
    {
        if (!permute)
            return r;
        const std::int64_t h = r / headDim, i = r % headDim, half = headDim / 2;
        return h * headDim + (i % 2) * half + i / 2;
    }
};

struct ErrorAccumulator {
    double num = 0, den = 0;
    void add(const float *out, const float *src, std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i) {
            const double d = static_cast<double>(out[i]) - src[i];
            num += d * d;
            den += static_cast<double>(src[i]) * src[i];
        }
    }
    double value() const { return den > 0 ? num / den : (num > 0 ? std::numeric_limits<double>::infinity() : 0.0); }
};

std::int64_t chunkRowsFor(std::int64_t cols) { return std::max<std::int64_t>(1, (std::int64_t(1) << 22) / std::max<std::int64_t>(cols, 1)); }

TensorProducer makeProducer(const TensorView &view, const GgufTensorChoice &c, const RowOrder order, ErrorAccumulator *err)
{
    const std::int64_t rows = view.shape.size() >= 2 ? view.rows() : 1;
    const std::int64_t cols = view.shape.empty() ? 1 : (view.shape.size() >= 2 ? view.cols() : static_cast<std::int64_t>(view.numel()));
    const std::int64_t multiple = order.permute ? order.headDim : 1;
    const std::uint64_t rowBytes = *dtypeByteCount(c.type, static_cast<std::uint64_t>(cols));
    const TensorView v = view; // keeps the bytes (and the decoder) alive until written
    if (c.action == ExportAction::Copied) {
        const std::uint64_t srcRowBytes = *dtypeByteCount(v.dtype, static_cast<std::uint64_t>(cols));
        return [v, rows, multiple, order, srcRowBytes, cols](const ByteSink &emit) -> Status {
            return produceInRowChunks(rows, multiple, chunkRowsFor(cols), [&](std::int64_t r0, std::int64_t n, std::vector<std::byte> &out) -> Status {
                out.resize(static_cast<std::size_t>(n) * srcRowBytes);
                for (std::int64_t i = 0; i < n; ++i)
                    std::memcpy(out.data() + i * srcRowBytes, v.data + order(r0 + i) * srcRowBytes, srcRowBytes);
                return {};
            }, emit);
        };
    }
    if (c.action == ExportAction::Carried) {
        return [v, rows, multiple, order, rowBytes, cols, type = c.type](const ByteSink &emit) -> Status {
            const PackedTensor *p = packedTensorOf(v);
            if (!p)
                return makeError(ErrorCode::Internal, v.name + ": carried tensor is not packed");
            std::vector<std::int64_t> rowOf;
            return produceInRowChunks(rows, multiple, chunkRowsFor(cols), [&](std::int64_t r0, std::int64_t n, std::vector<std::byte> &out) -> Status {
                out.resize(static_cast<std::size_t>(n) * rowBytes);
                rowOf.resize(static_cast<std::size_t>(n));
                for (std::int64_t i = 0; i < n; ++i)
                    rowOf[static_cast<std::size_t>(i)] = order(r0 + i);
                return carryPackedRows(*p, type, rowOf.data(), n, out.data());
            }, emit);
        };
    }
    // decode → (re)quantize, measuring the error against the decoded source
    return [v, rows, multiple, order, rowBytes, cols, type = c.type, err](const ByteSink &emit) -> Status {
        std::vector<float> src, perm, back;
        return produceInRowChunks(rows, multiple, chunkRowsFor(cols), [&](std::int64_t r0, std::int64_t n, std::vector<std::byte> &out) -> Status {
            const std::size_t count = static_cast<std::size_t>(n * cols);
            src.resize(count);
            if (v.shape.size() >= 2)
                LOWBIT_CHECK(v.rowsToFloat(src.data(), r0, n));
            else
                LOWBIT_CHECK(v.toFloat(src.data(), 0, count));
            perm.resize(count);
            for (std::int64_t i = 0; i < n; ++i)
                std::memcpy(perm.data() + i * cols, src.data() + (order(r0 + i) - r0) * cols, static_cast<std::size_t>(cols) * sizeof(float));
            out.resize(static_cast<std::size_t>(n) * rowBytes);
            LOWBIT_CHECK(quantizeGgml(type, perm.data(), out.data(), count));
            if (err && type != DType::F32) {
                back.resize(count);
                LOWBIT_CHECK(convertToFloat(type, out.data(), back.data(), count));
                err->add(back.data(), perm.data(), count);
            }
            return {};
        }, emit);
    };
}

std::string describeSource(const TensorView &v)
{
    return v.decoder ? v.decoder->describe() : std::string(dtypeName(v.dtype));
}

bool ggufHolds(DType t) { return dtypeTraits(t).ggmlType >= 0 && ggmlQuantizer(t) != nullptr; }

} // namespace

GgufKvs ggufModelMetadata(const Model &model)
{
    const ModelConfig &c = model.config();
    const std::string a = c.architecture == "qwen2" ? "qwen2" : "llama";
    GgufKvs kv;
    auto u32 = [&](const std::string &k, std::int64_t v) { kv.emplace_back(k, GgufValue::ofU32(static_cast<std::uint32_t>(v))); };
    kv.emplace_back("general.architecture", GgufValue::ofString(a));
    kv.emplace_back("general.name", GgufValue::ofString(std::filesystem::path(model.path()).filename().string()));
    u32(a + ".context_length", c.maxPositions);
    u32(a + ".embedding_length", c.hiddenSize);
    u32(a + ".block_count", c.numLayers);
    u32(a + ".feed_forward_length", c.intermediateSize);
    u32(a + ".rope.dimension_count", c.headDim);
    u32(a + ".attention.head_count", c.numHeads);
    u32(a + ".attention.head_count_kv", c.numKvHeads);
    if (c.numHeads > 0 && c.headDim != c.hiddenSize / c.numHeads) {
        u32(a + ".attention.key_length", c.headDim);
        u32(a + ".attention.value_length", c.headDim);
    }
    kv.emplace_back(a + ".attention.layer_norm_rms_epsilon", GgufValue::ofF32(static_cast<float>(c.rmsNormEps)));
    kv.emplace_back(a + ".rope.freq_base", GgufValue::ofF32(static_cast<float>(c.ropeTheta)));
    if (c.vocabSize > 0)
        u32(a + ".vocab_size", c.vocabSize);
    if (!c.ropeScaling.type.empty()) {
        kv.emplace_back(a + ".rope.scaling.type", GgufValue::ofString(c.ropeScaling.type));
        kv.emplace_back(a + ".rope.scaling.factor", GgufValue::ofF32(static_cast<float>(c.ropeScaling.factor)));
        if (c.ropeScaling.originalMaxPositions > 0)
            u32(a + ".rope.scaling.original_context_length", c.ropeScaling.originalMaxPositions);
    }
    return kv;
}

Result<GgufTensorChoice> chooseGgufTensor(const Model &model, const ModelTensor &t, const ExportOptions &options)
{
    const ModelConfig &c = model.config();
    const TensorView &v = t.view;
    GgufTensorChoice choice;
    choice.ggufName = ggufTensorName(t.role, t.layer);
    if (choice.ggufName.empty())
        return makeError(ErrorCode::Unsupported, v.name + ": no GGUF name for a tensor of role " + std::string(tensorRoleName(t.role)));
    choice.permuteRows = c.ropeLayout == RopeLayout::HalfSplit && c.architecture != "qwen2" && (t.role == TensorRole::Q || t.role == TensorRole::K);
    const bool matrix = v.shape.size() == 2 && isLinearRole(t.role);
    const std::int64_t cols = v.shape.size() == 2 ? v.cols() : static_cast<std::int64_t>(v.numel());
    const PackedTensor *packed = packedTensorOf(v);
    const std::optional<DType> exactType = packed ? exactGgufType(*packed) : std::nullopt;
    const bool hasExact = exactType.has_value();
    const DType exact = exactType.value_or(DType::F32);

    auto decodedTo = [&](DType type) {
        choice.type = type;
        choice.action = type == DType::F32 ? ExportAction::Converted
            : (type == DType::F16 || type == DType::BF16) ? ExportAction::Rounded
                                                          : ExportAction::Requantized;
        if (v.dtype == type && !v.decoder)
            choice.action = ExportAction::Copied;
    };

    if (!matrix) { // norms, biases, anything 1-D: F32 as llama.cpp keeps them
        decodedTo(DType::F32);
        return choice;
    }
    if (options.ggufType) {
        const DType want = ggufTypeForRow(*options.ggufType, cols);
        if (hasExact && exact == want) {
            choice.type = want;
            choice.action = ExportAction::Carried;
            return choice;
        }
        decodedTo(want);
    } else if (v.decoder) {
        if (hasExact) {
            choice.type = exact;
            choice.action = ExportAction::Carried;
            return choice;
        }
        decodedTo(closestGgufType(v.decoder->bitsPerWeight(), cols));
    } else {
        decodedTo(ggufHolds(v.dtype) && ggufTypeForRow(v.dtype, cols) == v.dtype ? v.dtype : DType::F32);
    }
    if (options.strict && v.decoder && (choice.action == ExportAction::Requantized || choice.action == ExportAction::Rounded))
        return makeError(ErrorCode::Unsupported, v.name + ": GGUF has no type for " + v.decoder->describe() + " (the closest is "
                                                     + std::string(dtypeName(choice.type)) + "; drop --strict to re-quantize)");
    return choice;
}

Result<ExportReport> exportGguf(const Model &model, const std::string &path, const ExportOptions &options)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(checkExportTarget(path, options.overwrite));
    ExportReport report;
    report.format = "gguf";
    report.path = path;
    GgufKvs kvs = ggufModelMetadata(model);
    LOWBIT_TRY(GgufKvs tok, ggufTokenizerMetadata(model, report.warnings));

    const ModelConfig &c = model.config();
    std::vector<StreamTensor> tensors;
    std::vector<std::unique_ptr<ErrorAccumulator>> errors;
    std::vector<bool> studio;
    bool quantized = false;
    for (const ModelTensor &t : model.tensors()) {
        if (t.role == TensorRole::RopeFreqs || t.role == TensorRole::Other) {
            report.warnings.push_back(t.view.name + ": not a LLaMA tensor llama.cpp reads; left out");
            continue;
        }
        LOWBIT_TRY(const GgufTensorChoice choice, chooseGgufTensor(model, t, options));
        const std::int64_t heads = t.role == TensorRole::Q ? c.numHeads : c.numKvHeads;
        if (choice.permuteRows && t.view.rows() != heads * c.headDim)
            return makeError(ErrorCode::Inconsistent, t.view.name + ": " + shapeToString(t.view.shape) + " rows are not heads × head_dim");
        StreamTensor st;
        st.name = choice.ggufName;
        st.dtype = choice.type;
        st.shape = t.view.shape;
        const auto bytes = dtypeByteCount(choice.type, t.view.numel());
        if (!bytes)
            return makeError(ErrorCode::Internal, t.view.name + ": no byte count for " + std::string(dtypeName(choice.type)));
        st.nbytes = *bytes;
        errors.push_back(std::make_unique<ErrorAccumulator>());
        st.produce = makeProducer(t.view, choice, RowOrder{choice.permuteRows, c.headDim}, errors.back().get());
        quantized = quantized || dtypeTraits(choice.type).isQuantized;
        tensors.push_back(std::move(st));
        studio.push_back(t.view.decoder != nullptr);
        report.tensors.push_back({t.view.name, choice.ggufName, describeSource(t.view), std::string(dtypeName(choice.type)), choice.action, 0.0});
    }
    if (quantized)
        kvs.emplace_back("general.quantization_version", GgufValue::ofU32(2));
    kvs.insert(kvs.end(), tok.begin(), tok.end());

    std::vector<std::uint64_t> offsets;
    const std::vector<std::byte> header = ggufHeader(kvs, tensors, offsets);
    std::uint64_t total = header.size();
    for (const StreamTensor &t : tensors)
        total += alignUp(t.nbytes);

    LOWBIT_TRY(StagedFile file, StagedFile::create(path, options, total));
    LOWBIT_CHECK(file.write(header, "header"));
    const std::vector<std::byte> zeros(kAlignment, std::byte{0});
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const StreamTensor &t = tensors[i];
        std::uint64_t produced = 0;
        LOWBIT_CHECK(t.produce([&](std::span<const std::byte> b) -> Status {
            produced += b.size();
            if (produced > t.nbytes)
                return makeError(ErrorCode::Internal, t.name + ": producer wrote more than announced");
            return file.write(b, t.name);
        }));
        if (produced != t.nbytes)
            return makeError(ErrorCode::Internal, t.name + ": producer wrote " + std::to_string(produced) + " of " + std::to_string(t.nbytes) + " bytes");
        LOWBIT_CHECK(file.write(std::span(zeros).first(static_cast<std::size_t>(alignUp(t.nbytes) - t.nbytes)), t.name));
        report.tensors[i].relError = errors[i]->value();
    }
    LOWBIT_CHECK(file.commit());
    report.bytes = total;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (std::size_t i = 0; i < report.tensors.size(); ++i)
        if (const ExportedTensor &e = report.tensors[i]; studio[i] && e.action != ExportAction::Carried && e.action != ExportAction::Converted)
            report.warnings.push_back(e.name + ": " + e.source + " has no exact GGUF type; re-quantized to " + e.targetType
                                      + " (relative error " + std::to_string(e.relError) + ")");
    return report;
}

} // namespace lowbit
