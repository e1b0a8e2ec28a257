// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The stories260K facts every model source must report (../shared/README.md): dim 64, hidden
/// 172, 5 layers, 8 heads, 4 kv heads, vocab 512, seq_len 512, tied embeddings, 260,032 params.

#include "core/model/model.h"

namespace lowbit::test {

/// QCOMPAREs the golden config; callers check QTest::currentTestFailed() afterwards.
void verifyStories260KConfig(const Model &model);

} // namespace lowbit::test
