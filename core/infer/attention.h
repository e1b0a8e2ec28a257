// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Causal grouped-query attention over a KV cache, in fp32: for every new query row t (at
/// position pos0 + t) and head h, softmax(q·Kᵀ/√hd) over the keys at positions 0 .. pos0 + t
/// of kv head h / (heads / kvHeads), times V. Blocks of queries are scored with small
/// matrix products (Eigen), so prefill runs at GEMM speed; blocks are spread over the OpenMP
/// threads of the caller.

#include <cstdint>

namespace lowbit {

struct AttentionShape {
    std::int64_t rows = 0;    ///< new query rows
    std::int64_t heads = 0;   ///< query heads
    std::int64_t kvHeads = 0; ///< key/value heads (divides heads)
    std::int64_t headDim = 0;
    std::int64_t pos0 = 0;    ///< position of the first new row; the cache holds pos0 + rows keys
};

/// q: [rows, heads·headDim]; kCache, vCache: [≥ pos0 + rows, kvHeads·headDim] (RoPE already
/// applied to q and k); out: [rows, heads·headDim]. The caller guarantees the shapes.
void causalAttention(const AttentionShape &s, const float *q, const float *kCache, const float *vCache, float *out);

/// The obvious loop (double accumulation), which the tests compare causalAttention with.
void causalAttentionRef(const AttentionShape &s, const float *q, const float *kCache, const float *vCache, float *out);

} // namespace lowbit
