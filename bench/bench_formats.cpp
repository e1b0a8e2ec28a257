// SPDX-License-Identifier: GPL-3.0-or-later
// Quantize and dequantize throughput of the fast paths per format on a rows × cols fp32 matrix
// (default 4096 × 4096), with 1 thread and with all threads, in GB/s of fp32 input
// (rows·cols·4 bytes / seconds, best of the repetitions). Targets: ≥ 1 GB/s per thread for scalar
// formats; a mixture ≤ 4× the cost of one member.
//   bench_formats [--formats int4,fp4,...] [--reps 3] [--rows 4096] [--cols 4096] [--threads N] [--portable]
#include "core/quant/fast_quantize.h"
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

std::vector<float> withValue(std::vector<float> g, float v)
{
    g.push_back(v);
    std::sort(g.begin(), g.end());
    return g;
}

FastPlan bitmod(const std::vector<float> &base, float er, float ea)
{
    return fastMixturePlan({fastGridMember(withValue(base, er), false), fastGridMember(withValue(base, -er), false),
                            fastGridMember(withValue(base, ea), false), fastGridMember(withValue(base, -ea), false)},
                           128, FastScaleRound::F16);
}

std::map<std::string, std::function<FastPlan()>> planTable()
{
    const std::vector<float> nf4{-1.0f, -0.6961928f, -0.5250731f, -0.3949175f, -0.2844414f, -0.1847734f, -0.0910500f, 0.0f,
                                 0.0795803f, 0.1609302f, 0.2461123f, 0.3379152f, 0.4407098f, 0.5626170f, 0.7229568f, 1.0f};
    const std::vector<float> fp3{-4, -2, -1, 0, 1, 2, 4};
    const std::vector<float> fp4x2{-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12};
    const auto f16 = FastScaleRound::F16;
    std::map<std::string, std::function<FastPlan()>> t;
    for (unsigned k = 2; k <= 8; ++k) {
        t["int" + std::to_string(k)] = [k, f16] { return fastSinglePlan(fastIntMember(k), 128, f16); };
        t["int" + std::to_string(k) + "-asym"] = [k, f16] { return fastSinglePlan(fastIntAsymMember(k), 128, f16); };
    }
    t["fp3"] = [=] { return fastSinglePlan(fastGridMember(fp3, false), 128, f16); };
    t["fp4"] = [=] { return fastSinglePlan(fastGridMember(minifloatGrid(2, 1), false), 128, f16); };
    t["fp4-asym"] = [=] { return fastSinglePlan(fastGridMember(minifloatGrid(2, 1), true), 128, f16); };
    t["fp6-e3m2"] = [=] { return fastSinglePlan(fastGridMember(minifloatGrid(3, 2), false), 128, f16); };
    t["fp8-e4m3"] = [=] { return fastSinglePlan(fastGridMember(minifloatGrid(4, 3), false), 128, f16); };
    t["nf4"] = [=] { return fastSinglePlan(fastGridMember(nf4, false), 128, f16); };
    t["nf4-asym"] = [=] { return fastSinglePlan(fastGridMember(nf4, true), 128, f16); };
    t["iq4nl"] = [=] { return fastSinglePlan(fastIq4nlMember(), 32, f16); };
    t["fp3-er-pos"] = [=] { return fastSinglePlan(fastGridMember(withValue(fp3, 3), false), 128, f16); };
    t["fp4-er-pos"] = [=] { return fastSinglePlan(fastGridMember(withValue(fp4x2, 10), false), 128, f16); };
    t["bitmod-fp3"] = [=] { return bitmod(fp3, 3, 6); };
    t["bitmod-fp4"] = [=] { return bitmod(fp4x2, 10, 16); };
    t["mix:int4|fp4|nf4"] = [=] {
        return fastMixturePlan({fastIntMember(4), fastGridMember(minifloatGrid(2, 1), false), fastGridMember(nf4, false)}, 128, f16);
    };
    t["mxfp4"] = [] { return fastMxPlan(minifloatGrid(2, 1), 2); };
    t["mxfp6-e3m2"] = [] { return fastMxPlan(minifloatGrid(3, 2), 4); };
    t["mxfp6-e2m3"] = [] { return fastMxPlan(minifloatGrid(2, 3), 2); };
    t["mxfp8-e4m3"] = [] { return fastMxPlan(minifloatGrid(4, 3), 8); };
    t["nvfp4"] = [] { return fastNvfp4Plan(); };
    return t;
}

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
    std::int64_t rows = 4096, cols = 4096;
    unsigned threads = defaultThreadCount();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (a == "--formats" && hasValue)
            formats = argv[++i];
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
            std::fprintf(stderr, "usage: bench_formats [--formats a,b,...] [--reps N] [--rows R] [--cols C] [--threads T] [--portable]\n");
            return 2;
        }
    }
    const auto table = planTable();
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    std::mt19937 rng(1);
    std::student_t_distribution<float> st(5.0f);
    for (auto &x : w)
        x = st(rng) * 0.02f;
    std::vector<float> out(w.size());
    const double gb = static_cast<double>(w.size()) * 4.0 / 1e9;
    std::printf("matrix %lld x %lld fp32 (%.1f MB), %s kernels, %u threads (hardware %u), best of %d\n", static_cast<long long>(rows),
                static_cast<long long>(cols), gb * 1e3, simd::avx2Active() ? "AVX2" : "portable", threads, defaultThreadCount(), reps);
    std::printf("%-18s %12s %12s %12s %12s\n", "format", "quant 1T", "quant NT", "dequant 1T", "dequant NT");
    std::printf("%-18s %12s %12s %12s %12s\n", "", "GB/s", "GB/s", "GB/s", "GB/s");
    std::stringstream list(formats);
    std::string name;
    int status = 0;
    while (std::getline(list, name, ',')) {
        const auto it = table.find(name);
        if (it == table.end()) {
            std::fprintf(stderr, "unknown format '%s'; known:", name.c_str());
            for (const auto &kv : table)
                std::fprintf(stderr, " %s", kv.first.c_str());
            std::fprintf(stderr, "\n");
            status = 2;
            continue;
        }
        const FastPlan plan = it->second();
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
