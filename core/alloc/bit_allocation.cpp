// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/alloc/bit_allocation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace lowbit {

namespace {

struct Opt {
    std::int64_t bits;
    double loss;
    int index; ///< in the caller's option list
};

struct Breakpoint {
    std::int64_t bits; ///< cumulative extra bits over the cheapest choice
    double loss;       ///< cumulative loss change (≤ 0)
};

struct Increment {
    int depth;          ///< search depth of the layer it belongs to
    std::int64_t dbits; ///< > 0
    double dloss;       ///< < 0
};

/// Search state over layers reordered by depth.
class Solver {
public:
    Solver(const AllocProblem &p, const AllocOptions &o, std::stop_token stop) : m_options(o), m_stop(stop)
    {
        const std::size_t L = p.layers.size();
        // Efficient options per layer: sorted by bits, strictly decreasing loss (the rest are dominated).
        std::vector<std::vector<Opt>> eff(L);
        for (std::size_t l = 0; l < L; ++l) {
            std::vector<Opt> all;
            for (std::size_t i = 0; i < p.layers[l].size(); ++i)
                all.push_back({p.layers[l][i].bits, p.layers[l][i].loss, static_cast<int>(i)});
            std::sort(all.begin(), all.end(), [](const Opt &a, const Opt &b) { return a.bits != b.bits ? a.bits < b.bits : a.loss < b.loss; });
            for (const Opt &x : all)
                if (eff[l].empty() || x.loss < eff[l].back().loss)
                    eff[l].push_back(x);
        }
        // Fix the layers with the widest loss range first: they decide the most.
        m_order.resize(L);
        std::iota(m_order.begin(), m_order.end(), 0);
        std::stable_sort(m_order.begin(), m_order.end(), [&](std::size_t a, std::size_t b) {
            return eff[a].front().loss - eff[a].back().loss > eff[b].front().loss - eff[b].back().loss;
        });
        for (std::size_t d = 0; d < L; ++d)
            m_layers.push_back(std::move(eff[m_order[d]]));
        // Lower convex hull of each layer → increments, merged by efficiency.
        for (std::size_t d = 0; d < L; ++d) {
            const auto &e = m_layers[d];
            std::vector<std::size_t> hull;
            for (std::size_t i = 0; i < e.size(); ++i) {
                while (hull.size() >= 2) {
                    const Opt &a = e[hull[hull.size() - 2]], &b = e[hull.back()], &c = e[i];
                    // drop b when it lies on or above the segment a–c
                    const long double cross = static_cast<long double>(b.bits - a.bits) * (c.loss - a.loss)
                        - static_cast<long double>(c.bits - a.bits) * (b.loss - a.loss);
                    if (cross <= 0)
                        hull.pop_back();
                    else
                        break;
                }
                hull.push_back(i);
            }
            for (std::size_t h = 1; h < hull.size(); ++h)
                m_incs.push_back({static_cast<int>(d), e[hull[h]].bits - e[hull[h - 1]].bits, e[hull[h]].loss - e[hull[h - 1]].loss});
        }
        std::stable_sort(m_incs.begin(), m_incs.end(), [](const Increment &a, const Increment &b) {
            return a.dloss / static_cast<double>(a.dbits) < b.dloss / static_cast<double>(b.dbits); // most loss saved per bit first
        });
        // Per depth, the LP's breakpoints over the layers still free (depth..L−1).
        m_cumulative.resize(L + 1);
        for (std::size_t d = 0; d <= L; ++d) {
            std::int64_t b = 0;
            double l = 0;
            for (const Increment &inc : m_incs)
                if (static_cast<std::size_t>(inc.depth) >= d) {
                    b += inc.dbits;
                    l += inc.dloss;
                    m_cumulative[d].push_back({b, l});
                }
        }
        m_suffixBits.assign(L + 1, 0);
        m_suffixLoss.assign(L + 1, 0.0);
        for (std::size_t d = L; d-- > 0;) {
            m_suffixBits[d] = m_suffixBits[d + 1] + m_layers[d].front().bits;
            m_suffixLoss[d] = m_suffixLoss[d + 1] + m_layers[d].front().loss;
        }
        m_choice.assign(L, 0);
        m_best.assign(L, 0);
    }

