// SPDX-License-Identifier: GPL-3.0-or-later
// Benchmark of `lowbit inspect`'s work: open a generated model and compute every tensor's
// statistics in one pass. Reports seconds and peak RSS against the largest tensor's size.
//
//   bench_inspect [--gb 2] [--dir /tmp] [--threads N]     a real 2 GB fp16 safetensors model (random data)
//   bench_inspect --shape 7b [--dir /tmp]                  a LLaMA-2-7B-shaped fp16 model as a sparse file
//                                                          (13.5 GB logical, zero pages: checks that RSS stays
//                                                          near one tensor, not the model)
#include "core/dtypes/scalar_convert.h"
#include "core/model/model.h"
#include "core/model/tensor_role.h"
#include "core/stats/tensor_stats.h"
#include "core/util/json.h"

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <random>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

using namespace lowbit;

namespace {

struct Shape {
    std::int64_t dim, hidden, layers, heads, kvHeads, vocab;
};

long peakRssKiB()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/// Writes config.json + model.safetensors (fp16). With sparse = true the data section is a hole.
bool writeModel(const std::string &dir, const Shape &s, bool sparse, std::uint64_t &largestTensorBytes, std::uint64_t &totalBytes)
{
    std::filesystem::create_directories(dir);
    ModelConfig c;
    c.modelType = "llama";
    c.hiddenSize = s.dim;
    c.intermediateSize = s.hidden;
    c.numLayers = s.layers;
    c.numHeads = s.heads;
    c.numKvHeads = s.kvHeads;
    c.headDim = s.dim / s.heads;
    c.vocabSize = s.vocab;
    c.maxPositions = 4096;
    const std::string cfg = hfConfigJson(c).dump(2);
    FILE *f = std::fopen((dir + "/config.json").c_str(), "wb");
    if (!f)
        return false;
    std::fwrite(cfg.data(), 1, cfg.size(), f);
    std::fclose(f);

    struct T {
        std::string name;
        std::int64_t r, c;
    };
    std::vector<T> ts;
    ts.push_back({hfTensorName(TensorRole::Embedding, -1), s.vocab, s.dim});
    const std::int64_t kv = s.kvHeads * (s.dim / s.heads);
    for (int l = 0; l < s.layers; ++l) {
        ts.push_back({hfTensorName(TensorRole::AttnNorm, l), 0, s.dim});
        ts.push_back({hfTensorName(TensorRole::Q, l), s.dim, s.dim});
        ts.push_back({hfTensorName(TensorRole::K, l), kv, s.dim});
        ts.push_back({hfTensorName(TensorRole::V, l), kv, s.dim});
        ts.push_back({hfTensorName(TensorRole::O, l), s.dim, s.dim});
        ts.push_back({hfTensorName(TensorRole::FfnNorm, l), 0, s.dim});
        ts.push_back({hfTensorName(TensorRole::Gate, l), s.hidden, s.dim});
        ts.push_back({hfTensorName(TensorRole::Up, l), s.hidden, s.dim});
        ts.push_back({hfTensorName(TensorRole::Down, l), s.dim, s.hidden});
    }
    ts.push_back({hfTensorName(TensorRole::FinalNorm, -1), 0, s.dim});
    ts.push_back({hfTensorName(TensorRole::Output, -1), s.vocab, s.dim});

    Json header = Json::object();
    std::uint64_t off = 0;
    largestTensorBytes = 0;
    for (const auto &t : ts) {
        const std::uint64_t n = static_cast<std::uint64_t>(t.r == 0 ? 1 : t.r) * static_cast<std::uint64_t>(t.c);
        Json e = Json::object();
        e["dtype"] = Json("F16");
        Json shape = Json::array();
        if (t.r != 0)
            shape.push(Json(static_cast<long long>(t.r)));
        shape.push(Json(static_cast<long long>(t.c)));
        e["shape"] = std::move(shape);
        Json offs = Json::array();
        offs.push(Json(static_cast<unsigned long long>(off)));
        offs.push(Json(static_cast<unsigned long long>(off + 2 * n)));
        e["data_offsets"] = std::move(offs);
        header[t.name] = std::move(e);
        off += 2 * n;
        largestTensorBytes = std::max<std::uint64_t>(largestTensorBytes, 2 * n);
    }
    std::string h = header.dump();
    while (h.size() % 8)
        h += ' ';
    totalBytes = 8 + h.size() + off;
    const int fd = ::open((dir + "/model.safetensors").c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0)
        return false;
    const std::uint64_t hl = h.size();
    bool ok = ::write(fd, &hl, 8) == 8 && ::write(fd, h.data(), h.size()) == static_cast<ssize_t>(h.size());
    if (sparse) {
        ok = ok && ::ftruncate(fd, static_cast<off_t>(totalBytes)) == 0;
    } else {
        std::mt19937 rng(1);
        std::normal_distribution<float> dist(0.0f, 0.02f);
        std::vector<std::uint16_t> buf(1 << 20);
        std::uint64_t left = off / 2;
        while (ok && left > 0) {
            const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
            for (std::size_t i = 0; i < n; ++i)
                buf[i] = floatToFp16(dist(rng));
            ok = ::write(fd, buf.data(), 2 * n) == static_cast<ssize_t>(2 * n);
            left -= n;
        }
    }
    ::close(fd);
    return ok;
}

} // namespace

