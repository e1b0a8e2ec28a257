// SPDX-License-Identifier: GPL-3.0-or-later
#include "gpu/engine/gpu_model.h"

#include "core/model/rope.h"
#include "gpu/device/context.h"
#include "gpu/engine/gpu_weight.h"
#include "gpu/memory/arena.h"
#include "gpu/ops/basic_ops.h"
#include "gpu/ops/descriptor_cache.h"
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/recorder.h"
#include "gpu/pipeline/pipelines.h"

#include <chrono>
#include <cmath>
#include <cstring>

namespace lowbit::gpu {

struct Scratch {
    Buffer *ids, *x, *xn, *q, *attn, *tmp, *gate, *up, *act, *logits; ///< gate: also the merged gate/up output
    Buffer *qkv = nullptr; ///< the merged q|k|v linear's output (null where no layer has one)
    Buffer *kNew = nullptr, *vNew = nullptr; ///< an fp16 cache: the new keys and values in fp32 before they are stored
    /// int8 activations: the quantized copies of xn, attn and act (null without), for the rows
    /// layout's kernels (per 32 columns) and the tree's (per piece of 8)
    Buffer *xnQ = nullptr, *attnQ = nullptr, *actQ = nullptr;
    Buffer *xnP = nullptr, *attnP = nullptr, *actP = nullptr;
    /// the VQ GEMM's x pass (several tokens; null without a VQ tensor that needs one)
    Buffer *vqXp = nullptr;
};

GpuModel::GpuModel(Context &ctx) : m_ctx(ctx) {}
GpuModel::~GpuModel() = default;

namespace {

Result<Buffer *> uploadVector(Arena &arena, const ModelTensor *t, const char *what)
{
    if (!t)
        return makeError(ErrorCode::Inconsistent, std::string("model has no ") + what + " tensor");
    auto values = t->view.toFloatVector();
    if (!values)
        return values.error().withContext(t->view.name);
    auto b = arena.upload(std::span<const float>(*values));
    if (!b)
        return b.error().withContext(t->view.name);
    return *b;
}

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB"; }

PackedUploadOptions packedOptions(const GpuModelOptions &options)
{
    PackedUploadOptions packed;
    packed.maxSliceBytes = options.maxSliceBytes;
    packed.matvec = options.matvec;
    packed.treeLinear = options.treeLinear;
    packed.treeLut = options.treeLut;
    packed.subgroupReduce = options.subgroupReduce;
    packed.treeAhead = options.treeAhead;
    packed.treeTiledGemm = options.treeTiledGemm;
    packed.specialize = options.specializeKernels;
    packed.treeInt8 = options.treeInt8;
    return packed;
}

/// Whether a linear reads int8 activations (GpuModelOptions::int8Activations).
bool takesInt8(const GpuModelOptions &options, const std::optional<GpuPackedTensor> &w)
{
    return options.int8Activations && w && (rowsInt8Runs(*w) || treeInt8Runs(*w));
}
} // namespace

Result<const GpuWeight *> GpuModel::addWeightRows(std::initializer_list<const ModelTensor *> parts, const GpuModelOptions &options)
{
    std::vector<const TensorView *> views;
    for (const ModelTensor *t : parts) {
        if (!t)
            return static_cast<const GpuWeight *>(nullptr); // (the caller's addWeight names what is missing)
        views.push_back(&t->view);
    }
    auto w = uploadWeightRows(*m_weights, views, packedOptions(options));
    if (!w)
        return w.error().withContext(views.front()->name);
    if (!*w)
        return static_cast<const GpuWeight *>(nullptr);
    GpuWeight &g = **w;
    const int n = static_cast<int>(views.size());
    m_weightBytes += g.deviceBytes;
    m_packedTensors += g.isPacked() ? n : 0;
    m_int8Tensors += takesInt8(options, g.packed) ? n : 0;
    m_matrices.push_back(std::make_unique<GpuWeight>(std::move(g)));
    return m_matrices.back().get();
}

Result<const GpuWeight *> GpuModel::addWeight(const ModelTensor *t, const char *what, const GpuModelOptions &options)
{
    if (!t)
        return makeError(ErrorCode::Inconsistent, std::string("model has no ") + what + " tensor");
    auto w = uploadWeight(*m_weights, t->view, packedOptions(options), t->role == TensorRole::Embedding);
    if (!w)
        return w.error().withContext(t->view.name);
    m_weightBytes += w->deviceBytes;
    m_packedTensors += w->isPacked() ? 1 : 0;
    // (an embedding table counts only where the output shares it: load() adds it there)
    if (t->role != TensorRole::Embedding)
        m_int8Tensors += takesInt8(options, w->packed) ? 1 : 0;
    m_matrices.push_back(std::make_unique<GpuWeight>(std::move(*w)));
    return m_matrices.back().get();
}

Result<std::unique_ptr<GpuModel>> GpuModel::load(Context &ctx, const Model &model, const GpuModelOptions &options)
{
    if (ctx.lost())
        return ctx.lostError();
    const ModelConfig &c = model.config();
    auto m = std::unique_ptr<GpuModel>(new GpuModel(ctx));
    m->m_config = c;
    m->m_maxContext = options.maxContext > 0 ? options.maxContext : (c.maxPositions > 0 ? c.maxPositions : 2048);
    m->m_pipelines = std::make_unique<Pipelines>(ctx);
    const MemoryUse bulk = options.stagedWeights ? (*options.stagedWeights ? MemoryUse::Staged : MemoryUse::Device) : bulkMemoryUse(ctx);
    m->m_weights = std::make_unique<Arena>(ctx, VkDeviceSize(256) << 20, bulk);
    m->m_scratch = std::make_unique<Arena>(ctx, VkDeviceSize(64) << 20);
    m->m_readback = std::make_unique<Arena>(ctx, VkDeviceSize(4) << 20, MemoryUse::Readback);
    m->m_descriptors = std::make_unique<DescriptorCache>(ctx);
    m->m_submission = std::make_unique<RecorderResources>(ctx);
    Arena &a = *m->m_weights;

    m->m_attention = options.attention;
    m->m_fuse = options.fuseLayerOps;
    m->m_kvForm = options.kvCache == KvCacheType::F32       ? KvForm::F32
                  : ctx.info().storage16Bit && options.use16BitStorage ? KvForm::F16Storage
                                                                       : KvForm::F16Packed;
    if (m->m_kvForm != KvForm::F32 && c.headDim % 2 != 0)
        return makeError(ErrorCode::Unsupported, "an fp16 KV cache needs an even head dim (this model's is " + std::to_string(c.headDim) + ")");

    // A model larger than the device fails here with a clear message, not in the middle.
    const auto cacheElems = static_cast<VkDeviceSize>(m->m_maxContext) * static_cast<VkDeviceSize>(c.kvDim());
    const VkDeviceSize cacheBytes = cacheElems * kvFormBytes(m->m_kvForm);
    m->m_kvCacheBytes = 2 * cacheBytes * static_cast<std::uint64_t>(c.numLayers);
    std::uint64_t need = m->m_kvCacheBytes;
    for (const ModelTensor &t : model.tensors())
        need += deviceBytesFor(t.view);
    const std::uint64_t have = ctx.info().deviceLocalBytes;
    if (have > 0 && need > have)
        return makeError(ErrorCode::Io, "the model needs " + mib(need) + " on the device (weights and a " + std::to_string(m->m_maxContext)
                                            + "-token " + kvCacheTypeName(options.kvCache) + " KV cache) but " + ctx.info().name + " has " + mib(have));

    LOWBIT_TRY(m->m_embedding, m->addWeight(model.find(TensorRole::Embedding), "embedding", options));
    LOWBIT_TRY(m->m_finalNorm, uploadVector(a, model.find(TensorRole::FinalNorm), "final norm"));
    if (c.tieWordEmbeddings && !model.find(TensorRole::Output)) {
        m->m_output = m->m_embedding;
        const GpuWeight &e = *m->m_embedding;
        m->m_int8Tensors += takesInt8(options, e.packed) ? 1 : 0;
    } else {
        LOWBIT_TRY(m->m_output, m->addWeight(model.find(TensorRole::Output), "output", options));
    }
    for (int l = 0; l < c.numLayers; ++l) {
        Layer L;
        LOWBIT_TRY(L.attnNorm, uploadVector(a, model.find(TensorRole::AttnNorm, l), "attention norm"));
        // q, k and v as one linear where they decode by one rule (rope_qkv then splits its output)
        const ModelTensor *qt = model.find(TensorRole::Q, l), *kt = model.find(TensorRole::K, l), *vt = model.find(TensorRole::V, l);
        if (options.fuseLayerOps && options.mergeQkv) {
            LOWBIT_TRY(L.qkv, m->addWeightRows({qt, kt, vt}, options));
        }
        m->m_mergedQkv += L.qkv ? 1 : 0;
        if (!L.qkv) {
            LOWBIT_TRY(L.q, m->addWeight(qt, "q", options));
            LOWBIT_TRY(L.k, m->addWeight(kt, "k", options));
            LOWBIT_TRY(L.v, m->addWeight(vt, "v", options));
        }
        LOWBIT_TRY(L.o, m->addWeight(model.find(TensorRole::O, l), "o", options));
        LOWBIT_TRY(L.ffnNorm, uploadVector(a, model.find(TensorRole::FfnNorm, l), "ffn norm"));
        // gate and up as one linear (one GEMV or GEMM for both) where they decode by one rule
        const ModelTensor *gt = model.find(TensorRole::Gate, l), *ut = model.find(TensorRole::Up, l);
        if (options.fuseLayerOps && options.mergeGateUp) {
            LOWBIT_TRY(L.gateUp, m->addWeightRows({gt, ut}, options));
        }
        m->m_mergedGateUp += L.gateUp ? 1 : 0;
        if (!L.gateUp) {
            LOWBIT_TRY(L.gate, m->addWeight(gt, "gate", options));
            LOWBIT_TRY(L.up, m->addWeight(ut, "up", options));
        }
        LOWBIT_TRY(L.down, m->addWeight(model.find(TensorRole::Down, l), "down", options));
        // q/k/v biases (qwen2): all three or none, as the CPU engine takes them
        const ModelTensor *qb = model.find(TensorRole::QBias, l), *kb = model.find(TensorRole::KBias, l), *vb = model.find(TensorRole::VBias, l);
        if (qb || kb || vb) {
            const auto sized = [](const ModelTensor *t, std::int64_t n) { return t && t->view.numel() == static_cast<std::uint64_t>(n); };
            if (!sized(qb, c.numHeads * c.headDim) || !sized(kb, c.kvDim()) || !sized(vb, c.kvDim()))
                return makeError(ErrorCode::Inconsistent, model.path() + ": layer " + std::to_string(l) + " has incomplete or mis-sized q/k/v biases");
            if (L.qkv) { // one bias vector for the merged output: q's, then k's, then v's
                std::vector<float> all;
                for (const ModelTensor *t : {qb, kb, vb}) {
                    auto values = t->view.toFloatVector();
                    if (!values)
                        return values.error().withContext(t->view.name);
                    all.insert(all.end(), values->begin(), values->end());
                }
                auto b = a.upload(std::span<const float>(all));
                if (!b)
                    return b.error().withContext(qb->view.name);
                L.qkvBias = *b;
            } else {
                LOWBIT_TRY(L.qBias, uploadVector(a, qb, "q bias"));
                LOWBIT_TRY(L.kBias, uploadVector(a, kb, "k bias"));
                LOWBIT_TRY(L.vBias, uploadVector(a, vb, "v bias"));
            }
        }
        auto kc = a.allocate(cacheBytes);
        if (!kc)
            return kc.error().withContext("KV cache");
        auto vc = a.allocate(cacheBytes);
        if (!vc)
            return vc.error().withContext("KV cache");
        L.kCache = *kc;
        L.vCache = *vc;
        m->m_layers.push_back(L);
    }
    LOWBIT_TRY(std::vector<double> inv, ropeInverseFrequencies(c));
    std::vector<float> invF(inv.begin(), inv.end());
    LOWBIT_TRY(m->m_invFreq, a.upload(std::span<const float>(invF)));
    return m;
}

Status GpuModel::recordAttentionInputs(Recorder &rec, const Layer &L, std::uint32_t n, Scratch &s, LinearInput &xn)
{
    const ModelConfig &c = m_config;
    const auto hd = static_cast<std::uint32_t>(c.headDim);
    const auto nh = static_cast<std::uint32_t>(c.numHeads);
    const auto nkv = static_cast<std::uint32_t>(c.numKvHeads);
    const std::uint32_t qd = nh * hd, kvd = nkv * hd;
    const auto pos0 = static_cast<std::uint32_t>(m_position);
    const std::uint32_t interleaved = c.ropeLayout == RopeLayout::Interleaved ? 1u : 0u;
    // keys and values straight into an fp32 cache, RoPE there; for an fp16 one into scratch
    // first, RoPE, then rounded into the cache
    const bool direct = m_kvForm == KvForm::F32;
    const Buffer &kDst = direct ? *L.kCache : *s.kNew, &vDst = direct ? *L.vCache : *s.vNew;
    const std::uint32_t kvOffset = direct ? pos0 * kvd : 0;
    const KvStorePush store{n * kvd, pos0 * kvd};
    if (L.qkv) { // one linear, its bias, then rope_qkv into q and the keys' and values' places
        const std::uint32_t row = qd + 2 * kvd;
        LOWBIT_CHECK(recordLinear(rec, *L.qkv, xn, *s.qkv, n, 0, row));
        if (L.qkvBias)
            LOWBIT_CHECK(recordAddBias(rec, *s.qkv, *L.qkvBias, {n, row, 0}));
        LOWBIT_CHECK(recordRopeQkv(rec, *s.qkv, *m_invFreq, *s.q, kDst, vDst, {n, nh, hd, pos0, interleaved, nkv, kvOffset, row}));
        if (!direct)
            LOWBIT_CHECK(recordKvStorePair(rec, *s.kNew, *L.kCache, *s.vNew, *L.vCache, store, m_kvForm));
        return {};
    }
    // the three projections first, then their biases, then the RoPE of queries and keys: each
    // group's dispatches are independent, so the recorder puts one barrier between groups and
    // none inside them
    LOWBIT_CHECK(recordLinear(rec, *L.q, xn, *s.q, n, 0, qd));
    LOWBIT_CHECK(recordLinear(rec, *L.k, xn, kDst, n, kvOffset, kvd));
    LOWBIT_CHECK(recordLinear(rec, *L.v, xn, vDst, n, kvOffset, kvd));
    if (L.qBias) { // (qwen2: all three, or none)
        LOWBIT_CHECK(recordAddBias(rec, *s.q, *L.qBias, {n, qd, 0}));
        LOWBIT_CHECK(recordAddBias(rec, kDst, *L.kBias, {n, kvd, kvOffset}));
        LOWBIT_CHECK(recordAddBias(rec, vDst, *L.vBias, {n, kvd, kvOffset}));
    }
    const RopeQkPush rope{{n, nh, hd, pos0, interleaved, 0}, nkv, kvOffset};
    if (m_fuse) {
        LOWBIT_CHECK(recordRopeQk(rec, *s.q, kDst, *m_invFreq, rope));
        if (!direct)
            LOWBIT_CHECK(recordKvStorePair(rec, *s.kNew, *L.kCache, *s.vNew, *L.vCache, store, m_kvForm));
        return {};
    }
    LOWBIT_CHECK(recordRope(rec, *s.q, *m_invFreq, rope.q));
    LOWBIT_CHECK(recordRope(rec, kDst, *m_invFreq, {n, rope.kvHeads, hd, pos0, interleaved, rope.kOffset}));
    if (!direct) {
        LOWBIT_CHECK(recordKvStore(rec, *s.kNew, *L.kCache, store, m_kvForm));
        LOWBIT_CHECK(recordKvStore(rec, *s.vNew, *L.vCache, store, m_kvForm));
    }
    return {};
}

Status GpuModel::recordForward(Recorder &rec, std::uint32_t n, Scratch &s)
{
    const ModelConfig &c = m_config;
    const auto d = static_cast<std::uint32_t>(c.hiddenSize);
    const auto hd = static_cast<std::uint32_t>(c.headDim);
    const auto nh = static_cast<std::uint32_t>(c.numHeads);
    const auto nkv = static_cast<std::uint32_t>(c.numKvHeads);
    const std::uint32_t kvd = nkv * hd;
    const auto ff = static_cast<std::uint32_t>(c.intermediateSize);
    const auto vocab = static_cast<std::uint32_t>(c.vocabSize);
    const auto pos0 = static_cast<std::uint32_t>(m_position);
    const auto eps = static_cast<float>(c.rmsNormEps);

    // x += tmp, then xn = the norm of x by g: one dispatch where fused (each residual add with the
    // norm after it, the next layer's or the final one: only the first norm stands alone)
    const auto addThenNorm = [&](const Buffer &g) -> Status {
        if (m_fuse)
            return recordAddRmsnormF32(rec, *s.x, *s.tmp, g, *s.xn, n, d, eps);
        LOWBIT_CHECK(recordAdd(rec, *s.x, *s.tmp, n * d));
        return recordRmsnormF32(rec, *s.x, g, *s.xn, n, d, eps);
    };
    LOWBIT_CHECK(recordRowLookup(rec, *m_embedding, *s.ids, n, *s.x));
    LOWBIT_CHECK(recordRmsnormF32(rec, *s.x, m_layers.empty() ? *m_finalNorm : *m_layers.front().attnNorm, *s.xn, n, d, eps));
    for (std::size_t li = 0; li < m_layers.size(); ++li) {
        const Layer &L = m_layers[li];
        LinearInput xn{*s.xn, s.xnQ, false, s.vqXp, s.xnP};
        LOWBIT_CHECK(recordAttentionInputs(rec, L, n, s, xn));
        LOWBIT_CHECK(recordAttention(rec, *s.q, *L.kCache, *L.vCache, *s.attn,
                                     {n, nh, nkv, hd, pos0, kvd, 1.0f / std::sqrt(static_cast<float>(hd))}, m_kvForm,
                                     m_attention.value_or(AttentionKernel::Auto)));
        LinearInput attn{*s.attn, s.attnQ, false, s.vqXp, s.attnP};
        LOWBIT_CHECK(recordLinear(rec, *L.o, attn, *s.tmp, n, 0, d));
        LOWBIT_CHECK(addThenNorm(*L.ffnNorm));
        LinearInput xn2{*s.xn, s.xnQ, false, s.vqXp, s.xnP};
        if (L.gateUp) { // each token's gate row then its up row, 2·ff floats apart
            LOWBIT_CHECK(recordLinear(rec, *L.gateUp, xn2, *s.gate, n, 0, 2 * ff));
            LOWBIT_CHECK(recordSiluMulPair(rec, *s.gate, *s.act, n, ff));
        } else {
            LOWBIT_CHECK(recordLinear(rec, *L.gate, xn2, *s.gate, n, 0, ff));
            LOWBIT_CHECK(recordLinear(rec, *L.up, xn2, *s.up, n, 0, ff));
            LOWBIT_CHECK(recordSiluMul(rec, *s.gate, *s.up, *s.act, n * ff));
        }
        LinearInput act{*s.act, s.actQ, false, s.vqXp, s.actP};
        LOWBIT_CHECK(recordLinear(rec, *L.down, act, *s.tmp, n, 0, d));
        const Buffer &nextNorm = li + 1 < m_layers.size() ? *m_layers[li + 1].attnNorm : *m_finalNorm;
        LOWBIT_CHECK(addThenNorm(nextNorm));
    }
    LinearInput xnOut{*s.xn, s.xnQ, false, s.vqXp, s.xnP};
    return recordLinear(rec, *m_output, xnOut, *s.logits, n, 0, vocab);
}

std::size_t GpuModel::cachedDescriptorSets() const { return m_descriptors->size(); }

Result<std::unique_ptr<Scratch>> GpuModel::allocateScratch(std::uint32_t n)
{
    const ModelConfig &c = m_config;
    m_scratch->reset();
    m_readback->reset();
    Arena &a = *m_scratch;
    auto floats = [&](std::int64_t count) { return a.allocate(static_cast<VkDeviceSize>(count) * n * sizeof(float)); };
    auto scratch = std::make_unique<Scratch>();
    Scratch &s = *scratch;
    LOWBIT_TRY(s.ids, a.allocate(static_cast<VkDeviceSize>(n) * sizeof(std::int32_t)));
    LOWBIT_TRY(s.x, floats(c.hiddenSize));
    LOWBIT_TRY(s.xn, floats(c.hiddenSize));
    LOWBIT_TRY(s.q, floats(c.numHeads * c.headDim));
    LOWBIT_TRY(s.attn, floats(c.numHeads * c.headDim));
    LOWBIT_TRY(s.tmp, floats(c.hiddenSize));
    // (the merged gate/up linear writes both halves into gate: twice the room where a layer has it)
    LOWBIT_TRY(s.gate, floats(c.intermediateSize * (m_mergedGateUp > 0 ? 2 : 1)));
    LOWBIT_TRY(s.up, floats(c.intermediateSize));
    if (m_mergedQkv > 0) {
        LOWBIT_TRY(s.qkv, floats(c.numHeads * c.headDim + 2 * c.kvDim()));
    }
    LOWBIT_TRY(s.act, floats(c.intermediateSize));
    // the logits, which the host reads, in host-cached memory (a discrete GPU writes them over
    // the bus in microseconds; the host would read its device memory uncached)
    LOWBIT_TRY(s.logits, m_readback->allocate(static_cast<VkDeviceSize>(c.vocabSize) * n * sizeof(float)));
    if (m_kvForm != KvForm::F32) {
        LOWBIT_TRY(s.kNew, floats(c.kvDim()));
        LOWBIT_TRY(s.vNew, floats(c.kvDim()));
    }
    if (m_int8Tensors > 0) {
        const auto quantized = [&](std::int64_t cols) { return a.allocate(quantizedXBytes(static_cast<std::uint32_t>(cols), n)); };
        LOWBIT_TRY(s.xnQ, quantized(c.hiddenSize));
        LOWBIT_TRY(s.attnQ, quantized(c.numHeads * c.headDim));
        LOWBIT_TRY(s.actQ, quantized(c.intermediateSize));
        const auto pieces = [&](std::int64_t cols) { return a.allocate(quantizedPiecesBytes(static_cast<std::uint32_t>(cols), n)); };
        LOWBIT_TRY(s.xnP, pieces(c.hiddenSize));
        LOWBIT_TRY(s.attnP, pieces(c.numHeads * c.headDim));
        LOWBIT_TRY(s.actP, pieces(c.intermediateSize));
    }
    // one x pass buffer that every VQ linear's GEMM takes in turn (the recorder puts a barrier
    // between one's reads and the next one's writes), up to kVqXpRunTokens tokens a run
    std::uint64_t xpFloats = 0;
    for (const auto &w : m_matrices)
        if (w->vq)
            xpFloats = std::max<std::uint64_t>(xpFloats, treeXpFloatsPerToken(*w->vq));
    if (n > 1 && xpFloats > 0) {
        LOWBIT_TRY(s.vqXp, a.allocate(xpFloats * std::min(n, kVqXpRunTokens) * sizeof(float)));
    }
    return scratch;
}

Status GpuModel::warmUp()
{
    const std::int64_t n = std::min<std::int64_t>(kTiledGemmMinTokens, m_maxContext - 1);
    std::vector<std::int32_t> tokens(static_cast<std::size_t>(std::max<std::int64_t>(1, n)));
    for (std::size_t i = 0; i < tokens.size(); ++i)
        tokens[i] = static_cast<std::int32_t>(i % static_cast<std::size_t>(m_config.vocabSize));
    reset();
    auto prompt = forward(tokens, false);
    if (prompt && m_position < m_maxContext)
        prompt = forward(std::span<const std::int32_t>(tokens.data(), 1), false);
    reset();
    if (!prompt)
        return prompt.error();
    return {};
}

Result<std::vector<float>> GpuModel::forward(std::span<const std::int32_t> tokens, bool allLogits)
{
    const ModelConfig &c = m_config;
    const auto n = static_cast<std::uint32_t>(tokens.size());
    if (n == 0)
        return std::vector<float>{};
    LOWBIT_CHECK(checkForwardInput(tokens, m_position, m_maxContext, c.vocabSize));
    const auto t0 = std::chrono::steady_clock::now();
    // the scratch buffers of the last forward serve again for as many tokens (every decode
    // step), and with them the descriptor sets cached for its dispatches
    if (!m_scratchBuffers || m_scratchTokens != n) {
        m_descriptors->clear(); // (its sets name the buffers about to go)
        m_scratchBuffers.reset();
        LOWBIT_TRY(m_scratchBuffers, allocateScratch(n));
        m_scratchTokens = n;
    }
    Scratch &s = *m_scratchBuffers;
    LOWBIT_CHECK(m_scratch->write(*s.ids, 0, std::as_bytes(tokens)));
    std::uint32_t maxDispatches = 16;
    for (const auto &w : m_matrices)
        maxDispatches += 2 * static_cast<std::uint32_t>(w->packed ? w->packed->slices.size() : w->f32.size());
    maxDispatches += 13 * static_cast<std::uint32_t>(m_layers.size()); // + 2 fp16 stores, 3 biases
    if (m_int8Tensors > 0) // ≤ 3 quantized activations a layer, and the output's, in either layout's form
        maxDispatches += 2 * (3 * static_cast<std::uint32_t>(m_layers.size()) + 1);
    for (const auto &w : m_matrices) {
        if (w->vq)
            maxDispatches += kVqMatvecDispatches * n; // ≤ an x pass and a GEMV or GEMM per token
        if (w->packed && w->packed->matvec == MatvecLayout::Rows) // ≤ one rows GEMV or GEMM per token and slice
            maxDispatches += n * static_cast<std::uint32_t>(w->packed->slices.size());
    }
    LOWBIT_TRY(auto rec, Recorder::begin(m_ctx, *m_pipelines, maxDispatches, m_descriptors.get(), m_submission.get()));
    const bool gpuTime = m_ctx.info().timestampPeriodNs > 0;
    if (gpuTime)
        LOWBIT_CHECK(rec->markTime());
    LOWBIT_CHECK(recordForward(*rec, n, s));
    if (gpuTime)
        LOWBIT_CHECK(rec->markTime());
    const auto t1 = std::chrono::steady_clock::now();
    LOWBIT_CHECK(rec->submitAndWait());
    m_position += n;
    const auto out = s.logits->as<float>();
    const auto vocab = static_cast<std::size_t>(c.vocabSize);
    const std::size_t first = allLogits ? 0 : (n - 1) * vocab;
    std::vector<float> logits(out.begin() + static_cast<std::ptrdiff_t>(first), out.begin() + static_cast<std::ptrdiff_t>(std::size_t(n) * vocab));
    m_lastTiming.recordSeconds = std::chrono::duration<double>(t1 - t0).count();
    m_lastTiming.dispatches = rec->dispatches();
    m_lastTiming.barriers = rec->barriers();
    m_lastTiming.gpuSeconds = 0;
    if (gpuTime) {
        LOWBIT_TRY(const std::vector<double> t, rec->markIntervals());
        m_lastTiming.gpuSeconds = t.at(0);
    }
    m_lastTiming.totalSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return logits;
}

} // namespace lowbit::gpu
