// SPDX-License-Identifier: GPL-3.0-or-later
// compressed-tensors export (pack-quantized INT, nvfp4-pack-quantized) and fake-quant export
// (hf_exports.h).
#include "core/dtypes/scalar_convert.h"
#include "core/export/hf_exports.h"
#include "core/export/hf_folder.h"
#include "core/export/int_layouts.h"
#include "core/quant/quantized_tensor.h"

#include <chrono>
#include <cmath>
#include <cstring>

namespace lowbit {

namespace {

bool insideBlocks(TensorRole r) { return isLinearRole(r) && r != TensorRole::Embedding && r != TensorRole::Output; }

DType scaleDtype(FastScaleRound s)
{
    return s == FastScaleRound::F16 ? DType::F16 : s == FastScaleRound::BF16 ? DType::BF16 : DType::F32;
}

/// FP4 E2M1 bit pattern (sign·eee… as compressed-tensors packs it) of a grid value.
int e2m1Code(float v)
{
    static constexpr float kMag[8] = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f, 3.0f, 4.0f, 6.0f};
    for (int k = 0; k < 8; ++k)
        if (std::fabs(v) == kMag[k])
            return (v < 0 ? 8 : 0) | k;
    return -1;
}

struct Linear {
    std::vector<StreamTensor> tensors;
    double relError = 0;
    std::string type;
};

Result<Linear> intLinear(const Model &model, const ModelTensor &t, const StudioInt &s, const std::string &base)
{
    const std::int64_t out = s.rows, in = s.cols, groups = s.perTensor ? 1 : s.cols / s.group;
    const int b = s.bits;
    const int offset = 1 << (b - 1);
    std::vector<std::uint8_t> stored(static_cast<std::size_t>(out * in));
    std::vector<float> scales(static_cast<std::size_t>(out * groups));
    std::vector<std::int8_t> zp(scales.size());
    for (std::int64_t o = 0; o < out; ++o) {
        const std::int64_t sr = hfSourceRow(model, t, o);
        for (std::int64_t gr = 0; gr < groups; ++gr) {
            const std::int64_t gi = s.groupOf(sr, s.perTensor ? 0 : gr * s.group);
            scales[static_cast<std::size_t>(o * groups + gr)] = s.q.scales[static_cast<std::size_t>(gi)];
            if (s.asymmetric)
                zp[static_cast<std::size_t>(o * groups + gr)] = static_cast<std::int8_t>(static_cast<int>(s.q.scales2[static_cast<std::size_t>(gi)]) - offset);
        }
        for (std::int64_t i = 0; i < in; ++i) {
            const int c = s.q.codes[static_cast<std::size_t>(sr * in + i)];
            stored[static_cast<std::size_t>(o * in + i)] = static_cast<std::uint8_t>(s.asymmetric ? c : c + 1); // signed + 2^(b−1)
        }
    }
    auto packedRows = packCompressedRows(b, out, in, stored);
    if (!packedRows)
        return makeError(ErrorCode::Unsupported, t.view.name + ": " + packedRows.error().detail);
    const std::vector<std::int32_t> &packed = *packedRows;
    const DType sd = scaleDtype(s.storage);
    Linear r;
    r.tensors.push_back(bufferTensor(base + ".weight_packed", DType::I32, {out, in * b / 32}, toBytes(packed)));
    r.tensors.push_back(floatTensor(base + ".weight_scale", sd, {out, groups}, scales));
    if (s.asymmetric)
        r.tensors.push_back(bufferTensor(base + ".weight_zero_point", DType::I8, {out, groups}, toBytes(zp)));
    r.tensors.push_back(bufferTensor(base + ".weight_shape", DType::I64, {2}, toBytes(std::vector<std::int64_t>{out, in})));
    // what a reader computes: scale (at its dtype) · (q − zp)
    std::vector<float> decoded(stored.size());
    for (std::int64_t o = 0; o < out; ++o)
        for (std::int64_t i = 0; i < in; ++i) {
            const std::size_t gi = static_cast<std::size_t>(o * groups + (s.perTensor ? 0 : i / s.group));
            const float sc = sd == DType::F16 ? fp16ToFloat(floatToFp16(scales[gi])) : sd == DType::BF16 ? bf16ToFloat(floatToBf16(scales[gi])) : scales[gi];
            const int q = stored[static_cast<std::size_t>(o * in + i)] - offset - (s.asymmetric ? zp[gi] : 0);
            decoded[static_cast<std::size_t>(o * in + i)] = static_cast<float>(q) * sc;
        }
    LOWBIT_TRY(const std::vector<float> studio, decodedHfRows(model, t));
    r.relError = relativeSquaredError(decoded.data(), studio.data(), studio.size());
    r.type = "int" + std::to_string(b) + (s.asymmetric ? "-asym" : "");
    return r;
}

Result<Linear> nvfp4Linear(const Model &model, const ModelTensor &t, const PackedTensor &p, const std::string &base)
{
    const std::int64_t out = p.rows, in = p.cols, groups = in / 16;
    if (in % 16 != 0)
        return makeError(ErrorCode::Unsupported, t.view.name + ": NVFP4 rows must be whole groups of 16");
    LOWBIT_TRY(FastQuantized q, unpack(p));
    const FastMember &m = p.plan.members[0];
    std::vector<std::uint8_t> packed(static_cast<std::size_t>(out * in / 2), 0);
    std::vector<std::uint8_t> scales(static_cast<std::size_t>(out * groups));
    const float global = 1.0f / p.tensorScale;
    std::vector<float> decoded(static_cast<std::size_t>(out * in));
    for (std::int64_t o = 0; o < out; ++o) {
        const std::int64_t sr = hfSourceRow(model, t, o);
        for (std::int64_t gr = 0; gr < groups; ++gr)
            scales[static_cast<std::size_t>(o * groups + gr)] = p.scales[static_cast<std::size_t>(sr * groups + gr)];
        for (std::int64_t i = 0; i < in; ++i) {
            const float v = m.table[q.codes[static_cast<std::size_t>(sr * in + i)]];
            const int c = e2m1Code(v);
            if (c < 0)
                return makeError(ErrorCode::Malformed, t.view.name + ": NVFP4 code outside E2M1");
            packed[static_cast<std::size_t>((o * in + i) / 2)] |= static_cast<std::uint8_t>(c << (i % 2 ? 4 : 0));
            const float sc = fp8e4m3ToFloat(scales[static_cast<std::size_t>(o * groups + i / 16)]) / global;
            decoded[static_cast<std::size_t>(o * in + i)] = v * sc;
        }
    }
    LOWBIT_TRY(const std::vector<float> studio, decodedHfRows(model, t));
    Linear r;
    r.relError = relativeSquaredError(decoded.data(), studio.data(), studio.size());
    r.type = "nvfp4";
    r.tensors.push_back(bufferTensor(base + ".weight_packed", DType::U8, {out, in / 2}, toBytes(packed)));
    r.tensors.push_back(bufferTensor(base + ".weight_scale", DType::F8_E4M3, {out, groups}, toBytes(scales)));
    r.tensors.push_back(bufferTensor(base + ".weight_global_scale", DType::F32, {1}, toBytes(std::vector<float>{global})));
    return r;
}

bool isNvfp4(const PackedTensor &p) { return p.hasTensorScale && p.plan.members.size() == 1 && p.plan.members[0].kind == FastKind::Nvfp4; }

} // namespace

