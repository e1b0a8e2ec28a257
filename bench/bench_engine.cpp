// SPDX-License-Identifier: GPL-3.0-or-later
// CPU engine benchmark:
//  1. the 370k-token stories260K evaluation (reference protocol) with 1 and 2 threads;
//  2. fp32 matmul GFLOP/s: the engine's cached oneDNN wrapper vs a bare oneDNN primitive on the
//     same shapes;
//  3. a synthetic model with LLaMA-7B block shapes (dim 4096, ffn 11008, 32 heads; 1 block)
//     for per-token prefill and decode times of a real-size layer, with resident fp32 weights
//     and with weights converted on the fly per forward (WeightMode::OnTheFly) from F32, Q8_0
//     and Q4_0 storage.
//   bench_engine [--shared DIR] [--skip-eval] [--threads N]   (N for parts 2 and 3; 0 = all cores)
#include "core/eval/perplexity.h"
#include "core/dtypes/ggml_quants.h"
#include "core/infer/matmul.h"
#include "core/util/mapped_file.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

using namespace lowbit;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void benchEval(const std::string &shared)
{
    auto m = Model::open(shared + "/models/stories260K/stories260K.bin");
    auto text = readTextFile(shared + "/data/tinystories_valid_first1000.txt");
    if (!m || !text) {
        std::printf("eval: shared files not found under %s (skipped)\n", shared.c_str());
        return;
    }
    auto tok = loadTokenizer(m->path(), m->config().vocabSize);
    if (!tok) {
        std::printf("eval: %s\n", tok.error().message().c_str());
        return;
    }
    for (unsigned threads : {1u, 2u}) {
        EngineOptions eo;
        eo.threads = threads;
        auto e = CpuModel::load(*m, eo);
        if (!e) {
            std::printf("eval: %s\n", e.error().message().c_str());
            return;
        }
        auto r = evaluatePerplexity(**e, **tok, *text);
        if (!r) {
            std::printf("eval: %s\n", r.error().message().c_str());
            return;
        }
        std::printf("eval stories260K, %u thread(s): ppl %.4f over %llu tokens in %.1f s = %.0f tokens/s\n", threads, r->perplexity,
                    static_cast<unsigned long long>(r->tokens), r->seconds, static_cast<double>(r->tokens) / r->seconds);
    }
}

void benchMatmul()
{
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    const std::int64_t shapes[][3] = {{1, 4096, 4096}, {1, 4096, 11008}, {512, 4096, 4096}, {512, 4096, 11008}};
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> u(-1, 1);
    Matmul mm;
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream s(eng);
    for (const auto &sh : shapes) {
        const std::int64_t m = sh[0], k = sh[1], n = sh[2];
        std::vector<float> x(static_cast<std::size_t>(m * k)), w(static_cast<std::size_t>(n * k)), y(static_cast<std::size_t>(m * n));
        for (auto &v : x)
            v = u(rng);
        for (auto &v : w)
            v = u(rng);
        const int reps = m == 1 ? 50 : 3;
        mm.run(x.data(), m, k, w.data(), n, y.data()); // warm up (primitive creation)
        auto t0 = Clock::now();
        for (int r = 0; r < reps; ++r)
            mm.run(x.data(), m, k, w.data(), n, y.data());
        const double ours = since(t0) / reps;
        const dnnl::memory::desc xd({m, k}, dt::f32, tag::ab), wd({k, n}, dt::f32, tag::ba), yd({m, n}, dt::f32, tag::ab);
        dnnl::matmul prim(dnnl::matmul::primitive_desc(dnnl::matmul::desc(xd, wd, yd), eng));
        dnnl::memory xm(xd, eng, x.data()), wm(wd, eng, w.data()), ym(yd, eng, y.data());
        prim.execute(s, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}});
        s.wait();
        t0 = Clock::now();
        for (int r = 0; r < reps; ++r)
            prim.execute(s, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}});
        s.wait();
        const double bare = since(t0) / reps;
        const double flops = 2.0 * static_cast<double>(m * k * n);
        std::printf("matmul %4lldx%lldx%-6lld engine %7.2f ms = %6.1f GFLOP/s   bare oneDNN %7.2f ms = %6.1f GFLOP/s\n",
                    static_cast<long long>(m), static_cast<long long>(k), static_cast<long long>(n), ours * 1e3, flops / ours / 1e9,
                    bare * 1e3, flops / bare / 1e9);
    }
}

