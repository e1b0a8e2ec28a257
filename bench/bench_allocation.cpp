// SPDX-License-Identifier: GPL-3.0-or-later
// Exact bit allocation for a LLaMA-7B-shaped problem: 32 blocks × 7 linears = 224 layers,
// 30 options each (code bits {2,3,4,5,6,8} × groups {32,64,128,256,per-channel}, fp16 scales),
// losses ∝ sensitivity·2^(−2·bpw) with ±20 % noise. Target: < 1 s per budget. The solver is
// single-threaded: the CPU time it used is printed beside the wall time, which a busy machine inflates.
//   bench_allocation [--budget 3.25] [--seed 1] [--trials 5]
#include "core/alloc/bit_allocation.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string>

using namespace lowbit;

int main(int argc, char **argv)
{
    double budgetBpw = 3.25;
    unsigned seed = 1;
    int trials = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--budget")
            budgetBpw = std::atof(argv[i + 1]);
        else if (a == "--seed")
            seed = static_cast<unsigned>(std::atoi(argv[i + 1]));
        else if (a == "--trials")
            trials = std::atoi(argv[i + 1]);
    }
    const std::int64_t d = 4096, ff = 11008;
    const std::int64_t shapes[7][2] = {{d, d}, {d, d}, {d, d}, {d, d}, {ff, d}, {ff, d}, {d, ff}};
    const int codeBits[6] = {2, 3, 4, 5, 6, 8};
    const std::int64_t groups[5] = {32, 64, 128, 256, 0};
    double worst = 0, total = 0, worstCpu = 0;
    for (int t = 0; t < trials; ++t) {
        std::mt19937 rng(seed + static_cast<unsigned>(t));
        std::uniform_real_distribution<double> u(0.0, 1.0);
        AllocProblem p;
        std::int64_t weights = 0;
        for (int block = 0; block < 32; ++block)
            for (const auto &s : shapes) {
                const std::int64_t n = s[0] * s[1];
                weights += n;
                const double sens = std::exp(3.0 * u(rng)); // layers differ by ~20×
                std::vector<AllocOption> opts;
                for (int b : codeBits)
                    for (std::int64_t g : groups) {
                        const std::int64_t gs = g == 0 ? s[1] : g;
                        const std::int64_t bits = n * b + (n / gs) * 16;
                        const double bpw = static_cast<double>(bits) / static_cast<double>(n);
                        opts.push_back({bits, sens * std::pow(2.0, -2.0 * bpw) * (0.8 + 0.4 * u(rng))});
                    }
                p.layers.push_back(std::move(opts));
            }
        p.budgetBits = static_cast<std::int64_t>(budgetBpw * static_cast<double>(weights));
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        auto s = solveAllocation(p);
        const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!s) {
            std::fprintf(stderr, "%s\n", s.error().message().c_str());
            return 1;
        }
        worst = std::max(worst, secs);
        worstCpu = std::max(worstCpu, cpu);
        total += secs;
        std::printf("trial %d: %zu layers x 30 options, budget %.3f bpw -> %.4f bpw, loss %.6g, %s, %llu nodes, %.3f s (CPU %.3f s)\n", t,
                    p.layers.size(), budgetBpw, static_cast<double>(s->bits) / static_cast<double>(weights), s->loss,
                    s->optimal ? "optimal" : "NODE LIMIT", static_cast<unsigned long long>(s->nodes), secs, cpu);
    }
    std::printf("mean %.3f s, worst %.3f s wall, worst %.3f s CPU (target < 1 s)\n", total / trials, worst, worstCpu);
    return 0;
}
