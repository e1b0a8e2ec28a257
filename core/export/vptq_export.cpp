// SPDX-License-Identifier: GPL-3.0-or-later
// VPTQ Hugging Face export (hf_exports.h; the layout in vptq_layout.h, the decisions in
// docs/export.md "VPTQ").
#include "core/dtypes/scalar_convert.h"
#include "core/export/hf_exports.h"
#include "core/export/hf_folder.h"
#include "core/export/vptq_layout.h"
#include "core/methods/vq_tensor.h"

#include <chrono>
#include <cstring>

namespace lowbit {

namespace {

bool insideBlocks(TensorRole r) { return isLinearRole(r) && r != TensorRole::Embedding && r != TensorRole::Output; }

const VqQuantizedTensor *vqOf(const TensorView &v) { return dynamic_cast<const VqQuantizedTensor *>(v.decoder.get()); }

std::string describeLayer(const VptqLayerConfig &c)
{
    std::string s = "vptq v" + std::to_string(c.vectorLength) + " k" + std::to_string(c.centroids);
    if (c.residualCentroids)
        s += " res" + std::to_string(c.residualCentroids);
    if (c.outlierSize)
        s += " outliers " + std::to_string(c.outlierSize) + "×k" + std::to_string(c.outlierCentroids);
    return s;
}

struct VptqModule {
    VptqLinear linear;
    std::vector<StreamTensor> tensors;
    double relError = 0;
};

/// The tensor's content with its rows in Hugging Face order: as stored, or (q/k rows of an
/// interleaved source) re-expressed exactly with half-length vectors; `halved` says which.
Result<VqContent> hfOrderContent(const Model &model, const ModelTensor &t, bool &halved)
{
    VqContent c = vqOf(t.view)->content();
    halved = hfSourceRow(model, t, 1) != 1 || hfSourceRow(model, t, 2) != 2;
    if (!halved)
        return c;
    auto q = vqForRotateHalfRows(c, model.config().headDim);
    if (!q)
        return makeError(ErrorCode::Unsupported, "its vectors run along the interleaved q/k rows of a llama2.c/GGUF source and cannot be split "
                                                     "into Hugging Face's rotate_half order: " + q.error().detail);
    return q;
}

Result<VptqModule> vptqModule(const Model &model, const ModelTensor &t, const VqContent &content, const std::string &base)
{
    LOWBIT_TRY(VptqLinear linear, vptqFromVq(content));
    VptqModule m;
    const auto views = vptqTensorViews(linear);
    LOWBIT_TRY(const std::vector<float> back, dequantizeVptq(linear.config, [&views](std::string_view s) -> const TensorView * {
                   for (const auto &[suffix, view] : views)
                       if (suffix == s)
                           return &view;
                   return nullptr;
               }));
    LOWBIT_TRY(const std::vector<float> studio, decodedHfRows(model, t));
    m.relError = relativeSquaredError(back.data(), studio.data(), studio.size());
    const bool bitExact = back.size() == studio.size() && std::memcmp(back.data(), studio.data(), back.size() * sizeof(float)) == 0;
    if (!linear.roundedToFp16 && !bitExact) // the layout must reproduce every stored value
        return makeError(ErrorCode::Internal, t.view.name + ": the VPTQ layout does not reproduce the studio decoding");
    for (const auto &[suffix, view] : views)
        m.tensors.push_back(bufferTensor(base + "." + suffix, view.dtype, view.shape,
                                         std::vector<std::byte>(view.data, view.data + view.nbytes)));
    m.linear = std::move(linear);
    return m;
}

} // namespace

Result<ExportReport> exportVptq(const Model &model, const std::string &folder, const ExportOptions &options)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(checkExportTarget(folder, options.overwrite));
    ExportReport report;
    report.format = "vptq";
    report.path = folder;
    bool anyVq = false;
    for (const ModelTensor &t : model.tensors())
        anyVq = anyVq || (insideBlocks(t.role) && vqOf(t.view));
    if (!anyVq)
        return makeError(ErrorCode::InvalidArgument, model.path() + ": no VPTQ (vector-quantized) linear layers to export as VPTQ");

