// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/io/studio_container.h"

#include "core/io/gguf_reader.h"
#include "core/io/gguf_writer.h"
#include "core/io/safetensors_reader.h"
#include "core/io/safetensors_writer.h"
#include "core/quant/quantized_tensor.h"
#include "core/util/mapped_file.h"

#include <filesystem>
#include <map>
#include <set>

namespace lowbit {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kKeyVersion = "lowbit.container";
constexpr std::string_view kKeyConfig = "lowbit.config";
constexpr std::string_view kKeyRope = "lowbit.rope_layout";
constexpr std::string_view kKeySource = "lowbit.source";
constexpr std::string_view kKeyTensors = "lowbit.tensors";
constexpr std::string_view kKeyReport = "lowbit.report";
constexpr std::string_view kKeyTokenizerKind = "lowbit.tokenizer.kind";
constexpr std::string_view kTokenizerTensor = "lowbit.tokenizer";

/// The tokenizer file next to the source model (same search as loadTokenizer, files only).
std::string findTokenizerFile(const Model &model)
{
    std::error_code ec;
    const fs::path src(model.path());
    fs::path dir = fs::is_directory(src, ec) ? src : src.parent_path();
    if (dir.empty())
        dir = ".";
    std::vector<fs::path> dirs{dir};
    const fs::path abs = fs::absolute(dir, ec).lexically_normal();
    const fs::path parent = (abs.has_filename() ? abs : abs.parent_path()).parent_path();
    if (!parent.empty())
        dirs.push_back(parent);
    for (const fs::path &d : dirs)
        for (const std::string &n : {std::string("tokenizer.json"), std::string("tokenizer.bin"),
                                     "tok" + std::to_string(model.config().vocabSize) + ".bin"})
            if (fs::is_regular_file(d / n, ec))
                return (d / n).string();
    return {};
}

const std::string *metaValue(const SafetensorsMetadata &meta, std::string_view key)
{
    for (const auto &[k, v] : meta)
        if (k == key)
            return &v;
    return nullptr;
}

RoleAndLayer roleOf(std::string_view name)
{
    RoleAndLayer r = roleFromHfName(name);
    if (r.role == TensorRole::Other)
        r = roleFromGgufName(name);
    return r;
}

/// The tokenizer a GGUF model keeps in its metadata (as a tensor-less GGUF image of its
/// "tokenizer.*" keys, kind "gguf") or the one a container embeds; empty kind when there is none.
Result<EmbeddedTokenizer> carriedTokenizer(const Model &model)
{
    if (model.source() == ModelSource::Studio)
        return readContainerTokenizer(model.path());
    EmbeddedTokenizer t;
    if (model.source() != ModelSource::Gguf)
        return t;
    LOWBIT_TRY(GgufFile gguf, readGguf(model.path()));
    GgufWriter w;
    bool any = false;
    for (const auto &[key, value] : gguf.header.kvs)
        if (key.starts_with("tokenizer.")) {
            w.set(key, value);
            any = true;
        }
    if (!any)
        return t;
    LOWBIT_TRY(std::vector<std::byte> image, w.serialize());
    t.kind = "gguf";
    t.bytes.assign(reinterpret_cast<const char *>(image.data()), image.size());
    return t;
}

} // namespace

bool isStudioContainerPath(std::string_view path)
{
    return path.size() > kStudioContainerSuffix.size() && path.ends_with(kStudioContainerSuffix);
}

Status writeStudioContainer(const Model &model, const std::string &path, const ContainerWriteOptions &options)
{
    if (!isStudioContainerPath(path))
        return makeError(ErrorCode::InvalidArgument, path + ": a studio container's name must end with " + std::string(kStudioContainerSuffix));
    std::error_code ec;
    if (!options.overwrite && fs::exists(path, ec))
        return makeError(ErrorCode::InvalidArgument, path + ": exists (use --force to overwrite)");

    std::vector<SafetensorsEntry> entries;
    std::vector<std::vector<float>> converted; // plain tensors without a safetensors dtype, as fp32
    converted.reserve(model.tensors().size());
    Json described = Json::object();
    for (const ModelTensor &t : model.tensors()) {
        const TensorView &v = t.view;
        if (v.decoder) {
            const auto *q = dynamic_cast<const QuantizedTensor *>(v.decoder.get());
            if (!q)
                return makeError(ErrorCode::Unsupported, v.name + ": this decoded tensor cannot be stored in a container");
            described[v.name] = q->metadata();
            for (QuantArrayRef &a : q->arrays())
                entries.push_back({v.name + "." + a.suffix, a.dtype, std::move(a.shape), a.data});
            continue;
        }
        if (!dtypeTraits(v.dtype).safetensorsName.empty()) {
            entries.push_back({v.name, v.dtype, v.shape, v.bytes()});
            continue;
        }
        LOWBIT_TRY(std::vector<float> f, v.toFloatVector());
        converted.push_back(std::move(f));
        const std::vector<float> &c = converted.back();
        entries.push_back({v.name, DType::F32, v.shape, {reinterpret_cast<const std::byte *>(c.data()), c.size() * sizeof(float)}});
    }

    SafetensorsMetadata meta;
    meta.emplace_back(std::string(kKeyVersion), std::to_string(kStudioContainerVersion));
    meta.emplace_back(std::string(kKeyConfig), hfConfigJson(model.config()).dump(2));
    meta.emplace_back(std::string(kKeyRope), model.config().ropeLayout == RopeLayout::Interleaved ? "interleaved" : "half-split");
    meta.emplace_back(std::string(kKeySource), std::string(modelSourceName(model.source())));
    meta.emplace_back(std::string(kKeyTensors), described.dump());
    if (!options.report.isNull())
        meta.emplace_back(std::string(kKeyReport), options.report.dump());

    std::string tokenizerBytes;
    EmbeddedTokenizer carried;
    if (options.tokenizerPath.empty()) {
        // A GGUF keeps its tokenizer in metadata, a container embeds one: carry it over.
        LOWBIT_TRY(carried, carriedTokenizer(model));
    }
    const std::string tokPath = !carried.kind.empty() ? std::string()
                                : options.tokenizerPath.empty() ? findTokenizerFile(model) : options.tokenizerPath;
    if (!carried.kind.empty()) {
        tokenizerBytes = std::move(carried.bytes);
        meta.emplace_back(std::string(kKeyTokenizerKind), carried.kind);
        entries.push_back({std::string(kTokenizerTensor), DType::U8, {static_cast<std::int64_t>(tokenizerBytes.size())},
                           {reinterpret_cast<const std::byte *>(tokenizerBytes.data()), tokenizerBytes.size()}});
    } else if (!tokPath.empty()) {
        LOWBIT_TRY(tokenizerBytes, readTextFile(tokPath, 512u << 20));
        meta.emplace_back(std::string(kKeyTokenizerKind), fs::path(tokPath).extension() == ".json" ? "tokenizer.json" : "tokenizer.bin");
        entries.push_back({std::string(kTokenizerTensor), DType::U8, {static_cast<std::int64_t>(tokenizerBytes.size())},
                           {reinterpret_cast<const std::byte *>(tokenizerBytes.data()), tokenizerBytes.size()}});
    }
    return writeSafetensors(path, entries, meta, options.overwrite);
}

