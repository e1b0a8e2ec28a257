// SPDX-License-Identifier: GPL-3.0-or-later
// Blocked causal GQA attention == the obvious double-precision loop, for prefill, decode and
// chunks starting mid-cache, with MHA, GQA and MQA head layouts.
#include "core/infer/attention.h"

#include <QTest>

#include <cmath>
#include <random>
#include <vector>

using namespace lowbit;

class TestAttention : public QObject {
    Q_OBJECT
private slots:
    void blockedEqualsReference_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("kvHeads");
        QTest::addColumn<int>("headDim");
        QTest::addColumn<int>("pos0");
        QTest::newRow("decode, GQA 8:4, hd 8 (stories260K)") << 1 << 8 << 4 << 8 << 200;
        QTest::newRow("prefill 100, GQA 8:4") << 100 << 8 << 4 << 8 << 0;
        QTest::newRow("prefill across query blocks, MHA") << 70 << 4 << 4 << 16 << 0;
        QTest::newRow("chunk mid-cache, MQA 6:1") << 33 << 6 << 1 << 12 << 47;
        QTest::newRow("hd 128, GQA 4:2") << 9 << 4 << 2 << 128 << 5;
        QTest::newRow("single position") << 1 << 2 << 1 << 4 << 0;
    }
    void blockedEqualsReference()
    {
        QFETCH(int, rows);
        QFETCH(int, heads);
        QFETCH(int, kvHeads);
        QFETCH(int, headDim);
        QFETCH(int, pos0);
        const AttentionShape s{rows, heads, kvHeads, headDim, pos0};
        std::mt19937 rng(std::uint32_t(rows * 131 + pos0));
        std::normal_distribution<float> d(0.0f, 2.0f); // sharp enough softmaxes to matter
        const std::size_t qd = std::size_t(heads * headDim), kvd = std::size_t(kvHeads * headDim), keys = std::size_t(pos0 + rows);
        std::vector<float> q(std::size_t(rows) * qd), k(keys * kvd), v(keys * kvd);
        for (auto *vec : {&q, &k, &v})
            for (auto &x : *vec)
                x = d(rng);
        std::vector<float> out(q.size(), NAN), ref(q.size(), NAN);
        causalAttention(s, q.data(), k.data(), v.data(), out.data());
        causalAttentionRef(s, q.data(), k.data(), v.data(), ref.data());
        for (std::size_t i = 0; i < out.size(); ++i)
            QVERIFY2(std::fabs(out[i] - ref[i]) <= 2e-5f * (1.0f + std::fabs(ref[i])),
                     qPrintable(QStringLiteral("%1: %2 vs %3").arg(i).arg(out[i]).arg(ref[i])));
    }
    void rowsSeeOnlyTheirPast()
    {
        // changing a later key/value must not change earlier rows
        const AttentionShape s{6, 2, 1, 4, 0};
        std::vector<float> q(6 * 8, 0.3f), k(6 * 4), v(6 * 4), a(q.size()), b(q.size());
        for (std::size_t i = 0; i < k.size(); ++i) {
            k[i] = std::sin(float(i));
            v[i] = std::cos(float(i));
        }
        causalAttention(s, q.data(), k.data(), v.data(), a.data());
        for (std::size_t i = 5 * 4; i < 6 * 4; ++i)
            k[i] = v[i] = 100.0f;
        causalAttention(s, q.data(), k.data(), v.data(), b.data());
        for (std::size_t i = 0; i < 5 * 8; ++i)
            QCOMPARE(a[i], b[i]);
        QVERIFY(a[5 * 8] != b[5 * 8]);
    }
};

QTEST_APPLESS_MAIN(TestAttention)
#include "tst_attention.moc"
