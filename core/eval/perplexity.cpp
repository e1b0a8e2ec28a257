// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/perplexity.h"

#include "core/eval/text_corpus.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

namespace lowbit {

namespace {

/// The sequences to score and, per sequence, the first logit row that is scored.
struct Plan {
    std::vector<std::vector<std::int32_t>> seqs;
    std::vector<std::int64_t> firstScored;
};

Result<Plan> makePlan(const Tokenizer &tok, std::string_view text, const EvalOptions &o, std::int64_t modelContext)
{
    const std::int64_t ctx = o.contextLength > 0 ? o.contextLength : modelContext;
    if (ctx < 2)
        return makeError(ErrorCode::InvalidArgument, "context length must be at least 2");
    Plan p;
    if (!o.chunked) {
        auto docs = splitDocuments(text);
        if (o.maxDocuments > 0 && static_cast<std::int64_t>(docs.size()) > o.maxDocuments)
            docs.resize(static_cast<std::size_t>(o.maxDocuments));
        p.seqs = tokenizeDocuments(tok, docs, static_cast<std::size_t>(ctx));
        p.firstScored.assign(p.seqs.size(), 0);
    } else {
        const auto all = tok.encode(text, true); // as llama.cpp: BOS once, then a chunk every ctx tokens
        for (std::size_t start = 0; start + static_cast<std::size_t>(ctx) <= all.size(); start += static_cast<std::size_t>(ctx)) {
            std::vector<std::int32_t> chunk(all.begin() + static_cast<std::ptrdiff_t>(start),
                                            all.begin() + static_cast<std::ptrdiff_t>(start) + ctx);
            chunk[0] = tok.bosId();
            p.seqs.push_back(std::move(chunk));
            p.firstScored.push_back(ctx / 2);
            if (o.maxDocuments > 0 && static_cast<std::int64_t>(p.seqs.size()) >= o.maxDocuments)
                break;
        }
        if (p.seqs.empty())
            return makeError(ErrorCode::InvalidArgument, "the text is shorter than one chunk of " + std::to_string(ctx) + " tokens");
    }
    if (p.seqs.empty())
        return makeError(ErrorCode::InvalidArgument, "the text holds no documents");
    return p;
}

/// Runs job(engineIndex, sequence) for every sequence, one sequence at a time per engine: on
/// the engines themselves when there is one, else on one thread per engine. Progress counts
/// finished sequences; the first error (or a stop request) ends the run.
Status runSequences(std::size_t count, std::size_t engines, const std::function<Status(std::size_t, std::size_t)> &job,
                    const ProgressFn &progress, std::stop_token stop, const char *what)
{
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex mutex;
    Status first;
    std::atomic<bool> failed{false};
    auto work = [&](std::size_t engine) {
        for (std::size_t s = next++; s < count && !failed; s = next++) {
            Status st = stop.stop_requested() ? Status(makeError(ErrorCode::Cancelled, std::string(what) + " cancelled")) : job(engine, s);
            const std::lock_guard lock(mutex);
            if (!st) {
                if (!failed.exchange(true))
                    first = std::move(st);
                return;
            }
            ++done;
            if (progress)
                progress(static_cast<std::int64_t>(done.load()), static_cast<std::int64_t>(count));
        }
    };
    if (engines <= 1) {
        work(0);
    } else {
        std::vector<std::jthread> pool;
        for (std::size_t e = 0; e < engines; ++e)
            pool.emplace_back(work, e);
    }
    return first;
}

/// The engines to run sequences on: `model` alone, or forks of it when it asks for concurrency.
std::vector<std::unique_ptr<InferenceModel>> forksOf(const InferenceModel &model, std::size_t sequences)
{
    std::vector<std::unique_ptr<InferenceModel>> forks;
    const std::size_t want = std::min<std::size_t>(model.concurrentSequences(), sequences);
    for (std::size_t i = 0; want > 1 && i < want; ++i)
        if (auto f = model.fork())
            forks.push_back(std::move(f));
    if (forks.size() < 2)
        forks.clear();
    return forks;
}

} // namespace

double negativeLogLikelihood(const float *logits, std::int64_t vocab, std::int32_t target)
{
    double mx = -INFINITY;
    for (std::int64_t i = 0; i < vocab; ++i)
        mx = std::max(mx, static_cast<double>(logits[i]));
    double sum = 0;
    for (std::int64_t i = 0; i < vocab; ++i)
        sum += std::exp(static_cast<double>(logits[i]) - mx);
    return std::log(sum) + mx - static_cast<double>(logits[target]);
}

Result<EvalResult> evaluatePerplexity(InferenceModel &model, const Tokenizer &tok, std::string_view text, const EvalOptions &o,
                                      const ProgressFn &progress, std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    LOWBIT_TRY(Plan plan, makePlan(tok, text, o, model.maxContext()));
    const std::int64_t vocab = model.config().vocabSize;
    const std::size_t count = plan.seqs.size();
    std::vector<double> nll(count, 0.0); // per sequence, summed in order below: the result does not depend on the threads
    std::vector<std::uint64_t> scored(count, 0);
    auto forks = forksOf(model, count);
    auto engine = [&](std::size_t e) -> InferenceModel & { return forks.empty() ? model : *forks[e]; };
    auto job = [&](std::size_t e, std::size_t s) -> Status {
        const auto &seq = plan.seqs[s];
        if (seq.size() < 2)
            return {};
        InferenceModel &m = engine(e);
        m.reset();
        LOWBIT_TRY(std::vector<float> logits, m.forward(seq));
        for (std::size_t t = static_cast<std::size_t>(plan.firstScored[s]); t + 1 < seq.size(); ++t) {
            nll[s] += negativeLogLikelihood(logits.data() + static_cast<std::int64_t>(t) * vocab, vocab, seq[t + 1]);
            ++scored[s];
        }
        return {};
    };
    LOWBIT_CHECK(runSequences(count, std::max<std::size_t>(forks.size(), 1), job, progress, stop, "evaluation"));
    EvalResult r;
    double total = 0;
    for (std::size_t s = 0; s < count; ++s) {
        total += nll[s];
        r.tokens += scored[s];
        r.sequences += plan.seqs[s].size() >= 2;
    }
    if (r.tokens == 0)
        return makeError(ErrorCode::InvalidArgument, "no token to score");
    r.meanNll = total / static_cast<double>(r.tokens);
    r.perplexity = std::exp(r.meanNll);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

Result<CompareResult> compareModels(InferenceModel &ref, InferenceModel &cand, const Tokenizer &tok, std::string_view text, const EvalOptions &o,
                                    const ProgressFn &progress, std::stop_token stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    if (ref.config().vocabSize != cand.config().vocabSize)
        return makeError(ErrorCode::InvalidArgument, "the models have different vocabularies");
    LOWBIT_TRY(Plan plan, makePlan(tok, text, o, std::min(ref.maxContext(), cand.maxContext())));
    const std::int64_t vocab = ref.config().vocabSize;
    const std::size_t count = plan.seqs.size();
    struct Sums {
        double kl = 0, refNll = 0, candNll = 0;
        std::uint64_t agree = 0, tokens = 0;
    };
    std::vector<Sums> sums(count);
    auto refForks = forksOf(ref, count), candForks = forksOf(cand, count);
    const std::size_t engines = std::min(refForks.size(), candForks.size());
    auto job = [&](std::size_t e, std::size_t s) -> Status {
        const auto &seq = plan.seqs[s];
        if (seq.size() < 2)
            return {};
        InferenceModel &mr = engines ? *refForks[e] : ref, &mc = engines ? *candForks[e] : cand;
        mr.reset();
        LOWBIT_TRY(std::vector<float> a, mr.forward(seq));
        mc.reset(); // (the same engine may be passed twice)
        LOWBIT_TRY(std::vector<float> b, mc.forward(seq));
        Sums &z = sums[s];
        for (std::size_t t = static_cast<std::size_t>(plan.firstScored[s]); t + 1 < seq.size(); ++t) {
            const float *la = a.data() + static_cast<std::int64_t>(t) * vocab, *lb = b.data() + static_cast<std::int64_t>(t) * vocab;
            // log-softmax of both rows in double
            double ma = -INFINITY, mb = -INFINITY;
            std::int64_t argA = 0, argB = 0;
            for (std::int64_t i = 0; i < vocab; ++i) {
                if (la[i] > ma) {
                    ma = la[i];
                    argA = i;
                }
                if (lb[i] > mb) {
                    mb = lb[i];
                    argB = i;
                }
            }
            double sa = 0, sb = 0;
            for (std::int64_t i = 0; i < vocab; ++i) {
                sa += std::exp(la[i] - ma);
                sb += std::exp(lb[i] - mb);
            }
            const double lza = std::log(sa) + ma, lzb = std::log(sb) + mb;
            double k = 0;
            for (std::int64_t i = 0; i < vocab; ++i) {
                const double lpa = la[i] - lza, lpb = lb[i] - lzb;
                k += std::exp(lpa) * (lpa - lpb);
            }
            z.kl += k;
            z.agree += argA == argB;
            z.refNll += lza - la[seq[t + 1]];
            z.candNll += lzb - lb[seq[t + 1]];
            ++z.tokens;
        }
        return {};
    };
    LOWBIT_CHECK(runSequences(count, std::max<std::size_t>(engines, 1), job, progress, stop, "comparison"));
    CompareResult r;
    double kl = 0, refNll = 0, candNll = 0;
    std::uint64_t agree = 0;
    for (const Sums &z : sums) {
        kl += z.kl;
        refNll += z.refNll;
        candNll += z.candNll;
        agree += z.agree;
        r.tokens += z.tokens;
    }
    if (r.tokens == 0)
        return makeError(ErrorCode::InvalidArgument, "no token to score");
    const double n = static_cast<double>(r.tokens);
    r.klDivergence = kl / n;
    r.top1Agreement = static_cast<double>(agree) / n;
    r.referenceNll = refNll / n;
    r.candidateNll = candNll / n;
    r.deltaNll = r.candidateNll - r.referenceNll;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return r;
}

} // namespace lowbit
