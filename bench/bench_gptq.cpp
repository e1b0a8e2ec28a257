// SPDX-License-Identifier: GPL-3.0-or-later
// GPTQ on one large layer (default 4096 × 4096, as LLaMA-7B's attention projections) with a
// Hessian from random correlated tokens (default 4096; channels AR(1) with ρ = 0.9 and log-normal
// scales), per format: wall-clock and process CPU seconds of the whole method (Hessian
// preparation, blocked column loop, packing and the report's proxy error), of the Hessian
// preparation alone and of the report's proxy error alone (finishReport's fp64 tr(ΔW H ΔWᵀ) and
// tr(W H Wᵀ), common to every method), with the proxy error against RTN's. CPU seconds are
// given too: on a shared machine they show the work when the wall clock shows the queue.
// Target: < 10 s per format on 2 threads.
//   bench_gptq [--formats int4,int3] [--group 128] [--rows 4096] [--cols 4096] [--tokens 4096]
//              [--threads 2] [--block 128] [--act-order] [--updated]
#include "core/calib/calibration.h"
#include "core/methods/gptq.h"
#include "core/methods/gptq_hessian.h"
#include "core/methods/proxy_error.h"
#include "core/quant/format.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lowbit;

namespace {

double processCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Clock {
    std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
    double cpu = processCpuSeconds();
    double wallSeconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count(); }
    double cpuSeconds() const { return processCpuSeconds() - cpu; }
};

} // namespace

int main(int argc, char **argv)
{
    std::string formats = "int4,int3";
    std::int64_t group = 128, rows = 4096, cols = 4096, tokens = 4096;
    MethodOptions opt;
    opt.threads = 2;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--formats" && hasValue)
            formats = argv[++i];
        else if (a == "--group" && hasValue)
            group = std::atoll(argv[++i]);
        else if (a == "--rows" && hasValue)
            rows = std::max(1LL, std::atoll(argv[++i]));
        else if (a == "--cols" && hasValue)
            cols = std::max(1LL, std::atoll(argv[++i]));
        else if (a == "--tokens" && hasValue)
            tokens = std::max(1LL, std::atoll(argv[++i]));
        else if (a == "--threads" && hasValue)
            opt.threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
        else if (a == "--block" && hasValue)
            opt.gptq.blockSize = std::max(1LL, std::atoll(argv[++i]));
        else if (a == "--act-order")
            opt.gptq.actOrder = true;
        else if (a == "--updated")
            opt.gptq.paramsFrom = GroupParamsSource::Updated;
        else {
            std::fprintf(stderr, "usage: bench_gptq [--formats int4,int3] [--group 128] [--rows N] [--cols N] [--tokens N] "
                                 "[--threads 2] [--block 128] [--act-order] [--updated]\n");
            return 2;
        }
    }

    std::printf("GPTQ on %lld x %lld, H from %lld correlated tokens, %u threads, block %lld%s%s\n", static_cast<long long>(rows),
                static_cast<long long>(cols), static_cast<long long>(tokens), opt.threads, static_cast<long long>(opt.gptq.blockSize),
                opt.gptq.actOrder ? ", act-order" : "", opt.gptq.paramsFrom == GroupParamsSource::Updated ? ", updated params" : "");
    std::mt19937 rng(42);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    for (float &v : w)
        v = 0.02f * normal(rng);
    std::vector<float> scale(static_cast<std::size_t>(cols));
    for (float &s : scale)
        s = std::exp(0.7f * normal(rng));
    ActivationStats stats;
    stats.dim = cols;
    {
        const Clock c;
        constexpr std::int64_t kChunk = 256;
        std::vector<float> x(static_cast<std::size_t>(kChunk * cols));
        for (std::int64_t t0 = 0; t0 < tokens; t0 += kChunk) {
            const std::int64_t n = std::min(kChunk, tokens - t0);
            for (std::int64_t t = 0; t < n; ++t) {
                float prev = normal(rng);
                for (std::int64_t j = 0; j < cols; ++j) {
                    prev = 0.9f * prev + 0.43589f * normal(rng);
                    x[static_cast<std::size_t>(t * cols + j)] = prev * scale[static_cast<std::size_t>(j)];
                }
            }
            stats.accumulate(x.data(), n);
        }
        std::printf("Hessian accumulation (not timed below): %.2f s\n", c.wallSeconds());
    }
    LayerInput in;
    in.name = "bench.weight";
    in.weight = w.data();
    in.rows = rows;
    in.cols = cols;
    in.stats = &stats;

    {
        const Clock c;
        const auto h = prepareGptqHessian(stats.hessian.data(), cols, opt.gptq.damp, opt.gptq.actOrder, in.name, opt.threads);
        if (!h) {
            std::fprintf(stderr, "%s\n", h.error().message().c_str());
            return 1;
        }
        std::printf("Hessian preparation alone (damping, Cholesky, inverse factor): %.2f s wall, %.2f s CPU\n", c.wallSeconds(),
                    c.cpuSeconds());
    }
    std::printf("%-12s %9s %9s %12s %12s %s\n", "format", "wall s", "CPU s", "proxy GPTQ", "proxy RTN", "target < 10 s");
    std::stringstream list(formats);
    std::string name;
    int failures = 0;
    while (std::getline(list, name, ',')) {
        auto format = parseFormat(name);
        auto spec = format ? makeFormatSpec(*format, group, ScaleStorage::F16) : Result<FormatSpec>(format.error());
        if (!spec) {
            std::fprintf(stderr, "%s: %s\n", name.c_str(), spec.error().message().c_str());
            return 2;
        }
        const Clock c;
        const auto g = runGptq(in, *spec, opt, {}, {});
        const double wall = c.wallSeconds(), cpu = c.cpuSeconds();
        if (!g) {
            std::fprintf(stderr, "%s: %s\n", name.c_str(), g.error().message().c_str());
            return 1;
        }
        // The report's proxy error (finishReport, shared by every method) timed on its own.
        std::vector<float> deq(w.size());
        (void)g->tensor->decodeRows(deq.data(), 0, rows);
        const Clock cr;
        (void)proxyError(w.data(), deq.data(), rows, cols, stats.hessian.data());
        const double reportWall = cr.wallSeconds(), reportCpu = cr.cpuSeconds();
        const auto rtn = runRtn(in, *spec, opt, {}, {});
        std::printf("%-12s %9.2f %9.2f %12.5f %12.5f %s\n", (name + " g" + std::to_string(group)).c_str(), wall, cpu, g->report.proxyError,
                    rtn ? rtn->report.proxyError : std::nan(""), wall < 10.0 ? "met" : "MISSED");
        std::printf("  of which the report's proxy error alone: %.2f s wall, %.2f s CPU; GPTQ without it: %.2f s wall, %.2f s CPU\n",
                    reportWall, reportCpu, wall - reportWall, cpu - reportCpu);
        std::printf("  %s\n", g->report.detail.c_str());
        failures += wall < 10.0 ? 0 : 1;
    }
    return failures == 0 ? 0 : 1;
}