Result<ExportReport> exportCompressedTensors(const Model &model, const std::string &folder, const ExportOptions &options)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(checkExportTarget(folder, options.overwrite));
    ExportReport report;
    report.format = "compressed-tensors";
    report.path = folder;
    std::string scheme; // "int4 g128 sym" / "nvfp4": one for every linear
    Json weights = Json::object();
    bool nvfp4 = false;
    DType floatType = DType::F16;
    for (const ModelTensor &t : model.tensors()) {
        if (!insideBlocks(t.role) || !t.view.decoder)
            continue;
        const PackedTensor *p = packedTensorOf(t.view);
        if (!p)
            return makeError(ErrorCode::Unsupported, t.view.name + ": compressed-tensors cannot hold " + t.view.decoder->describe());
        std::string mine;
        Json w = Json::object();
        if (isNvfp4(*p)) {
            mine = "nvfp4";
            w["num_bits"] = 4;
            w["type"] = "float";
            w["symmetric"] = true;
            w["group_size"] = 16;
            w["strategy"] = "tensor_group";
            nvfp4 = true;
        } else {
            auto s = studioIntOf(*p);
            if (!s)
                return makeError(ErrorCode::Unsupported, t.view.name + ": compressed-tensors pack-quantized holds INT2/4/8 and NVFP4: " + s.error().detail);
            if (s->bits != 2 && s->bits != 4 && s->bits != 8)
                return makeError(ErrorCode::Unsupported, t.view.name + ": pack-quantized holds 2, 4 or 8 bits here, not " + std::to_string(s->bits));
            const std::string strategy = s->specGroup < 0 ? "tensor" : s->specGroup == 0 ? "channel" : "group";
            mine = "int" + std::to_string(s->bits) + " " + strategy + (strategy == "group" ? " " + std::to_string(s->group) : std::string())
                + (s->asymmetric ? " asym" : " sym");
            w["num_bits"] = s->bits;
            w["type"] = "int";
            w["symmetric"] = !s->asymmetric;
            w["strategy"] = strategy;
            if (strategy == "group")
                w["group_size"] = static_cast<long long>(s->group);
            else
                w["group_size"] = nullptr;
            floatType = scaleDtype(s->storage) == DType::BF16 ? DType::BF16 : DType::F16;
        }
        if (scheme.empty()) {
            scheme = mine;
            weights = w;
        } else if (scheme != mine) {
            return makeError(ErrorCode::Unsupported, "one compressed-tensors config group needs one scheme for every linear: " + scheme + " vs " + mine
                                                         + " (" + t.view.name + ")");
        }
    }
    if (scheme.empty())
        return makeError(ErrorCode::InvalidArgument, model.path() + ": no quantized linear layers to export as compressed-tensors");

    std::vector<StreamTensor> tensors;
    for (const ModelTensor &t : model.tensors()) {
        LOWBIT_TRY(const std::string name, hfNameOf(t));
        ExportedTensor e{t.view.name, name, t.view.decoder ? t.view.decoder->describe() : std::string(dtypeName(t.view.dtype)), "", ExportAction::Copied, 0.0};
        if (insideBlocks(t.role) && t.view.decoder) {
            const PackedTensor &p = *packedTensorOf(t.view);
            const std::string base = name.substr(0, name.size() - std::string(".weight").size());
            Result<Linear> l = isNvfp4(p) ? nvfp4Linear(model, t, p, base) : Result<Linear>(makeError(ErrorCode::Internal, ""));
            if (!isNvfp4(p)) {
                LOWBIT_TRY(StudioInt s, studioIntOf(p));
                l = intLinear(model, t, s, base);
            }
            if (!l)
                return l.error();
            e.target = base;
            e.targetType = l->type;
            e.relError = l->relError;
            e.action = l->relError == 0.0 ? ExportAction::Carried : ExportAction::Rounded;
            if (e.action != ExportAction::Carried) {
                if (options.strict)
                    return makeError(ErrorCode::Unsupported, t.view.name + ": not bit-exact in compressed-tensors (relative error " + std::to_string(l->relError)
                                                                 + "); drop --strict to accept");
                report.warnings.push_back(t.view.name + ": compressed-tensors rounds it (relative error " + std::to_string(l->relError) + ")");
            }
            for (StreamTensor &st : l->tensors)
                tensors.push_back(std::move(st));
        } else {
            LOWBIT_TRY(std::vector<float> v, decodedHfRows(model, t));
            const DType d = t.view.decoder ? floatType : (t.view.dtype == DType::F16 || t.view.dtype == DType::BF16 ? t.view.dtype : DType::F32);
            e.targetType = std::string(dtypeName(d));
            if (t.view.decoder) {
                e.action = ExportAction::Rounded;
                report.warnings.push_back(t.view.name + ": not a linear compressed-tensors quantizes; written dequantized as " + e.targetType);
            }
            tensors.push_back(floatTensor(name, d, t.view.shape, v));
        }
        report.tensors.push_back(std::move(e));
    }
    Json group = Json::object();
    Json targets = Json::array();
    targets.push("Linear");
    group["targets"] = std::move(targets);
    group["weights"] = weights;
    group["input_activations"] = nullptr;
    group["output_activations"] = nullptr;
    Json groups = Json::object();
    groups["group_0"] = std::move(group);
    Json q = Json::object();
    q["quant_method"] = "compressed-tensors";
    q["format"] = nvfp4 ? "nvfp4-pack-quantized" : "pack-quantized";
    q["config_groups"] = std::move(groups);
    Json ignore = Json::array();
    ignore.push("lm_head");
    q["ignore"] = std::move(ignore);
    q["quantization_status"] = "compressed";
    Json config = hfConfigJson(model.config());
    config["torch_dtype"] = floatType == DType::BF16 ? "bfloat16" : "float16";
    config["quantization_config"] = std::move(q);
    LOWBIT_CHECK(writeHfFolder(model, folder, config, tensors, {}, options, report));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

