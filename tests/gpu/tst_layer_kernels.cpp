// SPDX-License-Identifier: GPL-3.0-or-later
// RoPE (of one tensor, and of queries and keys in one dispatch), attention over a KV cache (fp32 and fp16), storing keys and values into an fp16 cache,
// SwiGLU product, residual add and embedding lookup on the Vulkan device against scalar references.
#include "gpu/ops/layer_ops.h"
#include "gpu/ops/packed_ops.h"

#include "core/dtypes/scalar_convert.h"

#include "gpu_fixture.h"
#include "test_support.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <cstring>
#include <tuple>

using namespace lowbit;
using namespace lowbit::gpu;

namespace {

void ropeRef(std::vector<float> &x, int tokens, int heads, int hd, int pos0, bool interleaved, const std::vector<float> &invFreq)
{
    for (int t = 0; t < tokens; ++t)
        for (int h = 0; h < heads; ++h)
            for (int i = 0; i < hd / 2; ++i) {
                float *base = x.data() + (std::size_t(t) * heads + h) * hd;
                const int a = interleaved ? 2 * i : i, b = interleaved ? 2 * i + 1 : i + hd / 2;
                const double ang = double(pos0 + t) * invFreq[std::size_t(i)];
                const double x0 = base[a], x1 = base[b];
                base[a] = float(x0 * std::cos(ang) - x1 * std::sin(ang));
                base[b] = float(x0 * std::sin(ang) + x1 * std::cos(ang));
            }
}

/// q[tokens, heads, hd], caches [pos0+tokens, kvHeads, hd]
std::vector<float> attentionRef(const std::vector<float> &q, const std::vector<float> &k, const std::vector<float> &v, int tokens,
                                int heads, int kvHeads, int hd, int pos0)
{
    std::vector<float> o(q.size());
    for (int t = 0; t < tokens; ++t)
        for (int h = 0; h < heads; ++h) {
            const int kvh = h / (heads / kvHeads);
            const int nk = pos0 + t + 1;
            std::vector<double> s(static_cast<std::size_t>(nk));
            double m = -INFINITY;
            for (int j = 0; j < nk; ++j) {
                double d = 0;
                for (int e = 0; e < hd; ++e)
                    d += double(q[(std::size_t(t) * heads + h) * hd + e]) * k[(std::size_t(j) * kvHeads + kvh) * hd + e];
                s[std::size_t(j)] = d / std::sqrt(double(hd));
                m = std::max(m, s[std::size_t(j)]);
            }
            double sum = 0;
            for (auto &x : s)
                sum += (x = std::exp(x - m));
            for (int e = 0; e < hd; ++e) {
                double acc = 0;
                for (int j = 0; j < nk; ++j)
                    acc += s[std::size_t(j)] * v[(std::size_t(j) * kvHeads + kvh) * hd + e];
                o[(std::size_t(t) * heads + h) * hd + e] = float(acc / sum);
            }
        }
    return o;
}

} // namespace

/// A row of the rows attention kernel needs a row-layout device: QSKIP elsewhere, QFAIL in CI
/// (where lavapipe is one).
#define NEED_ROWS_KERNEL(kernel)                                                                                                    \
    if (AttentionKernel(kernel) == AttentionKernel::Rows && !rowsDevice()) {                                                      \
        if (test::runningInCi())                                                                                                    \
            QFAIL("CI=true but the device does not run the rows attention");                                                        \
        QSKIP("the rows attention runs on CPU Vulkan devices only");                                                                \
    }

class TestLayerKernels : public QObject {
    Q_OBJECT
    test::GpuFixture m_fx;

