// SPDX-License-Identifier: GPL-3.0-or-later
// Quantize and dequantize throughput of the core/formats fast path per format on a 4096×4096
// fp32 matrix, 1 thread and all threads, in GB/s of fp32 input (best of --reps runs).
// usage: bench_formats [--group G] [--reps N] [--size N] [NAME ...]
#include "core/formats/fast_quantize.h"
#include "core/util/parallel.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace lowbit;
using namespace lowbit::formats;

namespace {

template <class F>
double bestSeconds(int reps, F &&fn)
{
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        fn();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = s < best ? s : best;
    }
    return best;
}

} // namespace

int main(int argc, char **argv)
{
    std::int64_t group = 32, n = 4096;
    int reps = 3;
    std::vector<std::string> names;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--group" || a == "--reps" || a == "--size") && i + 1 < argc) {
            const long v = std::strtol(argv[++i], nullptr, 10);
            if (a == "--group")
                group = v;
            else if (a == "--size")
                n = v > 0 ? v : n;
            else
                reps = v > 0 ? static_cast<int>(v) : reps;
        } else {
            names.push_back(a);
        }
    }
    if (names.empty())
        names = {"int4", "int4-asym", "int8", "fp3", "fp4", "fp4-asym", "nf4", "nf3-asym", "fp6-e3m2", "fp8-e4m3",
                 "iq4nl", "q4_0", "fp3-er-pos", "bitmod-fp3", "fp4-er-pos", "bitmod-fp4", "mix:int4|fp4|nf4", "mxfp4",
                 "mxfp6-e3m2", "nvfp4"};
    std::vector<float> x(static_cast<std::size_t>(n * n));
    std::mt19937 rng(42);
    std::student_t_distribution<float> td(4.0f);
    for (auto &v : x)
        v = 0.02f * td(rng);
    std::vector<float> y(x.size());
    const double gb = static_cast<double>(x.size()) * sizeof(float) / 1e9;
    const unsigned all = defaultThreadCount();
    std::printf("%lldx%lld fp32 (%.3f GB), group %lld, %s kernels, best of %d; GB/s of fp32 input\n",
                static_cast<long long>(n), static_cast<long long>(n), gb, static_cast<long long>(group), fastPathName(), reps);
    std::printf("%-20s %8s %10s %10s %10s %10s\n", "format", "bpw", "quant 1t", "dequant 1t", "quant " , "dequant");
    std::printf("%-20s %8s %10s %10s %9ut %9ut\n", "", "", "", "", all, all);
    for (const std::string &name : names) {
        auto spec = makeFormatSpec(name, group);
        if (!spec) {
            std::fprintf(stderr, "%s\n", spec.error().message().c_str());
            return 1;
        }
        double r[4] = {};
        int k = 0;
        for (const unsigned threads : {1u, all}) {
            const FastOptions o{threads, SimdPath::Auto};
            Result<QuantizedMatrix> q = makeError(ErrorCode::Internal, "not run");
            const double tq = bestSeconds(reps, [&] { q = quantizeFast(*spec, x.data(), n, n, nullptr, o); });
            if (!q) {
                std::fprintf(stderr, "%s\n", q.error().message().c_str());
                return 1;
            }
            const double td2 = bestSeconds(reps, [&] { dequantizeFast(*q, y.data(), o); });
            r[k++] = gb / tq;
            r[k++] = gb / td2;
        }
        std::printf("%-20s %8.4f %10.2f %10.2f %10.2f %10.2f\n", spec->format.name.c_str(),
                    bitsPerWeight(*spec, n, n)->bitsPerWeight, r[0], r[1], r[2], r[3]);
    }
    return 0;
}
