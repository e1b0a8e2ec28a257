// SPDX-License-Identifier: GPL-3.0-or-later
// matvec_rows.comp's value decoders: the minifloat grid by integer ops (DECODE 3), the value
// tables in registers read by shuffles (LANE_TABLES: DECODE 2's small tables and FP6 planes,
// DECODE 4's mixtures, DECODE 5's inserted values), and VALK(k, i), the value of code i of row
// k's chunk without the group scale, for every DECODE. Included once, after the code loads.
#if DECODE == 3
/// A minifloat grid's value over its unit: ±I(|code − zero|), I = the sign-less code's integer
/// value (m at exponent 0, (m + 2^M)·2^(e−1) above), exact in fp32 (the host checked I < 2^24).
float minifloatValue(uint c)
{
    const int d = int(c) - int(pc.mfZero);
    const uint i = uint(abs(d));
    const uint e = i >> pc.mfMant, m = i & ((1u << pc.mfMant) - 1u);
    const uint mag = e == 0u ? m : (m | (1u << pc.mfMant)) << (max(e, 1u) - 1u);
    return float(d < 0 ? -int(mag) : int(mag));
}
#endif

#if DECODE == 4 || DECODE == 5 || (DECODE == 2 && (defined(FP6_PLANES) || (defined(CODE_BITS) && CODE_BITS <= 4)))
// Value tables held in registers, read by subgroup shuffles (llvmpipe: permutes, vpermps) instead
// of a gathered read per weight: ≤ 4 members of ≤ 16 values each (DECODE 4: BitMoD and other
// mixtures of grids; with TWO_SCALE one AFPQ grid, value·(value < 0 ? s2 : s1)), or the lut
// path's one table of ≤ 16 values. Entry l (and l + 8) of member m sits in lane l of lut[2m]
// (lut[2m + 1]) for 4-bit codes, of lut[m] for narrower ones — every register shuffled, then a
// select tree on (m, bit 3). Members past the format's repeat its last one (never selected).
// The FP6 planes' lut path the same way: 64 values by bit pattern, entry 8r + l in lane l of lut[r].
#define LANE_TABLES
#if defined(FP6_PLANES)
#define LUT_MEMBERS 4
#elif defined(TWO_SCALE) || DECODE == 2 || DECODE == 5
#define LUT_MEMBERS 1
#else
#define LUT_MEMBERS 4
#endif
#if CODE_BITS == 4 || defined(FP6_PLANES)
#define LUT_N (2 * LUT_MEMBERS)
#else
#define LUT_N LUT_MEMBERS
#endif
float lut[LUT_N];
float laneTables(uint c, uint m)
{
    float v[LUT_N];
    [[unroll]] for (uint r = 0u; r < uint(LUT_N); ++r)
        v[r] = subgroupShuffle(lut[r], c & 7u);
#if LUT_N == 1
    return v[0];
#else
#if defined(FP6_PLANES)
    const uint r = c >> 3;
#elif CODE_BITS == 4
    const uint r = (m << 1) | (c >> 3);
#else
    const uint r = m;
#endif
    const bool b0 = (r & 1u) != 0u;
#if LUT_N == 2
    return b0 ? v[1] : v[0];
#else
    const bool b1 = (r & 2u) != 0u;
    const float lo4 = b1 ? (b0 ? v[3] : v[2]) : (b0 ? v[1] : v[0]);
#if LUT_N == 4
    return lo4;
#else
    const float hi4 = b1 ? (b0 ? v[7] : v[6]) : (b0 ? v[5] : v[4]);
    return (r & 4u) != 0u ? hi4 : lo4;
#endif
#endif
#endif
}
#if DECODE == 5
float insVal[4]; // member m's inserted value (members past the format's repeat the last)
/// Member-table value of `code` whose member inserts `extra` at code `pos`.
float insertedValue(uint code, uint pos, float extra)
{
    const float v = laneTables(code - (code > pos ? 1u : 0u), 0u);
    return code == pos ? extra : v;
}
#endif
#endif

#if DECODE == 1
#define VALK(k, i) (float(chunkCode(w[k], i)) - off[k]) // exact: small integers
#elif DECODE == 5
#define VALK(k, i) insertedValue(chunkCode(w[k], i), p[k].base, p[k].s2)
#elif defined(LANE_TABLES)
#define VALK(k, i) laneTables(chunkCode(w[k], i), p[k].base)
#elif DECODE == 3
#define VALK(k, i) minifloatValue(chunkCode(w[k], i))
#elif DECODE == 2
#define VALK(k, i) TABLE(p[k].base + chunkCode(w[k], i))
#else
#define VALK(k, i) decodeValue(p[k], chunkCode(w[k], i))
#endif
