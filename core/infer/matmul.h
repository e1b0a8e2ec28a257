// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Y[M, N] = X[M, K] · W[N, K]ᵀ in fp32 (activations times a row-major weight matrix): oneDNN
/// matmul primitives cached per shape, and the scalar reference the tests compare them with.

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>

namespace lowbit {

class Matmul {
public:
    Matmul();
    ~Matmul();
    Matmul(const Matmul &) = delete;
    Matmul &operator=(const Matmul &) = delete;

    void run(const float *x, std::int64_t m, std::int64_t k, const float *w, std::int64_t n, float *y);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Obviously-correct triple loop with double accumulation.
void matmulRef(const float *x, std::int64_t m, std::int64_t k, const float *w, std::int64_t n, float *y);

/// Sets the threads used by oneDNN and the engine's OpenMP loops (0 = all cores).
void setComputeThreads(unsigned threads);

} // namespace lowbit
