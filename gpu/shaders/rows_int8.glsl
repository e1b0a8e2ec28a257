// SPDX-License-Identifier: GPL-3.0-or-later
// matvec_rows.comp's integer path (X_INT8: x quantized to int8 per 32 columns by
// quantize_x8.comp; 2- to 4-bit codes of the linear path): nibbleWord and partialSums. Included
// once, in place of the fp32 partialSums.
/// X_INT8: codes 8q … 8q + 7 of the chunk's words as eight 4-bit fields (code 8q + i at bit 4i).
/// 4-bit codes are word q as it is; 2- and 3-bit codes are spread by three mask-and-shift steps
/// (constant q after unrolling, so the word selection folds away).
uint nibbleWord(uint w[8], uint q)
{
#if CODE_BITS == 4
    return w[q];
#elif CODE_BITS == 2
    uint v = (w[q >> 1] >> (16u * (q & 1u))) & 0xFFFFu; // eight 2-bit codes
    v = (v | (v << 8)) & 0x00FF00FFu;
    v = (v | (v << 4)) & 0x0F0F0F0Fu;
    return (v | (v << 2)) & 0x33333333u;
#elif CODE_BITS == 3
    // eight 3-bit codes: bits 24q … 24q + 23 of the chunk's 96
    const uint lo = 24u * q, i = lo >> 5, off = lo & 31u;
    uint v = w[i] >> off;
    if (off > 8u)
        v |= w[i + 1u] << (32u - off);
    v &= 0xFFFFFFu;
    v = (v & 0xFFFu) | ((v & 0xFFF000u) << 4);          // two 12-bit halves at bits 0 and 16
    v = (v & 0x003F003Fu) | ((v & 0x0FC00FC0u) << 2);   // four 6-bit quarters at bytes
    return (v & 0x07070707u) | ((v & 0x38383838u) << 1); // eight 3-bit codes at nibbles
#else
#error X_INT8 takes 2-, 3- and 4-bit codes
#endif
}

/// X_INT8 (2-, 3- and 4-bit codes, the linear path): for each of the RPI rows and NT tokens,
/// s += d·Σ (code − off)·q over codes [lo, lo + n) (multiples of 8) of the chunk, x quantized
/// to q·d (quantize_x8.comp). Two codes a 32-bit multiply: ((word >> 4i) & 0x000F000F) times the
/// pair word q[i + 4] + q[i]·2^16 leaves c[i]·q[i] + c[i+4]·q[i+4] in bits 16–31 over a low
/// field of c[i]·q[i+4]; eight such products per accumulator keep |low| ≤ 8·15·127 < 2^15 and
/// the high field ≤ 16·15·127 < 2^15, so ((sum + 2^15) >> 16) is exactly Σ c·q. The zero point
/// comes off as off·Σq (integers: exact). Lanes 0–3 hold the chunk's four pair texels, each
/// pair word reaches every lane by one shuffle. 2- and 3-bit codes are first spread to the 4-bit
/// layout, eight codes a word (nibbleWord): the same products with smaller codes.
void partialSums(uint w[RPI][8], uint c0, GroupParams p[RPI], uint lo, uint n, inout float s[RPI][NT])
{
    int off[RPI];
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        off[k] = p[k].kind == KIND_INT_ASYM ? int(p[k].s2) : -int(pc.lin0);
    uint nw[RPI][4]; // codes 8q … 8q + 7 of each row in 4-bit fields, once for every token
    [[unroll]] for (uint k = 0u; k < RPI; ++k)
        [[unroll]] for (uint q = lo >> 3; q < (lo + n) >> 3; ++q)
            nw[k][q] = nibbleWord(w[k], q);
    const uint lane = gl_SubgroupInvocationID;
    [[unroll]] for (uint t = 0u; t < NT; ++t) {
        const uint base = x8Chunk(xTok(t), c0 >> 5);
        const uvec4 xt = X8(base + (lane & 3u));
        const uvec4 xm = X8(base + 4u);
        const int qs = (lo < 16u ? int(xm.y) : 0) + (lo + n > 16u ? int(xm.z) : 0);
        int t0[RPI], t1[RPI];
        [[unroll]] for (uint k = 0u; k < RPI; ++k) {
            t0[k] = 0;
            t1[k] = 0;
        }
        [[unroll]] for (uint q = lo >> 3; q < (lo + n) >> 3; ++q) {
            [[unroll]] for (uint i = 0u; i < 4u; ++i) {
                const int b = int(subgroupShuffle(i == 0u ? xt.x : i == 1u ? xt.y : i == 2u ? xt.z : xt.w, q));
                [[unroll]] for (uint k = 0u; k < RPI; ++k) {
                    const int a = int((nw[k][q] >> (4u * i)) & 0x000F000Fu);
                    if ((q & 1u) == 0u)
                        t0[k] += a * b;
                    else
                        t1[k] += a * b;
                }
            }
        }
        const float d = uintBitsToFloat(xm.x);
        [[unroll]] for (uint k = 0u; k < RPI; ++k)
            s[k][t] += float(((t0[k] + 0x8000) >> 16) + ((t1[k] + 0x8000) >> 16) - off[k] * qs) * d;
    }
}