    std::int64_t minBits() const { return m_suffixBits[0]; }

    /// LP relaxation of layers depth..L−1 with `avail` bits; +inf when infeasible. The LP value is
    /// piecewise linear in the budget: a binary search over that depth's cumulative increments.
    double lpBound(std::size_t depth, std::int64_t avail) const
    {
        if (m_suffixBits[depth] > avail)
            return std::numeric_limits<double>::infinity();
        const std::int64_t left = avail - m_suffixBits[depth];
        const auto &cum = m_cumulative[depth];
        // first breakpoint whose cumulative bits exceed the budget left
        const auto it = std::upper_bound(cum.begin(), cum.end(), left, [](std::int64_t v, const Breakpoint &b) { return v < b.bits; });
        if (it == cum.begin())
            return m_suffixLoss[depth] + (cum.empty() ? 0.0 : cum.front().loss * (static_cast<double>(left) / static_cast<double>(cum.front().bits)));
        const Breakpoint &prev = *(it - 1);
        double loss = m_suffixLoss[depth] + prev.loss;
        if (it != cum.end()) // the fractional part of the next increment
            loss += (it->loss - prev.loss) * (static_cast<double>(left - prev.bits) / static_cast<double>(it->bits - prev.bits));
        return loss;
    }

    Result<AllocSolution> run(std::int64_t budget)
    {
        m_budget = budget;
        const double root = lpBound(0, budget);
        greedyIncumbent();
        dfs(0, 0, 0.0);
        if (m_stop.stop_requested())
            return makeError(ErrorCode::Cancelled, "bit allocation cancelled");
        AllocSolution s;
        s.nodes = m_nodes;
        s.optimal = m_nodes < m_options.maxNodes;
        s.choice.assign(m_layers.size(), 0);
        for (std::size_t d = 0; d < m_layers.size(); ++d) {
            const Opt &o = m_layers[d][static_cast<std::size_t>(m_best[d])];
            s.choice[m_order[d]] = o.index;
            s.bits += o.bits;
            s.loss += o.loss;
        }
        s.lowerBound = s.optimal ? s.loss : std::min(root, s.loss);
        return s;
    }

private:
    /// A feasible start: per layer, the hull point the LP reaches, fractional part rounded down.
    void greedyIncumbent()
    {
        // walk the increments again, tracking the hull point per layer in efficient-option terms
        std::vector<std::int64_t> bits(m_layers.size());
        for (std::size_t d = 0; d < m_layers.size(); ++d) {
            m_best[d] = 0;
            bits[d] = m_layers[d].front().bits;
        }
        std::int64_t left = m_budget - m_suffixBits[0];
        for (const Increment &inc : m_incs) {
            if (inc.dbits > left)
                break;
            left -= inc.dbits;
            const auto d = static_cast<std::size_t>(inc.depth);
            bits[d] += inc.dbits;
            const auto &e = m_layers[d];
            for (std::size_t i = 0; i < e.size(); ++i)
                if (e[i].bits == bits[d])
                    m_best[d] = static_cast<int>(i);
        }
        m_bestLoss = 0;
        for (std::size_t d = 0; d < m_layers.size(); ++d)
            m_bestLoss += m_layers[d][static_cast<std::size_t>(m_best[d])].loss;
    }