/// One LLaMA-7B block (+ a small classifier), its linears stored as `linearType` (F32, Q8_0,
/// Q4_0), generated in memory.
Result<Model> llama7bBlock(DType linearType)
{
    ModelConfig c;
    c.modelType = "llama";
    c.hiddenSize = 4096;
    c.intermediateSize = 11008;
    c.numLayers = 1;
    c.numHeads = 32;
    c.numKvHeads = 32;
    c.headDim = 128;
    c.vocabSize = 512; // small classifier: the block is what is measured
    c.maxPositions = 1024;
    c.tieWordEmbeddings = true;
    std::mt19937 rng(2);
    std::normal_distribution<float> d(0.0f, 0.02f);
    std::vector<ModelTensor> ts;
    auto add = [&](TensorRole r, int l, std::vector<std::int64_t> shape, bool norm) {
        std::size_t n = 1;
        for (auto x : shape)
            n *= static_cast<std::size_t>(x);
        std::vector<float> v(n);
        for (auto &x : v)
            x = norm ? 1.0f : d(rng);
        TensorView view = makeOwnedF32(hfTensorName(r, l), shape, std::move(v));
        if (isLinearRole(r) && r != TensorRole::Embedding && linearType != DType::F32) {
            auto bytes = std::make_shared<std::vector<std::byte>>(*dtypeByteCount(linearType, n));
            const auto *f = reinterpret_cast<const float *>(view.data);
            if (linearType == DType::Q8_0)
                quantizeQ8_0Ref(f, bytes->data(), n);
            else
                quantizeQ4_0Ref(f, bytes->data(), n);
            view.dtype = linearType;
            view.data = bytes->data();
            view.nbytes = bytes->size();
            view.owner = bytes;
        }
        ts.push_back({std::move(view), r, l});
    };
    add(TensorRole::Embedding, -1, {512, 4096}, false);
    add(TensorRole::AttnNorm, 0, {4096}, true);
    for (TensorRole r : {TensorRole::Q, TensorRole::K, TensorRole::V, TensorRole::O})
        add(r, 0, {4096, 4096}, false);
    add(TensorRole::FfnNorm, 0, {4096}, true);
    add(TensorRole::Gate, 0, {11008, 4096}, false);
    add(TensorRole::Up, 0, {11008, 4096}, false);
    add(TensorRole::Down, 0, {4096, 11008}, false);
    add(TensorRole::FinalNorm, -1, {4096}, true);
    return Model::fromParts(ModelSource::HfFolder, "llama7b-block", c, std::move(ts));
}

void benchLlama7bBlock(unsigned threads)
{
    std::vector<std::int32_t> prompt(512);
    for (std::size_t i = 0; i < prompt.size(); ++i)
        prompt[i] = static_cast<std::int32_t>((i * 31) % 512);
    const std::pair<DType, WeightMode> runs[] = {{DType::F32, WeightMode::Resident},
                                                 {DType::F32, WeightMode::OnTheFly},
                                                 {DType::Q8_0, WeightMode::OnTheFly},
                                                 {DType::Q4_0, WeightMode::OnTheFly}};
    for (const auto &[type, mode] : runs) {
        auto model = llama7bBlock(type);
        if (!model) {
            std::printf("7B block: %s\n", model.error().message().c_str());
            return;
        }
        EngineOptions eo;
        eo.threads = threads;
        eo.weights = mode;
        auto e = CpuModel::load(*model, eo);
        if (!e) {
            std::printf("7B block: %s\n", e.error().message().c_str());
            return;
        }
        auto t0 = Clock::now();
        if (!(*e)->forward(prompt, false))
            return;
        const double prefill = since(t0);
        const std::int32_t one[1] = {7};
        t0 = Clock::now();
        const int steps = 16;
        for (int i = 0; i < steps; ++i)
            if (!(*e)->forward(one, false))
                return;
        const double decode = since(t0) / steps;
        std::printf("LLaMA-7B block (1 of 32), %s %s: prefill 512 tokens %.2f s = %.2f ms/token/layer; decode %.1f ms/token/layer "
                    "(=> ~%.1f s/token for 32 layers)\n",
                    std::string(dtypeName(type)).c_str(), mode == WeightMode::Resident ? "resident" : "on the fly", prefill, prefill / 512 * 1e3,
                    decode * 1e3, decode * 32);
    }
}
} // namespace

int main(int argc, char **argv)
{
    std::string shared = std::getenv("LOWBIT_SHARED_DIR") ? std::getenv("LOWBIT_SHARED_DIR") : "../shared";
    bool skipEval = false;
    unsigned threads = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--shared" && i + 1 < argc)
            shared = argv[++i];
        else if (a == "--skip-eval")
            skipEval = true;
        else if (a == "--threads" && i + 1 < argc)
            threads = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    }
    if (!skipEval)
        benchEval(shared);
    setComputeThreads(threads);
    benchMatmul();
    benchLlama7bBlock(threads);
    return 0;
}
