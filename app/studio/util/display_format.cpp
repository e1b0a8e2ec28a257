// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/studio/util/display_format.h"

#include "core/model/model_config.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

#include <cmath>

namespace lowbit::studio {

QString formatCount(std::uint64_t n)
{
    const QLocale loc;
    if (n < 1000000)
        return loc.toString(static_cast<qulonglong>(n));
    const double v = static_cast<double>(n);
    if (n < 1000000000ULL)
        return loc.toString(v / 1e6, 'f', 2) + QStringLiteral(" M");
    if (n < 1000000000000ULL)
        return loc.toString(v / 1e9, 'f', 2) + QStringLiteral(" B");
    return loc.toString(v / 1e12, 'f', 2) + QStringLiteral(" T");
}

QString formatBytes(std::uint64_t bytes)
{
    return QLocale().formattedDataSize(static_cast<qint64>(std::min<std::uint64_t>(bytes, INT64_MAX)), 1,
                                       QLocale::DataSizeIecFormat);
}

QString formatShape(const std::vector<std::int64_t> &shape)
{
    QStringList parts;
    for (const std::int64_t d : shape)
        parts << QString::number(d);
    return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString formatReal(double v, int precision)
{
    if (std::isnan(v))
        return QStringLiteral("—");
    return QLocale().toString(v, 'g', precision);
}

QString architectureSummary(const ModelConfig &c)
{
    QStringList parts;
    parts << QString::fromStdString(c.modelType.empty() ? c.architecture : c.modelType);
    parts << QCoreApplication::translate("DisplayFormat", "%1 layers").arg(c.numLayers);
    parts << QCoreApplication::translate("DisplayFormat", "dim %1").arg(c.hiddenSize);
    parts << QCoreApplication::translate("DisplayFormat", "%1/%2 heads").arg(c.numHeads).arg(c.numKvHeads);
    parts << QCoreApplication::translate("DisplayFormat", "ffn %1").arg(c.intermediateSize);
    parts << QCoreApplication::translate("DisplayFormat", "vocab %1").arg(c.vocabSize);
    if (c.maxPositions > 0)
        parts << QCoreApplication::translate("DisplayFormat", "ctx %1").arg(c.maxPositions);
    return parts.join(QStringLiteral(" · "));
}

} // namespace lowbit::studio
