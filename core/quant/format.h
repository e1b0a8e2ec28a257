// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The format registry: stable public names ("int4", "fp-e2m1", "nf4-asym", "bitmod-fp3",
/// "mxfp4", "nvfp4", "lut:…", "mix:a|b", …) → a Format, a FormatSpec (group size, scale storage,
/// clipping), its exact bits per weight, and the resolved FastPlan the quantizers run.
/// Which names exist and what they mean lives in one table (kNamedFormats); parameterised names
/// (fp-eXmY, lut:, mix:, -asym) are parsed on top of it.

#include "core/quant/fast_plan.h"
#include "core/util/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

namespace lowbit {

/// Format families, explicitly numbered and permanent (a removed value stays reserved).
enum class FormatFamily : std::uint8_t {
    Int = 0, IntAsym = 1, Fp = 2, Nf = 3, Lut = 4, BitmodVariant = 5, Iq4nl = 6, Mixture = 7, Mx = 8, Nvfp4 = 9, Q4_0 = 10
};
inline constexpr std::size_t kFormatFamilyCount = 11;

/// Scale storage precision of a group scale (rounds the fp32 scale before use).
using ScaleStorage = FastScaleRound;

/// What the rest of the code asks about a family; answered from one table (kFormatFamilies in
/// format.cpp), never from switches spread around.
struct FormatFamilyTraits {
    FormatFamily family;
    std::string_view name;       ///< "int", "int-asym", "fp", … (lowbit formats' family column)
    bool scalar;                 ///< one grid or INT
    bool mixable;                ///< may be a member of mix:/BitMoD mixtures
    bool takesAsym;              ///< accepts the "-asym" suffix (AFPQ two scales)
    std::int64_t fixedGroup;     ///< > 0: the only group size (MX 32, NVFP4 16, q4_0 32); 0: any
    bool fixedStorage;           ///< the scale storage below is the only one
    ScaleStorage storage;        ///< the forced storage when fixedStorage
};
const FormatFamilyTraits &familyTraits(FormatFamily f);
std::string_view formatFamilyName(FormatFamily f); ///< familyTraits(f).name

struct Format {
    std::string name;                ///< canonical public name
    FormatFamily family = FormatFamily::Int;
    unsigned bits = 4;               ///< INT width, or the minifloat's total width
    bool twoScale = false;           ///< AFPQ (-asym on a grid)
    std::vector<float> grid;         ///< sorted values of a scalar grid (empty for INT and MX/NVFP4 use the element grid)
    std::vector<Format> members;     ///< mixtures
    int mxEmax = 0;                  ///< MX element emax

    unsigned codeBits() const;       ///< bits of one code
    unsigned selectorBits() const;   ///< mixtures: ceil(log2 members)
    bool isScalar() const;           ///< a single grid or INT (can be a mixture member)
};

/// Parses a public name. Errors: InvalidArgument naming what is valid.
Result<Format> parseFormat(std::string_view name);
/// The canonical named formats, in display order (lowbit formats).
std::vector<std::string> listFormatNames();

std::string_view scaleStorageName(ScaleStorage s);     ///< "fp32", "fp16", "bf16", "e8m0", "e4m3"
Result<ScaleStorage> parseScaleStorage(std::string_view name);
unsigned scaleStorageBits(ScaleStorage s);

/// Group sizes: > 0 consecutive weights of a row (a shorter last group when it does not divide
/// the row), 0 = per output channel, −1 = per tensor.
inline constexpr std::int64_t kPerChannel = 0;
inline constexpr std::int64_t kPerTensor = -1;

struct FormatSpec {
    Format format;
    std::int64_t groupSize = 32;
    ScaleStorage scaleStorage = ScaleStorage::F32;
    float clip = 1.0f;
};

/// Validates and completes a spec: MX forces group 32 + E8M0, NVFP4 group 16 + E4M3, q4_0 group 32 +
/// fp16 (ggml's block; codes {−8…7}, d = (element of largest |x|)/−8, q = min(15, trunc(x/d + 8.5))) (asking for
/// something else is an InvalidArgument that says so); clip in (0, 1]; group ≥ −1.
/// groupSize < −1 / storage left at default are handled as documented.
Result<FormatSpec> makeFormatSpec(const Format &format, std::optional<std::int64_t> groupSize = std::nullopt,
                                  std::optional<ScaleStorage> storage = std::nullopt, float clip = 1.0f);

struct BpwBreakdown {
    double codes = 0, scales = 0, secondScales = 0, selectors = 0, tensor = 0;
    double total() const { return codes + scales + secondScales + selectors + tensor; }
};
/// Exact bits per weight of a rows × cols matrix, every overhead included.
BpwBreakdown bitsPerWeight(const FormatSpec &spec, std::int64_t rows, std::int64_t cols);

/// The plan the fast quantizers execute for this spec. q4_0 has no fast path (Unsupported: use
/// quantizeRef, quantize_ref.h).
Result<FastPlan> planForSpec(const FormatSpec &spec);

} // namespace lowbit
