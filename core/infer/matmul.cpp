// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/infer/matmul.h"

#include "core/util/parallel.h"

#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

namespace lowbit {

struct Matmul::Impl {
    dnnl::engine engine{dnnl::engine::kind::cpu, 0};
    dnnl::stream stream{engine};
    std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, dnnl::matmul> cache;
};

Matmul::Matmul() : m_impl(std::make_unique<Impl>()) {}
Matmul::~Matmul() = default;

void Matmul::run(const float *x, std::int64_t m, std::int64_t k, const float *w, std::int64_t n, float *y)
{
    using dt = dnnl::memory::data_type;
    using tag = dnnl::memory::format_tag;
    const dnnl::memory::desc xd({m, k}, dt::f32, tag::ab);
    const dnnl::memory::desc wd({k, n}, dt::f32, tag::ba); // W stored [n, k] row-major = k×n column-major
    const dnnl::memory::desc yd({m, n}, dt::f32, tag::ab);
    auto key = std::make_tuple(m, k, n);
    auto it = m_impl->cache.find(key);
    if (it == m_impl->cache.end()) {
        const dnnl::matmul::desc desc(xd, wd, yd);
        const dnnl::matmul::primitive_desc pd(desc, m_impl->engine);
        it = m_impl->cache.emplace(key, dnnl::matmul(pd)).first;
    }
    dnnl::memory xm(xd, m_impl->engine, const_cast<float *>(x));
    dnnl::memory wm(wd, m_impl->engine, const_cast<float *>(w));
    dnnl::memory ym(yd, m_impl->engine, y);
    it->second.execute(m_impl->stream, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_DST, ym}});
    m_impl->stream.wait();
}

void matmulRef(const float *x, std::int64_t m, std::int64_t k, const float *w, std::int64_t n, float *y)
{
    for (std::int64_t i = 0; i < m; ++i)
        for (std::int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (std::int64_t c = 0; c < k; ++c)
                acc += static_cast<double>(x[i * k + c]) * w[j * k + c];
            y[i * n + j] = static_cast<float>(acc);
        }
}

void setComputeThreads(unsigned threads)
{
    omp_set_num_threads(static_cast<int>(threads == 0 ? defaultThreadCount() : threads));
}

} // namespace lowbit