Result<Model> openStudioContainer(const std::string &path)
{
    LOWBIT_TRY(SafetensorsFile file, readSafetensors(path));
    const std::string *version = metaValue(file.metadata, kKeyVersion);
    if (!version)
        return makeError(ErrorCode::Malformed, path + ": not a studio container (no " + std::string(kKeyVersion) + " metadata)");
    if (*version != "1")
        return makeError(ErrorCode::Unsupported, path + ": container version " + *version + " (this studio reads version " +
                                                     std::to_string(kStudioContainerVersion) + ")");
    const std::string *configText = metaValue(file.metadata, kKeyConfig);
    if (!configText)
        return makeError(ErrorCode::Malformed, path + ": container without " + std::string(kKeyConfig));
    LOWBIT_TRY(ModelConfig config, parseHfConfig(*configText, path));
    if (const std::string *rope = metaValue(file.metadata, kKeyRope)) {
        if (*rope == "interleaved")
            config.ropeLayout = RopeLayout::Interleaved;
        else if (*rope != "half-split")
            return makeError(ErrorCode::Malformed, path + ": unknown rope layout '" + *rope + "'");
    }
    Json described = Json::object();
    if (const std::string *t = metaValue(file.metadata, kKeyTensors)) {
        auto parsed = parseJson(*t);
        if (!parsed || !parsed->isObject())
            return makeError(ErrorCode::Malformed, path + ": " + std::string(kKeyTensors) + " is not a JSON object");
        described = std::move(*parsed);
    }

    std::map<std::string, const TensorView *, std::less<>> byName;
    for (const TensorView &v : file.tensors)
        byName.emplace(v.name, &v);
    std::set<std::string, std::less<>> consumed{std::string(kTokenizerTensor)};
    std::vector<ModelTensor> tensors;
    for (const auto &[name, meta] : described.asObject()) {
        const QuantArrayLookup lookup = [&](std::string_view suffix) -> const TensorView * {
            const std::string key = name + "." + std::string(suffix);
            auto it = byName.find(key);
            if (it == byName.end())
                return nullptr;
            consumed.insert(key);
            return it->second;
        };
        auto q = loadQuantizedTensor(meta, lookup);
        if (!q)
            return q.error().withContext(path + ": tensor " + name);
        const RoleAndLayer rl = roleOf(name);
        tensors.push_back({makeDecodedView(name, *q), rl.role, rl.layer});
    }
    for (const TensorView &v : file.tensors) {
        if (consumed.count(v.name) || described.find(v.name))
            continue;
        const RoleAndLayer rl = roleOf(v.name);
        tensors.push_back({v, rl.role, rl.layer});
    }
    return Model::fromParts(ModelSource::Studio, path, std::move(config), std::move(tensors));
}

Result<Json> readContainerReport(const std::string &path)
{
    LOWBIT_TRY(SafetensorsFile file, readSafetensors(path));
    const std::string *r = metaValue(file.metadata, kKeyReport);
    if (!r)
        return Json();
    auto parsed = parseJson(*r);
    if (!parsed)
        return makeError(ErrorCode::Malformed, path + ": " + std::string(kKeyReport) + " is not valid JSON");
    return std::move(*parsed);
}

Result<EmbeddedTokenizer> readContainerTokenizer(const std::string &path)
{
    LOWBIT_TRY(SafetensorsFile file, readSafetensors(path));
    EmbeddedTokenizer t;
    const std::string *kind = metaValue(file.metadata, kKeyTokenizerKind);
    if (!kind)
        return t;
    for (const TensorView &v : file.tensors)
        if (v.name == kTokenizerTensor) {
            if (v.dtype != DType::U8)
                return makeError(ErrorCode::Malformed, path + ": embedded tokenizer is not a byte array");
            t.kind = *kind;
            t.bytes.assign(reinterpret_cast<const char *>(v.data), static_cast<std::size_t>(v.nbytes));
            return t;
        }
    return makeError(ErrorCode::Malformed, path + ": tokenizer kind given but no " + std::string(kTokenizerTensor) + " tensor");
}

} // namespace lowbit
