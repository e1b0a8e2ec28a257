// SPDX-License-Identifier: GPL-3.0-or-later
// Quantize and dequantize throughput of the fast paths per format on a rows × cols fp32 matrix
// (default 4096 × 4096), with 1 thread and with all threads, in GB/s of fp32 input
// (rows·cols·4 bytes / seconds, best of the repetitions). Targets: ≥ 1 GB/s per thread for scalar
// formats; a mixture ≤ 4× the cost of one member.
// Format names are the registry's (core/quant/format.h); scales fp16 unless the format fixes them.
//   bench_quant [--formats int4,fp4,...] [--group 128] [--reps 3] [--rows 4096] [--cols 4096] [--threads N] [--portable]
#include "core/quant/fast_quantize.h"
#include "core/quant/format.h"
#include "core/quant/simd_kernels.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace lowbit;

namespace {

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Timing {
    double wall = 1e300; ///< best wall-clock seconds
    double cpu = 1e300;  ///< best CPU seconds of the calling thread (the whole run when single-threaded)
};

template <class F>
Timing bestSeconds(int reps, F &&f)
{
    Timing best;
    for (int r = 0; r < reps; ++r) {
        const double c0 = threadCpuSeconds();
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best.wall = std::min(best.wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        best.cpu = std::min(best.cpu, threadCpuSeconds() - c0);
    }
    return best;
}

} // namespace

int main(int argc, char **argv)
{
    std::string formats = "int4,int8,int4-asym,fp3,fp4,fp4-asym,fp6-e3m2,fp8-e4m3,nf4,nf4-asym,iq4nl,fp3-er-pos,bitmod-fp3,fp4-er-pos,"
                          "bitmod-fp4,mix:int4|fp4|nf4,mxfp4,mxfp6-e3m2,mxfp8-e4m3,nvfp4";
    int reps = 3;
    std::int64_t group = 128;
    std::int64_t rows = 4096, cols = 4096;
    unsigned threads = defaultThreadCount();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--formats" && hasValue)
            formats = argv[++i];
        else if (a == "--group" && hasValue)
            group = std::atoi(argv[++i]);
        else if (a == "--reps" && hasValue)
            reps = std::max(1, std::atoi(argv[++i]));
        else if (a == "--rows" && hasValue)
            rows = std::max(1, std::atoi(argv[++i]));
        else if (a == "--cols" && hasValue)
            cols = std::max(1, std::atoi(argv[++i]));
        else if (a == "--threads" && hasValue)
            threads = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
        else if (a == "--portable")
            simd::forcePortable(true);
        else {
            std::fprintf(stderr, "usage: bench_quant [--formats a,b,...] [--group G] [--reps N] [--rows R] [--cols C] [--threads T] [--portable]\n");
            return 2;
        }
    }
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    std::mt19937 rng(1);
    std::student_t_distribution<float> st(5.0f);
    for (auto &x : w)
        x = st(rng) * 0.02f;
    std::vector<float> out(w.size());
    const double gb = static_cast<double>(w.size()) * 4.0 / 1e9;
    std::printf("matrix %lld x %lld fp32 (%.1f MB), group %lld (MX/NVFP4: theirs), %s kernels, %u threads (hardware %u), best of %d\n",
                static_cast<long long>(rows), static_cast<long long>(cols), gb * 1e3, static_cast<long long>(group), simd::avx2Active() ? "AVX2" : "portable", threads, defaultThreadCount(), reps);
    std::printf("GB/s of fp32 input by wall clock; 'cpu' columns: by the thread's CPU time (immune to a shared machine)\n");
    std::printf("%-18s %9s %9s %9s %11s %11s %11s\n", "format", "quant 1T", "cpu 1T", "quant NT", "dequant 1T", "cpu 1T", "dequant NT");
    std::stringstream list(formats);
    std::string name;
    int status = 0;
    while (std::getline(list, name, ',')) {
        auto format = parseFormat(name);
        if (!format) {
            std::fprintf(stderr, "%s\n", format.error().message().c_str());
            status = 2;
            continue;
        }
        const bool fixed = format->family == FormatFamily::Mx || format->family == FormatFamily::Nvfp4;
        auto spec = fixed ? makeFormatSpec(*format) : makeFormatSpec(*format, group, ScaleStorage::F16);
        if (!spec) {
            std::fprintf(stderr, "%s\n", spec.error().message().c_str());
            status = 2;
            continue;
        }
        auto planned = planForSpec(*spec);
        if (!planned) {
            std::fprintf(stderr, "%s\n", planned.error().message().c_str());
            status = 2;
            continue;
        }
        const FastPlan plan = std::move(*planned);
        Timing q[2], d[2];
        FastQuantized result;
        for (int k = 0; k < 2; ++k) {
            const unsigned t = k == 0 ? 1u : threads;
            q[k] = bestSeconds(reps, [&] {
                auto r = quantizeWithPlan(w.data(), rows, cols, plan, nullptr, t);
                if (r.ok())
                    result = std::move(*r);
            });
            d[k] = bestSeconds(reps, [&] { (void)dequantizeWithPlan(result, plan, out.data(), t); });
        }
        std::printf("%-18s %9.2f %9.2f %9.2f %11.2f %11.2f %11.2f\n", name.c_str(), gb / q[0].wall, gb / q[0].cpu, gb / q[1].wall,
                    gb / d[0].wall, gb / d[0].cpu, gb / d[1].wall);
        std::fflush(stdout);
    }
    return status;
}
