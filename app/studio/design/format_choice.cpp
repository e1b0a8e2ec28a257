// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/design/format_choice.h"

#include "core/quant/quantized_tensor.h"

#include <QStringList>

#include <algorithm>
#include <array>

namespace lowbit::studio {
namespace {

struct FamilyRow {
    DesignerFamily family;
    const char *key;
    std::array<int, 7> bits; ///< 0-terminated
    bool asym;
    bool fixedGroup;
};

// One table answers every question about the designer's families.
constexpr std::array<FamilyRow, kDesignerFamilyCount> kFamilies{{
    {DesignerFamily::Int, "int", {2, 3, 4, 5, 6, 8, 0}, true, false},
    {DesignerFamily::Fp, "fp", {3, 4, 5, 6, 7, 8, 0}, true, false},
    {DesignerFamily::Nf, "nf", {3, 4, 0}, true, false},
    {DesignerFamily::Bitmod, "bitmod", {3, 4, 0}, false, false},
    {DesignerFamily::Mx, "mx", {4, 6, 8, 0}, false, true},
    {DesignerFamily::Nvfp4, "nvfp4", {4, 0}, false, true},
    {DesignerFamily::Iq4nl, "iq4nl", {4, 0}, false, false},
    {DesignerFamily::Q4_0, "q4_0", {4, 0}, false, true},
    {DesignerFamily::Mixture, "mix", {0}, false, false},
    {DesignerFamily::Lut, "lut", {0}, true, false},
}};

const FamilyRow &row(DesignerFamily f) { return kFamilies[static_cast<std::size_t>(f)]; }

QString asymSuffix(const FormatChoice &c)
{
    return c.asymmetric && designerTakesAsym(c.family) ? QStringLiteral("-asym") : QString();
}

/// "-1, 0 ,1" → "-1,0,1" (spaces and a typographic minus accepted).
QString normalizedList(QString text, QChar separator)
{
    text.replace(QChar(0x2212), QLatin1Char('-'));
    text.replace(QLatin1Char(';'), separator);
    if (separator == QLatin1Char(',')) // a LUT may also be written with spaces: "-1 -0.5 0 0.5 1"
        text = text.simplified().replace(QLatin1Char(' '), separator);
    QStringList parts;
    for (const QString &p : text.split(separator, Qt::SkipEmptyParts)) {
        const QString t = p.trimmed();
        if (!t.isEmpty())
            parts << t;
    }
    return parts.join(separator);
}

} // namespace

QString designerFamilyKey(DesignerFamily f) { return QString::fromLatin1(row(f).key); }

std::optional<DesignerFamily> designerFamilyFromKey(const QString &key)
{
    for (const FamilyRow &r : kFamilies)
        if (key == QLatin1String(r.key))
            return r.family;
    return std::nullopt;
}

std::vector<int> designerBitsFor(DesignerFamily f)
{
    std::vector<int> out;
    for (const int b : row(f).bits) {
        if (b == 0)
            break;
        out.push_back(b);
    }
    return out;
}

bool designerHasExponentSplit(DesignerFamily f, int bits)
{
    return f == DesignerFamily::Fp || (f == DesignerFamily::Mx && bits == 6);
}

bool designerTakesAsym(DesignerFamily f) { return row(f).asym; }
bool designerHasFixedGroup(DesignerFamily f) { return row(f).fixedGroup; }

QString formatNameFor(const FormatChoice &c)
{
    const int bits = c.bits;
    switch (c.family) {
    case DesignerFamily::Int: return QStringLiteral("int%1").arg(bits) + asymSuffix(c);
    case DesignerFamily::Fp: {
        const int e = std::clamp(c.exponentBits, 1, std::max(1, bits - 1));
        return QStringLiteral("fp-e%1m%2").arg(e).arg(bits - 1 - e) + asymSuffix(c);
    }
    case DesignerFamily::Nf: return QStringLiteral("nf%1").arg(bits) + asymSuffix(c);
    case DesignerFamily::Bitmod: return QStringLiteral("bitmod-fp%1").arg(bits);
    case DesignerFamily::Mx:
        if (bits == 6)
            return c.exponentBits >= 3 ? QStringLiteral("mxfp6-e3m2") : QStringLiteral("mxfp6-e2m3");
        return bits == 8 ? QStringLiteral("mxfp8-e4m3") : QStringLiteral("mxfp4");
    case DesignerFamily::Nvfp4: return QStringLiteral("nvfp4");
    case DesignerFamily::Iq4nl: return QStringLiteral("iq4nl");
    case DesignerFamily::Q4_0: return QStringLiteral("q4_0");
    case DesignerFamily::Mixture: return QStringLiteral("mix:") + normalizedList(c.members, QLatin1Char('|'));
    case DesignerFamily::Lut: return QStringLiteral("lut:") + normalizedList(c.lut, QLatin1Char(',')) + asymSuffix(c);
    }
    return {};
}

Result<FormatSpec> specFor(const FormatChoice &c)
{
    auto format = parseFormat(formatNameFor(c).toStdString());
    if (!format)
        return format.error();
    if (designerHasFixedGroup(c.family))
        return makeFormatSpec(*format);
    return makeFormatSpec(*format, c.groupSize, c.storage);
}

FormatChoice choiceForSpec(const FormatSpec &spec)
{
    FormatChoice c;
    const QString name = QString::fromStdString(spec.format.name);
    c.groupSize = spec.groupSize;
    c.storage = spec.scaleStorage;
    c.bits = static_cast<int>(spec.format.bits);
    c.asymmetric = spec.format.twoScale || name.endsWith(QLatin1String("-asym"));
    switch (spec.format.family) {
    case FormatFamily::Int:
    case FormatFamily::IntAsym: c.family = DesignerFamily::Int; break;
    case FormatFamily::Fp:
        c.family = DesignerFamily::Fp;
        if (const qsizetype e = name.indexOf(QLatin1String("-e")); e >= 0 && e + 2 < name.size())
            c.exponentBits = name.at(e + 2).digitValue();
        else if (name.startsWith(QLatin1String("fp3")))
            c.exponentBits = 1; // FP3 {−4…4}: sign + 2-bit exponent is not an ExMy in the registry's sense
        break;
    case FormatFamily::Nf: c.family = DesignerFamily::Nf; break;
    case FormatFamily::Mx:
        c.family = DesignerFamily::Mx;
        c.exponentBits = name.contains(QLatin1String("e3m2")) ? 3 : 2;
        break;
    case FormatFamily::Nvfp4: c.family = DesignerFamily::Nvfp4; break;
    case FormatFamily::Iq4nl: c.family = DesignerFamily::Iq4nl; break;
    case FormatFamily::Q4_0: c.family = DesignerFamily::Q4_0; break;
    case FormatFamily::Mixture:
        if (name.startsWith(QLatin1String("bitmod-fp"))) {
            c.family = DesignerFamily::Bitmod;
        } else {
            c.family = DesignerFamily::Mixture;
            c.members = name.mid(4);
        }
        break;
    case FormatFamily::Lut:
    case FormatFamily::BitmodVariant:
        c.family = DesignerFamily::Lut;
        if (name.startsWith(QLatin1String("lut:"))) {
            QString values = name.mid(4);
            if (values.endsWith(QLatin1String("-asym")))
                values.chop(5);
            c.lut = values;
        } else {
            QStringList v;
            for (const float x : spec.format.grid)
                v << QString::number(static_cast<double>(x));
            c.lut = v.join(QLatin1Char(','));
        }
        break;
    }
    return c;
}

QString specDisplayName(const FormatSpec &spec) { return QString::fromStdString(describeSpec(spec)); }

} // namespace lowbit::studio
