// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// Every key of the studio's settings store, in one place.

#include <QLatin1String>

namespace lowbit::studio::keys {

inline constexpr QLatin1String kRecentModels{"files/recentModels"};   ///< QStringList, newest first
inline constexpr QLatin1String kLastOpenDir{"files/lastOpenDir"};     ///< QString
inline constexpr QLatin1String kLanguage{"ui/language"};              ///< QString, "" = system locale
inline constexpr QLatin1String kWindowGeometry{"ui/mainWindowGeometry"}; ///< QByteArray
inline constexpr QLatin1String kWindowState{"ui/mainWindowState"};       ///< QByteArray
inline constexpr QLatin1String kHistogramLogScale{"ui/histogramLogScale"}; ///< bool

} // namespace lowbit::studio::keys
