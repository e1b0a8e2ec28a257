// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The datatype registry (docs/datatypes.md): stable public names → a Format. Every question
/// about a family (does it have a grid, a second scale, a zero point, a selector, forced group
/// and scale storage) is answered from one constexpr table, kFamilies.

#include "core/util/result.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lowbit::formats {

/// Numbered permanently: stored in exports and settings.
enum class Family : std::uint8_t {
    IntSym = 0,   ///< int2…int8: V = {−(2^(k−1)−1) … 2^(k−1)−1}, s = absmax/qmax
    IntAsym = 1,  ///< int2-asym…: V = {0 … 2^k−1}, scale + k-bit zero point
    Grid = 2,     ///< any sorted scalar grid (FP, NF, LUT, BitMoD variant), s = absmax/max|V|
    GridAsym = 3, ///< AFPQ: a grid with s_pos = max(x,0)/R and s_neg = |min(x,0)|/R
    Mixture = 4,  ///< per-group choice among ≤ 256 symmetric members, ceil(log2 n) selector bits
    Mx = 5,       ///< OCP microscaling: g32, E8M0 shared scale 2^(floor(log2 absmax) − emax)
    Nvfp4 = 6,    ///< E2M1, g16, E4M3 group scale × fp32 tensor scale
    Iq4nl = 7,    ///< 16-level LUT, d = (element of largest |x|)/(−127)
    Q4_0 = 8,     ///< ggml's rule: d = (element of largest |x|)/(−8), q = min(15, trunc(x/d + 8.5))
};

/// How a group scale is stored (it is rounded to this before use).
enum class ScaleStorage : std::uint8_t { Fp32 = 0, Fp16 = 1, Bf16 = 2, E8m0 = 3, E4m3 = 4 };

struct FamilyTraits {
    Family family;
    std::string_view name;          ///< shown in listings ("int", "int-asym", "grid", …)
    bool hasGrid;                   ///< codes index Format::grid (sorted ascending)
    bool twoScales;                 ///< AFPQ: a second (negative-side) scale per group
    bool zeroPoint;                 ///< INT-asym: a k-bit zero point per group
    bool selector;                  ///< a ceil(log2 n)-bit member selector per group
    bool tensorScale;               ///< one fp32 scale per matrix (NVFP4)
    bool signedScale;               ///< the scale may be negative (IQ4_NL, Q4_0)
    std::int64_t forcedGroup;       ///< > 0: the group size is fixed by the format
    int forcedStorage;              ///< ≥ 0: a ScaleStorage the format fixes; −1: free
};

inline constexpr std::array<FamilyTraits, 9> kFamilies{{
    {Family::IntSym, "int", false, false, false, false, false, false, 0, -1},
    {Family::IntAsym, "int-asym", false, false, true, false, false, false, 0, -1},
    {Family::Grid, "grid", true, false, false, false, false, false, 0, -1},
    {Family::GridAsym, "grid-asym", true, true, false, false, false, false, 0, -1},
    {Family::Mixture, "mixture", false, false, false, true, false, false, 0, -1},
    {Family::Mx, "mx", true, false, false, false, false, false, 32, static_cast<int>(ScaleStorage::E8m0)},
    {Family::Nvfp4, "nvfp4", true, false, false, false, true, false, 16, static_cast<int>(ScaleStorage::E4m3)},
    {Family::Iq4nl, "iq4nl", true, false, false, false, false, true, 0, -1},
    {Family::Q4_0, "q4_0", false, false, false, false, false, true, 32, static_cast<int>(ScaleStorage::Fp16)},
}};

/// The traits row of a family (the table is indexed by the enum value).
constexpr const FamilyTraits &familyTraits(Family f) { return kFamilies[static_cast<std::size_t>(f)]; }

/// One member of a mixture: a symmetric INT (intBits > 0) or a symmetric grid.
struct MixMember {
    std::string name;
    int intBits = 0;              ///< > 0: INT-sym with this k (codes q + qmax)
    std::vector<float> grid;      ///< sorted grid (empty for INT)
    std::vector<float> midpoints; ///< f32((v_i + v_{i+1}) * 0.5f), size grid.size() − 1
    float qmax = 0.0f;            ///< max |v| (INT: 2^(k−1)−1)
    int codeBits = 0;
};

/// A resolved format: what the quantizers and the packer need. Built only by parseFormat.
struct Format {
    std::string name;                 ///< canonical public name
    Family family = Family::IntSym;
    int codeBits = 0;                 ///< bits per element code
    int intBits = 0;                  ///< INT families: k
    std::vector<float> grid;          ///< sorted, unique values (families with hasGrid)
    std::vector<float> midpoints;     ///< f32((v_i + v_{i+1}) * 0.5f)
    float qmax = 0.0f;                ///< symmetric divisor max|V| (AFPQ: R = max V; INT: 2^(k−1)−1)
    int mxEmax = 0;                   ///< MX element emax
    int minifloatE = -1, minifloatM = -1; ///< sign+E+M minifloat grid (−1: not one)
    std::vector<MixMember> members;   ///< Mixture members
    int selectorBits = 0;             ///< Mixture: ceil(log2 members)

    const FamilyTraits &traits() const { return familyTraits(family); }
    /// Code whose value is 0 (or nearest to 0): used for zero groups and NaN elements.
    std::uint8_t zeroCode() const;
};

/// Parses a public name (case-sensitive, canonical or alias). Errors: InvalidArgument naming
/// the problem and listing the valid names (unknown name, bad fp-eXmY split, LUT with NaN/Inf,
/// duplicates or a wrong count, mixture with unsupported or too many members).
Result<Format> parseFormat(std::string_view name);

/// Canonical names of the named formats (fp-eXmY splits without an alias included), in
/// listing order. lut: and mix: are open-ended and not listed.
std::vector<std::string> listFormatNames();

/// "fp32", "fp16", "bf16", "e8m0", "e4m3".
std::string_view scaleStorageName(ScaleStorage s);
/// Width of a stored scale in bits (32, 16, 16, 8, 8).
int scaleStorageBits(ScaleStorage s);
/// Parses a storage name. Errors: InvalidArgument listing the valid names.
Result<ScaleStorage> parseScaleStorage(std::string_view name);

/// The sorted unique finite values of a sign+E+M minifloat (E ≥ 1). fnE4M3: OCP "fn" (only
/// S.1111.111 is NaN); ieee: exponent all-ones is Inf/NaN (E5M2). Otherwise every code is finite.
std::vector<float> minifloatGrid(int e, int m, bool fnE4m3, bool ieee);

/// The bit pattern (sign,E,M) of a grid value of a minifloat format (+0 for 0); −1 when the
/// format is not a minifloat or the value is not in its grid.
int minifloatPattern(const Format &f, float value);

} // namespace lowbit::formats