    template <class Fn>
    void run(Fn &&record)
    {
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        const Status st = record(**rec);
        QVERIFY2(st.ok(), st.ok() ? "" : st.error().message().c_str());
        QVERIFY((*rec)->submitAndWait().ok());
    }
    static void addKvFormRows()
    {
        QTest::addColumn<int>("form");
        QTest::newRow("fp16 packed in uints") << int(KvForm::F16Packed);
        QTest::newRow("fp16, 16-bit storage") << int(KvForm::F16Storage);
    }
    /// The rows kernel's query heads a subgroup to try (0: its own choice); the tree has none.
    static std::vector<std::uint32_t> rowsHeadCounts(AttentionKernel kernel)
    {
        return kernel == AttentionKernel::Rows ? std::vector<std::uint32_t>{0, 1, 2, 8} : std::vector<std::uint32_t>{0};
    }
    /// Whether the rows attention runs here (lavapipe: yes).
    bool rowsDevice() const { return rowLayoutDevice(m_fx.ctx->info()); }
    /// QSKIPs the 16-bit storage row on a device without it (lavapipe has it).
    bool formAvailable(KvForm form)
    {
        return form != KvForm::F16Storage || m_fx.ctx->info().storage16Bit;
    }

private slots:
    void initTestCase() { LOWBIT_GPU_INIT(m_fx); }
    void cleanupTestCase() { LOWBIT_GPU_CLEANUP(m_fx); }
    void rope_data()
    {
        QTest::addColumn<bool>("interleaved");
        QTest::newRow("half split (HF)") << false;
        QTest::newRow("interleaved (llama2.c, GGUF)") << true;
    }
    void rope()
    {
        QFETCH(bool, interleaved);
        const int tokens = 7, heads = 3, hd = 16, pos0 = 100;
        std::vector<float> invFreq(hd / 2);
        for (int i = 0; i < hd / 2; ++i)
            invFreq[std::size_t(i)] = float(std::pow(10000.0, -2.0 * i / hd));
        auto x = test::randomFloats(std::size_t(tokens) * heads * hd, 1);
        Arena arena(*m_fx.ctx);
        auto bx = arena.upload(std::span<const float>(x));
        auto bf = arena.upload(std::span<const float>(invFreq));
        QVERIFY(bx.ok() && bf.ok());
        run([&](Recorder &r) { return recordRope(r, **bx, **bf, RopePush{tokens, heads, hd, pos0, interleaved ? 1u : 0u, 0}); });
        ropeRef(x, tokens, heads, hd, pos0, interleaved, invFreq);
        const auto y = (*bx)->as<float>();
        for (std::size_t i = 0; i < x.size(); ++i)
            QVERIFY2(std::fabs(y[i] - x[i]) < 2e-4f, qPrintable(QStringLiteral("%1: %2 vs %3").arg(i).arg(y[i]).arg(x[i])));
    }
    void ropeQueriesAndKeysInOneDispatch_data() { rope_data(); }
    void ropeQueriesAndKeysInOneDispatch()
    {
        // q[5, 4 heads, 16] at the start of its buffer, k[5, 2 heads, 16] at float 96 of a larger
        // one (a cache slice): both rotated by one dispatch, what lies around k untouched
        QFETCH(bool, interleaved);
        const int tokens = 5, heads = 4, kvHeads = 2, hd = 16, pos0 = 37;
        const std::uint32_t kOffset = 96;
        std::vector<float> invFreq(hd / 2);
        for (int i = 0; i < hd / 2; ++i)
            invFreq[std::size_t(i)] = float(std::pow(10000.0, -2.0 * i / hd));
        auto q = test::randomFloats(std::size_t(tokens) * heads * hd, 2);
        auto k = test::randomFloats(kOffset + std::size_t(tokens) * kvHeads * hd + 40, 3);
        Arena arena(*m_fx.ctx);
        auto bq = arena.upload(std::span<const float>(q));
        auto bk = arena.upload(std::span<const float>(k));
        auto bf = arena.upload(std::span<const float>(invFreq));
        QVERIFY(bq.ok() && bk.ok() && bf.ok());
        run([&](Recorder &r) {
            return recordRopeQk(r, **bq, **bk, **bf, {{tokens, heads, hd, pos0, interleaved ? 1u : 0u, 0}, kvHeads, kOffset});
        });
        ropeRef(q, tokens, heads, hd, pos0, interleaved, invFreq);
        std::vector<float> kSlice(k.begin() + kOffset, k.begin() + kOffset + std::ptrdiff_t(tokens) * kvHeads * hd);
        ropeRef(kSlice, tokens, kvHeads, hd, pos0, interleaved, invFreq);
        std::copy(kSlice.begin(), kSlice.end(), k.begin() + kOffset);
        const auto gq = (*bq)->as<float>(), gk = (*bk)->as<float>();
        for (std::size_t i = 0; i < q.size(); ++i)
            QVERIFY2(std::fabs(gq[i] - q[i]) < 2e-4f, qPrintable(QStringLiteral("q %1: %2 vs %3").arg(i).arg(gq[i]).arg(q[i])));
        for (std::size_t i = 0; i < k.size(); ++i) {
            const bool inSlice = i >= kOffset && i < kOffset + kSlice.size();
            if (inSlice)
                QVERIFY2(std::fabs(gk[i] - k[i]) < 2e-4f, qPrintable(QStringLiteral("k %1: %2 vs %3").arg(i).arg(gk[i]).arg(k[i])));
            else
                QCOMPARE(gk[i], k[i]);
        }
    }
    void ropeFromTheMergedQkv_data() { rope_data(); }
    void ropeFromTheMergedQkv()
    {
        // a merged q|k|v output of 5 tokens (4 query heads, 2 key/value heads of 16): queries
        // rotated into q, keys rotated into a cache slice at float 96 and values copied into
        // another, exactly as rope_qk does on the separate outputs; nothing around them touched
        QFETCH(bool, interleaved);
        const int tokens = 5, heads = 4, kvHeads = 2, hd = 16, pos0 = 37;
        const std::uint32_t kOffset = 96, qd = heads * hd, kvd = kvHeads * hd, row = qd + 2 * kvd;
        std::vector<float> invFreq(hd / 2);
        for (int i = 0; i < hd / 2; ++i)
            invFreq[std::size_t(i)] = float(std::pow(10000.0, -2.0 * i / hd));
        const auto qkv = test::randomFloats(std::size_t(tokens) * row, 4);
        std::vector<float> q(std::size_t(tokens) * qd), kRef(kOffset + std::size_t(tokens) * kvd + 40, -3.0f), vRef = kRef;
        for (int t = 0; t < tokens; ++t)
            for (std::uint32_t i = 0; i < row; ++i) {
                const float x = qkv[std::size_t(t) * row + i];
                if (i < qd)
                    q[std::size_t(t) * qd + i] = x;
                else if (i < qd + kvd)
                    kRef[kOffset + std::size_t(t) * kvd + (i - qd)] = x;
                else
                    vRef[kOffset + std::size_t(t) * kvd + (i - qd - kvd)] = x;
            }
        Arena arena(*m_fx.ctx);
        auto bqkv = arena.upload(std::span<const float>(qkv));
        auto bf = arena.upload(std::span<const float>(invFreq));
        auto bq = arena.allocate(q.size() * 4), bq2 = arena.upload(std::span<const float>(q));
        const std::vector<float> fill(kRef.size(), -3.0f);
        auto bk = arena.upload(std::span<const float>(fill)), bv = arena.upload(std::span<const float>(fill));
        auto bkRef = arena.upload(std::span<const float>(kRef));
        QVERIFY(bqkv.ok() && bf.ok() && bq.ok() && bq2.ok() && bk.ok() && bv.ok() && bkRef.ok());
        const std::uint32_t il = interleaved ? 1u : 0u;
        run([&](Recorder &r) -> Status {
            LOWBIT_CHECK(recordRopeQkv(r, **bqkv, **bf, **bq, **bk, **bv, {tokens, heads, hd, pos0, il, kvHeads, kOffset, row}));
            return recordRopeQk(r, **bq2, **bkRef, **bf, {{tokens, heads, hd, pos0, il, 0}, kvHeads, kOffset}); // the separate way
        });
        const auto gq = (*bq)->as<float>(), gq2 = (*bq2)->as<float>(), gk = (*bk)->as<float>(), gk2 = (*bkRef)->as<float>(), gv = (*bv)->as<float>();
        for (std::size_t i = 0; i < q.size(); ++i)
            QVERIFY2(gq[i] == gq2[i], qPrintable(QStringLiteral("q %1: %2 vs %3").arg(i).arg(gq[i]).arg(gq2[i])));
        for (std::size_t i = 0; i < kRef.size(); ++i) {
            QVERIFY2(gk[i] == gk2[i], qPrintable(QStringLiteral("k %1: %2 vs %3").arg(i).arg(gk[i]).arg(gk2[i])));
            QCOMPARE(gv[i], vRef[i]);
        }
        QVERIFY(!recordRopeQkv(**Recorder::begin(*m_fx.ctx, *m_fx.pipelines), **bqkv, **bf, **bq, **bk, **bv,
                               {tokens, heads, hd, pos0, il, kvHeads, kOffset, row + 1})); // a stride that is not q|k|v
    }
    void attention_data()
    {
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<int>("hd");
        QTest::addColumn<int>("pos0");
        QTest::addColumn<int>("kernel");
        for (const auto &[name, kernel] : {std::pair{"tree", AttentionKernel::Tree}, std::pair{"rows", AttentionKernel::Rows}}) {
            QTest::addRow("%s: prefill GQA", name) << 9 << 8 << 4 << 8 << 0 << int(kernel);
            QTest::addRow("%s: decode after 20", name) << 1 << 8 << 2 << 16 << 20 << int(kernel);
            QTest::addRow("%s: MHA hd 128", name) << 3 << 2 << 2 << 128 << 5 << int(kernel);
            QTest::addRow("%s: longer than a tile", name) << 2 << 2 << 1 << 32 << 1500 << int(kernel);
            QTest::addRow("%s: hd 256, 13 keys", name) << 1 << 4 << 1 << 256 << 12 << int(kernel);
            QTest::addRow("%s: hd 96 (texels a lane not a power of two), GQA 4", name) << 5 << 8 << 2 << 96 << 3 << int(kernel);
            QTest::addRow("%s: hd 4, one key", name) << 1 << 2 << 2 << 4 << 0 << int(kernel);
            QTest::addRow("%s: 14 heads on 2 KV heads (runs of 7)", name) << 3 << 14 << 2 << 64 << 17 << int(kernel);
            QTest::addRow("%s: 28 heads on 2 KV heads (two runs of 7)", name) << 2 << 28 << 2 << 32 << 30 << int(kernel);
        }
    }
    void attention()
    {
        QFETCH(int, tokens);
        QFETCH(int, heads);
        QFETCH(int, kvHeads);
        QFETCH(int, hd);
        QFETCH(int, pos0);
        QFETCH(int, kernel);
        const int ctxLen = pos0 + tokens;
        auto q = test::randomFloats(std::size_t(tokens) * heads * hd, 2);
        auto k = test::randomFloats(std::size_t(ctxLen) * kvHeads * hd, 3);
        auto v = test::randomFloats(std::size_t(ctxLen) * kvHeads * hd, 4);
        Arena arena(*m_fx.ctx);
        auto bq = arena.upload(std::span<const float>(q));
        auto bk = arena.upload(std::span<const float>(k));
        auto bv = arena.upload(std::span<const float>(v));
        auto bo = arena.allocate(q.size() * 4);
        QVERIFY(bq.ok() && bk.ok() && bv.ok() && bo.ok());
        const AttentionPush p{std::uint32_t(tokens), std::uint32_t(heads), std::uint32_t(kvHeads), std::uint32_t(hd), std::uint32_t(pos0),
                              std::uint32_t(kvHeads * hd), 1.0f / std::sqrt(float(hd))};
        NEED_ROWS_KERNEL(kernel);
        const auto ref = attentionRef(q, k, v, tokens, heads, kvHeads, hd, pos0);
        // the rows kernel: also with 1, 2 and 8 query heads a subgroup (0: its own choice)
        for (std::uint32_t rowsHeads : rowsHeadCounts(AttentionKernel(kernel))) {
            std::memset((*bo)->mapped, 0xFF, (*bo)->size);
            run([&](Recorder &r) { return recordAttention(r, **bq, **bk, **bv, **bo, p, KvForm::F32, AttentionKernel(kernel), rowsHeads); });
            const auto o = (*bo)->as<float>();
            for (std::size_t i = 0; i < ref.size(); ++i)
                QVERIFY2(std::fabs(o[i] - ref[i]) < 1e-4f,
                         qPrintable(QStringLiteral("%1 heads a subgroup, %2: %3 vs %4").arg(rowsHeads).arg(i).arg(o[i]).arg(ref[i])));
        }
    }
    void kvStoreRoundsToFp16_data() { addKvFormRows(); }
    void kvStoreRoundsToFp16()
    {
        QFETCH(int, form);
        if (!formAvailable(KvForm(form)))
            QSKIP("the device has no 16-bit storage");
        // values at every scale fp16 holds, its subnormals, ties, and past its range (→ ±Inf)
        auto src = test::randomFloats(1000, 12, 4.0f);
        const float special[] = {0.0f, -0.0f, 1.0f + 0x1p-11f /* a tie: to even */, 1.0f + 3 * 0x1p-11f, 3e-6f, -6e-8f, 65504.0f,
                                 1e5f, -1e5f, 1e-3f, 0x1p-14f, -0x1p-15f,
                                 // subnormal halves: ties (to even), just past them, half the smallest, under it
                                 1.5f * 0x1p-24f, 2.5f * 0x1p-24f, -0.5f * 0x1p-24f, 0x1p-25f * 1.0001f, 0x1p-26f, 1023.5f * 0x1p-24f,
                                 0x1.ffcp-15f, // rounds up out of the subnormals into 2^-14
                                 65519.0f, 65520.0f /* the tie past 65504: to Inf */, 0x1p-130f /* an fp32 subnormal */,
                                 std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                                 std::numeric_limits<float>::quiet_NaN()};
        std::copy(std::begin(special), std::end(special), src.begin());
        for (std::size_t i = 100; i < 200; ++i)
            src[i] *= 1000.0f;
        for (std::size_t i = 200; i < 400; ++i) // through the subnormal halves
            src[i] = std::ldexp(src[i], -14 - int(i % 12));
        const std::uint32_t offset = 10, count = 1000;
        std::vector<std::uint16_t> cache(offset + count + 6, 0x3c00); // 1.0: what the store must not touch
        Arena arena(*m_fx.ctx);
        auto bs = arena.upload(std::span<const float>(src));
        auto bc = arena.upload(std::span<const std::uint16_t>(cache));
        QVERIFY(bs.ok() && bc.ok());
        // keys through the single store; the same values, reversed, as the values of the paired
        // store (its keys into a cache of their own)
        std::vector<float> reversed(src.rbegin(), src.rend());
        auto bs2 = arena.upload(std::span<const float>(reversed));
        auto bk2 = arena.upload(std::span<const std::uint16_t>(cache));
        auto bv2 = arena.upload(std::span<const std::uint16_t>(cache));
        QVERIFY(bs2.ok() && bk2.ok() && bv2.ok());
        run([&](Recorder &r) { return recordKvStore(r, **bs, **bc, {count, offset}, KvForm(form)); });
        run([&](Recorder &r) { return recordKvStorePair(r, **bs, **bk2, **bs2, **bv2, {count, offset}, KvForm(form)); });
        // bit for bit the CPU's rounding (nearest, ties to even) on every device: the kernel
        // rounds by integer operations, not by the device's conversion (NVIDIA's differs)
        const auto check = [&](const Buffer &b, const std::vector<float> &values, const char *what) {
            const auto got = b.as<std::uint16_t>();
            for (std::size_t i = 0; i < cache.size(); ++i) {
                const std::uint16_t want = i < offset || i >= offset + count ? std::uint16_t(0x3c00) : floatToFp16(values[i - offset]);
                if (got[i] != want)
                    return QStringLiteral("%1 %2: %3, want %4").arg(QLatin1String(what)).arg(i).arg(got[i], 0, 16).arg(want, 0, 16);
            }
            return QString();
        };
        for (const auto &[b, values, what] : {std::tuple{*bc, &src, "single store"}, std::tuple{*bk2, &src, "pair, keys"},
                                              std::tuple{*bv2, &reversed, "pair, values"}}) {
            const QString bad = check(*b, *values, what);
            QVERIFY2(bad.isEmpty(), qPrintable(bad));
        }
    }
    void attentionOverFp16Cache_data()
    {
        QTest::addColumn<int>("form");
        QTest::addColumn<int>("tokens");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<int>("hd");
        QTest::addColumn<int>("pos0");
        QTest::addColumn<int>("kernel");
        for (const auto &[name, form] : {std::pair{"packed", KvForm::F16Packed}, std::pair{"16-bit storage", KvForm::F16Storage}})
            for (const auto &[kname, kernel] : {std::pair{"tree", AttentionKernel::Tree}, std::pair{"rows", AttentionKernel::Rows}}) {
                QTest::addRow("%s, %s: prefill GQA", name, kname) << int(form) << 9 << 4 << 8 << 0 << int(kernel);
                QTest::addRow("%s, %s: longer than a tile", name, kname) << int(form) << 2 << 1 << 32 << 1500 << int(kernel);
                QTest::addRow("%s, %s: hd 128, GQA 8", name, kname) << int(form) << 3 << 1 << 128 << 40 << int(kernel);
                QTest::addRow("%s, %s: hd 24 (three texels)", name, kname) << int(form) << 2 << 2 << 24 << 9 << int(kernel);
            }
        // a head dim of 18 halves is not whole texels: the tree kernel only
        QTest::addRow("packed, tree: decode after 20, hd 18") << int(KvForm::F16Packed) << 1 << 2 << 18 << 20 << int(AttentionKernel::Tree);
        QTest::addRow("16-bit storage, tree: decode after 20, hd 18") << int(KvForm::F16Storage) << 1 << 2 << 18 << 20 << int(AttentionKernel::Tree);
    }
    void attentionOverFp16Cache()
    {
        QFETCH(int, form);
        QFETCH(int, tokens);
        QFETCH(int, kvHeads);
        QFETCH(int, hd);
        QFETCH(int, pos0);
        QFETCH(int, kernel);
        if (!formAvailable(KvForm(form)))
            QSKIP("the device has no 16-bit storage");
        NEED_ROWS_KERNEL(kernel);
        const int heads = 8, ctxLen = pos0 + tokens;
        auto q = test::randomFloats(std::size_t(tokens) * heads * hd, 2);
        auto k = test::randomFloats(std::size_t(ctxLen) * kvHeads * hd, 3, 3.0f);
        auto v = test::randomFloats(std::size_t(ctxLen) * kvHeads * hd, 4);
        std::vector<std::uint16_t> kh(k.size()), vh(v.size());
        for (std::size_t i = 0; i < k.size(); ++i) {
            kh[i] = floatToFp16(k[i]);
            vh[i] = floatToFp16(v[i]);
            k[i] = fp16ToFloat(kh[i]); // the reference sees what the cache holds
            v[i] = fp16ToFloat(vh[i]);
        }
        Arena arena(*m_fx.ctx);
        auto bq = arena.upload(std::span<const float>(q));
        auto bk = arena.upload(std::span<const std::uint16_t>(kh)); // both forms hold these bytes
        auto bv = arena.upload(std::span<const std::uint16_t>(vh));
        auto bo = arena.allocate(q.size() * 4);
        QVERIFY(bq.ok() && bk.ok() && bv.ok() && bo.ok());
        const AttentionPush p{std::uint32_t(tokens), std::uint32_t(heads), std::uint32_t(kvHeads), std::uint32_t(hd), std::uint32_t(pos0),
                              std::uint32_t(kvHeads * hd), 1.0f / std::sqrt(float(hd))};
        const auto ref = attentionRef(q, k, v, tokens, heads, kvHeads, hd, pos0);
        for (std::uint32_t rowsHeads : rowsHeadCounts(AttentionKernel(kernel))) {
            std::memset((*bo)->mapped, 0xFF, (*bo)->size);
            run([&](Recorder &r) { return recordAttention(r, **bq, **bk, **bv, **bo, p, KvForm(form), AttentionKernel(kernel), rowsHeads); });
            const auto o = (*bo)->as<float>();
            for (std::size_t i = 0; i < ref.size(); ++i)
                QVERIFY2(std::fabs(o[i] - ref[i]) < 1e-4f,
                         qPrintable(QStringLiteral("%1 heads a subgroup, %2: %3 vs %4").arg(rowsHeads).arg(i).arg(o[i]).arg(ref[i])));
        }
    }
    void incrementalDecodeEqualsPrefill()
    {
        // The last row of a full causal prefill equals a one-token decode against the same cache.
        const int tokens = 12, heads = 4, kvHeads = 2, hd = 8;
        auto q = test::randomFloats(std::size_t(tokens) * heads * hd, 5);
        auto k = test::randomFloats(std::size_t(tokens) * kvHeads * hd, 6);
        auto v = test::randomFloats(std::size_t(tokens) * kvHeads * hd, 7);
        Arena arena(*m_fx.ctx);
        auto bq = arena.upload(std::span<const float>(q));
        auto bqLast = arena.upload(std::span<const float>(q).subspan(std::size_t(tokens - 1) * heads * hd));
        auto bk = arena.upload(std::span<const float>(k));
        auto bv = arena.upload(std::span<const float>(v));
        auto bo = arena.allocate(q.size() * 4);
        auto boLast = arena.allocate(std::size_t(heads) * hd * 4);
        QVERIFY(bq.ok() && bqLast.ok() && bk.ok() && bv.ok() && bo.ok() && boLast.ok());
        const float scale = 1.0f / std::sqrt(float(hd));
        run([&](Recorder &r) -> Status {
            LOWBIT_CHECK(recordAttention(r, **bq, **bk, **bv, **bo, {tokens, heads, kvHeads, hd, 0, kvHeads * hd, scale}));
            return recordAttention(r, **bqLast, **bk, **bv, **boLast, {1, heads, kvHeads, hd, tokens - 1, kvHeads * hd, scale});
        });
        const auto full = (*bo)->as<float>();
        const auto last = (*boLast)->as<float>();
        for (int i = 0; i < heads * hd; ++i)
            QVERIFY(std::fabs(full[std::size_t((tokens - 1) * heads * hd + i)] - last[std::size_t(i)]) < 1e-6f);
    }
    void siluMulAndAdd()
    {
        const std::uint32_t n = 1000;
        auto g = test::randomFloats(n, 8, 3.0f), u = test::randomFloats(n, 9), y = test::randomFloats(n, 10);
        Arena arena(*m_fx.ctx);
        auto bg = arena.upload(std::span<const float>(g));
        auto bu = arena.upload(std::span<const float>(u));
        auto bo = arena.allocate(n * 4);
        auto by = arena.upload(std::span<const float>(y));
        QVERIFY(bg.ok() && bu.ok() && bo.ok() && by.ok());
        run([&](Recorder &r) -> Status {
            LOWBIT_CHECK(recordSiluMul(r, **bg, **bu, **bo, n));
            return recordAdd(r, **by, **bo, n); // y += silu(g)*u, ordered by the recorder's barrier
        });
        const auto out = (*by)->as<float>();
        for (std::size_t i = 0; i < n; ++i) {
            const double ref = y[i] + g[i] / (1.0 + std::exp(-double(g[i]))) * u[i];
            QVERIFY(std::fabs(out[i] - ref) < 1e-5);
        }
    }
    /// The SwiGLU product from the merged gate/up output (each token's gate row, then its up
    /// row) is the separate kernel's on the same values, bit for bit.
    void siluMulPairReadsTheMergedRows()
    {
        const std::uint32_t tokens = 3, ff = 300;
        const auto gu = test::randomFloats(std::size_t(tokens) * 2 * ff, 15, 3.0f);
        std::vector<float> g, u;
        for (std::uint32_t t = 0; t < tokens; ++t) {
            g.insert(g.end(), gu.begin() + t * 2 * ff, gu.begin() + t * 2 * ff + ff);
            u.insert(u.end(), gu.begin() + t * 2 * ff + ff, gu.begin() + (t + 1) * 2 * ff);
        }
        Arena arena(*m_fx.ctx);
        auto bgu = arena.upload(std::span<const float>(gu));
        auto bg = arena.upload(std::span<const float>(g));
        auto bu = arena.upload(std::span<const float>(u));
        auto bPair = arena.allocate(std::size_t(tokens) * ff * 4 + 16), bApart = arena.allocate(std::size_t(tokens) * ff * 4);
        QVERIFY(bgu.ok() && bg.ok() && bu.ok() && bPair.ok() && bApart.ok());
        std::memset((*bPair)->mapped, 0x7F, (*bPair)->size);
        run([&](Recorder &r) -> Status {
            LOWBIT_CHECK(recordSiluMulPair(r, **bgu, **bPair, tokens, ff));
            return recordSiluMul(r, **bg, **bu, **bApart, tokens * ff);
        });
        QCOMPARE(std::memcmp((*bPair)->mapped, (*bApart)->mapped, std::size_t(tokens) * ff * 4), 0);
        const auto tail = (*bPair)->as<std::uint32_t>();
        for (std::size_t i = std::size_t(tokens) * ff; i < std::size_t(tokens) * ff + 4; ++i)
            QCOMPARE(tail[i], 0x7F7F7F7Fu); // nothing past the output
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(rec.ok());
        QVERIFY(!recordSiluMulPair(**rec, **bg, **bPair, tokens, ff).ok()); // gate/up buffer of one half only
    }
    void addBias()
    {
        // rows of `width` floats from `offset` on get the bias; what lies around them does not
        const std::uint32_t rows = 3, width = 37, offset = 11;
        auto y = test::randomFloats(offset + rows * width + 5, 13);
        const auto b = test::randomFloats(width, 14);
        Arena arena(*m_fx.ctx);
        auto by = arena.upload(std::span<const float>(y));
        auto bb = arena.upload(std::span<const float>(b));
        QVERIFY(by.ok() && bb.ok());
        run([&](Recorder &r) { return recordAddBias(r, **by, **bb, {rows, width, offset}); });
        const auto out = (*by)->as<float>();
        for (std::size_t i = 0; i < y.size(); ++i) {
            const bool inside = i >= offset && i < offset + rows * width;
            QCOMPARE(out[i], inside ? y[i] + b[(i - offset) % width] : y[i]);
        }
    }
    void embedding()
    {
        const std::uint32_t vocab = 50, dim = 12;
        auto table = test::randomFloats(vocab * dim, 11);
        const std::vector<std::uint32_t> ids = {0, 49, 7, 7, 1000 /* out of range: zeros */};
        Arena arena(*m_fx.ctx);
        auto bt = arena.upload(std::span<const float>(table));
        auto bi = arena.upload(std::span<const std::uint32_t>(ids));
        auto bo = arena.allocate(ids.size() * dim * 4);
        QVERIFY(bt.ok() && bi.ok() && bo.ok());
        run([&](Recorder &r) { return recordEmbedding(r, **bt, **bi, **bo, {std::uint32_t(ids.size()), dim, vocab}); });
        const auto o = (*bo)->as<float>();
        for (std::size_t t = 0; t < ids.size(); ++t)
            for (std::size_t c = 0; c < dim; ++c)
                QCOMPARE(o[t * dim + c], ids[t] < vocab ? table[ids[t] * dim + c] : 0.0f);
    }
    void rejectsBadShapes()
    {
        Arena arena(*m_fx.ctx);
        auto b = arena.allocate(1024);
        auto b2 = arena.allocate(256);
        auto rec = Recorder::begin(*m_fx.ctx, *m_fx.pipelines);
        QVERIFY(b.ok() && b2.ok() && rec.ok());
        QVERIFY(!recordAttention(**rec, **b, **b, **b, **b, {1, 3, 2, 8, 0, 16, 1.0f}).ok()); // 3 heads, 2 kv heads
        QVERIFY(!recordRope(**rec, **b, **b, {1, 1, 7, 0, 0, 0}).ok());                           // odd head dim
        QVERIFY(!recordSiluMul(**rec, **b, **b, **b, 1u << 20).ok());                           // buffers too small
        QVERIFY(!recordKvStore(**rec, **b, **b, {7, 0}, KvForm::F16Packed).ok());                // odd count
        QVERIFY(!recordKvStore(**rec, **b, **b, {8, 3}, KvForm::F16Packed).ok());                // odd offset
        QVERIFY(!recordKvStore(**rec, **b, **b, {8, 0}, KvForm::F32).ok());                      // not an fp16 cache
        QVERIFY(!recordKvStore(**rec, **b, **b, {200, 400}, KvForm::F16Packed).ok());            // past the cache
        QVERIFY(!recordKvStorePair(**rec, **b, **b, **b, **b, {8, 0}, KvForm::F16Packed).ok());   // one cache for both
        QVERIFY(!recordRopeQk(**rec, **b, **b, **b, {{1, 1, 8, 0, 0, 0}, 1, 64}).ok());            // q and k one buffer
        QVERIFY(!recordRopeQk(**rec, **b, **b2, **b, {{1, 1, 8, 0, 0, 0}, 1, 64}).ok());           // k past its buffer
        QVERIFY(!recordAttention(**rec, **b, **b, **b, **b, {1, 2, 1, 7, 0, 7, 1.0f}, KvForm::F16Packed).ok()); // odd head dim
        // the rows kernel only where head dims and strides are whole texels (and never on a GPU)
        QVERIFY(!recordAttention(**rec, **b, **b, **b, **b, {1, 2, 1, 18, 0, 18, 1.0f}, KvForm::F16Packed, AttentionKernel::Rows).ok());
        QVERIFY(!recordAttention(**rec, **b, **b, **b, **b, {1, 2, 1, 6, 0, 6, 1.0f}, KvForm::F32, AttentionKernel::Rows).ok());
        QVERIFY(recordAttention(**rec, **b, **b, **b, **b, {1, 2, 1, 6, 0, 6, 1.0f}, KvForm::F32, AttentionKernel::Auto).ok());
    }
};

QTEST_APPLESS_MAIN(TestLayerKernels)
#include "tst_layer_kernels.moc"
