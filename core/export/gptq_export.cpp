// SPDX-License-Identifier: GPL-3.0-or-later
// GPTQ v1 checkpoint export (hf_exports.h).
#include "core/dtypes/scalar_convert.h"
#include "core/export/hf_exports.h"
#include "core/export/hf_folder.h"
#include "core/export/int_layouts.h"
#include "core/quant/quantized_tensor.h"

#include <chrono>
#include <cmath>

namespace lowbit {

namespace {

bool insideBlocks(TensorRole r) { return isLinearRole(r) && r != TensorRole::Embedding && r != TensorRole::Output; }

struct GptqTensors {
    std::vector<StreamTensor> tensors;
    double relError = 0;
};

Result<GptqTensors> gptqLinear(const Model &model, const ModelTensor &t, const StudioInt &s, const std::string &base)
{
    const std::int64_t out = s.rows, in = s.cols, groups = s.cols / s.group;
    const int b = s.bits;
    const std::uint32_t maxq = (1u << b) - 1u;
    std::vector<std::uint8_t> codes(static_cast<std::size_t>(out * in));
    std::vector<std::uint8_t> zeros(static_cast<std::size_t>(groups * out));
    std::vector<std::uint16_t> scales(zeros.size());
    std::vector<float> decoded(codes.size());
    for (std::int64_t o = 0; o < out; ++o) {
        const std::int64_t sr = hfSourceRow(model, t, o);
        for (std::int64_t gr = 0; gr < groups; ++gr) {
            const std::int64_t gi = s.groupOf(sr, gr * s.group);
            const std::uint16_t h = floatToFp16(s.q.scales[static_cast<std::size_t>(gi)]);
            std::uint32_t z = s.asymmetric ? static_cast<std::uint32_t>(s.q.scales2[static_cast<std::size_t>(gi)]) : (1u << (b - 1));
            const bool shift = s.asymmetric ? z == 0 : true; // symmetric codes move up by one; a v1 zero of 0 cannot be stored
            if (s.asymmetric && z == 0)
                z = 1;
            scales[static_cast<std::size_t>(gr * out + o)] = h;
            zeros[static_cast<std::size_t>(gr * out + o)] = static_cast<std::uint8_t>(z);
            for (std::int64_t i = gr * s.group; i < (gr + 1) * s.group; ++i) {
                std::uint32_t q = s.q.codes[static_cast<std::size_t>(sr * in + i)];
                if (shift)
                    q = std::min(q + 1, maxq);
                codes[static_cast<std::size_t>(o * in + i)] = static_cast<std::uint8_t>(q);
                decoded[static_cast<std::size_t>(o * in + i)] = static_cast<float>(static_cast<std::int32_t>(q) - static_cast<std::int32_t>(z)) * fp16ToFloat(h);
            }
        }
    }
    std::vector<std::int32_t> gIdx(static_cast<std::size_t>(in));
    for (std::int64_t i = 0; i < in; ++i)
        gIdx[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i / s.group);
    auto packed = packGptq(b, out, in, codes, zeros, scales, gIdx, groups);
    if (!packed)
        return makeError(ErrorCode::Unsupported, t.view.name + ": " + packed.error().detail);
    const GptqLinear &g = *packed;
    LOWBIT_TRY(const std::vector<float> studio, decodedHfRows(model, t));
    GptqTensors r;
    r.relError = relativeSquaredError(decoded.data(), studio.data(), studio.size());
    r.tensors.push_back(bufferTensor(base + ".qweight", DType::I32, {in * b / 32, out}, toBytes(g.qweight)));
    r.tensors.push_back(bufferTensor(base + ".qzeros", DType::I32, {groups, out * b / 32}, toBytes(g.qzeros)));
    r.tensors.push_back(bufferTensor(base + ".scales", DType::F16, {groups, out}, toBytes(g.scales)));
    r.tensors.push_back(bufferTensor(base + ".g_idx", DType::I32, {in}, toBytes(g.gIdx)));
    return r;
}

} // namespace

Result<ExportReport> exportGptq(const Model &model, const std::string &folder, const ExportOptions &options)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(checkExportTarget(folder, options.overwrite));
    ExportReport report;
    report.format = "gptq";
    report.path = folder;
    // one common format for every quantized linear
    int bits = 0;
    std::int64_t group = 0;
    bool anyAsym = false;
    std::string first;
    for (const ModelTensor &t : model.tensors()) {
        if (!insideBlocks(t.role) || !t.view.decoder)
            continue;
        const PackedTensor *p = packedTensorOf(t.view);
        if (!p)
            return makeError(ErrorCode::Unsupported, t.view.name + ": GPTQ holds INT tensors, not " + t.view.decoder->describe()
                                                         + " (export --to fakequant or vptq instead)");
        auto s = studioIntOf(*p);
        if (!s)
            return makeError(ErrorCode::Unsupported, t.view.name + ": GPTQ holds INT2/3/4/8 tensors: " + s.error().detail
                                                         + " (export --to fakequant instead)");
        if (s->bits != 2 && s->bits != 3 && s->bits != 4 && s->bits != 8)
            return makeError(ErrorCode::Unsupported, t.view.name + ": GPTQ holds 2, 3, 4 or 8 bits, not " + std::to_string(s->bits));
        const std::int64_t g = s->specGroup > 0 ? s->specGroup : -1;
        if (bits == 0) {
            bits = s->bits;
            group = g;
            first = t.view.name + " (" + describeSpec(p->spec) + ")";
        } else if (bits != s->bits || group != g) {
            return makeError(ErrorCode::Unsupported, "GPTQ needs one bit width and group size for every linear: " + first + " vs "
                                                         + t.view.name + " (" + describeSpec(p->spec) + ")");
        }
        anyAsym = anyAsym || s->asymmetric;
    }
    if (bits == 0)
        return makeError(ErrorCode::InvalidArgument, model.path() + ": no quantized linear layers to export as GPTQ");

