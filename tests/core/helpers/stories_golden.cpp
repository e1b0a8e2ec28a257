// SPDX-License-Identifier: GPL-3.0-or-later
#include "stories_golden.h"

#include <QTest>

namespace lowbit::test {

void verifyStories260KConfig(const Model &m)
{
    const ModelConfig &c = m.config();
    QCOMPARE(c.hiddenSize, std::int64_t(64));
    QCOMPARE(c.intermediateSize, std::int64_t(172));
    QCOMPARE(c.numLayers, std::int64_t(5));
    QCOMPARE(c.numHeads, std::int64_t(8));
    QCOMPARE(c.numKvHeads, std::int64_t(4));
    QCOMPARE(c.headDim, std::int64_t(8));
    QCOMPARE(c.vocabSize, std::int64_t(512));
    QCOMPARE(c.maxPositions, std::int64_t(512));
    QVERIFY(c.tieWordEmbeddings);
    QCOMPARE(m.totalParams(), std::uint64_t(260032));
}

} // namespace lowbit::test
