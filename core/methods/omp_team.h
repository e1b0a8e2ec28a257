// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// A fixed team of OpenMP threads for the second-order methods (GPTQ, clipping search): each
/// member works on its own share and calls Eigen products itself. Eigen runs a product
/// single-threaded inside an active parallel region, so the team size is the only thread count
/// in play (no nested teams, no oversubscription of the machine).

#include "core/util/parallel.h"

#include <algorithm>
#include <cstdint>

#include <omp.h>

namespace lowbit {

/// Calls fn(member, members) once on each of up to `threads` OpenMP threads (0: all hardware
/// threads); `members` is the team size actually granted. With one thread, fn runs on the calling
/// thread with its OpenMP team size limited to 1 for the call (so Eigen opens no team of its
/// own), then the caller's setting is restored. fn must not throw.
template <class Fn>
void runOmpTeam(unsigned threads, Fn &&fn)
{
    const int wanted = static_cast<int>(threads == 0 ? defaultThreadCount() : threads);
    if (wanted <= 1) {
        const int saved = omp_get_max_threads();
        omp_set_num_threads(1);
        fn(0, 1);
        omp_set_num_threads(saved);
        return;
    }
#pragma omp parallel num_threads(wanted)
    fn(omp_get_thread_num(), omp_get_num_threads());
}

/// The rows [begin, end) of member `member` of `members` when n rows are split evenly.
inline void teamShare(std::int64_t n, int member, int members, std::int64_t &begin, std::int64_t &end)
{
    const std::int64_t chunk = (n + members - 1) / members;
    begin = std::min<std::int64_t>(n, chunk * member);
    end = std::min<std::int64_t>(n, begin + chunk);
}

} // namespace lowbit
