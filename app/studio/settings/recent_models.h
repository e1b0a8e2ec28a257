// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
/// The "Open Recent" list, kept in the settings store (newest first, at most kMaxRecentModels).

#include <QStringList>

namespace lowbit::studio {

inline constexpr int kMaxRecentModels = 8;

QStringList recentModels();
/// Moves `path` to the front (adding it when new) and drops the oldest beyond the limit.
void addRecentModel(const QString &path);
void removeRecentModel(const QString &path);
void clearRecentModels();

} // namespace lowbit::studio