    std::vector<StreamTensor> tensors;
    Json layers = Json::object();
    Json notConverted = Json::array();
    std::string firstWhy;
    notConverted.push("lm_head"); // transformers replaces every nn.Linear not listed here
    for (const ModelTensor &t : model.tensors()) {
        LOWBIT_TRY(const std::string name, hfNameOf(t));
        const std::string base = insideBlocks(t.role) ? name.substr(0, name.size() - std::string(".weight").size()) : name;
        ExportedTensor e{t.view.name, name, t.view.decoder ? t.view.decoder->describe() : std::string(dtypeName(t.view.dtype)), "", ExportAction::Copied, 0.0};
        std::string denseWhy; // set: a block linear written dense (fp16) and left unconverted
        if (insideBlocks(t.role) && vqOf(t.view)) {
            bool halved = false;
            Result<VqContent> content = hfOrderContent(model, t, halved);
            std::string why = content ? std::string() : content.error().detail;
            if (content) {
                Result<VptqModule> m = vptqModule(model, t, *content, base);
                if (!m && m.error().code != ErrorCode::Unsupported)
                    return m.error();
                if (m) {
                    e.target = base;
                    e.targetType = describeLayer(m->linear.config);
                    e.relError = m->relError;
                    e.action = m->linear.roundedToFp16                                     ? ExportAction::Rounded
                               : content->codebookType == VqCodebookType::F16 && !halved ? ExportAction::Carried
                                                                                         : ExportAction::Converted;
                    if (halved)
                        report.warnings.push_back(t.view.name + ": interleaved q/k rows in rotate_half order: vectors of "
                                                  + std::to_string(content->vectorLength) + " rows with codebooks of twice the entries (exact)");
                    if (m->linear.roundedToFp16) {
                        if (options.strict)
                            return makeError(ErrorCode::Unsupported, t.view.name + ": its fp32 codebook values are not all fp16 values (VPTQ stores fp16; relative error "
                                                                         + std::to_string(m->relError) + "); drop --strict to accept");
                        report.warnings.push_back(t.view.name + ": codebook values rounded to fp16 (relative error " + std::to_string(m->relError) + ")");
                    }
                    for (const std::string &note : m->linear.notes)
                        report.warnings.push_back(t.view.name + ": " + note);
                    if (const std::string gap = vptqCudaKernelGap(m->linear.config); !gap.empty())
                        report.warnings.push_back(t.view.name + ": " + gap + " — outside VPTQ's CUDA kernels; it loads and runs through VPTQ's torch dequantization");
                    for (StreamTensor &st : m->tensors)
                        tensors.push_back(std::move(st));
                    layers[base] = vptqLayerConfigJson(m->linear.config);
                    report.tensors.push_back(std::move(e));
                    continue;
                }
                why = m.error().detail;
            }
            denseWhy = "not expressible in the VPTQ layout: " + why;
            if (firstWhy.empty())
                firstWhy = t.view.name + ": " + why;
        } else if (insideBlocks(t.role)) {
            denseWhy = t.view.decoder ? "VPTQ holds vector-quantized linears, not " + t.view.decoder->describe() : std::string("not quantized");
        }
        if (!denseWhy.empty() && t.view.decoder && options.strict)
            return makeError(ErrorCode::Unsupported, t.view.name + ": " + denseWhy + "; it would be written dequantized as f16 (drop --strict to accept)");
        LOWBIT_TRY(std::vector<float> v, decodedHfRows(model, t));
        const DType d = t.view.decoder ? DType::F16 : (t.view.dtype == DType::F16 || t.view.dtype == DType::BF16 ? t.view.dtype : DType::F32);
        e.targetType = std::string(dtypeName(d));
        if (t.view.decoder) {
            e.action = ExportAction::Rounded;
            std::vector<float> back(v.size());
            for (std::size_t i = 0; i < v.size(); ++i)
                back[i] = fp16ToFloat(floatToFp16(v[i]));
            e.relError = relativeSquaredError(back.data(), v.data(), v.size());
        }
        if (!denseWhy.empty()) {
            notConverted.push(base);
            report.warnings.push_back(t.view.name + ": " + denseWhy + "; written as " + e.targetType + " and listed in modules_to_not_convert");
        } else if (t.view.decoder) {
            report.warnings.push_back(t.view.name + ": VPTQ does not quantize " + std::string(tensorRoleName(t.role)) + "; written dequantized as f16");
        }
        tensors.push_back(floatTensor(name, d, t.view.shape, v));
        report.tensors.push_back(std::move(e));
    }
    if (layers.size() == 0)
        return makeError(ErrorCode::Unsupported, model.path() + ": no VQ linear could be written in the VPTQ layout (" + firstWhy + ")");
    Json q = Json::object();
    q["quant_method"] = "vptq";
    q["config_for_layers"] = std::move(layers);
    q["shared_layer_config"] = Json::object();
    q["modules_to_not_convert"] = std::move(notConverted);
    q["enable_proxy_error"] = false;
    Json config = hfConfigJson(model.config());
    config["torch_dtype"] = "float16";
    config["quantization_config"] = std::move(q);
    LOWBIT_CHECK(writeHfFolder(model, folder, config, tensors, {}, options, report));
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

} // namespace lowbit
