// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/eval/perplexity.h"

#include "core/eval/text_corpus.h"

#include <chrono>
#include <cmath>

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
        const auto all = tok.encode(text, false);
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
    double nll = 0;
    EvalResult r;
    for (std::size_t s = 0; s < plan.seqs.size(); ++s) {
        if (stop.stop_requested())
            return makeError(ErrorCode::Cancelled, "evaluation cancelled");
        const auto &seq = plan.seqs[s];
        if (seq.size() < 2)
            continue;
        model.reset();
        LOWBIT_TRY(std::vector<float> logits, model.forward(seq));
        for (std::size_t t = static_cast<std::size_t>(plan.firstScored[s]); t + 1 < seq.size(); ++t) {
            nll += negativeLogLikelihood(logits.data() + static_cast<std::int64_t>(t) * vocab, vocab, seq[t + 1]);
            ++r.tokens;
        }
        ++r.sequences;
        if (progress)
            progress(static_cast<std::int64_t>(s + 1), static_cast<std::int64_t>(plan.seqs.size()));
    }
    if (r.tokens == 0)
        return makeError(ErrorCode::InvalidArgument, "no token to score");
    r.meanNll = nll / static_cast<double>(r.tokens);
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
    CompareResult r;
    double kl = 0, refNll = 0, candNll = 0;
    std::uint64_t agree = 0;
    std::vector<double> p(static_cast<std::size_t>(vocab));
    for (std::size_t s = 0; s < plan.seqs.size(); ++s) {
        if (stop.stop_requested())
            return makeError(ErrorCode::Cancelled, "comparison cancelled");
        const auto &seq = plan.seqs[s];
        if (seq.size() < 2)
            continue;
        ref.reset();
        LOWBIT_TRY(std::vector<float> a, ref.forward(seq));
        cand.reset(); // (the same engine may be passed twice)
        LOWBIT_TRY(std::vector<float> b, cand.forward(seq));
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
            kl += k;
            agree += argA == argB;
            refNll += lza - la[seq[t + 1]];
            candNll += lzb - lb[seq[t + 1]];
            ++r.tokens;
        }
        if (progress)
            progress(static_cast<std::int64_t>(s + 1), static_cast<std::int64_t>(plan.seqs.size()));
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