    std::vector<StreamTensor> tensors;
    for (const ModelTensor &t : model.tensors()) {
        LOWBIT_TRY(const std::string name, hfNameOf(t));
        ExportedTensor e{t.view.name, name, t.view.decoder ? t.view.decoder->describe() : std::string(dtypeName(t.view.dtype)), "", ExportAction::Copied, 0.0};
        if (insideBlocks(t.role) && t.view.decoder) {
            LOWBIT_TRY(StudioInt s, studioIntOf(*packedTensorOf(t.view)));
            const std::string base = name.substr(0, name.size() - std::string(".weight").size());
            LOWBIT_TRY(GptqTensors g, gptqLinear(model, t, s, base));
            e.target = base;
            e.targetType = "gptq int" + std::to_string(bits) + (group > 0 ? " g" + std::to_string(group) : " per-channel");
            e.relError = g.relError;
            e.action = g.relError == 0.0 ? ExportAction::Carried : ExportAction::Requantized;
            if (e.action != ExportAction::Carried) {
                if (options.strict)
                    return makeError(ErrorCode::Unsupported, t.view.name + ": not bit-exact in GPTQ v1 (fp16 scales, no zero point of 0; relative error "
                                                                 + std::to_string(g.relError) + "); drop --strict to accept");
                report.warnings.push_back(t.view.name + ": GPTQ v1 rounds it (relative error " + std::to_string(g.relError) + ")");
            }
            for (StreamTensor &st : g.tensors)
                tensors.push_back(std::move(st));
        } else {
            LOWBIT_TRY(std::vector<float> v, decodedHfRows(model, t));
            const DType d = t.view.decoder ? DType::F16 : (t.view.dtype == DType::F16 || t.view.dtype == DType::BF16 ? t.view.dtype : DType::F32);
            StreamTensor st = floatTensor(name, d, t.view.shape, v);
            e.targetType = std::string(dtypeName(d));
            if (t.view.decoder) {
                e.action = ExportAction::Rounded;
                std::vector<float> back(v.size());
                for (std::size_t i = 0; i < v.size(); ++i)
                    back[i] = fp16ToFloat(floatToFp16(v[i]));
                e.relError = relativeSquaredError(back.data(), v.data(), v.size());
                report.warnings.push_back(t.view.name + ": GPTQ does not quantize " + std::string(tensorRoleName(t.role)) + "; written dequantized as f16");
            } else if (insideBlocks(t.role)) {
                report.warnings.push_back(t.view.name + ": not quantized; written as " + e.targetType);
            }
            tensors.push_back(std::move(st));
        }
        report.tensors.push_back(std::move(e));
    }
    Json q = Json::object();
    q["quant_method"] = "gptq";
    q["bits"] = bits;
    q["group_size"] = static_cast<long long>(group);
    q["desc_act"] = false;
    q["sym"] = !anyAsym;
    q["damp_percent"] = 0.01;
    q["true_sequential"] = true;
    q["static_groups"] = false;
    q["checkpoint_format"] = "gptq";
    q["model_file_base_name"] = "model";
    Json config = hfConfigJson(model.config());
    config["torch_dtype"] = "float16";
    config["quantization_config"] = q;
    LOWBIT_CHECK(writeHfFolder(model, folder, config, tensors, {{"quantize_config.json", q}}, options, report));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

} // namespace lowbit