    void dfs(std::size_t depth, std::int64_t bits, double loss)
    {
        if (m_nodes >= m_options.maxNodes || ((m_nodes & 1023) == 0 && m_stop.stop_requested()))
            return;
        ++m_nodes;
        if (depth == m_layers.size()) {
            if (loss < m_bestLoss) {
                m_bestLoss = loss;
                m_best = m_choice;
            }
            return;
        }
        const auto &opts = m_layers[depth];
        struct Child {
            int i;
            double bound;
        };
        std::vector<Child> children;
        children.reserve(opts.size());
        for (std::size_t i = 0; i < opts.size(); ++i) {
            const std::int64_t b = bits + opts[i].bits;
            if (b + m_suffixBits[depth + 1] > m_budget)
                break; // options are sorted by bits: the rest do not fit either
            const double bound = loss + opts[i].loss + lpBound(depth + 1, m_budget - b);
            if (bound < m_bestLoss - prunSlack())
                children.push_back({static_cast<int>(i), bound});
        }
        std::sort(children.begin(), children.end(), [](const Child &a, const Child &b) { return a.bound < b.bound; });
        for (const Child &c : children) {
            if (c.bound >= m_bestLoss - prunSlack())
                break;
            m_choice[depth] = c.i;
            dfs(depth + 1, bits + opts[static_cast<std::size_t>(c.i)].bits, loss + opts[static_cast<std::size_t>(c.i)].loss);
        }
    }

    /// Bounds within rounding noise of the incumbent cannot improve it.
    double prunSlack() const { return 1e-12 * std::max(1.0, std::fabs(m_bestLoss)); }

    AllocOptions m_options;
    std::stop_token m_stop;
    std::vector<std::size_t> m_order;      ///< depth → caller's layer index
    std::vector<std::vector<Opt>> m_layers; ///< by depth, efficient options
    std::vector<Increment> m_incs;
    std::vector<std::vector<Breakpoint>> m_cumulative;
    std::vector<std::int64_t> m_suffixBits;
    std::vector<double> m_suffixLoss;
    std::vector<int> m_choice, m_best;
    double m_bestLoss = std::numeric_limits<double>::infinity();
    std::int64_t m_budget = 0;
    std::uint64_t m_nodes = 0;
};

Status validate(const AllocProblem &p)
{
    if (p.layers.empty())
        return makeError(ErrorCode::InvalidArgument, "bit allocation: no layers");
    for (std::size_t l = 0; l < p.layers.size(); ++l) {
        if (p.layers[l].empty())
            return makeError(ErrorCode::InvalidArgument, "bit allocation: layer " + std::to_string(l) + " has no options");
        for (const auto &o : p.layers[l])
            if (o.bits < 0 || !std::isfinite(o.loss))
                return makeError(ErrorCode::InvalidArgument,
                                 "bit allocation: layer " + std::to_string(l) + " has an option with negative bits or a non-finite loss");
    }
    return {};
}

} // namespace

std::int64_t minimumBits(const AllocProblem &p)
{
    std::int64_t total = 0;
    for (const auto &layer : p.layers) {
        std::int64_t m = std::numeric_limits<std::int64_t>::max();
        for (const auto &o : layer)
            m = std::min(m, o.bits);
        total += layer.empty() ? 0 : m;
    }
    return total;
}

Result<AllocSolution> solveAllocation(const AllocProblem &p, const AllocOptions &options, std::stop_token stop)
{
    LOWBIT_CHECK(validate(p));
    Solver s(p, options, stop);
    if (p.budgetBits < s.minBits())
        return makeError(ErrorCode::InvalidArgument, "bit budget of " + std::to_string(p.budgetBits) + " bits is infeasible: the smallest choice needs "
                                                         + std::to_string(s.minBits()) + " bits");
    return s.run(p.budgetBits);
}

Result<std::vector<FrontierPoint>> allocationFrontier(const AllocProblem &p, int points, const AllocOptions &options, std::stop_token stop)
{
    LOWBIT_CHECK(validate(p));
    if (points < 2)
        return makeError(ErrorCode::InvalidArgument, "a frontier needs at least 2 points");
    std::int64_t lo = minimumBits(p), hi = 0;
    for (const auto &layer : p.layers) {
        std::int64_t m = 0;
        for (const auto &o : layer)
            m = std::max(m, o.bits);
        hi += m;
    }
    std::vector<FrontierPoint> out;
    for (int i = 0; i < points; ++i) {
        const auto budget = lo + static_cast<std::int64_t>(static_cast<long double>(hi - lo) * i / (points - 1));
        AllocProblem q = p;
        q.budgetBits = budget;
        LOWBIT_TRY(AllocSolution s, solveAllocation(q, options, stop));
        out.push_back({budget, std::move(s)});
    }
    return out;
}

} // namespace lowbit