int main(int argc, char **argv)
{
    double gb = 2.0;
    std::string dir = "/tmp";
    std::string shape;
    unsigned threads = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--gb" && i + 1 < argc)
            gb = std::atof(argv[++i]);
        else if (a == "--dir" && i + 1 < argc)
            dir = argv[++i];
        else if (a == "--shape" && i + 1 < argc)
            shape = argv[++i];
        else if (a == "--threads" && i + 1 < argc)
            threads = static_cast<unsigned>(std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: bench_inspect [--gb G | --shape 7b] [--dir DIR] [--threads N]\n");
            return 2;
        }
    }
    Shape s;
    bool sparse = false;
    if (shape == "7b") {
        s = {4096, 11008, 32, 32, 32, 32000};
        sparse = true;
    } else {
        // scale a 2048-wide model's layer count to reach the requested size in fp16
        s = {2048, 5632, 1, 16, 4, 32000};
        const double perLayer = 2.0 * (2048.0 * 2048 * 2 + 2.0 * 512 * 2048 + 3.0 * 5632 * 2048);
        const double fixed = 2.0 * 2 * 32000.0 * 2048;
        s.layers = std::max<std::int64_t>(1, static_cast<std::int64_t>((gb * 1e9 - fixed) / perLayer));
    }
    const std::string modelDir = dir + "/lowbit_bench_inspect_" + (sparse ? "7b" : "real");
    std::uint64_t largest = 0, total = 0;
    const auto t0 = std::chrono::steady_clock::now();
    if (!writeModel(modelDir, s, sparse, largest, total)) {
        std::fprintf(stderr, "cannot write %s\n", modelDir.c_str());
        return 1;
    }
    if (!sparse) // measure a cold-ish read of our own pages, not the writer's dirty cache
        ::sync();
    const auto t1 = std::chrono::steady_clock::now();
    const long rssBefore = peakRssKiB();
    auto model = Model::open(modelDir);
    if (!model) {
        std::fprintf(stderr, "%s\n", model.error().message().c_str());
        return 1;
    }
    StatsOptions opt;
    opt.threads = threads;
    opt.reclaimPages = true;
    double checksum = 0;
    for (const auto &t : model->tensors()) {
        auto st = computeTensorStats(t.view, opt);
        if (!st) {
            std::fprintf(stderr, "%s\n", st.error().message().c_str());
            return 1;
        }
        checksum += st->std;
    }
    const auto t2 = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(t2 - t1).count();
    std::printf("model            %s (%s, %zu tensors, %.3f G params)\n", modelDir.c_str(), sparse ? "sparse 7B shape" : "random fp16",
                model->tensors().size(), static_cast<double>(model->totalParams()) / 1e9);
    std::printf("file size        %.2f GB\n", static_cast<double>(total) / 1e9);
    std::printf("generate         %.1f s\n", std::chrono::duration<double>(t1 - t0).count());
    std::printf("inspect          %.2f s  (%.2f GB/s of file, threads %u)\n", secs, static_cast<double>(total) / 1e9 / secs,
                threads ? threads : std::thread::hardware_concurrency());
    std::printf("peak RSS         %.1f MiB (before open %.1f MiB)\n", static_cast<double>(peakRssKiB()) / 1024.0, static_cast<double>(rssBefore) / 1024.0);
    std::printf("largest tensor   %.1f MiB\n", static_cast<double>(largest) / (1 << 20));
    std::printf("checksum         %.6g\n", checksum);
    std::filesystem::remove_all(modelDir);
    return 0;
}
