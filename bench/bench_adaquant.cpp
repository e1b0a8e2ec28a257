// SPDX-License-Identifier: GPL-3.0-or-later
// AdaQuant per-layer cost and gain on a synthetic layer with correlated inputs (H = Σ x xᵀ of
// x = z·M, channel magnitudes over two decades): for each format, the relative proxy error of
// RTN, adaquant-ste and adaquant-cont, and the wall and CPU (all threads) seconds of each rule. Target: a
// stories15M-sized layer (768 × 288 or 288 × 768) well under a second per rule at 200 iterations.
//   bench_adaquant [--formats int3,fp3-asym,...] [--rows 768] [--cols 288] [--group 32]
//                  [--iterations 200] [--lr 1e-3] [--threads N]
#include "core/methods/adaquant.h"
#include "core/methods/method.h"

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

/// CPU seconds of the whole process (all threads).
double cpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

ActivationStats correlatedStats(std::int64_t dim, std::int64_t tokens, std::uint32_t seed)
{
    std::mt19937 rng(seed);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> mix(static_cast<std::size_t>(8 * dim));
    for (auto &v : mix)
        v = nd(rng);
    std::vector<float> x(static_cast<std::size_t>(tokens * dim)), z(static_cast<std::size_t>(dim));
    for (std::int64_t t = 0; t < tokens; ++t) {
        for (auto &v : z)
            v = nd(rng);
        for (std::int64_t c = 0; c < dim; ++c) {
            float acc = 2.0f * z[static_cast<std::size_t>(c)];
            for (std::int64_t k = 0; k < 8; ++k)
                acc += z[static_cast<std::size_t>(k)] * mix[static_cast<std::size_t>(k * dim + c)];
            x[static_cast<std::size_t>(t * dim + c)] = acc * std::pow(10.0f, 2.0f * static_cast<float>(c % 7) / 6.0f - 1.0f);
        }
    }
    ActivationStats s;
    s.dim = dim;
    s.accumulate(x.data(), tokens);
    return s;
}

} // namespace

int main(int argc, char **argv)
{
    std::string formats = "int3,int4,fp3-asym,nf3-asym,bitmod-fp3,int4-asym,mxfp4,nvfp4";
    std::int64_t rows = 768, cols = 288, group = 32;
    MethodOptions opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i], v = argv[i + 1];
        if (a == "--formats")
            formats = v;
        else if (a == "--rows")
            rows = std::atoll(v.c_str());
        else if (a == "--cols")
            cols = std::atoll(v.c_str());
        else if (a == "--group")
            group = std::atoll(v.c_str());
        else if (a == "--iterations")
            opt.ada.iterations = std::atoi(v.c_str());
        else if (a == "--lr")
            opt.ada.learningRate = std::atof(v.c_str());
        else if (a == "--threads")
            opt.threads = static_cast<unsigned>(std::atoi(v.c_str()));
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    std::mt19937 rng(1);
    std::normal_distribution<float> nd(0.0f, 0.05f);
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    for (auto &v : w)
        v = nd(rng);
    const ActivationStats stats = correlatedStats(cols, 2 * cols, 2);
    LayerInput in;
    in.name = "bench";
    in.weight = w.data();
    in.rows = rows;
    in.cols = cols;
    in.stats = &stats;
    std::printf("layer %lld x %lld, group %lld, %d iterations, lr %g\n", static_cast<long long>(rows), static_cast<long long>(cols),
                static_cast<long long>(group), opt.ada.iterations, opt.ada.learningRate);
    std::printf("%-14s %10s %10s %10s %8s %8s %8s %8s\n", "format", "rtn", "ste", "cont", "ste s", "cont s", "ste cpu", "cont cpu");
    std::stringstream list(formats);
    std::string name;
    int status = 0;
    while (std::getline(list, name, ',')) {
        auto f = parseFormat(name);
        if (!f) {
            std::fprintf(stderr, "%s\n", f.error().message().c_str());
            return 2;
        }
        const bool fixed = f->family == FormatFamily::Mx || f->family == FormatFamily::Nvfp4;
        auto spec = fixed ? makeFormatSpec(*f) : makeFormatSpec(*f, group, ScaleStorage::F16);
        if (!spec) {
            std::fprintf(stderr, "%s\n", spec.error().message().c_str());
            return 2;
        }
        double err[3] = {0, 0, 0}, secs[3] = {0, 0, 0}, cpu[3] = {0, 0, 0};
        const char *methods[3] = {"rtn", "adaquant-ste", "adaquant-cont"};
        for (int m = 0; m < 3; ++m) {
            const auto t0 = std::chrono::steady_clock::now();
            const double c0 = cpuSeconds();
            auto r = (*findMethod(methods[m]))->run(in, *spec, opt, {}, {});
            secs[m] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            cpu[m] = cpuSeconds() - c0;
            if (!r) {
                std::fprintf(stderr, "%s %s: %s\n", name.c_str(), methods[m], r.error().message().c_str());
                status = 1;
                continue;
            }
            err[m] = r->report.proxyError;
        }
        std::printf("%-14s %10.5f %10.5f %10.5f %8.3f %8.3f %8.3f %8.3f\n", name.c_str(), err[0], err[1], err[2], secs[1], secs[2], cpu[1],
                    cpu[2]);
    }
    return status;
}
