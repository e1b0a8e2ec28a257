// SPDX-License-Identifier: GPL-3.0-or-later
// Quantize and dequantize throughput of the fast paths per format on a rows × cols fp32 matrix
// (default 4096 × 4096), with 1 thread and with all threads, in GB/s of fp32 input
// (rows·cols·4 bytes / seconds, best of the repetitions). Targets: ≥ 1 GB/s per thread for scalar
// formats; a mixture ≤ 4× the cost of one member.
// Format names are the registry's (core/quant/format.h); scales fp16 unless the format fixes them.
//   bench_formats [--formats int4,fp4,...] [--group 128] [--reps 3] [--rows 4096] [--cols 4096] [--threads N] [--portable]
#include "core/quant/fast_quantize.h"
#include "core/quant/format.h"
#include "core/quant/simd_kernels.h"
#include "core/util/parallel.h"

#include <algorithm>
#include <chrono>
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

template <class F>
double bestSeconds(int reps, F &&f)
{
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
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
            std::fprintf(stderr, "usage: bench_formats [--formats a,b,...] [--group G] [--reps N] [--rows R] [--cols C] [--threads T] [--portable]\n");
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
    std::printf("%-18s %12s %12s %12s %12s\n", "format", "quant 1T", "quant NT", "dequant 1T", "dequant NT");
    std::printf("%-18s %12s %12s %12s %12s\n", "", "GB/s", "GB/s", "GB/s", "GB/s");
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
        double q[2] = {0, 0}, d[2] = {0, 0};
        FastQuantized result;
        for (int k = 0; k < 2; ++k) {
            const unsigned t = k == 0 ? 1u : threads;
            q[k] = gb / bestSeconds(reps, [&] {
                       auto r = quantizeWithPlan(w.data(), rows, cols, plan, nullptr, t);
                       if (r.ok())
                           result = std::move(*r);
                   });
            d[k] = gb / bestSeconds(reps, [&] { (void)dequantizeWithPlan(result, plan, out.data(), t); });
        }
        std::printf("%-18s %12.2f %12.2f %12.2f %12.2f\n", name.c_str(), q[0], q[1], d[0], d[1]);
        std::fflush(stdout);
    }
    return status;
}
