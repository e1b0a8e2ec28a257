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
inline constexpr QLatin1String kThreads{"compute/threads"};           ///< int, 0 = all cores
inline constexpr QLatin1String kDevice{"compute/device"};             ///< QString: "cpu" or "vulkan[:N]"
inline constexpr QLatin1String kDefaultFormat{"quant/defaultFormat"}; ///< QString: a public format name ("int4")
inline constexpr QLatin1String kDefaultGroup{"quant/defaultGroup"};   ///< qlonglong: group size (0 per channel, -1 per tensor)

} // namespace lowbit::studio::keys