Result<ExportReport> exportFakeQuant(const Model &model, const std::string &folder, const ExportOptions &options)
{
    const auto t0 = std::chrono::steady_clock::now();
    const DType d = options.fakeQuantDtype;
    if (d != DType::F16 && d != DType::BF16 && d != DType::F32)
        return makeError(ErrorCode::InvalidArgument, "fake-quant weights are f16, bf16 or f32, not " + std::string(dtypeName(d)));
    LOWBIT_CHECK(checkExportTarget(folder, options.overwrite));
    ExportReport report;
    report.format = "fakequant";
    report.path = folder;
    std::vector<StreamTensor> tensors;
    for (const ModelTensor &t : model.tensors()) {
        LOWBIT_TRY(const std::string name, hfNameOf(t));
        LOWBIT_TRY(std::vector<float> v, decodedHfRows(model, t));
        StreamTensor st = floatTensor(name, d, t.view.shape, v);
        ExportedTensor e{t.view.name, name, t.view.decoder ? t.view.decoder->describe() : std::string(dtypeName(t.view.dtype)),
                         std::string(dtypeName(d)), d == DType::F32 ? ExportAction::Converted : ExportAction::Rounded, 0.0};
        if (d != DType::F32) {
            std::vector<float> back(v.size());
            LOWBIT_CHECK(st.produce([&](std::span<const std::byte> b) { return convertToFloat(d, b.data(), back.data(), back.size()); }));
            e.relError = relativeSquaredError(back.data(), v.data(), v.size());
        }
        if (t.view.dtype == d && !t.view.decoder)
            e.action = ExportAction::Copied;
        tensors.push_back(std::move(st));
        report.tensors.push_back(std::move(e));
    }
    Json config = hfConfigJson(model.config());
    config["torch_dtype"] = d == DType::F32 ? "float32" : d == DType::BF16 ? "bfloat16" : "float16";
    LOWBIT_CHECK(writeHfFolder(model, folder, config, tensors, {}, options, report));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

} // namespace lowbit
