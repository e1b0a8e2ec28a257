// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// What the format designer's controls describe (family, bits, ExMy split, asymmetric, group,
/// scale storage, mixture members, custom LUT) and how it becomes a public format name and a
/// validated FormatSpec (parseFormat + makeFormatSpec). No widgets: tests and the CLI-like
/// screenshot path use it directly.

#include "core/quant/format.h"
#include "core/util/result.h"

#include <QString>

#include <cstdint>
#include <optional>
#include <vector>

namespace lowbit::studio {

/// The designer's family list (display order). Each maps to one or more registry families.
enum class DesignerFamily : std::uint8_t { Int, Fp, Nf, Bitmod, Mx, Nvfp4, Iq4nl, Q4_0, Mixture, Lut };
inline constexpr int kDesignerFamilyCount = 10;

struct FormatChoice {
    DesignerFamily family = DesignerFamily::Int;
    int bits = 4;                ///< total bits of a code (Int 2…8, Fp 3…8, Nf/Bitmod 3…4, Mx 4/6/8)
    int exponentBits = 2;        ///< Fp / Mx6: E of ExMy (M = bits − 1 − E)
    bool asymmetric = false;     ///< Int: zero point; Fp/Nf/Lut: AFPQ two scales
    std::int64_t groupSize = 32; ///< > 0, kPerChannel (0) or kPerTensor (−1); ignored by fixed-group families
    std::optional<ScaleStorage> storage = ScaleStorage::F16; ///< nullopt: the family's default
    QString members;             ///< Mixture: "int3|fp3|nf3"
    QString lut;                 ///< Lut: "−1, −0.5, 0, 0.5, 1"

    bool operator==(const FormatChoice &) const = default;
};

/// Stable key of a family ("int", "fp", …) and the registry-independent facts the UI needs.
QString designerFamilyKey(DesignerFamily f);
std::optional<DesignerFamily> designerFamilyFromKey(const QString &key);
/// Bits the family offers (e.g. Nf {3, 4}; Nvfp4 {4}).
std::vector<int> designerBitsFor(DesignerFamily f);
bool designerHasExponentSplit(DesignerFamily f, int bits); ///< Fp, and Mx at 6 bits
bool designerTakesAsym(DesignerFamily f);
bool designerHasFixedGroup(DesignerFamily f);              ///< Mx, Nvfp4, Q4_0

/// The public format name ("int4-asym", "fp-e2m1", "mix:int3|fp3", "lut:-1,0,1") of a choice.
QString formatNameFor(const FormatChoice &choice);
/// parseFormat(formatNameFor(choice)) then makeFormatSpec; errors are the core's.
Result<FormatSpec> specFor(const FormatChoice &choice);
/// Best-effort inverse of specFor for a spec made from a public name (the designer shows the
/// format of a selected tensor). Unknown shapes come back as a Lut/Mixture choice by name.
FormatChoice choiceForSpec(const FormatSpec &spec);

/// A short display name: "int4 g32 fp16" (describeSpec).
QString specDisplayName(const FormatSpec &spec);

} // namespace lowbit::studio
